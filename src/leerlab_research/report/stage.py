"""The ``report`` stage: ``leerlab report`` → ``<out>/reports/``.

Renders the three templates in ``reports/`` (``lab-report.qmd`` once per lab,
``programme-report.qmd``, ``methods-report.qmd``) with Quarto when it is on
``PATH`` (or ``LEERLAB_QUARTO`` names it) and with the fallback engine
otherwise. The templates only load earlier outputs and call this package's
table, text and plot helpers (:mod:`.context`).

File names use the lab's slug id (``lab-s-hertogenbosch.html``); the display
name (``'s-Hertogenbosch``) appears inside the report.
"""

from __future__ import annotations

import datetime
import json
from pathlib import Path

from .. import text as T
from ..errors import ConfigError
from ..runtime import StageContext
from .context import ReportData
from .engine import FORMATS, RenderPool, RenderRequest, quarto_executable, render_many
from .engine.request import ZIP_EPOCH, epoch_from_env
from .site import write_site
from .tables import ALL, OUTSIDE

KINDS = ("lab", "programme", "methods")
#: Rendering cost of a report kind relative to a lab report (CPU seconds on the demo:
#: programme ≈ 3.5, lab ≈ 1.7, methods ≈ 1.0), so that the programme starts first.
WEIGHTS = {"lab": 1.0, "programme": 2.0, "methods": 0.6}
#: What the templates import (``ReportData``): a render worker's kernel imports it
#: as it starts, before the first report.
TEMPLATE_IMPORTS = ("leerlab_research.report.context",)
TEMPLATES = {
    "lab": "lab-report.qmd",
    "programme": "programme-report.qmd",
    "methods": "methods-report.qmd",
}
TITLES = {
    "lab": {"nl": "Reflectie leerlab {lab}", "en": "Reflection leerlab {lab}"},
    "programme": {
        "nl": "Leerlabs Sterk Beroepsonderwijs: programmaoverzicht",
        "en": "Leerlabs Sterk Beroepsonderwijs: programme overview",
    },
    "methods": {
        "nl": "Verantwoording van de methode",
        "en": "Methods appendix",
    },
}


SUBTITLES = {
    "lab": {
        "nl": "Sterk Beroepsonderwijs: uitkomsten van het reflectie-instrument",
        "en": "Sterk Beroepsonderwijs: results of the reflection instrument",
    },
    "programme": {
        "nl": "Uitkomsten van het reflectie-instrument over alle labs",
        "en": "Results of the reflection instrument across all labs",
    },
    "methods": {
        "nl": "Leerlabs Sterk Beroepsonderwijs: bijlage voor onderzoekers",
        "en": "Leerlabs Sterk Beroepsonderwijs: appendix for researchers",
    },
}


def templates_dir(setting: str | None, study_dir: Path) -> Path:
    """The template folder: ``settings.report.templates`` or the repository's ``reports/``."""
    if setting:
        path = Path(setting)
        return path if path.is_absolute() else (study_dir / path).resolve()
    return Path(__file__).resolve().parents[3] / "reports"


def parse_formats(value: str | list[str] | None, default: list[str]) -> list[str]:
    """``"html,docx"`` → ``["html", "docx"]``; unknown formats are a usage error (exit 2)."""
    if value is None:
        formats = list(default)
    elif isinstance(value, str):
        formats = [f.strip().lower() for f in value.split(",") if f.strip()]
    else:
        formats = [f.strip().lower() for f in value]
    bad = [f for f in formats if f not in FORMATS]
    if bad or not formats:
        raise ConfigError(
            f"--format: unknown format(s) {', '.join(map(repr, bad)) or '(none)'}; "
            f"choose from {', '.join(FORMATS)}"
        )
    return formats


def check_inputs(ctx: StageContext) -> None:
    """Check every comparison table against its contract.

    Templates read them later, inside a notebook kernel; checking here makes a wrong
    column fail at the stage boundary with the table and column named. The reports
    read no row-level data, so the clean table is not needed here.
    """
    index = ctx.require("compare/results.json", "compare")
    for info in json.loads(index.read_text(encoding="utf-8"))["tables"].values():
        ctx.read_table(f"compare/{info['file']}", "compare")


def parse_kinds(value: list[str] | None, default: list[str]) -> list[str]:
    kinds = list(value) if value else list(default)
    flat = [k.strip().lower() for item in kinds for k in item.split(",") if k.strip()]
    bad = [k for k in flat if k not in KINDS]
    if bad:
        raise ConfigError(f"--kind: unknown report kind(s) {bad}; choose from {', '.join(KINDS)}")
    return flat


def source_date_epoch(ctx) -> int:
    """The creation time written into DOCX and PDF: ``SOURCE_DATE_EPOCH``, else the data's date.

    The data's date is the last submission day of the study (``last_submitted``
    of the programme row over all waves in ``compare/responses.csv``, midnight
    UTC), so that the same data give byte-identical documents; without
    submission times 1980-01-01.
    """
    r = ctx.read_table("compare/responses.csv", "compare")
    hit = r.loc[(r["lab"] == ALL) & (r["wave"] == ALL), "last_submitted"].dropna()
    if hit.empty:
        return epoch_from_env(ZIP_EPOCH)
    last = datetime.date.fromisoformat(str(hit.iloc[0])[:10])
    day = datetime.datetime(last.year, last.month, last.day, tzinfo=datetime.UTC)
    return epoch_from_env(max(int(day.timestamp()), ZIP_EPOCH))


def labs_in_data(ctx) -> list[str]:
    """Lab ids with published responses (``compare/responses.csv``), sorted."""
    r = ctx.read_table("compare/responses.csv", "compare")
    labs = r.loc[~r["lab"].isin([ALL, OUTSIDE]), "lab"].dropna().astype(str)
    return sorted(labs.unique().tolist())


def build_requests(
    ctx, *, lab: str | None, kinds: list[str], formats: list[str], lang: str
) -> list[RenderRequest]:
    """One render request per report (lab reports first, in lab-id order)."""
    study = ctx.study
    tdir = templates_dir(study.settings.report.templates, study.base_dir)
    for kind in kinds:
        if not (tdir / TEMPLATES[kind]).exists():
            raise ConfigError(f"report template {tdir / TEMPLATES[kind]} does not exist")
    out_dir = ctx.out / "reports"
    # the lines under the title (programme, lab, fieldwork, study), above the contents
    data = ReportData(study=study, out=ctx.out, lang=lang)
    common = {
        "study": str(study.path.resolve()),
        "out_dir": str(ctx.out.resolve()),
        "lang": lang,
    }
    requests: list[RenderRequest] = []
    if "lab" in kinds:
        if lab is not None:
            lab_id = study.labs.resolve(lab)
            if lab_id is None:
                known = ", ".join(f"{x.name} ({x.id})" for x in study.labs.labs)
                raise ConfigError(f"--lab: unknown lab {lab!r}; known labs: {known}")
            lab_ids = [lab_id]
            present = labs_in_data(ctx)
            if lab_id not in present:
                raise ConfigError(
                    f"--lab: lab {study.labs.name_of(lab_id)!r} has no respondents in the clean data"
                )
        else:
            lab_ids = labs_in_data(ctx)
        for lab_id in lab_ids:
            name = T.typeset(study.labs.name_of(lab_id))
            requests.append(
                RenderRequest(
                    template=tdir / TEMPLATES["lab"],
                    output_dir=out_dir,
                    output_stem=f"lab-{lab_id}",
                    params={**common, "lab": lab_id},
                    formats=formats,
                    lang=lang,
                    weight=WEIGHTS["lab"],
                    metadata={
                        "title": TITLES["lab"][lang].format(lab=name),
                        "subtitle": SUBTITLES["lab"][lang],
                        "abstract": data.title_block(lab_id),
                        "abstract-title": "",
                    },
                )
            )
    for kind in ("programme", "methods"):
        if kind in kinds:
            requests.append(
                RenderRequest(
                    template=tdir / TEMPLATES[kind],
                    output_dir=out_dir,
                    output_stem=kind,
                    params={**common, "lab": ""},
                    formats=formats,
                    lang=lang,
                    weight=WEIGHTS[kind],
                    metadata={
                        "title": TITLES[kind][lang],
                        "subtitle": SUBTITLES[kind][lang],
                        "abstract": data.title_block(),
                        "abstract-title": "",
                    },
                )
            )
    return requests


def check_reports_current(ctx: StageContext) -> None:
    """``--site`` alone links the reports already rendered: they must be current.

    The index reads the comparison tables as they are now; reports rendered from
    earlier tables (or not recorded in the manifest) would sit under an index
    whose figures they contradict. Raises ConfigError (exit 2) naming why.
    """
    if ctx.stale is not None:
        raise ConfigError(
            f"Cannot write only the site: the reports in {ctx.out / 'reports'} are not "
            f"current ({ctx.stale})",
            [
                f"run `leerlab report --study {ctx.study.path} --out {ctx.out}`: it renders "
                "the reports and writes the site with them"
            ],
        )


def start_workers(ctx: StageContext) -> RenderPool:
    """The stage's render workers, started ahead (``pipeline.Stage.ahead``)."""
    return RenderPool(max(1, ctx.study.settings.report.workers), preload=TEMPLATE_IMPORTS)


def run_report(ctx) -> list[Path]:
    """Render the reports the options ask for (default: every kind, every lab, every format)."""
    opts = ctx.options
    settings = ctx.study.settings
    formats = parse_formats(opts.get("formats"), settings.report.formats)
    # `--lab X` alone means "the report of lab X"; add --kind to get more.
    default_kinds = ["lab"] if opts.get("lab") else settings.report.kinds
    kinds = parse_kinds(opts.get("kinds"), default_kinds)
    lang = opts.get("lang") or settings.language
    if lang not in ("nl", "en"):
        raise ConfigError(f"--lang: unknown language {lang!r}; choose nl or en")
    workers = max(1, settings.report.workers)
    one = bool(opts.get("site_only")) or (bool(opts.get("lab")) and kinds == ["lab"])
    # The render workers start their kernels (and the templates' imports) while the
    # inputs are checked and the requests built, or under `leerlab run` from its
    # start: about 1.5 s of CPU each that would otherwise come first.
    ahead = ctx.ahead.pop("report", None)
    if not isinstance(ahead, RenderPool):
        ahead = RenderPool(1) if one else start_workers(ctx)
    with ahead as pool:
        if opts.get("site_only"):
            check_reports_current(ctx)
        check_inputs(ctx)
        if opts.get("site_only"):
            return write_site(ctx)
        requests = build_requests(ctx, lab=opts.get("lab"), kinds=kinds, formats=formats, lang=lang)
        epoch = source_date_epoch(ctx)
        # the report date under the title: the same day the documents are stamped with
        day = datetime.datetime.fromtimestamp(epoch, datetime.UTC).date()
        for req in requests:
            req.source_date_epoch = epoch
            req.metadata = {**req.metadata, "date": T.fmt_date(day, lang)}
        engine = "quarto" if quarto_executable() else "fallback"
        ctx.console.print(
            f"  rendering {len(requests)} report(s) × {', '.join(formats)} with {engine}"
        )
        with ctx.progress("reports", len(requests)) as advance:
            results = render_many(requests, workers=workers, progress=advance, pool=pool)
    written: list[Path] = []
    # A warning that every report gives (a Quarto notice, say) is printed once.
    counts: dict[str, int] = {}
    for res in results:
        written.extend(res.outputs)
        for w in res.warnings:
            counts[w] = counts.get(w, 0) + 1
    for w, n in counts.items():
        times = f" ({n} reports)" if n > 1 else ""
        ctx.console.print(f"  [yellow]warning:[/] {w}{times}", highlight=False)
    if opts.get("site") or (not opts.get("lab") and set(kinds) == set(KINDS)):
        written.extend(write_site(ctx))
    return written
