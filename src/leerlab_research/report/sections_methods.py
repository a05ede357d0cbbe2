"""The methods report's sections (researchers), from published tables only.

Every section renders whatever the earlier stages could or could not estimate: a
missing table, a missing column (e.g. invariance models that failed with a
singular matrix have no ``cfi``) or a row with a ``reason`` becomes words, not an
error.
"""

from __future__ import annotations

import math
import platform
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .. import plots
from .. import text as T
from .._version import __version__
from ..config.table_labels import ALL, OUTSIDE
from ..manifest import package_versions
from .tables import col, int_text

CR_INDICES = ("seconds_per_item", "longstring", "irv", "mahalanobis", "evenodd")
GLOSSARY = (
    "gl_alpha",
    "gl_omega",
    "gl_cfa",
    "gl_invariance",
    "gl_multilevel",
    "gl_eb",
    "gl_rwg",
    "gl_holm",
    "gl_suppression",
    "gl_careless",
)


class MethodsSections:
    """Sections of ``methods-report.qmd``; mixed into :class:`.context.ReportData`."""

    def screening(self: Any) -> dict[tuple[str, str], int]:
        s = self.compare_table("screening")
        if s.empty:
            return {}
        keys = s["key"].fillna("").astype(str)
        return {(w, k): int(n) for w, k, n in zip(s["what"], keys, s["n"], strict=True)}

    def dataflow_text(self: Any) -> str:
        return self.t("dataflow_text") + "\n"

    def sources_table(self: Any) -> str:
        s = self.screening()
        inputs = self.manifest.get("inputs", {})
        rows = []
        for src in self.study.sources:
            kept = s.get(("source_kept", src.path), 0)
            exc = s.get(("source_excluded", src.path), 0)
            sha = inputs.get(src.path, {}).get("sha256", "")[:12]
            rows.append(
                [
                    Path(src.path).name,
                    src.platform,
                    src.wave or "",
                    str(kept + exc),
                    str(kept),
                    str(exc),
                    sha,
                ]
            )
        cols = [self.t(f"col_src_{k}") for k in ("file", "platform", "wave", "rows", "kept")]
        cols += [self.t("col_src_excluded"), "sha256"]
        return self.table(pd.DataFrame(rows, columns=cols), self.t("cap_sources"), "sources")

    def exclusions_table(self: Any) -> str:
        s = self.screening()
        rows = [[self.t("excl_" + k), str(n)] for (w, k), n in s.items() if w == "excluded"]
        if not rows:
            return self.t("no_exclusions") + "\n"
        cols = [self.t("col_reason"), "n"]
        return self.table(pd.DataFrame(rows, columns=cols), self.t("cap_exclusions"), "exclusions")

    def cleaning_steps_table(self: Any) -> str:
        """The fixed cleaning steps, in words (the counts are in the tables around it)."""
        return self.t("cleaning_steps") + "\n"

    def careless_text(self: Any) -> str:
        c = self.study.settings.cleaning.careless
        s = self.screening()
        kept = s.get(("kept", ""), 0)
        flagged = s.get(("careless_flag", "kept"), s.get(("careless_flag", "excluded"), 0))
        intro = self.t(
            "careless_intro",
            seconds=T.fmt_num(c.min_seconds_per_item, 1, self.lang),
            longstring=c.max_longstring,
            irv=T.fmt_num(c.min_irv, 2, self.lang),
            k=len(self.codebook.item_codes),
            p=T.fmt_num(c.mahalanobis_p, 3, self.lang),
            evenodd=T.fmt_num(c.min_evenodd, 2, self.lang),
            agree=c.min_agree,
        )
        decision = self.t("careless_excluded" if c.exclude_flagged else "careless_kept")
        lines = [intro, "", self.t("careless_flagged", n=flagged, total=kept) + " " + decision, ""]
        rows = []
        shares = {}
        for k in CR_INDICES:
            n = s.get(("careless_index", k))
            if n is None:
                continue
            shares[k] = n / kept * 100 if kept else math.nan
            rows.append([self.t(f"cr_{k}"), str(n), T.fmt_pct(shares[k])])
        table = self.table(
            pd.DataFrame(rows, columns=[self.t("col_index"), "n", "%"]),
            self.t("cap_careless"),
            "careless",
        )
        others = [v for k, v in shares.items() if k != "evenodd"]
        if "evenodd" in shares and others:
            lines.append(
                self.t(
                    "evenodd_discussion",
                    evenodd=T.fmt_pct(shares["evenodd"]),
                    others=T.fmt_pct(sum(others) / len(others)),
                )
            )
        # a blank line before the table, or pandoc reads it as part of the paragraph
        return "\n".join(lines) + "\n\n" + table

    def reliability_table(self: Any) -> str:
        rel = self.measurement_table("reliability")
        if rel.empty or "scale" not in rel.columns:
            return self.t("not_available") + "\n"
        if "group" in rel.columns:
            rel = rel[rel["group"].astype(str) == "all"]
        rows = []
        for _, r in rel.iterrows():
            alpha = col(r, "alpha")
            omega = col(r, "omega")
            reason = r.get("reason") if "reason" in rel.columns else None
            omega_text = self.num(omega) if not math.isnan(omega) else "–"
            if math.isnan(omega) and isinstance(reason, str) and reason:
                omega_text = f"– ({reason})"
            rows.append(
                [
                    self.scale_label(str(r["scale"])),
                    int_text(r.get("n")),
                    int_text(r.get("k")),
                    self.num(alpha)
                    + " "
                    + self.interval(col(r, "alpha_ci_low"), col(r, "alpha_ci_high")),
                    omega_text,
                ]
            )
        cols = [self.t("col_scale"), "n", "k", self.t("col_alpha"), "ω"]
        return self.table(pd.DataFrame(rows, columns=cols), self.t("cap_reliability"), "alpha")

    def reliability_by_group_figure(self: Any, group: str = "school_type") -> str:
        rel = self.measurement_table("reliability_by_group")
        need = {"group", "level", "scale", "alpha", "alpha_ci_low", "alpha_ci_high", "reliable"}
        if rel.empty or not need <= set(rel.columns):
            return ""
        rel = rel[rel["group"] == group].copy()
        if rel.empty:
            return ""
        rel["scale_label"] = rel["scale"].map(self.scale_label)
        rel["group_label"] = rel["level"].astype(str)
        rel["reliable"] = rel["reliable"].fillna(False).astype(bool)
        if "reason" not in rel.columns:
            rel["reason"] = ""
        rel = rel.rename(columns={"alpha_ci_low": "ci_low", "alpha_ci_high": "ci_high"})
        fig = plots.reliability_chart(
            rel[["scale_label", "group_label", "alpha", "ci_low", "ci_high", "reliable", "reason"]],
            lang=self.lang,
        )
        cap = self.t("cap_reliability_group", group=self.t(f"dim_{group}"))
        return self.figure(fig, f"fig-reliability-{group.replace('_', '-')}", cap)

    def cfa_section(self: Any) -> str:
        """CFA fit, standardised loadings and invariance steps, whatever was estimated."""
        parts = []
        fit = self.measurement_table("cfa_fit")
        if fit.empty or "cfi" not in fit.columns:
            parts.append(self.t("cfa_missing") + "\n")
        else:
            f = fit.iloc[0]
            rows = [
                ["n", int_text(f.get("n"))],
                ["χ² (df)", f"{self.num(col(f, 'chi2'), 1)} ({int_text(f.get('df'))})"],
                ["CFI", self.num(col(f, "cfi"), 3)],
                ["TLI", self.num(col(f, "tli"), 3)],
                [
                    "RMSEA (90%)",
                    f"{self.num(col(f, 'rmsea'), 3)} "
                    f"{self.interval(col(f, 'rmsea_ci_low'), col(f, 'rmsea_ci_high'), 3)}",
                ],
                ["SRMR", self.num(col(f, "srmr"), 3)],
            ]
            cols = [self.t("col_index"), self.t("col_value")]
            parts.append(self.table(pd.DataFrame(rows, columns=cols), self.t("cap_cfa"), "cfa"))
        load = self.measurement_table("cfa_loadings")
        if not load.empty and {"factor", "item", "std_loading"} <= set(load.columns):
            grouped = [
                [
                    self.scale_label(factor),
                    ", ".join(
                        f"{i} {self.num(v)}"
                        for i, v in zip(g["item"], g["std_loading"], strict=True)
                    ),
                ]
                for factor, g in load.groupby("factor", sort=False)
            ]
            cols = [self.t("col_scale"), self.t("col_loadings")]
            parts.append(
                self.table(pd.DataFrame(grouped, columns=cols), self.t("cap_loadings"), "loadings")
            )
        parts.append(self.invariance_table())
        return "\n".join(parts) + "\n"

    def invariance_table(self: Any) -> str:
        inv = self.measurement_table("invariance")
        if inv.empty or "step" not in inv.columns:
            return self.t("invariance_missing") + "\n"
        rows = []
        for _, r in inv.iterrows():
            step = str(r.get("step", ""))
            rows.append(
                [
                    f"{self.group_label(str(r.get('group', '')))} ({r.get('levels', '')})",
                    self.t(f"inv_{step}") if f"inv_{step}" in T.MESSAGES else step,
                    self.num(col(r, "cfi"), 3),
                    self.num(col(r, "rmsea"), 3),
                    self.num(col(r, "delta_cfi"), 3),
                    self.num(col(r, "delta_rmsea"), 3),
                    self.invariance_verdict(r),
                ]
            )
        cols = [self.t("col_group"), self.t("col_step"), "CFI", "RMSEA", "ΔCFI", "ΔRMSEA"]
        cols.append(self.t("col_verdict"))
        return self.table(pd.DataFrame(rows, columns=cols), self.t("cap_invariance"), "invariance")

    def invariance_verdict(self: Any, r: pd.Series) -> str:
        """The verdict in words; a step without fit says why (e.g. a singular matrix)."""
        if math.isnan(col(r, "cfi")):
            reason = r.get("reason") if isinstance(r.get("reason"), str) else ""
            reason = reason or (r.get("verdict") if isinstance(r.get("verdict"), str) else "")
            return self.t("inv_failed", reason=reason or self.t("not_estimated"))
        if str(r.get("step")) == "configural":
            return self.t("inv_baseline")
        supported = r.get("supported")
        if isinstance(supported, str):
            supported = supported.strip().lower() == "true"
        return self.t("inv_supported" if supported else "inv_not_supported")

    def tests_table(self: Any) -> str:
        """Every comparison table with its unit, test and correction (from results.json)."""
        lines = []
        for name, info in self.index.get("tables", {}).items():
            # the words of the text catalogue; results.json keeps the technical description
            unit, test, correction = T.table_method(name, self.lang) or (
                info["unit"],
                info["test"],
                info["correction"],
            )
            lines.append(
                "- "
                + self.t(
                    "test_line", file=info["file"], unit=unit, test=test, correction=correction
                )
            )
        return "\n".join(lines) + "\n\n" + self.caveats_text()

    def caveats_text(self: Any) -> str:
        """Limits a researcher must know: repeated persons, multiplicity."""
        b = self.compare_table("benchmark")
        parts = [self.t("caveat_repeated"), self.t("caveat_two_changes", below=self.min_cell - 1)]
        if not b.empty:
            shown = b[~b["suppressed"]]
            flagged = int(shown["vs_programme"].isin(["above", "below"]).sum())
            expected = 0.05 * len(shown)
            parts.append(
                self.t(
                    "caveat_multiplicity",
                    total=len(shown),
                    flagged=flagged,
                    expected=T.fmt_num(expected, 0, self.lang),
                )
            )
        c = self.compare_table("change")
        if not c.empty:
            # the lab reports' change arrows: one 95% interval per lab × condition, no
            # correction over the nine conditions (the reader sees each one)
            w = c[(c["analysis"] == "waves") & ~c["lab"].isin([ALL, OUTSIDE]) & ~c["suppressed"]]
            w = w[np.isfinite(w["ci_low"].astype(float))]
            moved = int(((w["ci_low"] > 0) | (w["ci_high"] < 0)).sum())
            if len(w):
                parts.append(
                    self.t(
                        "caveat_multiplicity_change",
                        total=len(w),
                        flagged=moved,
                        expected=T.fmt_num(0.05 * len(w), 0, self.lang),
                    )
                )
        return "\n\n".join(parts) + "\n"

    def disclosure_text(self: Any) -> str:
        sup = self.index.get("suppression", {})
        return (
            self.t(
                "disclosure_text",
                min_cell=self.min_cell,
                n=sup.get("n_suppressed", 0),
            )
            + "\n"
        )

    def glossary(self: Any) -> str:
        return "\n".join(f"- {self.t(k)}" for k in GLOSSARY) + "\n"

    def software_table(self: Any) -> str:
        m = self.manifest or {
            "leerlab_research": __version__,
            "python": platform.python_version(),
            "packages": package_versions(),
        }
        rows = [
            ["leerlab-research", str(m.get("leerlab_research", ""))],
            ["Python", str(m.get("python", ""))],
        ]
        for name, version in sorted((m.get("packages") or {}).items()):
            if version:
                rows.append([name, version])
        cols = [self.t("col_package"), self.t("col_version")]
        return self.table(pd.DataFrame(rows, columns=cols), self.t("cap_software"), "software")

    def colophon(self: Any) -> str:
        st = self.manifest.get("study", {})
        cb = self.codebook
        return (
            self.t(
                "colophon_text",
                study=self.study.name,
                sha=str(st.get("sha256", ""))[:12],
                codebook=cb.title.get(self.lang),
                version=cb.version,
                seed=self.study.settings.seed,
                file=Path(self.study.path).name,
            )
            + "\n"
        )
