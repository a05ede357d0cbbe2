"""The lab report's sections (coordinators and partners), from published tables only."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from .. import plots
from .. import text as T
from ..config.labs import FOCUS_AREAS
from ..plots.achtje import MARGIN_ROWS
from .tables import ALL, col, int_text, memoised

#: Alpha below which a scale gets a reliability caveat.
ALPHA_CAVEAT = 0.70


class LabSections:
    """Sections of ``lab-report.qmd``; mixed into :class:`.context.ReportData`."""

    # ------------------------------------------------------------ data frames
    @memoised
    def lab_benchmark(self: Any, lab: str, wave: str | None = None) -> pd.DataFrame:
        """One row per scale: measured mean, estimate, programme mean, verdict, % positive."""
        wave = wave or self.lab_wave(lab)
        b = self.compare_table("benchmark")
        if not b.empty:
            b = b[(b["lab"] == lab) & (b["wave"] == wave)].set_index("scale")
        d = self.compare_table("descriptives")
        if not d.empty:
            d = d[(d["wave"] == wave) & (d["role"] == ALL) & (d["school_type"] == ALL)]
        lab_d = d[d["lab"] == lab].set_index("scale") if not d.empty else pd.DataFrame()
        prog_d = d[d["lab"] == ALL].set_index("scale") if not d.empty else pd.DataFrame()
        rows = []
        for name, scale in self.codebook.scales.items():
            r = b.loc[name] if name in b.index else None
            ld = lab_d.loc[name] if name in lab_d.index else None
            pdr = prog_d.loc[name] if name in prog_d.index else None
            reason = "" if r is None else str(r.get("suppression_reason", ""))
            suppressed = r is None or bool(r["suppressed"])
            if r is None and ld is not None:
                reason = str(ld["suppression_reason"])
            estimate = math.nan if r is None else col(r, "estimate")
            verdict = "" if r is None else str(r.get("vs_programme") or "")
            rows.append(
                {
                    "scale": name,
                    "scale_label": scale.label.get(self.lang),
                    "domain": scale.domain,
                    "domain_label": self.domain_label(scale.domain),
                    "measured": math.nan if ld is None or ld["suppressed"] else col(ld, "mean"),
                    "pct_positive": math.nan
                    if ld is None or ld["suppressed"]
                    else col(ld, "pct_agree"),
                    "estimate": estimate,
                    "ci_low": math.nan if r is None else col(r, "estimate_ci_low"),
                    "ci_high": math.nan if r is None else col(r, "estimate_ci_high"),
                    "programme_mean": math.nan if pdr is None else col(pdr, "mean"),
                    "raw_mean": math.nan if r is None else col(r, "raw_mean"),
                    "n": math.nan if r is None else col(r, "n"),
                    "vs_programme": verdict if verdict and not suppressed else "suppressed",
                    "estimate_type": "" if r is None else str(r.get("estimate_type") or ""),
                    "suppressed": suppressed or math.isnan(estimate),
                    "reason": reason,
                }
            )
        return pd.DataFrame(rows)

    def unreliable_scales(self: Any) -> list[str]:
        rel = self.measurement_table("reliability")
        if rel.empty or "alpha" not in rel.columns:
            return []
        low = rel[pd.to_numeric(rel["alpha"], errors="coerce") < ALPHA_CAVEAT]
        return [s for s in low["scale"].astype(str) if s in self.codebook.scales]

    # --------------------------------------------------------------- overview
    def lab_overview(self: Any, lab: str) -> str:
        """First-page table: the nine conditions by domain, with mark and trend.

        The trend arrow is the change of the lab's wave means since the previous
        wave (:mod:`.sections_change`). Where that change is hidden, the note says why
        in words; when it is hidden for every condition (or there is no earlier wave)
        the column is left out rather than filled with dashes.
        """
        bm = self.lab_benchmark(lab)
        ch = self.lab_change(lab)
        has_prev = self.previous_wave(lab) is not None
        shown_change = has_prev and not ch["suppressed"].all()
        rows = []
        for _domain, block in bm.groupby("domain", sort=False):
            # the board as a bold row of its own: a narrow board column would hyphenate
            head = [f"**{block['domain_label'].iloc[0]}**", "", "", ""]
            rows.append(head + ([""] if shown_change else []))
            for _, r in block.iterrows():
                mark = "–" if r["suppressed"] else self.t(f"mark_{r['vs_programme']}")
                row = [
                    r["scale_label"],
                    self.num(r["measured"]),
                    "–" if math.isnan(r["pct_positive"]) else T.fmt_pct(r["pct_positive"]),
                    mark,
                ]
                if shown_change:
                    row.append(self.trend_arrow(ch, r["scale"]))
                rows.append(row)
        cols = [self.t(k) for k in ("col_condition", "col_measured", "col_positive")]
        cols += [self.t("col_vs_programme")] + ([self.t("col_trend")] if shown_change else [])
        table = self.table(
            pd.DataFrame(rows, columns=cols),
            self.t(
                "cap_overview",
                lab=self.lab_name(lab),
                wave=self.wave_period(self.lab_wave(lab)),
            ),
            "overview",
        )
        return table + "\n" + self.t("note_overview") + " " + self.trend_note(lab) + "\n"

    # ------------------------------------------------------------ focus areas
    def declared_focus(self: Any, lab: str) -> list[str] | None:
        """The focus areas the lab stated in labs.yaml (``focus``), or None."""
        info = self.study.labs.by_id.get(lab) if self.study.labs is not None else None
        return getattr(info, "focus", None)

    def focus_table(self: Any, lab: str) -> str:
        """The lab's focus areas: the ones it stated (labs.yaml ``focus``) or, without them,
        those most of its respondents named (said so in words); with the share of its
        respondents and of the programme naming each."""
        declared = self.declared_focus(lab)
        wave = self.lab_wave(lab)
        f = self.compare_table("focus")
        if not f.empty:
            f = f[f["wave"] == wave]
            mine = f[(f["lab"] == lab) & ~f["suppressed"] & (f["n"].fillna(0) > 0)]
            prog = f[(f["lab"] == ALL) & ~f["suppressed"]].set_index("area")
            mine = mine.set_index("area")
        if f.empty or mine.empty:
            # the lab's answers hidden only to protect a smaller group: not "too few people"
            reasons = set() if f.empty else set(f.loc[f["lab"] == lab, "suppression_reason"])
            hidden = reasons == {"complementary"}
            if declared:
                names = [self.t(f"focus_area_{a}").lower() for a in declared]
                areas = T.join_words(names, self.lang)
                if hidden:
                    return (
                        self.t("focus_declared", areas=areas) + " " + self.t("focus_hidden") + "\n"
                    )
                return self.t("focus_declared_only", areas=areas) + "\n"
            return self.t("focus_hidden" if hidden else "focus_none") + "\n"
        rows = []
        for area in (a for a in FOCUS_AREAS if a in mine.index or a in (declared or [])):
            pct = col(mine.loc[area], "pct_named") if area in mine.index else float("nan")
            chosen = area in declared if declared is not None else pct > 50
            rows.append(
                [
                    self.t(f"focus_area_{area}"),
                    self.t("focus_chosen" if chosen else "focus_not_chosen"),
                    T.fmt_pct(pct) if area in mine.index else "–",
                    T.fmt_pct(col(prog.loc[area], "pct_named")) if area in prog.index else "–",
                ]
            )
        cols = [self.t(k) for k in ("col_focus_area", "col_focus_chosen", "col_focus_lab")]
        cols.append(self.t("col_focus_programme"))
        cap = self.t("cap_focus", lab=self.lab_name(lab), period=self.wave_period(wave))
        note = "note_focus_declared" if declared is not None else "note_focus_derived"
        return (
            self.table(pd.DataFrame(rows, columns=cols), cap, "focus") + "\n" + self.t(note) + "\n"
        )

    def lab_summary(self: Any, lab: str) -> str:
        wave = self.lab_wave(lab)
        bm = self.lab_benchmark(lab, wave)
        above = bm.loc[bm["vs_programme"] == "above", "scale_label"].tolist()
        below = bm.loc[bm["vs_programme"] == "below", "scale_label"].tolist()
        n = self.lab_n(lab, wave)
        parts = [
            T.summary_paragraph(
                self.lab_name(lab),
                None if math.isnan(n) else int(n),
                above,
                below,
                None,
                None,
                self.lang,
                wave=self.wave_period(wave),
            )
        ]
        parts.append(self.lab_change_summary(lab))
        parts.append(self.achtje_summary(lab))
        shown = bm[~bm["suppressed"]].sort_values(["measured", "scale"], kind="mergesort")
        if len(shown):
            weakest = shown["scale_label"].head(2).tolist()
            parts.append(self.t("summary_start", scales=T.join_words(weakest, self.lang)))
        return " ".join(p for p in parts if p) + "\n"

    # ---------------------------------------------------------------- profile
    def lab_profile_figure(self: Any, lab: str) -> str:
        bm = self.lab_benchmark(lab)
        # the placeholder of a hidden scale says its true reason (plots.hidden_texts)
        fig = plots.lab_profile(
            bm.rename(columns={"reason": "suppression_reason"}),
            lang=self.lang,
            min_cell=self.min_cell,
        )
        return self.figure(fig, "fig-profile", self.t("cap_profile", lab=self.lab_name(lab)))

    def lab_profile_table(self: Any, lab: str) -> str:
        bm = self.lab_benchmark(lab)
        rows = []
        for _, r in bm.iterrows():
            if r["suppressed"]:
                rows.append([r["scale_label"], "–", "–", "–", "–", self.reason_text(r["reason"])])
                continue
            star = "" if r["estimate_type"] == "shrunken" else "*"
            rows.append(
                [
                    r["scale_label"],
                    int_text(r["n"]),
                    self.num(r["measured"]),
                    self.num(r["estimate"]) + star + " " + self.interval(r["ci_low"], r["ci_high"]),
                    self.num(r["programme_mean"]),
                    self.t(f"{r['vs_programme']}_short"),
                ]
            )
        cols = [self.t(k) for k in ("col_condition", "col_n", "col_measured", "col_estimated")]
        cols += [self.t("col_programme"), self.t("col_comparison")]
        note = self.t("note_estimate")
        if (bm.loc[~bm["suppressed"], "estimate_type"] == "measured").any():
            note += " " + self.t("note_measured_fallback")
        caveat = self.unreliable_scales()
        if caveat:
            labels = T.join_words([self.scale_label(s) for s in caveat], self.lang)
            note += " " + self.t("note_alpha_caveat", scales=labels)
        return (
            self.table(pd.DataFrame(rows, columns=cols), self.t("cap_profile_table"), "profile")
            + "\n"
            + note
            + "\n"
        )

    # ----------------------------------------------------------------- items
    def item_table(self: Any, lab: str) -> str:
        """Share agreeing per item, lab against programme, reverse items in keyed direction."""
        wave = self.lab_wave(lab)
        it = self.compare_table("items")
        if it.empty:
            return self.t("not_available") + "\n"
        it = it[it["wave"] == wave]
        lab_i = it[it["lab"] == lab].set_index("item")
        prog_i = it[it["lab"] == ALL].set_index("item")
        reverse = set(self.codebook.reverse_items)
        out = []
        for domain in self.codebook.domains:
            rows = []
            for scale in self.codebook.scales_in_domain(domain):
                for item in self.codebook.scales[scale].items:
                    text = self.codebook.items[item].text.get(self.lang)
                    if item in reverse:
                        text += " " + self.t("reverse_marker")
                    li = lab_i.loc[item] if item in lab_i.index else None
                    pi = prog_i.loc[item] if item in prog_i.index else None
                    lab_cell = (
                        self.reason_text("" if li is None else str(li["suppression_reason"]))
                        if li is None or li["suppressed"]
                        else T.fmt_pct(col(li, "pct_agree"))
                    )
                    prog_cell = (
                        "–" if pi is None or pi["suppressed"] else T.fmt_pct(col(pi, "pct_agree"))
                    )
                    rows.append([self.scale_label(scale), text, lab_cell, prog_cell])
            cols = [self.t("col_condition"), self.t("col_statement")]
            cols += [self.t("col_lab_agree"), self.t("col_programme_agree")]
            out.append(
                self.table(
                    pd.DataFrame(rows, columns=cols),
                    self.t("cap_items", domain=self.domain_label(domain).lower()),
                    f"items-{domain}",
                )
            )
        return "\n".join(out) + "\n" + self.t("note_items") + "\n"

    # ---------------------------------------------------------------- achtje
    def achtje_margins(
        self: Any, lab: str, scale: str = "commitment", wave: str | None = None
    ) -> pd.DataFrame:
        """The lab's published levels and schools for one scale (het achtje)."""
        wave = wave or self.lab_wave(lab)
        d = self.compare_table("descriptives")
        if not d.empty:
            d = d[(d["lab"] == lab) & (d["wave"] == wave) & (d["scale"] == scale)]
        merged = self.merged_groups(lab, wave)
        rows = []
        for dim, group in MARGIN_ROWS:
            column = "role" if dim == "level" else "school_type"
            other = "school_type" if dim == "level" else "role"
            hit = d[(d[column] == group) & (d[other] == ALL)] if not d.empty else d
            label = ""
            if dim == "level" and group == "docent" and merged:
                label = self.t("fig_docent_merged")
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
                        "suppression_reason": "",
                        "label": label,
                    }
                )
                continue
            r = hit.iloc[0]
            sup = bool(r["suppressed"])
            rows.append(
                {
                    "dimension": dim,
                    "group": group,
                    "mean": math.nan if sup else col(r, "mean"),
                    "ci_low": math.nan if sup else col(r, "ci_low"),
                    "ci_high": math.nan if sup else col(r, "ci_high"),
                    "n": math.nan if sup else col(r, "n"),
                    "suppressed": sup,
                    "suppression_reason": str(r["suppression_reason"]),
                    "label": label,
                }
            )
        return pd.DataFrame(rows)

    def lab_scale_mean(self: Any, lab: str, scale: str, wave: str | None = None) -> float:
        bm = self.lab_benchmark(lab, wave).set_index("scale")
        return bm.loc[scale, "measured"] if scale in bm.index else math.nan

    def achtje_figure(self: Any, lab: str) -> str:
        margins = self.achtje_margins(lab)
        fig = plots.achtje_margins(
            margins,
            lang=self.lang,
            min_cell=self.min_cell,
            lab_mean=self.lab_scale_mean(lab, "commitment"),
        )
        cap = self.t("cap_achtje", lab=self.lab_name(lab))
        note = self.t("note_achtje")
        if self.merged_groups(lab, self.lab_wave(lab)):
            note += " " + self.t("note_merged")
        return self.figure(fig, "fig-achtje", cap) + "\n" + note + "\n"

    def achtje_gaps(self: Any, lab: str) -> pd.DataFrame:
        a = self.compare_table("agreement")
        if a.empty:
            return a
        wave = self.lab_wave(lab)
        return a[(a["lab"] == lab) & (a["wave"] == wave) & a["measure"].str.startswith("gap")]

    def achtje_summary(self: Any, lab: str) -> str:
        """The summary's sentences on the gaps: where they are demonstrable, else none, and
        which are hidden with their true reason. Pairs read "tussen a en b en tussen c en d"."""
        a = self.achtje_gaps(lab)
        if a.empty:
            return ""
        shown = a[~a["suppressed"]]
        if shown.empty:  # why, in the gaps' own reasons: a hidden group need not be small
            return self.t("achtje_summary_none", reason=self.reasons_text(a["suppression_reason"]))

        def pairs_of(rows: pd.DataFrame) -> list[tuple[str, str]]:
            return sorted(set(zip(rows["group_a"], rows["group_b"], strict=True)))

        def pair_words(pairs: list[tuple[str, str]]) -> str:
            words = [
                self.t("achtje_pair", a=self.group_label(a), b=self.group_label(b))
                for a, b in pairs
            ]
            return T.join_words(words, self.lang)

        big = shown[(shown["ci_low"] > 0) | (shown["ci_high"] < 0)]
        if big.empty:
            sentences = [self.t("achtje_summary_same", pairs=pair_words(pairs_of(shown)))]
        else:  # scales with the same demonstrable pairs share one sentence
            by_pairs: dict[tuple[tuple[str, str], ...], list[str]] = {}
            for scale, rows in big.groupby("scale", sort=False):
                by_pairs.setdefault(tuple(pairs_of(rows)), []).append(self.scale_label(scale))
            sentences = [
                self.t(
                    "achtje_summary_gap",
                    pairs=pair_words(list(pairs)),
                    scales=T.join_words(labels, self.lang),
                )
                for pairs, labels in by_pairs.items()
            ]
        hidden = a[a["suppressed"]]
        if len(hidden):  # a hidden gap is neither "no difference" nor left unsaid
            scales = hidden["scale"].unique().tolist()
            everywhere = set(scales) == set(a["scale"])  # then naming the scales adds nothing
            sentences.append(
                self.t(
                    "achtje_summary_hidden_all" if everywhere else "achtje_summary_hidden",
                    pairs=pair_words(pairs_of(hidden)),
                    scales=T.join_words([self.scale_label(s) for s in scales], self.lang),
                    reason=self.reasons_text(hidden["suppression_reason"]),
                )
            )
        return " ".join(sentences)

    def achtje_text(self: Any, lab: str) -> str:
        a = self.achtje_gaps(lab)
        if a.empty:
            return self.t("not_available") + "\n"
        lines = []
        for _, r in a.sort_values(["scale", "measure", "group_a", "group_b"]).iterrows():
            ga, gb = self.group_label(r["group_a"]), self.group_label(r["group_b"])
            if r["suppressed"]:
                lines.append(
                    f"- {self.scale_label(r['scale'])}, {ga}–{gb}: "
                    + self.reason_text(r["suppression_reason"])
                )
                continue
            lines.append(
                "- "
                + self.t(
                    "gap_line",
                    scale=self.scale_label(r["scale"]),
                    a=ga,
                    b=gb,
                    value=T.fmt_signed(r["value"], 2, self.lang),
                    interval=self.interval(r["ci_low"], r["ci_high"]),
                    n_a=int_text(r["n_a"]),
                    n_b=int_text(r["n_b"]),
                )
            )
        return self.t("gap_intro") + "\n\n" + "\n".join(lines) + "\n"

    # ------------------------------------------------------------ conditions
    def scale_sections(self: Any, lab: str) -> str:
        """Per scale: description, the lab's result and the gespreksvragen (weakest first)."""
        bm = self.lab_benchmark(lab)
        order = bm.assign(key=bm["measured"].fillna(99)).sort_values(
            ["key", "scale"], kind="mergesort"
        )
        caveat = set(self.unreliable_scales())
        parts = [self.t("conditions_intro") + "\n"]
        for _, r in order.iterrows():
            scale = self.codebook.scales[r["scale"]]
            parts.append(f"### {scale.label.get(self.lang)}\n")
            parts.append(scale.description.get(self.lang) + "\n")
            if r["suppressed"]:
                result = self.reason_text(r["reason"]).capitalize() + "."
            else:
                result = self.t(
                    "result_line",
                    measured=self.num(r["measured"]),
                    estimate=self.num(r["estimate"]),
                    interval=self.interval(r["ci_low"], r["ci_high"]),
                    verdict=self.t(r["vs_programme"]),
                    programme=self.num(r["programme_mean"]),
                )
            if r["scale"] in caveat:
                result += " " + self.t("alpha_caveat_short")
            parts.append(result + "\n")
            # the lab's own words on this condition, so the conversation starts there
            quotes = self.condition_quotes(lab, r["scale"])
            if quotes:
                parts.append(quotes)
            parts.append(f"**{self.t('prompts')}**\n")
            parts.extend(f"- {q}" for q in scale.prompts_for(self.lang))
            parts.append("")
        return "\n".join(parts) + "\n"

    def about_lab(self: Any, lab: str) -> str:
        return self.t("about_lab", study=self.study.name, min_cell=self.min_cell) + "\n"
