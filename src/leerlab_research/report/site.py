"""The programme site: ``<out>/site/index.html``, one page for policy staff.

It links every lab report, the programme report and the methods report in every
format that exists under ``<out>/reports/``, with the study title, the waves and
one line per lab (published response and how many conditions differ from the
programme). The page is self-contained HTML (no scripts, no external files), so
it works from a file share; it is written the same way whether or not Quarto is
installed. Every number comes from published tables (``compare/``).
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from ..outputs import write_text
from .context import ReportData
from .tables import ALL, OUTSIDE, int_text

FORMAT_NAMES = {"html": "HTML", "docx": "Word", "pdf": "PDF"}
STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;"
    "color:#222}table{border-collapse:collapse;width:100%}th,td{text-align:left;"
    "padding:.3rem .6rem;border-bottom:1px solid #ddd}a{color:#0072B2}"
)


def _links(reports: Path, stem: str) -> str:
    found = [
        f'<a href="../reports/{stem}.{ext}">{name}</a>'
        for ext, name in FORMAT_NAMES.items()
        if (reports / f"{stem}.{ext}").exists()
    ]
    return " · ".join(found) or "–"


def site_index(data: ReportData) -> str:
    """The index page as HTML text."""
    t = data.t
    reports = data.out / "reports"
    waves = data.waves()
    last = waves[-1] if waves else ""
    r = data.responses
    labs = (
        sorted(
            (x for x in r["lab"].astype(str).unique() if x not in (ALL, OUTSIDE)),
            key=data.lab_name,
        )
        if not r.empty
        else []
    )
    rows = []
    for lab in labs:
        bm = data.lab_benchmark(lab, last) if last else None
        marks = ""
        if bm is not None and not bm.empty:
            above = int((bm["vs_programme"] == "above").sum())
            below = int((bm["vs_programme"] == "below").sum())
            marks = t("site_marks", above=above, below=below)
        n = data.lab_n(lab, last)
        rows.append(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>".format(
                html.escape(data.lab_name(lab)),
                int_text(n) or "–",
                html.escape(marks),
                _links(reports, f"lab-{lab}"),
            )
        )
    title = html.escape(data.study.config.title or data.study.name)
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{data.lang}"><head><meta charset="utf-8">',
        f"<title>{title}</title><style>{STYLE}</style></head><body>",
        f"<h1>{title}</h1>",
        f"<p>{html.escape(t('site_waves', waves=', '.join(waves)))}</p>",
        f"<h2>{html.escape(t('site_programme'))}</h2><ul>",
        f"<li>{html.escape(t('site_programme_report'))}: {_links(reports, 'programme')}</li>",
        f"<li>{html.escape(t('site_methods_report'))}: {_links(reports, 'methods')}</li></ul>",
        f"<h2>{html.escape(t('site_labs'))}</h2>",
        "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead>".format(
            *(
                html.escape(t(k, wave=last))
                for k in ("col_lab", "site_n", "site_mark", "site_report")
            )
        ),
        "<tbody>",
        *rows,
        "</tbody></table>",
        f"<p>{html.escape(t('site_note'))}</p>",
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"


def write_site(ctx: Any) -> list[Path]:
    """Write ``<out>/site/index.html`` from the published tables and the rendered reports."""
    lang = ctx.options.get("lang") or ctx.study.settings.language
    data = ReportData(study=ctx.study, out=ctx.out, lang=lang)
    path = ctx.out / "site" / "index.html"
    path.parent.mkdir(parents=True, exist_ok=True)
    write_text(site_index(data), path)
    return [path]
