"""The lab report's change since the previous wave, from ``change.csv`` only.

The lab's change is the change of its two published wave means (``analysis =
waves``: everyone of the lab at each wave, the means the rest of the report shows),
with the interval of the partially overlapping samples t-test. It is published
wherever both wave means are, also where a few leavers or newcomers hide the
change among the same people (``paired``), which follows as supporting detail where
it is published. The programme report keeps the paired change
(:mod:`.sections_programme`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import pandas as pd

from .. import plots
from .. import text as T
from .tables import col, int_text, memoised

#: Arrow per change direction since the previous wave.
TREND = {"increase": "↑", "decrease": "↓", "no_change": "→"}


class ChangeSections:
    """Change sections of ``lab-report.qmd``; mixed into :class:`.context.ReportData`."""

    @memoised
    def lab_change(self: Any, lab: str) -> pd.DataFrame:
        """Per scale: the change of the lab's wave means and the paired change beside it.

        Columns ``mean_from``, ``mean_to``, ``diff``, ``ci_low``, ``ci_high``,
        ``n_from``, ``n_to``, ``suppressed``, ``reason`` and ``direction`` describe the
        ``waves`` row; ``paired_diff``, ``paired_ci_low``, ``paired_ci_high``,
        ``n_paired``, ``paired_suppressed``, ``paired_reason`` and
        ``paired_direction`` the ``paired`` row (the same persons). ``from_wave`` and
        ``to_wave`` name the two waves (by default the previous and the latest).
        """
        c = self.compare_table("change")
        rows_of: dict[str, pd.DataFrame] = {}
        for analysis in ("waves", "paired"):
            rows_of[analysis] = (
                c[(c["lab"] == lab) & (c["analysis"] == analysis)].set_index("scale")
                if not c.empty
                else c
            )
        rows = []
        for name in self.codebook.scale_names:
            w = rows_of["waves"].loc[name] if name in rows_of["waves"].index else None
            p = rows_of["paired"].loc[name] if name in rows_of["paired"].index else None
            sup = w is None or bool(w["suppressed"])
            psup = p is None or bool(p["suppressed"])
            value = lambda r, k, hidden: math.nan if hidden else col(r, k)  # noqa: E731
            rows.append(
                {
                    "scale": name,
                    "scale_label": self.scale_label(name),
                    "from_wave": "" if w is None else str(w["from_wave"]),
                    "to_wave": "" if w is None else str(w["to_wave"]),
                    "mean_from": value(w, "mean_from", sup),
                    "mean_to": value(w, "mean_to", sup),
                    "diff": value(w, "mean_diff", sup),
                    "ci_low": value(w, "ci_low", sup),
                    "ci_high": value(w, "ci_high", sup),
                    "n_from": value(w, "n_from", sup),
                    "n_to": value(w, "n_to", sup),
                    "suppressed": sup,
                    "reason": "" if w is None else str(w["suppression_reason"]),
                    "paired_diff": value(p, "mean_diff", psup),
                    "paired_ci_low": value(p, "ci_low", psup),
                    "paired_ci_high": value(p, "ci_high", psup),
                    "n_paired": value(p, "n_paired", psup),
                    "paired_suppressed": psup,
                    "paired_reason": "" if p is None else str(p["suppression_reason"]),
                }
            )
        out = pd.DataFrame(rows)
        for prefix, hidden in (("", "suppressed"), ("paired_", "paired_suppressed")):
            out[f"{prefix}direction"] = [
                "suppressed" if s else T.change_direction(lo, hi)
                for s, lo, hi in zip(
                    out[hidden], out[f"{prefix}ci_low"], out[f"{prefix}ci_high"], strict=True
                )
            ]
        return out

    def trend_arrow(self: Any, change: pd.DataFrame, scale: str) -> str:
        """The overview's arrow for one scale (a dash where the change is hidden)."""
        hit = change.loc[change["scale"] == scale, "direction"]
        return TREND.get(str(hit.iloc[0]) if len(hit) else "", "–")

    def trend_note(self: Any, lab: str) -> str:
        """The sentence under the overview on the trend column (or why it is missing)."""
        if self.previous_wave(lab) is None:
            return self.t("trend_one_wave")
        ch = self.lab_change(lab)
        hidden = ch[ch["suppressed"]]
        if len(hidden) == len(ch):
            return self.t("trend_hidden_all", reason=self.hidden_change_reason(hidden))
        shown = ch[~ch["suppressed"]].iloc[0]
        note = self.t("note_trend", period=self.wave_period(shown["from_wave"]))
        if len(hidden):
            note += " " + self.t("trend_hidden_some", reason=self.hidden_change_reason(hidden))
        return note

    def hidden_change_reason(self: Any, hidden: pd.DataFrame) -> str:
        """Why the change of wave means is hidden: the true reason of the wave means."""
        return self.reasons_text(hidden["reason"])

    def lab_change_summary(self: Any, lab: str) -> str:
        """The summary's sentence on change since the previous wave ("" without one)."""
        ch = self.lab_change(lab)
        if self.previous_wave(lab) is None or ch["suppressed"].all():
            return ""
        return T.change_summary(
            ch.loc[ch["direction"] == "increase", "scale_label"].tolist(),
            ch.loc[ch["direction"] == "decrease", "scale_label"].tolist(),
            self.lang,
        )

    def change_section(self: Any, lab: str) -> str:
        """Figure and sentences on the change of the wave means, then the paired detail."""
        ch = self.lab_change(lab)
        if self.previous_wave(lab) is None:
            return self.t("change_one_wave") + "\n"
        if ch["suppressed"].all():
            # the same words as under the first-page overview
            return self.trend_note(lab) + "\n"
        shown = ch[~ch["suppressed"]].iloc[0]
        earlier, later = (self.wave_period(shown[k]) for k in ("from_wave", "to_wave"))
        fig = plots.change_plot(
            ch.assign(
                n_text=[
                    self.t("change_n", n_from=int_text(a), n_to=int_text(b))
                    for a, b in zip(ch["n_from"], ch["n_to"], strict=True)
                ],
                hidden_text=[self.reason_text(r) if r else "" for r in ch["reason"]],
            ),
            lang=self.lang,
            min_cell=self.min_cell,
            from_label=earlier,
            to_label=later,
        )
        caption = self.t("cap_change", earlier=earlier, later=later)
        lines = [self.t("change_intro"), "", self.figure(fig, "fig-change", caption), ""]
        for _, r in ch[ch["direction"].isin(["increase", "decrease"])].iterrows():
            line = self.t(
                "change_line",
                scale=r["scale_label"],
                direction=self.t(r["direction"]),
                mean_from=self.num(r["mean_from"]),
                mean_to=self.num(r["mean_to"]),
                diff=T.fmt_signed(r["diff"], 2, self.lang),
                interval=self.interval(r["ci_low"], r["ci_high"]),
            )
            lines.append("- " + line)
        same = ch.loc[ch["direction"] == "no_change", "scale_label"].tolist()
        if same:
            lines.append("- " + self.t("change_same", scales=T.join_words(same, self.lang)))
        for _, r in ch[ch["suppressed"]].iterrows():
            lines.append(f"- {r['scale_label']}: {self.reason_text(r['reason'])}.")
        return "\n".join(lines) + "\n\n" + self.paired_detail(ch) + "\n"

    def paired_hidden_reason(self: Any, reasons: Iterable[str]) -> str:
        """Why paired changes are hidden; complementary says whom it protects (joiners/leavers)."""
        given = set(reasons)
        if "complementary" not in given:
            return self.reasons_text(given)
        words = self.t("change_hidden_reason", min_cell=self.min_cell)
        rest = given - {"complementary"}
        return f"{self.reasons_text(rest)} {self.t('or_word')} {words}" if rest else words

    def paired_detail(self: Any, ch: pd.DataFrame) -> str:
        """The change among the same persons, as supporting detail, or why it is not shown.

        Only shown rows are said to have (not) changed; hidden rows are named with
        their true reason, never counted among the unchanged ones.
        """
        shown = ch[~ch["paired_suppressed"]]
        hidden = ch[ch["paired_suppressed"]]
        if shown.empty:
            return self.t("paired_hidden", reason=self.paired_hidden_reason(ch["paired_reason"]))
        lo, hi = int(shown["n_paired"].min()), int(shown["n_paired"].max())
        n = str(lo) if lo == hi else self.t("range_words", low=lo, high=hi)
        parts = []
        for direction in ("increase", "decrease"):
            labels = shown.loc[shown["paired_direction"] == direction, "scale_label"].tolist()
            if labels:
                parts.append(self.t(f"paired_{direction}", scales=T.join_words(labels, self.lang)))
        same = shown.loc[~shown["paired_direction"].isin(["increase", "decrease"]), "scale_label"]
        same_words = T.join_words(same.tolist(), self.lang)
        if hidden.empty:  # "the other conditions" is true only when none is hidden
            rest = self.t("paired_rest") if len(same) else ""
            none = self.t("paired_none")
        else:
            rest = self.t("paired_same", scales=same_words) if len(same) else ""
            none = self.t("paired_none_shown", scales=same_words)
        what = "; ".join([*parts, rest] if rest else parts) if parts else none
        detail = self.t("paired_detail", n=n, what=what)
        if len(hidden):
            detail += " " + self.t(
                "paired_some_hidden",
                scales=T.join_words(hidden["scale_label"].tolist(), self.lang),
                reason=self.paired_hidden_reason(hidden["paired_reason"]),
            )
        return detail
