"""Report sections on the waves: trajectories, anchoring after the subsidy, attrition.

A mixin of :class:`.context.ReportData` (it uses its ``compare_table``,
``measurement_table``, ``figure``, labels and number formats). Every number comes
from the panel tables of the compare stage (``trajectories.csv``, ``longitudinal.csv``,
``attrition.csv``, ``attrition_baseline.csv``) or ``measurement/invariance_waves.csv``;
words come from :mod:`leerlab_research.text`. Suppressed cells are never shown.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import pandas as pd

from .. import text as T
from ..plots.trajectory import trajectory_plot

VERDICTS = ("houdt_stand", "neemt_af", "neemt_toe", "niet_te_zeggen")


# the catalogue's date in words, re-exported for the site and the tests
fmt_date = T.fmt_date


def verdict_word(verdict: str, lang: str = "nl") -> str:
    """``houdt stand`` / ``neemt af`` / ``neemt toe`` / ``niet te zeggen`` (en: holds, …)."""
    key = f"verdict_{verdict}"
    return T.msg(key, lang) if key in T.MESSAGES else T.msg("verdict_niet_te_zeggen", lang)


def slope_sentence(
    label: str, verdict: str, slope: float, low: float, high: float, lang: str = "nl"
) -> str:
    """A lab's slope after the subsidy on one scale, in words, e.g.

    >>> slope_sentence("Commitment", "neemt_af", -0.31, -0.55, -0.07)
    'Commitment: neemt af (−0,31 per jaar, [−0,55; −0,07]).'
    """
    if any(v is None or math.isnan(v) for v in (slope, low, high)):
        return T.msg("slope_sentence_blank", lang, label=label)
    num = T.fmt_num(slope, 2, lang).replace("-", "−")
    interval = T.fmt_interval(low, high, 2, lang).replace("-", "−")
    return T.msg(
        "slope_sentence",
        lang,
        label=label,
        verdict=verdict_word(verdict, lang),
        slope=num,
        interval=interval,
    )


def count_sentence(label: str, counts: dict[str, int], lang: str = "nl") -> str:
    """How many labs hold, decline, rise or cannot be told on one scale."""

    def part(key: str, verdict: str) -> str:
        n = counts.get(verdict, 0)
        return T.msg(f"{key}_one", lang) if n == 1 else T.msg(key, lang, n=n)

    return T.msg(
        "count_sentence",
        lang,
        label=label,
        holds=part("count_holds", "houdt_stand"),
        declines=part("count_declines", "neemt_af"),
        rises=part("count_rises", "neemt_toe"),
        unknown=counts.get("niet_te_zeggen", 0),
    )


def group_label(term: str, lang: str = "nl") -> str:
    """The group of a by-line or by-round slope term in words, from the catalogue:

    >>> group_label("slope_after[line=leerroute]")
    'Doorlopende-leerroutelijn'
    >>> group_label("slope_after[round=2019]", "en")
    'Round 2019'
    """
    factor, _, level = term.split("[", 1)[1].rstrip("]").partition("=")
    key = f"panel_{factor}_{level}" if factor == "line" else f"panel_{factor}"
    if key in T.MESSAGES:
        return T.msg(key, lang, level=level)
    return f"{factor}: {level}"  # a factor the catalogue does not know: shown as stored


def _f(x: Any) -> float:
    try:
        return float(x)
    except (TypeError, ValueError):
        return math.nan


class PanelSections:
    """Sections of the lab, programme and methods reports about the waves."""

    if TYPE_CHECKING:  # provided by ReportData
        lang: str
        study: Any

        @property
        def codebook(self) -> Any: ...
        @property
        def min_cell(self) -> int: ...

        @property
        def index(self) -> dict[str, Any]: ...

        def compare_table(self, name: str) -> pd.DataFrame: ...
        def measurement_table(self, name: str) -> pd.DataFrame: ...
        def figure(self, fig: Any, label: str, caption: str) -> str: ...
        def table(self, df: pd.DataFrame, caption: str, label: str) -> str: ...
        def wave_period(self, wave: str) -> str: ...
        def wave_label(self, wave: str) -> str: ...
        def floating(self, markdown: str) -> str: ...
        def num(self, value: float, decimals: int = 2) -> str: ...
        def interval(self, low: float, high: float, decimals: int = 2) -> str: ...
        def scale_label(self, scale: str) -> str: ...

    # -------------------------------------------------------------- helpers
    def _has(self, name: str) -> bool:
        return name in getattr(self, "index", {}).get("tables", {})

    def lab_trajectories(self, lab: str) -> pd.DataFrame:
        if not self._has("trajectories"):
            return pd.DataFrame()
        t = self.compare_table("trajectories")
        return t[t["lab"] == lab].sort_values(["scale", "wave_order"]).reset_index(drop=True)

    # ------------------------------------------------------------ lab report
    def trajectory_figures(self, lab: str) -> str:
        """One trajectory figure per domain (waves on the x-axis, lab vs programme)."""
        t = self.lab_trajectories(lab)
        if t.empty or t["estimate"].isna().all():
            return T.msg("panel_no_trajectory", self.lang) + "\n"
        parts, refs = [], []
        waves = {w.id: self.wave_label(w.id) for w in self.study.waves}
        for domain in self.codebook.domains:
            scales = self.codebook.scales_in_domain(domain)
            d = t[t["scale"].isin(scales)]
            if d.empty:
                continue
            fig = trajectory_plot(
                d,
                lang=self.lang,
                min_cell=self.min_cell,
                wave_labels=waves,
                scale_labels={s: self.scale_label(s) for s in scales},
            )
            label = self.codebook.domains[domain].label.get(self.lang)
            parts.append(
                self.figure(
                    fig,
                    f"fig-trajectory-{domain}",
                    T.msg("panel_trajectory_caption", self.lang, domain=label),
                )
            )
            refs.append(f"@fig-trajectory-{domain}")
        # The figures float in the PDF (ReportCore.floating): kept in the text's flow, one
        # that did not fit under the section before left half a page empty. The sentence
        # keeps the heading with text of its own.
        intro = T.msg("panel_trajectory_intro", self.lang, figures=T.join_words(refs, self.lang))
        return f"{intro}\n\n" + self.floating("\n".join(parts))

    def after_subsidy_paragraph(self, lab: str) -> str:
        """ "Na de subsidieperiode": the lab's slope after the subsidy per verankering scale."""
        t = self.lab_trajectories(lab)
        labs = self.study.labs
        info = labs.by_id.get(lab) if labs is not None else None
        end = getattr(getattr(info, "subsidy", None), "end", None)
        if t.empty or end is None:
            return T.msg("panel_no_subsidy", self.lang) + "\n"
        after = t[t["phase"] == "after"]
        if after.empty:
            return T.msg("panel_not_yet_after", self.lang, end=fmt_date(end, self.lang)) + "\n"
        rows = t.drop_duplicates("scale").set_index("scale")
        # a blank line after the intro: without it the list runs on as one paragraph
        lines = [T.msg("panel_after_intro", self.lang, end=fmt_date(end, self.lang)), ""]
        for scale in self.codebook.scales_in_domain("verankering"):
            if scale not in rows.index:
                continue
            r = rows.loc[scale]
            lines.append(
                "- "
                + slope_sentence(
                    self.scale_label(scale),
                    str(r["verdict"]) if isinstance(r["verdict"], str) else "",
                    _f(r["lab_slope_after"]),
                    _f(r["lab_slope_after_ci_low"]),
                    _f(r["lab_slope_after_ci_high"]),
                    self.lang,
                )
            )
        return "\n".join(lines) + "\n"

    # ----------------------------------------------------- programme report
    def anchoring_programme(self) -> str:
        """ "Verankering na de subsidie": slopes by line and round, counts, attrition."""
        if not self._has("longitudinal"):
            return T.msg("panel_no_subsidy", self.lang) + "\n"
        long = self.compare_table("longitudinal")
        slopes = long[long["term"].astype(str).str.startswith("slope_after")]
        if slopes.empty:
            return T.msg("panel_no_subsidy", self.lang) + "\n"
        ver = self.codebook.scales_in_domain("verankering")
        rows = []
        for _, r in slopes[slopes["scale"].isin(ver)].iterrows():
            term = str(r["term"])
            group = (
                T.msg("panel_programme", self.lang)
                if term == "slope_after"
                else group_label(term, self.lang)
            )
            rows.append(
                [
                    self.scale_label(r["scale"]),
                    group,
                    self.num(_f(r["estimate"])),
                    self.interval(_f(r["ci_low"]), _f(r["ci_high"])),
                    verdict_word(str(r["verdict"]), self.lang),
                ]
            )
        head = [
            T.msg("col_scale", self.lang),
            T.msg("col_group", self.lang),
            T.msg("col_slope", self.lang),
            T.msg("col_interval", self.lang),
            T.msg("col_verdict", self.lang),
        ]
        parts = [T.msg("panel_programme_intro", self.lang), ""]
        parts.append(
            self.table(
                pd.DataFrame(rows, columns=head),
                T.msg("cap_panel_slopes", self.lang),
                "panel-slopes",
            )
        )
        parts.append(self._lab_counts(ver))
        parts.append(self.attrition_sentence())
        return "\n".join(parts) + "\n"

    def _lab_counts(self, scales: list[str]) -> str:
        """How many labs hold, decline or rise per scale (only where the interval allows)."""
        t = self.compare_table("trajectories")
        t = t[t["scale"].isin(scales) & ~t["suppressed"].astype(bool)]
        t = t.drop_duplicates(["scale", "lab"])
        lines = []
        for scale in scales:
            v = t.loc[t["scale"] == scale, "verdict"].fillna("").astype(str)
            counts = {k: int((v == k).sum()) for k in VERDICTS}
            lines.append("- " + count_sentence(self.scale_label(scale), counts, self.lang))
        return "\n".join(lines) + "\n"

    def attrition_sentence(self) -> str:
        """Attrition in one sentence: retention per pair of waves and the baseline check."""
        if not self._has("attrition"):
            return ""
        a = self.compare_table("attrition")
        a = a[(a["lab"] == "all") & ~a["suppressed"].astype(bool)]
        b = self.compare_table("attrition_baseline") if self._has("attrition_baseline") else None
        parts = []
        for _, r in a.iterrows():
            parts.append(
                T.msg(
                    "panel_retention",
                    self.lang,
                    pct=T.fmt_pct(100 * _f(r["retention"]), self.lang),
                    w0=self.wave_period(str(r["from_wave"])),
                    w1=self.wave_period(str(r["to_wave"])),
                    new=int(_f(r["newcomers"])),
                )
            )
        diff = ""
        if b is not None and not b.empty:
            ver = self.codebook.scales_in_domain("verankering")
            bb = b[b["scale"].isin(ver) & ~b["suppressed"].astype(bool)]
            sig = bb[(bb["g_ci_low"] > 0) | (bb["g_ci_high"] < 0)]
            diff = (
                T.msg(
                    "panel_attrition_differs",
                    self.lang,
                    scales=T.join_words(
                        sorted({self.scale_label(s) for s in sig["scale"]}), self.lang
                    ),
                )
                if len(sig)
                else T.msg("panel_attrition_same", self.lang)
            )
        return " ".join([*parts, diff]).strip() + "\n"

    # ------------------------------------------------------- methods report
    def panel_methods(self) -> str:
        """The models, the invariance across waves and the attrition check."""
        parts = [
            T.msg(
                "panel_methods_models",
                self.lang,
                margin=self.num(self.study.settings.compare.anchoring_margin),
            )
        ]
        inv = self.measurement_table("invariance_waves")
        if not inv.empty and "step" in inv.columns:
            rows = []
            for _, r in inv[inv["status"] == "ok"].iterrows():
                rows.append(
                    [
                        self.scale_label(r["scale"]),
                        T.msg(f"inv_{r['step']}", self.lang)
                        if f"inv_{r['step']}" in T.MESSAGES
                        else str(r["step"]),
                        self.num(_f(r["cfi"]), 3),
                        self.num(_f(r["rmsea"]), 3),
                        self.num(_f(r["delta_cfi"]), 3),
                        self.num(_f(r["delta_rmsea"]), 3),
                        T.msg("yes" if bool(r["supported"]) else "no", self.lang),
                    ]
                )
            head = ["scale", "step", "CFI", "RMSEA", "ΔCFI", "ΔRMSEA", "supported"]
            head = [T.msg(f"col_{h}", self.lang) if f"col_{h}" in T.MESSAGES else h for h in head]
            parts += ["", T.msg("panel_methods_invariance", self.lang), ""]
            parts.append(
                self.table(
                    pd.DataFrame(rows, columns=head),
                    T.msg("cap_panel_invariance", self.lang),
                    "panel-invariance",
                )
            )
        parts += ["", T.msg("panel_methods_attrition", self.lang), self.attrition_sentence()]
        if self._has("longitudinal"):
            long = self.compare_table("longitudinal")
            paired = long[long["model"] == "paired_only"]
            wave = long[long["model"] == "wave"]
            rows = []
            for _, r in paired.iterrows():
                m = wave[(wave["scale"] == r["scale"]) & (wave["term"] == r["term"])]
                if m.empty or math.isnan(_f(r["estimate"])):
                    continue
                rows.append(
                    [
                        self.scale_label(r["scale"]),
                        self.wave_label(str(r["term"]).split("T.", 1)[-1].rstrip("]")),
                        self.num(_f(m["estimate"].iloc[0])),
                        self.num(_f(r["estimate"])),
                        str(int(_f(r["n_persons"]))),
                    ]
                )
            if rows:
                head = [
                    T.msg("col_scale", self.lang),
                    T.msg("col_src_wave", self.lang),
                    T.msg("col_model_change", self.lang),
                    T.msg("col_paired_change", self.lang),
                    T.msg("col_n_paired", self.lang),
                ]
                parts += [
                    "",
                    self.table(
                        pd.DataFrame(rows, columns=head),
                        T.msg("cap_panel_paired", self.lang),
                        "panel-paired",
                    ),
                ]
        return "\n".join(parts) + "\n"
