"""What the report templates call: load published tables, shape them, say them.

A template does ``R = ReportData.load(study, out_dir, lang)`` and then prints the
Markdown that these methods return. Nothing here estimates anything, reads
row-level data or applies a disclosure rule: every number comes from a table
under ``<out>/compare/`` (indexed by ``results.json``) or ``<out>/measurement/``,
and those went through ``compare/disclosure.py``. Suppressed cells
(``suppressed == True``) are shown with their true reason, never as a number
(:meth:`ReportCore.reason_text`). A table an earlier stage could not write (or
wrote without some columns) becomes a sentence that says so, not an error.

The sections live by subject: :mod:`.sections_lab` (lab report),
:mod:`.sections_programme` (programme report) and :mod:`.sections_methods`
(methods report); :class:`ReportData` combines them.

Figures are written as PNG files under ``figures/`` in the working directory and
referenced from Markdown with a cross-reference label, which both Quarto and the
fallback engine number ("Figuur 1").
"""

from __future__ import annotations

import datetime
import json
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd

from .. import plots
from .. import text as T
from ..config.codebook import Codebook
from ..config.study import Study, load_study
from .open_answers import OpenAnswersMixin
from .panel import PanelSections
from .sections_change import ChangeSections
from .sections_lab import LabSections
from .sections_methods import MethodsSections
from .sections_programme import ProgrammeSections
from .tables import (
    ALL,
    OUTSIDE,
    TYPST_FLOAT_CLOSE,
    TYPST_FLOAT_OPEN,
    md_table,
    memoised,
    num_or_nan,
)

__all__ = ["ReportCore", "ReportData", "md_table"]


#: Tables of at most this many rows stay on one page in the PDF (a longer one breaks,
#: its header repeated); 15 rows of one or two lines take at most half a page. Typst's
#: ``leerlab-keep`` (engine.convert.TYPST_HEADER) still breaks one that would otherwise
#: leave more than a quarter of a page empty.
KEEP_TOGETHER_ROWS = 15
TYPST_KEEP_OPEN = "```{=typst}\n#leerlab-keep[\n```"
TYPST_KEEP_CLOSE = "```{=typst}\n]\n```"


#: Published tables parsed in this process, by path: (inode, change time in ns,
#: size) of the file read, and the table. A report reads the same table many times (a
#: lab report reads ``benchmark.csv`` a dozen times) and the report stage's kernel
#: executes one report after another, so each table is parsed once per process while
#: its file is unchanged. The writers replace a file (a new inode), so a table
#: rewritten within the clock's resolution is still read again.
_PUBLISHED: dict[str, tuple[tuple[int, int, int], pd.DataFrame]] = {}


def read_published(path: Path) -> pd.DataFrame:
    """A published table (empty when absent), parsed once per process and file version.

    ``suppressed`` is boolean and ``suppression_reason`` text ("" when blank). Every
    call gets its own copy, so a caller that changes its table changes no other's.
    """
    try:
        stat = path.stat()
    except FileNotFoundError:
        return pd.DataFrame()
    key = str(path.resolve())
    identity = (stat.st_ino, stat.st_ctime_ns, stat.st_size)
    cached = _PUBLISHED.get(key)
    if cached is None or cached[0] != identity:
        table = pd.read_csv(path, keep_default_na=True)
        if "suppressed" in table.columns:
            table["suppressed"] = table["suppressed"].fillna(False).astype(bool)
        if "suppression_reason" in table.columns:
            # an all-blank column reads as float; fill after making it text
            reason = table["suppression_reason"].astype(object)
            table["suppression_reason"] = reason.where(reason.notna(), "").astype(str)
        cached = (identity, table)
        _PUBLISHED[key] = cached
    return cached[1].copy()


@dataclass
class ReportCore:
    """Outputs of the earlier stages of one study, ready for the templates."""

    study: Study
    out: Path
    lang: str = "nl"
    figure_dir: Path = field(default_factory=lambda: Path("figures"))

    # ----------------------------------------------------------------- loading
    @classmethod
    def load(cls, study: str | Path, out_dir: str | Path, lang: str = "nl") -> Any:
        """Load the study (codebook, labs, settings) and point at its output root."""
        return cls(study=load_study(study, check_sources=False), out=Path(out_dir), lang=lang)

    @property
    def codebook(self) -> Codebook:
        return self.study.codebook

    @property
    def min_cell(self) -> int:
        return self.study.settings.min_cell

    @cached_property
    def index(self) -> dict[str, Any]:
        path = self.out / "compare" / "results.json"
        if not path.exists():
            return {"tables": {}}
        return json.loads(path.read_text(encoding="utf-8"))

    def compare_table(self, name: str) -> pd.DataFrame:
        """A comparison table by its name in ``results.json`` (empty when absent)."""
        info = self.index.get("tables", {}).get(name)
        return read_published(self.out / "compare" / (info["file"] if info else f"{name}.csv"))

    def measurement_table(self, name: str) -> pd.DataFrame:
        return read_published(self.out / "measurement" / f"{name}.csv")

    @cached_property
    def manifest(self) -> dict[str, Any]:
        path = self.out / "manifest.json"
        return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}

    def key_warning(self) -> str:
        """A loud first-page warning when the public demo key pseudonymised real data.

        Empty when the data are the bundled demo exports or a secret key was used
        (``manifest.json`` → ``pseudonym_key``, written by the clean stage).
        """
        info = self.manifest.get("pseudonym_key") or {}
        if not info.get("warning"):
            return ""
        files = ", ".join(f"`{f}`" for f in info.get("non_demo_sources", []))
        return f"**{T.msg('demo_key_warning', self.lang, files=files)}**\n"

    # ------------------------------------------------------------------ labels
    def t(self, key: str, **fields: object) -> str:
        """A heading or fixed text in the report language."""
        return T.msg(key, self.lang, **fields)

    def scale_label(self, scale: str) -> str:
        s = self.codebook.scales.get(scale)
        return s.label.get(self.lang) if s is not None else str(scale)

    def domain_label(self, domain: str) -> str:
        return self.codebook.domains[domain].label.get(self.lang)

    def lab_name(self, lab: str) -> str:
        if lab == OUTSIDE:
            return self.t("outside_schools")
        return T.typeset(self.study.labs.name_of(lab))

    def group_label(self, key: str) -> str:
        return T.msg(key, self.lang) if key in T.MESSAGES else str(key)

    def num(self, value: float, decimals: int = 2) -> str:
        return T.fmt_num(value, decimals, self.lang)

    def interval(self, low: float, high: float, decimals: int = 2) -> str:
        return T.fmt_interval(low, high, decimals, self.lang)

    def reason_text(self, reason: str) -> str:
        """Why a cell is not shown, in words that are true for its suppression reason."""
        return T.hidden_reason(reason, self.lang, self.min_cell)

    def reasons_text(self, reasons: Iterable[str]) -> str:
        """Why several cells are not shown: each distinct reason in its own true words."""
        return T.hidden_reasons(reasons, self.lang, self.min_cell)

    # ----------------------------------------------------------------- figures
    def figure(self, fig: Any, label: str, caption: str, alt: str | None = None) -> str:
        """Save ``fig`` as ``figures/<label>.png`` and return Markdown that embeds it.

        The caption is also the alt text unless ``alt`` is given (``fig-alt``).
        """
        self.figure_dir.mkdir(parents=True, exist_ok=True)
        path = self.figure_dir / f"{label}.png"
        path.write_bytes(plots.figure_to_png_bytes(fig))
        alt_text = (alt or caption).replace('"', "'")
        return f'![{caption}]({path.as_posix()}){{#{label} fig-alt="{alt_text}"}}\n'

    # ------------------------------------------------------------------ waves
    @cached_property
    def responses(self) -> pd.DataFrame:
        """Published questionnaire counts per lab × wave (``compare/responses.csv``)."""
        return self.compare_table("responses")

    def waves(self) -> list[str]:
        r = self.responses
        if r.empty:
            d = self.compare_table("descriptives")
            return sorted(d["wave"].astype(str).unique().tolist()) if not d.empty else []
        order = {w: i for i, w in enumerate(self.study.wave_ids)}
        waves = [w for w in r["wave"].astype(str).unique() if w != ALL]
        return sorted(waves, key=lambda w: (order.get(w, len(order)), w))

    def wave_dates(self, wave: str) -> tuple[datetime.date, datetime.date] | None:
        """The wave's fieldwork: declared in the study, else its published submission days."""
        for w in self.study.waves:
            if w.id == wave and w.fieldwork is not None:
                return w.fieldwork.start, w.fieldwork.end
        r = self.responses
        if r.empty or "first_submitted" not in r.columns:
            return None
        hit = r[(r["lab"] == ALL) & (r["wave"] == wave)].dropna(
            subset=["first_submitted", "last_submitted"]
        )
        if hit.empty:
            return None
        first, last = hit.iloc[0]["first_submitted"], hit.iloc[0]["last_submitted"]
        return (
            datetime.date.fromisoformat(str(first)[:10]),
            datetime.date.fromisoformat(str(last)[:10]),
        )

    def wave_period(self, wave: str) -> str:
        """A wave in words for readers: its fieldwork months (``mei–juni 2024``).

        Wave codes such as ``T2`` mean nothing to a coordinator; without dates the
        wave's label from the study file is used, and the code only as a last resort.
        """
        dates = self.wave_dates(wave)
        if dates is not None:
            return T.fmt_period(*dates, lang=self.lang)
        return self.wave_label(wave)

    def wave_label(self, wave: str) -> str:
        """The wave's label from the study file (``Einde subsidiejaar``), else its id."""
        for w in self.study.waves:
            if w.id == wave:
                return w.label.get(self.lang)
        return str(wave)

    def wave_short(self, wave: str) -> str:
        """A wave for a column heading: the month its fieldwork started (``mei 2024``)."""
        dates = self.wave_dates(wave)
        if dates is None:
            return self.wave_period(wave)
        return T.fmt_period(dates[0], dates[0], lang=self.lang)

    def fieldwork_period(self) -> str:
        """From the first wave's start to the last wave's end, in months."""
        spans = [d for d in (self.wave_dates(w) for w in self.waves()) if d is not None]
        if not spans:
            return "–"
        return T.fmt_period(min(s for s, _ in spans), max(e for _, e in spans), lang=self.lang)

    def study_version(self) -> str:
        """Study name, the study file's hash, codebook and software versions (manifest)."""
        m = self.manifest
        study = m.get("study") or {}
        return self.t(
            "title_study_version",
            study=self.study.config.title or self.study.name,
            sha=str(study.get("sha256", ""))[:8] or "–",
            codebook=(m.get("codebook") or {}).get("version") or self.codebook_version(),
            software=m.get("leerlab_research", "–"),
        )

    def codebook_version(self) -> str:
        return str(getattr(self.codebook, "version", "") or "–")

    def title_block(self, lab: str = "") -> str:
        """The lines under the title: programme, lab, fieldwork, the wave described, study."""
        lines = [self.t("title_programme")]
        if lab:
            lines.append(self.t("title_lab", lab=self.lab_name(lab)))
        waves = self.waves()
        lines.append(
            self.t("title_fieldwork", period=self.fieldwork_period(), n=len(waves))
            if len(waves) != 1
            else self.t("title_fieldwork_one", period=self.fieldwork_period())
        )
        if lab:
            lines.append(self.t("title_wave", period=self.wave_period(self.lab_wave(lab))))
        lines.append(self.study_version())
        # a backslash ending a line is a hard line break (pandoc and Quarto)
        return "\\\n".join(lines) + "\n"

    @memoised
    def lab_waves(self, lab: str) -> list[str]:
        b = self.compare_table("benchmark")
        if b.empty:
            return []
        rows = b[(b["lab"] == lab) & ~b["suppressed"]]
        order = {w: i for i, w in enumerate(self.study.wave_ids)}
        waves = rows["wave"].astype(str).unique().tolist()
        return sorted(waves, key=lambda w: (order.get(w, len(order)), w))

    def lab_wave(self, lab: str) -> str:
        """The most recent wave with results for the lab (the report describes it)."""
        waves = self.lab_waves(lab) or self.waves()
        return waves[-1] if waves else (self.study.wave_ids or [""])[0]

    def previous_wave(self, lab: str) -> str | None:
        waves = self.lab_waves(lab)
        return waves[-2] if len(waves) > 1 else None

    def lab_n(self, lab: str, wave: str | None = None) -> float:
        """The lab's published number of questionnaires (NaN when hidden or absent)."""
        wave = wave or self.lab_wave(lab)
        r = self.responses
        if r.empty:
            return math.nan
        hit = r[(r["lab"] == lab) & (r["wave"] == wave)]
        if hit.empty or bool(hit.iloc[0]["suppressed"]):
            return math.nan
        return num_or_nan(hit.iloc[0]["n"])

    def merged_groups(self, lab: str, wave: str) -> list[str]:
        m = self.compare_table("merges")
        if m.empty:
            return []
        hit = m[(m["lab"] == lab) & (m["wave"] == wave)]
        return hit["group"].astype(str).tolist()

    @staticmethod
    def floating(markdown: str) -> str:
        """Figures that float in the PDF: at the foot of the page where they fit, else of
        the next, with the text after them filling the page above.

        Kept in the flow, a figure that did not fit under the text before it left up
        to half a page empty. Use only after text of the section's own (a heading is
        kept with the text that follows it, not with a float).
        """
        return f"{TYPST_FLOAT_OPEN}\n\n{markdown}\n{TYPST_FLOAT_CLOSE}\n" if markdown else ""

    def table(self, df: pd.DataFrame, caption: str, label: str) -> str:
        """A numbered, captioned table (``Tabel 1``) in both engines.

        A short table is kept on one page in the PDF: Typst breaks any table at the
        page end, which left a caption, a header and one row at the foot of a page.
        The raw Typst block is dropped by the HTML and DOCX writers.
        """
        if df.empty:
            return ""
        body = md_table(df) + f"\n: {caption} {{#tbl-{label}}}\n"
        if len(df) > KEEP_TOGETHER_ROWS:
            return body
        return f"{TYPST_KEEP_OPEN}\n\n{body}\n{TYPST_KEEP_CLOSE}\n"


@dataclass
class ReportData(
    LabSections,
    ChangeSections,
    ProgrammeSections,
    MethodsSections,
    ReportCore,
    OpenAnswersMixin,
    PanelSections,
):
    """Everything the three templates call."""
