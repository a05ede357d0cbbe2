"""The programme report's sections (policy staff), from published tables only."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from .. import plots
from .. import text as T
from .tables import ALL, OUTSIDE, col, int_text


class ProgrammeSections:
    """Sections of ``programme-report.qmd``; mixed into :class:`.context.ReportData`."""

    # --------------------------------------------------------------- response
    def response_table(self: Any) -> str:
        r = self.responses
        if r.empty:
            return self.t("not_available") + "\n"
        waves = self.waves()
        labs = [x for x in r["lab"].astype(str).unique() if x not in (ALL, OUTSIDE)]
        rows = []
        for lab in sorted(labs, key=self.lab_name) + [OUTSIDE, ALL]:
            name = self.lab_name(lab) if lab != ALL else f"**{self.t('total')}**"
            cells = [name]
            for w in waves:
                hit = r[(r["lab"] == lab) & (r["wave"] == w)]
                if hit.empty:
                    cells.append("0")
                elif hit.iloc[0]["suppressed"]:
                    # a count hidden to protect a smaller group is not "< 5": say which
                    reason = str(hit.iloc[0]["suppression_reason"])
                    cells.append(
                        f"< {self.min_cell}"
                        if reason == "primary"
                        else T.hidden_reason(reason, self.lang, self.min_cell, short=True)
                    )
                else:
                    cells.append(int_text(hit.iloc[0]["n"]))
            rows.append(cells)
        cols = [self.t("col_lab")] + [self.t("col_wave", wave=self.wave_short(w)) for w in waves]
        return self.table(pd.DataFrame(rows, columns=cols), self.t("cap_response"), "response")

    def response_text(self: Any) -> str:
        s = self.compare_table("screening")
        r = self.responses
        if s.empty or r.empty:
            return self.t("not_available") + "\n"
        get = {
            (w, k): int(n) for w, k, n in zip(s["what"], s["key"].fillna(""), s["n"], strict=True)
        }
        excluded = s[s["what"] == "excluded"]
        detail = T.join_words(
            [
                f"{int(n)} {self.t('excl_' + str(k))}"
                for k, n in zip(excluded["key"], excluded["n"], strict=True)
            ],
            self.lang,
        )
        n_labs = len([x for x in r["lab"].unique() if x not in (ALL, OUTSIDE)])
        return (
            self.t(
                "response_text",
                n_in=get.get(("read", ""), 0),
                n_labs=n_labs,
                n_excluded=int(excluded["n"].sum()),
                detail=detail,
                n_kept=get.get(("kept", ""), 0),
                n_people=get.get(("people", ""), 0),
            )
            + "\n"
        )

    # ---------------------------------------------------------------- summary
    def programme_summary(self: Any) -> str:
        waves = self.waves()
        if not waves:
            return self.t("not_available") + "\n"
        last = waves[-1]
        desc = self.programme_descriptives(last)
        shown = desc[~desc["suppressed"]] if not desc.empty else desc
        parts = []
        if len(shown):
            top = shown.sort_values("mean", ascending=False)
            parts.append(
                self.t(
                    "prog_summary_levels",
                    wave=self.wave_period(last),
                    high=self.scale_label(top.index[0]),
                    low=self.scale_label(top.index[-1]),
                )
            )
        ch = self.programme_change()
        if not ch.empty:
            up = ch.loc[ch["direction"] == "increase", "scale_label"].tolist()
            down = ch.loc[ch["direction"] == "decrease", "scale_label"].tolist()
            parts.append(T.change_summary(up, down, self.lang))
        b = self.compare_table("benchmark")
        if not b.empty:
            b = b[(b["wave"] == last) & ~b["suppressed"]]
            n_diff = int(b["vs_programme"].isin(["above", "below"]).sum())
            parts.append(self.t("prog_summary_labs", n=n_diff, total=len(b)))
        return " ".join(parts) + "\n"

    def programme_descriptives(self: Any, wave: str) -> pd.DataFrame:
        d = self.compare_table("descriptives")
        if d.empty:
            return d
        d = d[(d["lab"] == ALL) & (d["role"] == ALL) & (d["school_type"] == ALL)]
        return d[d["wave"] == wave].set_index("scale")

    def domain_overview(self: Any) -> str:
        """Per domain: the programme mean and % eens per wave."""
        waves = self.waves()
        desc = {w: self.programme_descriptives(w) for w in waves}
        out = [self.t("note_programme_mean") + "\n"]
        for domain in self.codebook.domains:
            out.append(f"### {self.domain_label(domain)}\n")
            rows = []
            for name in self.codebook.scales_in_domain(domain):
                cells = [self.scale_label(name)]
                for w in waves:
                    r = desc[w].loc[name] if name in desc[w].index else None
                    if r is None or bool(r["suppressed"]):
                        cells += ["–", "–"]
                    else:
                        cells += [self.num(col(r, "mean")), T.fmt_pct(col(r, "pct_agree"))]
                rows.append(cells)
            cols = [self.t("col_condition")]
            for w in waves:
                cols += [
                    self.t("col_mean_wave", wave=self.wave_short(w)),
                    self.t("col_agree_wave", wave=self.wave_short(w)),
                ]
            out.append(
                self.table(
                    pd.DataFrame(rows, columns=cols),
                    self.t("cap_domain", domain=self.domain_label(domain).lower()),
                    f"domain-{domain}",
                )
            )
        return "\n".join(out)

    # ----------------------------------------------------------------- change
    def programme_change(self: Any) -> pd.DataFrame:
        c = self.compare_table("change")
        if c.empty:
            return c
        c = c[(c["lab"] == ALL) & (c["analysis"] == "paired") & ~c["suppressed"]].copy()
        c["scale_label"] = c["scale"].map(self.scale_label)
        c["direction"] = [
            T.change_direction(lo, hi) for lo, hi in zip(c["ci_low"], c["ci_high"], strict=True)
        ]
        return c

    def programme_change_section(self: Any) -> str:
        c = self.programme_change()
        if c.empty:
            return self.t("change_one_wave") + "\n"
        rows = []
        for domain in self.codebook.domains:
            # the board as a bold row of its own: a narrow board column would hyphenate
            rows.append([f"**{self.domain_label(domain)}**", "", "", "", "", ""])
            for name in self.codebook.scales_in_domain(domain):
                hit = c[c["scale"] == name]
                if hit.empty:
                    continue
                r = hit.iloc[0]
                rows.append(
                    [
                        r["scale_label"],
                        self.num(col(r, "mean_from")),
                        self.num(col(r, "mean_to")),
                        T.fmt_signed(col(r, "mean_diff"), 2, self.lang)
                        + " "
                        + self.interval(col(r, "ci_low"), col(r, "ci_high")),
                        self.t(f"{r['direction']}_word"),
                        int_text(r["n_paired"]),
                    ]
                )
        # the two compared waves by their study labels (change.csv names them per row)
        waves = [self.wave_label(str(c[k].iloc[0])) for k in ("from_wave", "to_wave")]
        cols = [self.t("col_condition")] + [self.t("col_mean_wave", wave=w) for w in waves]
        cols += [self.t("col_change"), self.t("col_demonstrable"), self.t("col_n_paired")]
        return (
            self.table(pd.DataFrame(rows, columns=cols), self.t("cap_prog_change"), "change")
            + "\n"
            + self.t("note_prog_change")
            + "\n"
        )

    # ---------------------------------------------------------------- figures
    def likert_distribution(self: Any, scales: list[str]) -> pd.DataFrame:
        """Published answer counts per item, programme, all waves (``items.csv``).

        ``items.csv`` counts answers as given; a reverse-worded item's categories are
        turned round (``lo + hi - k``) so that every bar reads in its keyed direction,
        like the scale scores and the lab report's item table, and its label carries
        the marker.
        """
        it = self.compare_table("items")
        if it.empty:
            return pd.DataFrame(
                columns=["label", "category", "n", "n_missing", "suppressed", "suppression_reason"]
            )
        it = it[(it["lab"] == ALL) & (it["wave"] == ALL)].set_index("item")
        lo, hi = self.codebook.item_range(self.codebook.item_codes[0])
        reverse = set(self.codebook.reverse_items)
        rows = []
        for scale in scales:
            for item in self.codebook.scales[scale].items:
                if item not in it.index:
                    continue
                r = it.loc[item]
                label = self.codebook.items[item].text.get(self.lang)
                if item in reverse:
                    label += " " + self.t("reverse_marker_plain")
                for cat in range(lo, hi + 1):
                    answered = lo + hi - cat if item in reverse else cat
                    rows.append(
                        {
                            # the statement itself: policy staff need no item codes
                            "label": label,
                            "category": cat,
                            "n": col(r, f"n_{answered}"),
                            "n_missing": col(r, "n_dont_know"),
                            "suppressed": bool(r["suppressed"]),
                            "suppression_reason": str(r["suppression_reason"]),
                        }
                    )
        return pd.DataFrame(rows)

    @staticmethod
    def likert_counts(dist: pd.DataFrame) -> tuple[int, int] | None:
        """Fewest and most substantive answers behind a statement of the figure."""
        shown = dist[~dist["suppressed"].astype(bool)]
        if shown.empty:
            return None
        n = shown.groupby("label", sort=False)["n"].sum()
        return int(n.min()), int(n.max())

    def likert_figure(self: Any, domain: str) -> str:
        dist = self.likert_distribution(self.codebook.scales_in_domain(domain))
        if dist.empty:
            return ""
        # wider labels without n: two lines per statement fit the row height, three
        # overlapped the next statement; the answer counts go into the caption
        fig = plots.likert_diverging(
            dist, lang=self.lang, min_cell=self.min_cell, show_n=False, label_width=52
        )
        n = self.likert_counts(dist)
        cap = self.t("cap_likert", domain=self.domain_label(domain).lower())
        if n:
            cap += " " + self.t("cap_likert_n", low=n[0], high=n[1])
        if dist["label"].str.endswith(self.t("reverse_marker_plain")).any():
            cap += " " + self.t("cap_likert_reverse")
        return self.figure(fig, f"fig-likert-{domain}", cap)

    def heatmap_figure(self: Any, wave: str | None = None) -> str:
        b = self.compare_table("benchmark")
        if b.empty:
            return ""
        wave = wave or self.waves()[0]
        b = b[b["wave"] == wave].copy()
        b["lab_label"] = b["lab"].map(self.lab_name)
        b["scale_label"] = b["scale"].map(self.scale_label)
        b["diff"] = b["estimate"] - b["programme_observed"]
        b.loc[b["suppressed"], "diff"] = math.nan
        order = {s: i for i, s in enumerate(self.codebook.scale_names)}
        b = b.sort_values(
            ["lab_label", "scale"], key=lambda s: s.map(order) if s.name == "scale" else s
        )
        fig = plots.lab_heatmap(
            b[
                [
                    "lab_label",
                    "scale_label",
                    "diff",
                    "vs_programme",
                    "suppressed",
                    "suppression_reason",
                ]
            ],
            lang=self.lang,
            min_cell=self.min_cell,
        )
        return self.figure(
            fig, f"fig-heatmap-{wave.lower()}", self.t("cap_heatmap", wave=self.wave_period(wave))
        )

    def heatmap_section(self: Any) -> str:
        """One heatmap per wave, floating in the PDF under a sentence naming them.

        Each is over half a page: kept in the flow, the second and third did not fit
        under the one before and each left almost half a page empty.
        """
        figures = [f for f in (self.heatmap_figure(w) for w in self.waves()) if f]
        if not figures:
            return ""
        refs = [f"@fig-heatmap-{w.lower()}" for w in self.waves()]
        intro = self.t("heatmap_intro", figures=T.join_words(refs, self.lang))
        return f"{intro}\n\n" + self.floating("\n".join(figures))

    def mixedlm_effects(self: Any, factor: str) -> pd.DataFrame:
        m = self.compare_table("mixedlm")
        if m.empty or "status" not in m.columns:
            return pd.DataFrame()
        m = m[(m["factor"] == factor) & (m["status"] == "ok")].copy()
        m["scale_label"] = m["scale"].map(self.scale_label)
        return m

    def group_forest(self: Any, factor: str) -> str:
        m = self.mixedlm_effects(factor)
        if m.empty:
            return self.t("not_available") + "\n"
        note = ""
        if (
            factor == "school_type"
            and (m["level"] == "anders").any()
            and (m["level"] != "anders").any()
        ):
            # the few respondents of neither school have wide intervals that drew the eye
            # away from the vmbo–mbo comparison; their result stays in the text below
            m = m[m["level"] != "anders"]
            note = self.t("note_forest_anders") + "\n"
        df = pd.DataFrame(
            {
                "label": m["scale_label"],
                "estimate": m["coef"],
                "ci_low": m["ci_low"],
                "ci_high": m["ci_high"],
                "group": m["level"].map(self.group_label),
            }
        )
        fig = plots.forest(df, lang=self.lang)
        ref = self.group_label(m["reference"].iloc[0])
        cap = self.t(f"cap_forest_{factor}", ref=ref)
        return self.figure(fig, f"fig-{factor.replace('_', '-')}", cap) + "\n" + note

    def group_text(self: Any, factor: str) -> str:
        m = self.mixedlm_effects(factor)
        if m.empty:
            return ""
        sig = m[m["p_holm"] < 0.05]
        if sig.empty:
            return self.t("groups_none") + "\n"
        lines = []
        for _, r in sig.iterrows():
            lines.append(
                "- "
                + self.t(
                    "group_line_up" if r["coef"] > 0 else "group_line_down",
                    scale=r["scale_label"],
                    group=self.group_label(r["level"]),
                    ref=self.group_label(r["reference"]),
                    value=T.fmt_signed(r["coef"], 2, self.lang),
                    interval=self.interval(r["ci_low"], r["ci_high"]),
                )
            )
        return self.t("groups_intro") + "\n\n" + "\n".join(lines) + "\n"

    def reliability_sentences(self: Any) -> str:
        rel = self.measurement_table("reliability")
        if rel.empty or "scale" not in rel.columns:
            return self.t("not_available") + "\n"
        if "group" in rel.columns:
            rel = rel[rel["group"].astype(str) == "all"]
        rel = rel.set_index("scale")
        lines = []
        for name in self.codebook.scale_names:
            if name not in rel.index:
                continue
            r = rel.loc[name]
            reliable = bool(r.get("reliable", True)) if pd.notna(r.get("reliable", True)) else False
            lines.append(
                "- "
                + T.reliability_sentence(
                    self.scale_label(name), col(r, "alpha"), col(r, "omega"), reliable, self.lang
                )
            )
        return "\n".join(lines) + "\n"
