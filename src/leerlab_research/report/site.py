"""The programme site: ``<out>/site/``, an index for policy staff.

The index links every lab report, the programme report and the methods report
in every format that exists under ``<out>/reports/``, with the study title, the
fieldwork period of each wave and one line per lab (published response in the
latest wave and how many conditions lie above or below the programme). Every
number comes from published tables (``compare/``).

With Quarto (on ``PATH`` or ``LEERLAB_QUARTO``) the site is a Quarto website
project with search, rendered in a temporary folder and copied to
``<out>/site/`` (``index.html``, ``search.json``, ``site_libs/``); its search covers
the reports' HTML too, section by section (:mod:`.site_search` adds them to Quarto's
``search.json``). Without Quarto the index is one self-contained HTML page (no
external files; one inline script filters a list of the reports' sections), so it
works from a file share. Both show the same content, built once
(:func:`site_content`).
"""

from __future__ import annotations

import html
import json
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..outputs import write_text
from ..text import fmt_date
from .context import ReportData
from .engine import quarto_executable
from .engine.errors import RenderError
from .engine.quarto import run_quarto
from .engine.workcopy import move_into_place
from .site_search import report_search_docs
from .tables import ALL, OUTSIDE, int_text

FORMAT_NAMES = {"html": "HTML", "docx": "Word", "pdf": "PDF"}
STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;"
    "color:#222}table{border-collapse:collapse;width:100%}th,td{text-align:left;"
    "padding:.3rem .6rem;border-bottom:1px solid #ddd}a{color:#0072B2}"
)
Links = list[tuple[str, str]]  # (format name, href)


@dataclass
class SiteContent:
    """What the index shows, whichever engine writes it."""

    lang: str
    title: str
    fieldwork: list[str]
    programme: list[tuple[str, Links]]
    columns: list[str]
    labs: list[tuple[str, str, str, Links]] = field(default_factory=list)
    headings: dict[str, str] = field(default_factory=dict)
    note: str = ""
    #: The reports' sections as Quarto search documents (:func:`.site_search.report_search_docs`).
    search: list[dict[str, str]] = field(default_factory=list)


def _links(reports: Path, stem: str) -> Links:
    return [
        (name, f"../reports/{stem}.{ext}")
        for ext, name in FORMAT_NAMES.items()
        if (reports / f"{stem}.{ext}").exists()
    ]


def fieldwork_lines(data: ReportData) -> list[str]:
    """One line per wave: its label and fieldwork period (:meth:`ReportCore.wave_dates`:
    the study's declared ``fieldwork``, else the published first and last submission day)."""
    lines = []
    for wave in data.waves():
        dates = data.wave_dates(wave)
        when = (
            f"{fmt_date(dates[0], data.lang)} – {fmt_date(dates[1], data.lang)}"
            if dates is not None
            else "–"
        )
        lines.append(f"{data.wave_label(wave)}: {when}")
    return lines


def site_content(data: ReportData) -> SiteContent:
    """The index's content from the published tables and the rendered reports."""
    t = data.t
    reports = data.out / "reports"
    waves = data.waves()
    last = waves[-1] if waves else ""
    r = data.responses
    labs = (
        sorted(
            (x for x in r["lab"].astype(str).unique() if x not in (ALL, OUTSIDE)),
            # ’s-Hertogenbosch sorts under S, not after Z
            key=lambda lab: data.lab_name(lab).lstrip("\u2019'").casefold(),
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
        rows.append((data.lab_name(lab), int_text(n) or "–", marks, _links(reports, f"lab-{lab}")))
    return SiteContent(
        lang=data.lang,
        title=data.study.config.title or data.study.name,
        fieldwork=fieldwork_lines(data),
        programme=[
            (t("site_programme_report"), _links(reports, "programme")),
            (t("site_methods_report"), _links(reports, "methods")),
        ],
        columns=[
            t(k, wave=data.wave_label(last))
            for k in ("col_lab", "site_n", "site_mark", "site_report")
        ],
        labs=rows,
        headings={
            k: t(k) for k in ("site_fieldwork", "site_programme", "site_labs", "site_search")
        },
        note=t("site_note"),
        search=report_search_docs(
            [
                reports / f"{stem}.html"
                for stem in ("programme", "methods", *(f"lab-{lab}" for lab in labs))
                if (reports / f"{stem}.html").exists()
            ]
        ),
    )


def site_index(data: ReportData) -> str:
    """The self-contained index page as HTML text (the fallback's site)."""
    return site_html(site_content(data))


def site_html(c: SiteContent) -> str:
    e = html.escape

    def links(found: Links) -> str:
        return " · ".join(f'<a href="{e(href)}">{e(name)}</a>' for name, href in found) or "–"

    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{c.lang}"><head><meta charset="utf-8">',
        f"<title>{e(c.title)}</title><style>{STYLE}</style></head><body>",
        f'<header id="title-block-header"><h1 class="title">{e(c.title)}</h1></header>',
        f"<h2>{e(c.headings['site_fieldwork'])}</h2><ul>",
        *(f"<li>{e(line)}</li>" for line in c.fieldwork),
        "</ul>",
        f"<h2>{e(c.headings['site_programme'])}</h2><ul>",
        *(f"<li>{e(name)}: {links(found)}</li>" for name, found in c.programme),
        "</ul>",
        f"<h2>{e(c.headings['site_labs'])}</h2>",
        "<table><thead><tr>" + "".join(f"<th>{e(h)}</th>" for h in c.columns) + "</tr></thead>",
        "<tbody>",
        *(
            f"<tr><td>{e(name)}</td><td>{e(n)}</td><td>{e(marks)}</td><td>{links(found)}</td></tr>"
            for name, n, marks, found in c.labs
        ),
        "</tbody></table>",
        f"<p>{e(c.note)}</p>",
        *search_finder(c),
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"


#: Inline (the page stays one file): hide the list until a word is typed, then show the
#: sections whose report title or heading holds it. Without scripts the whole list shows.
FINDER_SCRIPT = """<script>
(function () {
  var q = document.getElementById("report-search-q");
  var items = Array.prototype.slice.call(document.querySelectorAll("#report-search-hits li"));
  function filter() {
    var w = q.value.toLowerCase().trim();
    items.forEach(function (li) { li.hidden = !w || li.dataset.s.indexOf(w) < 0; });
  }
  q.hidden = false;
  q.addEventListener("input", filter);
  filter();
})();
</script>"""


def search_finder(c: SiteContent) -> list[str]:
    """The fallback's small search: the reports' sections by title and heading.

    In a ``nav`` (a way to find things, like Quarto's search box, and like the
    reports' contents left out when the engines' pages are compared).
    """
    sections = [d for d in c.search if d["section"]]
    if not sections:
        return []
    e = html.escape
    items = [
        f'<li data-s="{e((d["title"] + " " + d["section"]).casefold())}">'
        f'<a href="{e(d["href"])}">{e(d["title"])}: {e(d["section"])}</a></li>'
        for d in sections
    ]
    label = c.headings.get("site_search", "")
    return [
        f'<nav id="report-search"><h2>{e(label)}</h2>',
        f'<input type="search" id="report-search-q" aria-label="{e(label)}" hidden>',
        '<ul id="report-search-hits">',
        *items,
        "</ul></nav>",
        FINDER_SCRIPT,
    ]


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|#])")


def site_markdown(c: SiteContent) -> str:
    """``index.qmd`` of the Quarto website: the same content as :func:`site_html`."""

    def md(text: str) -> str:
        return _MD_SPECIAL.sub(r"\\\1", text)

    def links(found: Links) -> str:
        return " · ".join(f"[{md(name)}]({href})" for name, href in found) or "–"

    front = yaml.safe_dump({"title": c.title, "lang": c.lang}, allow_unicode=True, sort_keys=False)
    parts = [
        f"---\n{front}---",
        f"## {md(c.headings['site_fieldwork'])}",
        "\n".join(f"- {md(line)}" for line in c.fieldwork),
        f"## {md(c.headings['site_programme'])}",
        "\n".join(f"- {md(name)}: {links(found)}" for name, found in c.programme),
        f"## {md(c.headings['site_labs'])}",
        "\n".join(
            [
                "| " + " | ".join(md(h) for h in c.columns) + " |",
                "|" + "---|" * len(c.columns),
                *(
                    f"| {md(name)} | {md(n)} | {md(marks)} | {links(found)} |"
                    for name, n, marks, found in c.labs
                ),
            ]
        ),
        md(c.note),
    ]
    return "\n\n".join(parts) + "\n"


def quarto_project(c: SiteContent) -> dict[str, Any]:
    """``_quarto.yml`` of the website: one page, the study title, search in the navbar."""
    return {
        "project": {"type": "website", "output-dir": "_site"},
        "website": {
            "title": c.title,
            "search": {"location": "navbar", "type": "textbox"},
            "navbar": {"left": [{"href": "index.qmd", "text": c.headings["site_programme"]}]},
        },
        "lang": c.lang,
        "format": {"html": {"toc": False}},
    }


def render_quarto_site(c: SiteContent, exe: str, target: Path, timeout: int = 600) -> list[Path]:
    """Render the website project in a temporary folder; copy its output to ``target``."""
    written = []
    with tempfile.TemporaryDirectory(prefix="leerlab-site-") as tmp:
        project = Path(tmp) / "site"
        project.mkdir()
        (project / "_quarto.yml").write_text(
            yaml.safe_dump(quarto_project(c), allow_unicode=True, sort_keys=False), "utf-8"
        )
        (project / "index.qmd").write_text(site_markdown(c), encoding="utf-8")
        run_quarto([exe, "render"], project, dict(os.environ), "the programme site", timeout)
        built = project / "_site"
        if not (built / "index.html").is_file():
            raise RenderError("the programme site: quarto reported success but wrote no index.html")
        add_to_search_index(built / "search.json", c.search)
        for path in sorted(p for p in built.rglob("*") if p.is_file()):
            written.append(move_into_place(path, target / path.relative_to(built)))
    return written


def add_to_search_index(path: Path, docs: list[dict[str, str]]) -> None:
    """Append the reports' sections to Quarto's ``search.json`` (its format, its indent).

    Quarto indexes the pages it renders, here only the index; a document whose
    ``objectID`` Quarto already has is left as Quarto wrote it.
    """
    if not docs:
        return
    try:
        index = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else []
    except (OSError, ValueError) as exc:
        raise RenderError(f"the programme site: cannot read Quarto's {path.name}: {exc}") from None
    if not isinstance(index, list):
        raise RenderError(f"the programme site: Quarto's {path.name} is not a list of documents")
    known = {d.get("objectID") for d in index if isinstance(d, dict)}
    index += [d for d in docs if d["objectID"] not in known]
    path.write_text(json.dumps(index, ensure_ascii=False, indent=2), encoding="utf-8")


def write_site(ctx: Any) -> list[Path]:
    """Write ``<out>/site/``: a Quarto website with search, else one self-contained page."""
    lang = ctx.options.get("lang") or ctx.study.settings.language
    content = site_content(ReportData(study=ctx.study, out=ctx.out, lang=lang))
    target = ctx.out / "site"
    exe = quarto_executable()
    if exe is not None:
        return render_quarto_site(content, exe, target)
    path = target / "index.html"
    path.parent.mkdir(parents=True, exist_ok=True)
    write_text(site_html(content), path)
    return [path]
