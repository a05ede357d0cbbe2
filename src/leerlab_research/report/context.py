"""What the report templates call: load earlier outputs, shape them, say them.

A template does ``R = ReportData.load(study, out_dir, lang)`` and then prints the
Markdown that these methods return. Nothing here estimates anything: every number
comes from a table an earlier stage wrote (``compare/results.json`` indexes the
comparison tables; ``measurement/`` and ``clean/`` hold the rest). Suppressed
cells (``suppressed == True`` in the comparison tables) are shown as "te weinig
antwoorden", never as a number; frequency distributions built here for the Likert
charts are shown only for rows with at least ``min_cell`` answers.

Figures are written as PNG files under ``figures/`` in the working directory and
referenced from Markdown with a cross-reference label, which both Quarto and the
fallback engine number ("Figuur 1").
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd

from .. import plots
from .. import text as T
from .._version import __version__
from ..config.codebook import Codebook
from ..config.study import Study, load_study
from ..manifest import package_versions
from ..plots.achtje import MARGIN_ROWS
from .open_answers import OpenAnswersMixin
from .panel import PanelSections


def _num(x: Any) -> float:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return math.nan
    return v


def _is_shown(row: pd.Series) -> bool:
    return not bool(row.get("suppressed", False))


def md_table(df: pd.DataFrame) -> str:
    """A pipe table (pandoc and Quarto both render it in HTML, DOCX and PDF)."""
    if df.empty:
        return ""
    return df.to_markdown(index=False, disable_numparse=True) + "\n"


@dataclass
class ReportData(OpenAnswersMixin, PanelSections):
    """Outputs of the earlier stages of one study, ready for the templates."""

    study: Study
    out: Path
    lang: str = "nl"
    figure_dir: Path = field(default_factory=lambda: Path("figures"))

    # ----------------------------------------------------------------- loading
    @classmethod
    def load(cls, study: str | Path, out_dir: str | Path, lang: str = "nl") -> ReportData:
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
        return json.loads((self.out / "compare" / "results.json").read_text(encoding="utf-8"))

    def compare_table(self, name: str) -> pd.DataFrame:
        """A comparison table by its name in ``results.json``."""
        info = self.index["tables"][name]
        return pd.read_csv(self.out / "compare" / info["file"], keep_default_na=True)

    def measurement_table(self, name: str) -> pd.DataFrame:
        path = self.out / "measurement" / f"{name}.csv"
        return pd.read_csv(path) if path.exists() else pd.DataFrame()

    def clean_table(self, name: str) -> pd.DataFrame:
        return pd.read_csv(self.out / "clean" / f"{name}.csv")

    @cached_property
    def responses(self) -> pd.DataFrame:
        return pd.read_parquet(self.out / "clean" / "responses.parquet")

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
    def t(self, key: str) -> str:
        """A heading or fixed text in the report language."""
        return T.msg(key, self.lang)

    def scale_label(self, scale: str) -> str:
        return self.codebook.scales[scale].label.get(self.lang)

    def domain_label(self, domain: str) -> str:
        return self.codebook.domains[domain].label.get(self.lang)

    def lab_name(self, lab: str) -> str:
        return self.study.labs.name_of(lab)

    def num(self, value: float, decimals: int = 2) -> str:
        return T.fmt_num(value, decimals, self.lang)

    def interval(self, low: float, high: float, decimals: int = 2) -> str:
        return T.fmt_interval(low, high, decimals, self.lang)

    # ----------------------------------------------------------------- figures
    def figure(self, fig: Any, label: str, caption: str) -> str:
        """Save ``fig`` as ``figures/<label>.png`` and return Markdown that embeds it."""
        self.figure_dir.mkdir(parents=True, exist_ok=True)
        path = self.figure_dir / f"{label}.png"
        path.write_bytes(plots.figure_to_png_bytes(fig))
        return f"![{caption}]({path.as_posix()}){{#{label}}}\n"

    # ------------------------------------------------------------ lab reports
    def lab_waves(self, lab: str) -> list[str]:
        b = self.compare_table("benchmark")
        rows = b[(b["lab"] == lab) & ~b["suppressed"].astype(bool)]
        order = {w: i for i, w in enumerate(self.study.wave_ids)}
        return sorted(rows["wave"].unique().tolist(), key=lambda w: (order.get(w, len(order)), w))

    def lab_wave(self, lab: str) -> str:
        """The most recent wave with results for the lab (the profile is shown for it)."""
        waves = self.lab_waves(lab)
        return waves[-1] if waves else (self.study.wave_ids or [""])[0]

    def lab_benchmark(self, lab: str, wave: str | None = None) -> pd.DataFrame:
        """One row per scale: the lab's shrunken estimate against the programme."""
        wave = wave or self.lab_wave(lab)
        b = self.compare_table("benchmark")
        b = b[(b["lab"] == lab) & (b["wave"] == wave)].set_index("scale")
        d = self.compare_table("descriptives")
        d = d[(d["wave"] == wave) & (d["role"] == "all") & (d["school_type"] == "all")]
        lab_desc = d[(d["breakdown"] == "lab") & (d["lab"] == lab)].set_index("scale")
        prog_desc = d[d["breakdown"] == "programme"].set_index("scale")
        rows = []
        for name, scale in self.codebook.scales.items():
            r = b.loc[name] if name in b.index else None
            suppressed = r is None or bool(r["suppressed"])
            row: dict[str, Any] = {
                "scale": name,
                "scale_label": scale.label.get(self.lang),
                "domain": scale.domain,
                "domain_label": self.domain_label(scale.domain),
                "estimate": math.nan,
                "ci_low": math.nan,
                "ci_high": math.nan,
                "programme_mean": math.nan if r is None else _num(r["programme_mean"]),
                "raw_mean": math.nan,
                "n": math.nan,
                "vs_programme": "suppressed",
                "shrunken": True,
                "suppressed": suppressed,
            }
            if not suppressed and r is not None:
                row.update(raw_mean=_num(r["raw_mean"]), n=_num(r["n"]))
                if isinstance(r["vs_programme"], str) and not math.isnan(_num(r["shrunken_mean"])):
                    row.update(
                        estimate=_num(r["shrunken_mean"]),
                        ci_low=_num(r["shrunken_ci_low"]),
                        ci_high=_num(r["shrunken_ci_high"]),
                        vs_programme=r["vs_programme"],
                    )
                elif name in lab_desc.index and name in prog_desc.index:
                    # The mixed model could not be estimated (e.g. a singular fit: no
                    # between-lab variance); fall back to the unshrunken mean and its
                    # t-interval from the descriptives, and say so in the table.
                    ld, pd_ = lab_desc.loc[name], prog_desc.loc[name]
                    row.update(
                        estimate=_num(ld["mean"]),
                        ci_low=_num(ld["ci_low"]),
                        ci_high=_num(ld["ci_high"]),
                        programme_mean=_num(pd_["mean"]),
                        shrunken=False,
                    )
                    row["vs_programme"] = T.versus_programme(
                        row["ci_low"], row["ci_high"], row["programme_mean"]
                    )
            rows.append(row)
        return pd.DataFrame(rows)

    def lab_profile_centred(self, lab: str, wave: str | None = None) -> pd.DataFrame:
        wave = wave or self.lab_wave(lab)
        p = self.compare_table("profile")
        p = p[(p["lab"] == lab) & (p["wave"] == wave) & ~p["suppressed"].astype(bool)]
        return p

    def strongest_weakest(self, lab: str, wave: str | None = None) -> tuple[str | None, str | None]:
        """Labels of the highest and lowest within-person centred scale, when shown."""
        p = self.lab_profile_centred(lab, wave).dropna(subset=["mean_centred"])
        if len(p) < 2:
            return None, None
        p = p.sort_values(["mean_centred", "scale"], kind="mergesort")
        return self.scale_label(p.iloc[-1]["scale"]), self.scale_label(p.iloc[0]["scale"])

    def lab_n(self, lab: str, wave: str | None = None) -> int:
        wave = wave or self.lab_wave(lab)
        r = self.responses
        return int(((r["lab"] == lab) & (r["wave"] == wave)).sum())

    def lab_summary(self, lab: str) -> str:
        wave = self.lab_wave(lab)
        bm = self.lab_benchmark(lab, wave)
        above = bm.loc[bm["vs_programme"] == "above", "scale_label"].tolist()
        below = bm.loc[bm["vs_programme"] == "below", "scale_label"].tolist()
        strongest, weakest = self.strongest_weakest(lab, wave)
        para = T.summary_paragraph(
            self.lab_name(lab),
            self.lab_n(lab, wave),
            above,
            below,
            strongest,
            weakest,
            self.lang,
            wave=wave,
        )
        return para + "\n"

    def lab_profile_figure(self, lab: str) -> str:
        bm = self.lab_benchmark(lab)
        fig = plots.lab_profile(bm, lang=self.lang)
        cap = (
            f"Profiel van {self.lab_name(lab)}: geschatte gemiddelden met 95%-interval (punt en lijn) "
            "en het programmagemiddelde (streepje), per bord."
            if self.lang == "nl"
            else f"Profile of {self.lab_name(lab)}: estimated means with 95% interval (dot and line) "
            "and the programme mean (vertical stripe), per board."
        )
        return self.figure(fig, "fig-profile", cap)

    def lab_profile_table(self, lab: str) -> str:
        bm = self.lab_benchmark(lab)
        nl = self.lang == "nl"
        rows = []
        for _, r in bm.iterrows():
            if r["suppressed"]:
                rows.append([r["scale_label"], "–", "–", "–", "–", T.msg("too_few", self.lang)])
                continue
            rows.append(
                [
                    r["scale_label"],
                    f"{int(r['n'])}",
                    self.num(r["estimate"]) + ("" if r["shrunken"] else "*"),
                    self.interval(r["ci_low"], r["ci_high"]),
                    self.num(r["programme_mean"]),
                    T.msg(f"{r['vs_programme']}_short", self.lang),
                ]
            )
        cols = (
            ["Voorwaarde", "n", "Lab", "95%-interval", "Programma", "Vergelijking"]
            if nl
            else ["Condition", "n", "Lab", "95% interval", "Programme", "Comparison"]
        )
        note = (
            "De geschatte labgemiddelden zijn naar het programmagemiddelde gekrompen (empirical Bayes): "
            "een klein lab wordt zo niet toevallig als hoogste of laagste getoond. Een vergelijking "
            "noemt 'hoger' of 'lager' alleen als het hele interval boven of onder het programmagemiddelde ligt."
            if nl
            else "Lab means are shrunk towards the programme mean (empirical Bayes), so a small lab is not "
            "shown as highest or lowest by chance. 'Higher' or 'lower' is said only when the whole interval "
            "lies above or below the programme mean."
        )
        if not bm["shrunken"].all():
            note += (
                " \\* Voor deze voorwaarde kon het multilevelmodel niet worden geschat (geen verschillen "
                "tussen labs); het ongekrompen gemiddelde met t-interval staat er in plaats daarvan."
                if nl
                else " \\* For this condition the multilevel model could not be estimated (no differences "
                "between labs); the unshrunken mean with its t-interval is shown instead."
            )
        return md_table(pd.DataFrame(rows, columns=cols)) + "\n" + note + "\n"

    def strong_weak_text(self, lab: str) -> str:
        strongest, weakest = self.strongest_weakest(lab)
        if strongest is None:
            return T.msg("suppressed", self.lang).capitalize() + ".\n"
        if self.lang == "nl":
            return (
                f"Binnen het lab, los van het programmagemiddelde, springt **{strongest}** er in positieve zin uit "
                f"en blijft **{weakest}** het meest achter. Dit is gemeten door de scores van elke respondent "
                "op zijn of haar eigen gemiddelde te centreren: zo telt alleen de onderlinge verhouding van de voorwaarden.\n"
            )
        return (
            f"Within the lab, regardless of the programme average, **{strongest}** stands out positively and "
            f"**{weakest}** lags most. This is measured by centring each respondent's scores on their own mean, "
            "so only the relative position of the conditions counts.\n"
        )

    def achtje_margins(
        self, lab: str, scale: str = "commitment", wave: str | None = None
    ) -> pd.DataFrame:
        """The lab's published level and school margins for one scale (het achtje).

        The comparison stage publishes lab x role and lab x school_type cells, not the
        level x school cells inside a lab (almost always below ``min_cell``).
        """
        wave = wave or self.lab_wave(lab)
        d = self.compare_table("descriptives")
        d = d[(d["lab"] == lab) & (d["wave"] == wave) & (d["scale"] == scale)]
        rows = []
        for dim, group in MARGIN_ROWS:
            if dim == "level":
                hit = d[(d["breakdown"] == "lab+role") & (d["role"] == group)]
            else:
                hit = d[(d["breakdown"] == "lab+school_type") & (d["school_type"] == group)]
            if hit.empty:
                rows.append(
                    {
                        "dimension": dim,
                        "group": group,
                        "mean": math.nan,
                        "ci_low": math.nan,
                        "ci_high": math.nan,
                        "n": 0,
                        "suppressed": True,
                    }
                )
                continue
            r = hit.iloc[0]
            sup = bool(r["suppressed"])
            rows.append(
                {
                    "dimension": dim,
                    "group": group,
                    "mean": math.nan if sup else _num(r["mean"]),
                    "ci_low": math.nan if sup else _num(r["ci_low"]),
                    "ci_high": math.nan if sup else _num(r["ci_high"]),
                    "n": math.nan if sup else _num(r["n"]),
                    "suppressed": sup,
                }
            )
        return pd.DataFrame(rows)

    def lab_scale_mean(self, lab: str, scale: str, wave: str | None = None) -> float:
        wave = wave or self.lab_wave(lab)
        d = self.compare_table("descriptives")
        hit = d[
            (d["breakdown"] == "lab")
            & (d["lab"] == lab)
            & (d["wave"] == wave)
            & (d["scale"] == scale)
        ]
        if hit.empty or bool(hit.iloc[0]["suppressed"]):
            return math.nan
        return _num(hit.iloc[0]["mean"])

    def achtje_figure(self, lab: str) -> str:
        margins = self.achtje_margins(lab)
        fig = plots.achtje_margins(
            margins,
            lang=self.lang,
            min_cell=self.min_cell,
            lab_mean=self.lab_scale_mean(lab, "commitment"),
        )
        cap = (
            f"Het achtje in {self.lab_name(lab)}: commitment per niveau en per schooltype (gemiddelde met "
            f"95%-interval en aantal respondenten; groepen kleiner dan {self.min_cell} worden niet getoond)."
            if self.lang == "nl"
            else f"The figure eight in {self.lab_name(lab)}: commitment per level and per school type (mean with "
            f"95% interval and number of respondents; groups smaller than {self.min_cell} are not shown)."
        )
        note = (
            "Niveaus en scholen staan apart: de groepen per niveau én school zijn binnen één lab bijna altijd "
            "te klein om te tonen zonder dat iemand herkenbaar wordt.\n"
            if self.lang == "nl"
            else "Levels and schools are shown separately: the groups per level and school within one lab are "
            "almost always too small to show without making someone recognisable.\n"
        )
        return self.figure(fig, "fig-achtje", cap) + "\n" + note

    def achtje_text(self, lab: str) -> str:
        wave = self.lab_wave(lab)
        a = self.compare_table("agreement")
        a = a[(a["lab"] == lab) & (a["wave"] == wave) & a["measure"].str.startswith("gap")]
        a = a[~a["suppressed"].astype(bool)]
        nl = self.lang == "nl"
        lines = []
        for _, r in a.sort_values(["scale", "measure", "group_a", "group_b"]).iterrows():
            ga = T.msg(r["group_a"], self.lang) if r["group_a"] in T.MESSAGES else r["group_a"]
            gb = T.msg(r["group_b"], self.lang) if r["group_b"] in T.MESSAGES else r["group_b"]
            interval = self.interval(r["ci_low"], r["ci_high"])
            if nl:
                lines.append(
                    f"- {self.scale_label(r['scale'])}: {ga} min {gb} = {self.num(r['value'])} {interval} "
                    f"(n = {int(_num(r['n_a']))} en {int(_num(r['n_b']))})"
                )
            else:
                lines.append(
                    f"- {self.scale_label(r['scale'])}: {ga} minus {gb} = {self.num(r['value'])} {interval} "
                    f"(n = {int(_num(r['n_a']))} and {int(_num(r['n_b']))})"
                )
        if not lines:
            return (
                "De groepen per niveau of schooltype zijn in dit lab te klein om verschillen te tonen.\n"
                if nl
                else "The groups per level or school type are too small in this lab to show differences.\n"
            )
        intro = (
            "Verschillen binnen het lab voor de verankeringsvoorwaarden (verschil met 95%-interval; alleen groepen "
            f"van minstens {self.min_cell} personen):"
            if nl
            else "Differences within the lab on the anchoring conditions (difference with 95% interval; only "
            f"groups of at least {self.min_cell} people):"
        )
        return intro + "\n\n" + "\n".join(lines) + "\n"

    def lab_change(self, lab: str) -> pd.DataFrame:
        c = self.compare_table("change")
        c = c[(c["lab"] == lab) & (c["analysis"] == "paired")].set_index("scale")
        rows = []
        for name in self.codebook.scale_names:
            r = c.loc[name] if name in c.index else None
            sup = r is None or bool(r["suppressed"])
            shown = None if sup else r
            rows.append(
                {
                    "scale": name,
                    "scale_label": self.scale_label(name),
                    "mean_t0": math.nan if shown is None else _num(shown["mean_t0"]),
                    "mean_t1": math.nan if shown is None else _num(shown["mean_t1"]),
                    "diff": math.nan if shown is None else _num(shown["mean_diff"]),
                    "ci_low": math.nan if shown is None else _num(shown["ci_low"]),
                    "ci_high": math.nan if shown is None else _num(shown["ci_high"]),
                    "n_paired": 0 if shown is None else int(_num(shown["n_paired"])),
                    "suppressed": sup,
                }
            )
        return pd.DataFrame(rows)

    def has_change(self, lab: str) -> bool:
        return not self.lab_change(lab)["suppressed"].all()

    def change_section(self, lab: str) -> str:
        ch = self.lab_change(lab)
        nl = self.lang == "nl"
        if ch["suppressed"].all():
            return (
                "Er zijn (nog) te weinig mensen die beide metingen hebben ingevuld om verandering te tonen.\n"
                if nl
                else "Too few people have (yet) answered both waves to show change.\n"
            )
        fig = plots.change_plot(ch, lang=self.lang)
        w0, w1 = (self.index.get("settings", {}).get("waves") or ["", ""])[-2:]
        cap = (
            f"Verandering van {w0} naar {w1} bij dezelfde personen (gemiddelden en verschil met 95%-interval)."
            if nl
            else f"Change from {w0} to {w1} among the same people (means and difference with 95% interval)."
        )
        lines = [self.figure(fig, "fig-change", cap), ""]
        for _, r in ch.iterrows():
            direction = (
                "suppressed" if r["suppressed"] else T.change_direction(r["ci_low"], r["ci_high"])
            )
            lines.append(
                "- "
                + T.change_sentence(
                    r["scale_label"], direction, r["diff"], r["n_paired"], self.lang
                )
            )
        return "\n".join(lines) + "\n"

    def scale_sections(self, lab: str) -> str:
        """Per scale: description, the lab's result and the gespreksvragen."""
        bm = self.lab_benchmark(lab).set_index("scale")
        agr = self.compare_table("agreement")
        wave = self.lab_wave(lab)
        agr = agr[
            (agr["lab"] == lab) & (agr["wave"] == wave) & (agr["measure"] == "rwg_j")
        ].set_index("scale")
        nl = self.lang == "nl"
        parts = []
        for name, scale in self.codebook.scales.items():
            r = bm.loc[name]
            parts.append(f"### {scale.label.get(self.lang)}\n")
            parts.append(scale.description.get(self.lang) + "\n")
            if r["suppressed"]:
                result = T.msg("suppressed", self.lang).capitalize() + "."
            else:
                result = (
                    f"**Resultaat:** {self.num(r['estimate'])} {self.interval(r['ci_low'], r['ci_high'])}, "
                    f"{T.msg(r['vs_programme'], self.lang)} ({self.num(r['programme_mean'])})."
                    if nl
                    else f"**Result:** {self.num(r['estimate'])} {self.interval(r['ci_low'], r['ci_high'])}, "
                    f"{T.msg(r['vs_programme'], self.lang)} ({self.num(r['programme_mean'])})."
                )
                if name in agr.index and not bool(agr.loc[name, "suppressed"]):
                    rwg = _num(agr.loc[name, "value"])
                    if not math.isnan(rwg):
                        level = (
                            ("hoog" if rwg >= 0.7 else "matig" if rwg >= 0.5 else "laag")
                            if nl
                            else ("high" if rwg >= 0.7 else "moderate" if rwg >= 0.5 else "low")
                        )
                        result += (
                            f" Overeenstemming tussen respondenten: {level} (r~wg(j)~ = {self.num(rwg)})."
                            if nl
                            else f" Agreement between respondents: {level} (r~wg(j)~ = {self.num(rwg)})."
                        )
            parts.append(result + "\n")
            parts.append(f"**{self.t('prompts')}**\n")
            parts.extend(f"- {q}" for q in scale.prompts_for(self.lang))
            parts.append("")
        return "\n".join(parts) + "\n"

    def about_lab(self, lab: str) -> str:
        if self.lang == "nl":
            return (
                f"Dit rapport is gemaakt met leerlab-research uit de uitkomsten van studie *{self.study.name}*. "
                f"Groepen met minder dan {self.min_cell} respondenten worden niet getoond, ook niet indirect "
                "(door aftrekken van totalen). Persoonsgegevens en open antwoorden zijn niet gebruikt. De "
                "verantwoording van de methode staat in het methodenrapport.\n"
            )
        return (
            f"This report was made with leerlab-research from the results of study *{self.study.name}*. "
            f"Groups with fewer than {self.min_cell} respondents are not shown, not even indirectly (by "
            "subtracting from totals). Personal data and open answers were not used. The methods report "
            "documents the method.\n"
        )

    # ------------------------------------------------------ programme report
    def response_table(self) -> str:
        r = self.responses
        counts = r.groupby(["lab", "wave"]).size().unstack("wave", fill_value=0)
        waves = sorted(counts.columns)
        rows = []
        any_hidden = False
        for lab in sorted(counts.index, key=self.lab_name):
            cells = [self.lab_name(lab)]
            for w in waves:
                n = int(counts.loc[lab, w])
                hidden = 0 < n < self.min_cell
                any_hidden |= hidden
                cells.append(f"< {self.min_cell}" if hidden else str(n))
            rows.append(cells)
        # A hidden lab count would follow from the totals by subtraction, so the
        # totals go too when any lab count is hidden.
        total = ["**Totaal**" if self.lang == "nl" else "**Total**"] + [
            "–" if any_hidden else str(int(counts[w].sum())) for w in waves
        ]
        rows.append(total)
        cols = ["Lab"] + [f"{'Meting' if self.lang == 'nl' else 'Wave'} {w}" for w in waves]
        return md_table(pd.DataFrame(rows, columns=cols))

    def response_text(self) -> str:
        r = self.responses
        counts = r.groupby(["lab", "wave"]).size()
        if ((counts > 0) & (counts < self.min_cell)).any():
            # Overall numbers would reveal a hidden lab count by subtraction.
            return (
                f"Er kwamen vragenlijsten binnen uit {r['lab'].nunique()} labs; labs met minder dan "
                f"{self.min_cell} respondenten worden niet apart genoemd.\n"
                if self.lang == "nl"
                else f"Questionnaires came in from {r['lab'].nunique()} labs; labs with fewer than "
                f"{self.min_cell} respondents are not shown separately.\n"
            )
        exc = self.clean_table("exclusions")
        n_in = len(r) + len(exc)
        reasons = exc["reason"].value_counts().sort_index()
        if self.lang == "nl":
            names = {
                "test": "testinvullingen",
                "no_consent": "zonder toestemming",
                "incomplete": "onvolledig",
                "duplicate": "dubbel ingevuld",
                "careless": "onzorgvuldig ingevuld",
            }
            detail = T.join_words([f"{int(n)} {names.get(k, k)}" for k, n in reasons.items()], "nl")
            return (
                f"Er kwamen {n_in} ingevulde vragenlijsten binnen uit {r['lab'].nunique()} labs. "
                f"Daarvan zijn er {len(exc)} niet meegenomen ({detail}); de analyses gebruiken "
                f"{len(r)} vragenlijsten van {r['respondent_id'].nunique()} personen.\n"
            )
        names = {
            "test": "test entries",
            "no_consent": "without consent",
            "incomplete": "incomplete",
            "duplicate": "duplicates",
            "careless": "careless",
        }
        detail = T.join_words([f"{int(n)} {names.get(k, k)}" for k, n in reasons.items()], "en")
        return (
            f"{n_in} questionnaires came in from {r['lab'].nunique()} labs. {len(exc)} were not used "
            f"({detail}); the analyses use {len(r)} questionnaires from {r['respondent_id'].nunique()} people.\n"
        )

    def programme_descriptives(self, wave: str) -> pd.DataFrame:
        d = self.compare_table("descriptives")
        return d[(d["breakdown"] == "programme") & (d["wave"] == wave)].set_index("scale")

    def waves(self) -> list[str]:
        return sorted(self.responses["wave"].unique().tolist())

    def domain_overview(self) -> str:
        """Per domain: the programme means with intervals per wave, in a table."""
        nl = self.lang == "nl"
        waves = self.waves()
        desc = {w: self.programme_descriptives(w) for w in waves}
        out = []
        for domain in self.codebook.domains:
            out.append(f"### {self.domain_label(domain)}\n")
            rows = []
            for name in self.codebook.scales_in_domain(domain):
                cells = [self.scale_label(name)]
                for w in waves:
                    r = desc[w].loc[name] if name in desc[w].index else None
                    if r is None or bool(r["suppressed"]):
                        cells.append(T.msg("too_few", self.lang))
                    else:
                        cells.append(
                            f"{self.num(r['mean'])} {self.interval(r['ci_low'], r['ci_high'])}; "
                            f"{T.fmt_num(r['pct_agree'], 0, self.lang)}% {'eens' if nl else 'agree'}"
                        )
                rows.append(cells)
            cols = ["Voorwaarde" if nl else "Condition"] + [
                f"{w} (95%-interval; % eens)" if nl else f"{w} (95% interval; % agree)"
                for w in waves
            ]
            out.append(md_table(pd.DataFrame(rows, columns=cols)))
        return "\n".join(out)

    def likert_distribution(
        self, scales: list[str] | None = None, lab: str | None = None
    ) -> pd.DataFrame:
        """Answer distribution per item as answered (reverse keying undone), all waves.

        Rows with fewer than ``min_cell`` substantive answers are marked suppressed.
        'Weet niet' counts come from the cleaning stage's item_missing table (programme
        level only), since the clean table keeps no reason per cell.
        """
        r = self.responses if lab is None else self.responses[self.responses["lab"] == lab]
        miss = self.clean_table("item_missing")
        dk = (
            miss[miss["reason"] == "dont_know"].set_index("item")["n"]
            if lab is None
            else pd.Series(dtype=float)
        )
        scales = scales or self.codebook.scale_names
        lo, hi = self.codebook.item_range(self.codebook.item_codes[0])
        rows = []
        for scale in scales:
            for item in self.codebook.scales[scale].items:
                values = r[item].dropna().astype(int)
                if item in self.codebook.reverse_items:
                    values = lo + hi - values
                counts = values.value_counts()
                n = int(counts.sum())
                label = self.codebook.items[item].text.get(self.lang)
                for cat in range(lo, hi + 1):
                    rows.append(
                        {
                            "label": f"{item}: {label}",
                            "category": cat,
                            "n": int(counts.get(cat, 0)),
                            "n_missing": int(dk.get(item, 0)),
                            "suppressed": n < self.min_cell,
                        }
                    )
        return pd.DataFrame(rows)

    def likert_figure(self, domain: str) -> str:
        dist = self.likert_distribution(self.codebook.scales_in_domain(domain))
        fig = plots.likert_diverging(dist, lang=self.lang, min_cell=self.min_cell)
        label = f"fig-likert-{domain}"
        cap = (
            f"Antwoorden op de uitspraken van het bord {self.domain_label(domain).lower()} (alle labs en metingen; "
            "'weet niet / n.v.t.' apart)."
            if self.lang == "nl"
            else f"Answers to the statements of the {self.domain_label(domain).lower()} board (all labs and waves; "
            "'don't know / n.a.' shown apart)."
        )
        return self.figure(fig, label, cap)

    def heatmap_figure(self, wave: str | None = None) -> str:
        b = self.compare_table("benchmark")
        wave = wave or "T0"
        b = b[b["wave"] == wave].copy()
        b["lab_label"] = b["lab"].map(self.lab_name)
        b["scale_label"] = b["scale"].map(self.scale_label)
        b["diff"] = b["shrunken_mean"] - b["programme_mean"]
        b["suppressed"] = b["suppressed"].astype(bool)
        b.loc[b["suppressed"], "diff"] = math.nan
        order = {s: i for i, s in enumerate(self.codebook.scale_names)}
        b = b.sort_values(
            ["lab_label", "scale"], key=lambda s: s.map(order) if s.name == "scale" else s
        )
        fig = plots.lab_heatmap(
            b[["lab_label", "scale_label", "diff", "vs_programme", "suppressed"]], lang=self.lang
        )
        cap = (
            f"Labs naast elkaar (meting {wave}, alfabetisch): verschil van het geschatte labgemiddelde met het "
            "programmagemiddelde. Lichte cellen zijn niet te onderscheiden van het gemiddelde; er is geen rangorde."
            if self.lang == "nl"
            else f"Labs side by side (wave {wave}, alphabetical): difference between the estimated lab mean and the "
            "programme mean. Light cells are indistinguishable from the mean; there is no ranking."
        )
        return self.figure(fig, f"fig-heatmap-{wave.lower()}", cap)

    def mixedlm_effects(self, factor: str) -> pd.DataFrame:
        m = self.compare_table("mixedlm")
        m = m[(m["factor"] == factor) & (m["status"] == "ok")].copy()
        m["scale_label"] = m["scale"].map(self.scale_label)
        return m

    def group_forest(self, factor: str) -> str:
        m = self.mixedlm_effects(factor)
        if m.empty:
            return ""
        nl = self.lang == "nl"
        lvl = {lv: T.msg(lv, self.lang) if lv in T.MESSAGES else lv for lv in m["level"].unique()}
        ref = m["reference"].iloc[0]
        ref_label = T.msg(ref, self.lang) if ref in T.MESSAGES else ref
        df = pd.DataFrame(
            {
                "label": m["scale_label"],
                "estimate": m["coef"],
                "ci_low": m["ci_low"],
                "ci_high": m["ci_high"],
                "group": m["level"].map(lvl),
                "p_adj": m["p_holm"],
            }
        )
        fig = plots.forest(df, lang=self.lang)
        what = {"school_type": ("schooltype", "school type"), "role": ("rol", "role")}[factor]
        cap = (
            f"Verschillen naar {what[0]} ten opzichte van {ref_label}, uit het multilevelmodel per schaal "
            "(coëfficiënt met 95%-interval; gecorrigeerd voor lab, meting en de andere kenmerken)."
            if nl
            else f"Differences by {what[1]} relative to {ref_label}, from the multilevel model per scale "
            "(coefficient with 95% interval; adjusted for lab, wave and the other characteristics)."
        )
        return self.figure(fig, f"fig-{factor.replace('_', '-')}", cap)

    def group_text(self, factor: str) -> str:
        m = self.mixedlm_effects(factor)
        nl = self.lang == "nl"
        sig = m[(m["p_holm"] < 0.05)]
        if sig.empty:
            return (
                "Na correctie voor meervoudig toetsen (Holm, over de negen schalen) is geen enkel verschil aantoonbaar.\n"
                if nl
                else "After correcting for multiple testing (Holm, across the nine scales) no difference is demonstrable.\n"
            )
        lines = []
        for _, r in sig.iterrows():
            lv = T.msg(r["level"], self.lang) if r["level"] in T.MESSAGES else r["level"]
            ref = (
                T.msg(r["reference"], self.lang) if r["reference"] in T.MESSAGES else r["reference"]
            )
            word = (
                ("hoger" if r["coef"] > 0 else "lager")
                if nl
                else ("higher" if r["coef"] > 0 else "lower")
            )
            lines.append(
                f"- {r['scale_label']}: {lv} {word} dan {ref} ({self.num(r['coef'])} {self.interval(r['ci_low'], r['ci_high'])})"
                if nl
                else f"- {r['scale_label']}: {lv} {word} than {ref} ({self.num(r['coef'])} {self.interval(r['ci_low'], r['ci_high'])})"
            )
        intro = (
            "Aantoonbare verschillen na Holm-correctie over de negen schalen:"
            if nl
            else "Demonstrable differences after Holm correction across the nine scales:"
        )
        return intro + "\n\n" + "\n".join(lines) + "\n"

    def reliability_sentences(self) -> str:
        rel = self.measurement_table("reliability")
        if rel.empty:
            return ""
        rel = rel.set_index("scale")
        lines = []
        for name in self.codebook.scale_names:
            if name not in rel.index:
                continue
            r = rel.loc[name]
            reliable = bool(r.get("reliable", True))
            lines.append(
                "- "
                + T.reliability_sentence(
                    self.scale_label(name),
                    _num(r.get("alpha")),
                    _num(r.get("omega")),
                    reliable,
                    self.lang,
                )
            )
        return "\n".join(lines) + "\n"

    # --------------------------------------------------------- methods report
    def sources_table(self) -> str:
        log = self.clean_table("cleaning_log")
        reads = log[log["step"] == "read"].set_index("source_file")
        exc = self.clean_table("exclusions")
        kept = self.responses.groupby("source_file").size()
        rows = []
        inputs = self.manifest.get("inputs", {})
        for src in self.study.sources:
            n_read = int(_num(reads.loc[src.path, "n_out"])) if src.path in reads.index else 0
            n_exc = int((exc["source_file"] == src.path).sum())
            sha = inputs.get(src.path, {}).get("sha256", "")[:12]
            rows.append(
                [
                    Path(src.path).name,
                    src.platform,
                    src.wave or "",
                    str(n_read),
                    str(int(kept.get(src.path, 0))),
                    str(n_exc),
                    sha,
                ]
            )
        cols = (
            ["Bestand", "Platform", "Meting", "Rijen", "Behouden", "Uitgesloten", "sha256"]
            if self.lang == "nl"
            else ["File", "Platform", "Wave", "Rows", "Kept", "Excluded", "sha256"]
        )
        return md_table(pd.DataFrame(rows, columns=cols))

    def exclusions_table(self) -> str:
        exc = self.clean_table("exclusions")
        if exc.empty:
            return ""
        t = exc.groupby(["reason"]).size().rename("n").reset_index()
        t.columns = ["Reden" if self.lang == "nl" else "Reason", "n"]
        t["n"] = t["n"].astype(str)
        return md_table(t)

    def cleaning_steps_table(self) -> str:
        log = self.clean_table("cleaning_log")
        steps = log[~log["step"].isin(["read", "map_columns", "pseudonymise"])]
        agg = (
            steps.groupby(["step", "rule"], sort=False)
            .agg(n_in=("n_in", "sum"), n_out=("n_out", "sum"))
            .reset_index()
        )
        agg["n_in"] = agg["n_in"].map(lambda v: "" if math.isnan(_num(v)) else str(int(v)))
        agg["n_out"] = agg["n_out"].map(lambda v: "" if math.isnan(_num(v)) else str(int(v)))
        agg["rule"] = agg["rule"].str.replace("|", "/", regex=False)
        agg.columns = (
            ["Stap", "Regel", "n in", "n uit"]
            if self.lang == "nl"
            else ["Step", "Rule", "n in", "n out"]
        )
        return md_table(agg)

    def careless_text(self) -> str:
        c = self.study.settings.cleaning.careless
        r = self.responses
        flagged = int(r["careless_flag"].sum())
        per = {
            k: int(r[f"cr_flag_{k}"].sum())
            for k in ["seconds_per_item", "longstring", "irv", "mahalanobis", "evenodd"]
        }
        k = len(self.codebook.item_codes)
        nl = self.lang == "nl"
        lines = [
            (
                f"Per respondent zijn vijf indicatoren berekend (Curran 2016; Meade & Craig 2012): seconden per item "
                f"(grens {T.fmt_num(c.min_seconds_per_item, 1, self.lang)} s; Huang e.a. 2012), de langste reeks gelijke "
                f"antwoorden (≥ {c.max_longstring}), de spreiding binnen de persoon (IRV ≤ {T.fmt_num(c.min_irv, 2, self.lang)}; "
                f"Dunn e.a. 2018), Mahalanobis D² op de gepoolde gegevens met df = {k} items (p < {c.mahalanobis_p}) en "
                f"de even-oneven-consistentie (< {T.fmt_num(c.min_evenodd, 2, self.lang)}). Een respondent is gemarkeerd "
                f"als minstens {c.min_agree} indicatoren dat aangeven."
            )
            if nl
            else (
                f"Five indices were computed per respondent (Curran 2016; Meade & Craig 2012): seconds per item "
                f"(cut-off {c.min_seconds_per_item:.1f} s; Huang et al. 2012), the longest run of identical answers "
                f"(≥ {c.max_longstring}), intra-individual response variability (IRV ≤ {c.min_irv:.2f}; Dunn et al. 2018), "
                f"Mahalanobis D² on the pooled data with df = {k} items (p < {c.mahalanobis_p}) and even-odd "
                f"consistency (< {c.min_evenodd:.2f}). A respondent is flagged when at least {c.min_agree} indices agree."
            ),
            "",
            (
                f"Gemarkeerd: {flagged} van {len(r)} vragenlijsten. Besluit: "
                + (
                    "gemarkeerde respondenten zijn uitgesloten."
                    if c.exclude_flagged
                    else "gemarkeerde respondenten zijn **niet** uitgesloten (markeren, niet verwijderen)."
                )
                if nl
                else f"Flagged: {flagged} of {len(r)} questionnaires. Decision: "
                + (
                    "flagged respondents were excluded."
                    if c.exclude_flagged
                    else "flagged respondents were **not** excluded (flag, don't drop)."
                )
            ),
            "",
        ]
        t = pd.DataFrame({"index": list(per), "n": [str(v) for v in per.values()]})
        t.columns = ["Indicator", "n"]
        return "\n".join(lines) + "\n" + md_table(t)

    def reliability_table(self) -> str:
        rel = self.measurement_table("reliability")
        if rel.empty:
            return ""
        nl = self.lang == "nl"
        rows = []
        for _, r in rel.iterrows():
            rows.append(
                [
                    self.scale_label(r["scale"])
                    if r["scale"] in self.codebook.scales
                    else str(r["scale"]),
                    str(int(_num(r.get("n")))) if not math.isnan(_num(r.get("n"))) else "",
                    str(int(_num(r.get("k")))) if not math.isnan(_num(r.get("k"))) else "",
                    f"{self.num(_num(r.get('alpha')))} {self.interval(_num(r.get('alpha_ci_low')), _num(r.get('alpha_ci_high')))}",
                    self.num(_num(r.get("omega"))),
                ]
            )
        cols = (
            ["Schaal", "n", "k", "α (95%-interval)", "ω"]
            if nl
            else ["Scale", "n", "k", "α (95% interval)", "ω"]
        )
        return md_table(pd.DataFrame(rows, columns=cols))

    def reliability_by_group_figure(self, group: str = "school_type") -> str:
        rel = self.measurement_table("reliability_by_group")
        if rel.empty or "group" not in rel.columns:
            return ""
        rel = rel[rel["group"] == group].copy()
        if rel.empty:
            return ""
        rel["scale_label"] = rel["scale"].map(self.scale_label)
        rel["group_label"] = rel["level"].astype(str)
        rel["reliable"] = rel["reliable"].astype(bool)
        rel = rel.rename(columns={"alpha_ci_low": "ci_low", "alpha_ci_high": "ci_high"})
        fig = plots.reliability_chart(
            rel[["scale_label", "group_label", "alpha", "ci_low", "ci_high", "reliable", "reason"]],
            lang=self.lang,
        )
        cap = (
            f"Cronbachs α per schaal en {group}, met 95%-interval; open symbolen: te weinig respondenten."
            if self.lang == "nl"
            else f"Cronbach's α per scale and {group}, with 95% interval; hollow symbols: too few respondents."
        )
        return self.figure(fig, f"fig-reliability-{group.replace('_', '-')}", cap)

    def table_from(self, df: pd.DataFrame, columns: list[str], decimals: int = 3) -> str:
        """A measurement table in Markdown with fixed decimals (for the methods report)."""
        if df.empty:
            return ""
        cols = [c for c in columns if c in df.columns]
        out = df[cols].copy()
        for c in cols:
            if pd.api.types.is_float_dtype(out[c]):
                out[c] = out[c].map(lambda v: T.fmt_num(v, decimals, self.lang))
            else:
                out[c] = out[c].astype(str)
        return md_table(out)

    def tests_table(self) -> str:
        """Every comparison table with its unit, test and correction (from results.json)."""
        nl = self.lang == "nl"
        labels = ("eenheid", "toets", "correctie") if nl else ("unit", "test", "correction")
        lines = []
        for info in self.index["tables"].values():
            lines.append(
                f"- **`{info['file']}`**: {labels[0]}: {info['unit']}; {labels[1]}: {info['test']}; "
                f"{labels[2]}: {info['correction']}."
            )
        return "\n".join(lines) + "\n"

    def disclosure_text(self) -> str:
        sup = self.index.get("suppression", {})
        nl = self.lang == "nl"
        n = sup.get("n_suppressed", 0)
        return (
            f"Minimale celgrootte: {self.min_cell}. Regel: {sup.get('rule', '')}. In totaal zijn {n} cellen "
            "onderdrukt (zie `compare/suppression.csv`). Rapporten tonen onderdrukte cellen nergens, ook niet in "
            "figuren.\n"
            if nl
            else f"Minimum cell size: {self.min_cell}. Rule: {sup.get('rule', '')}. In total {n} cells were "
            "suppressed (see `compare/suppression.csv`). Reports never show a suppressed cell, figures included.\n"
        )

    def software_table(self) -> str:
        m = self.manifest or {
            "leerlab_research": __version__,
            "python": __import__("platform").python_version(),
            "packages": package_versions(),
        }
        rows = [
            ["leerlab-research", str(m.get("leerlab_research", ""))],
            ["Python", str(m.get("python", ""))],
        ]
        for name, version in sorted((m.get("packages") or {}).items()):
            if version:
                rows.append([name, version])
        cols = ["Pakket", "Versie"] if self.lang == "nl" else ["Package", "Version"]
        return md_table(pd.DataFrame(rows, columns=cols))

    def colophon(self) -> str:
        m = self.manifest
        st = m.get("study", {})
        cb = self.codebook
        if self.lang == "nl":
            return (
                f"Studie: *{self.study.name}* (studiebestand sha256 `{str(st.get('sha256', ''))[:12]}`), "
                f"codeboek *{cb.title.get('nl')}* versie {cb.version}, seed {self.study.settings.seed}. "
                "Alle tabellen en rapporten zijn opnieuw te maken met `leerlab run --study "
                f"{Path(self.study.path).name}`; `manifest.json` bevat de controlegetallen van alle in- en uitvoer.\n"
            )
        return (
            f"Study: *{self.study.name}* (study file sha256 `{str(st.get('sha256', ''))[:12]}`), codebook "
            f"*{cb.title.get('en')}* version {cb.version}, seed {self.study.settings.seed}. Every table and report "
            f"can be rebuilt with `leerlab run --study {Path(self.study.path).name}`; `manifest.json` holds the "
            "checksums of all inputs and outputs.\n"
        )

    def dataflow_text(self) -> str:
        if self.lang == "nl":
            return (
                "De exports van de enquêteplatforms zijn ingelezen tegen het codeboek (kolommen en "
                "antwoordlabels gekoppeld aan itemcodes), lui gevalideerd (alle fouten tegelijk gemeld), "
                "gepseudonimiseerd (HMAC-SHA256 met een geheime sleutel; namen, e-mail, IP-adressen en open "
                "antwoorden direct verwijderd) en in vaste stappen opgeschoond: uitsluiten, ontbrekende codes, "
                "omscoren, indicatoren voor onzorgvuldig invullen en schaalscores. Daarna volgen "
                "betrouwbaarheid, vergelijkingen en deze rapporten. Elke stap is opnieuw uit te voeren vanaf het "
                "studiebestand.\n"
            )
        return (
            "The survey platforms' exports were read against the codebook (columns and answer labels mapped to "
            "item codes), validated lazily (all failures reported at once), pseudonymised (HMAC-SHA256 with a "
            "secret key; names, e-mail, IP addresses and open answers dropped at once) and cleaned in fixed "
            "steps: exclusions, missing codes, reverse keying, careless-responding indices and scale scores. "
            "Reliability, comparisons and these reports follow. Every step reruns from the study file.\n"
        )

    def cfa_section(self) -> str:
        """CFA fit, standardised loadings and invariance steps (methods report)."""
        nl = self.lang == "nl"
        parts = []
        fit = self.measurement_table("cfa_fit")
        if not fit.empty:
            f = fit.iloc[0]
            parts.append(
                "**"
                + (
                    "Confirmatieve factoranalyse (negen factoren, FIML)"
                    if nl
                    else "Confirmatory factor analysis (nine factors, FIML)"
                )
                + "**\n"
            )
            rows = [
                ["n", str(int(f["n"]))],
                ["χ² (df)", f"{self.num(f['chi2'], 1)} ({int(f['df'])})"],
                ["CFI", self.num(f["cfi"], 3)],
                ["TLI", self.num(f["tli"], 3)],
                [
                    "RMSEA (90%)",
                    f"{self.num(f['rmsea'], 3)} {self.interval(f['rmsea_ci_low'], f['rmsea_ci_high'], 3)}",
                ],
                ["SRMR", self.num(f["srmr"], 3)],
            ]
            parts.append(
                md_table(
                    pd.DataFrame(
                        rows, columns=["Maat" if nl else "Index", "Waarde" if nl else "Value"]
                    )
                )
            )
        load = self.measurement_table("cfa_loadings")
        if not load.empty:
            parts.append(
                "**" + ("Gestandaardiseerde ladingen" if nl else "Standardised loadings") + "**\n"
            )
            wide = load.assign(label=load["factor"].map(self.scale_label))
            grouped = (
                wide.groupby("label", sort=False)
                .apply(
                    lambda g: ", ".join(
                        f"{i} {self.num(v)}"
                        for i, v in zip(g["item"], g["std_loading"], strict=True)
                    )
                )
                .reset_index()
            )
            grouped.columns = [
                "Schaal" if nl else "Scale",
                "Item: lading" if nl else "Item: loading",
            ]
            parts.append(md_table(grouped))
        inv = self.measurement_table("invariance")
        if not inv.empty:
            parts.append(
                "**"
                + (
                    "Meetinvariantie (Chen 2007: ΔCFI ≥ −0,010, ΔRMSEA ≤ 0,015)"
                    if nl
                    else "Measurement invariance (Chen 2007: ΔCFI ≥ −.010, ΔRMSEA ≤ .015)"
                )
                + "**\n"
            )
            rows = []
            for _, r in inv.iterrows():
                rows.append(
                    [
                        f"{r['group']} ({r['levels']})",
                        str(r["step"]),
                        self.num(r["cfi"], 3),
                        self.num(r["rmsea"], 3),
                        self.num(r["delta_cfi"], 3),
                        self.num(r["delta_rmsea"], 3),
                        str(r["verdict"]),
                    ]
                )
            cols = (
                ["Groep", "Stap", "CFI", "RMSEA", "ΔCFI", "ΔRMSEA", "Oordeel"]
                if nl
                else ["Group", "Step", "CFI", "RMSEA", "ΔCFI", "ΔRMSEA", "Verdict"]
            )
            parts.append(md_table(pd.DataFrame(rows, columns=cols)))
        return "\n".join(parts) + "\n"
