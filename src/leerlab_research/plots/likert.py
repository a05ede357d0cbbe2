"""Diverging stacked Likert bars (Heiberger & Robbins 2014), "weet niet" apart."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from .style import (
    GREY,
    LIKERT5,
    check_lang,
    empty_figure,
    fmt_pct,
    hidden_texts,
    new_figure,
    placeholder,
    require_columns,
    styled,
    text_colour_on,
    wrap_label,
)
from .style import msg as _msg

if TYPE_CHECKING:
    from ..config.codebook import Codebook

__all__ = ["LIKERT5_LABELS", "likert_diverging", "likert_labels"]

#: The five answer labels of ``value_sets.likert5`` in ``reflectie.yaml``
#: (a test checks they equal the codebook's).
LIKERT5_LABELS: dict[str, dict[int, str]] = {
    "nl": {1: "Helemaal oneens", 2: "Oneens", 3: "Neutraal", 4: "Eens", 5: "Helemaal eens"},
    "en": {1: "Strongly disagree", 2: "Disagree", 3: "Neutral", 4: "Agree", 5: "Strongly agree"},
}

#: Segments narrower than this share of the x range (-lim..lim) get no percentage label.
MIN_LABEL_SHARE: float = 0.085


def likert_labels(
    codebook: Codebook, lang: str = "nl", value_set: str = "likert5"
) -> dict[int, str]:
    """The answer labels of ``value_set`` from ``codebook`` in ``lang``."""
    vs = codebook.value_sets[value_set]
    return {int(code): text.get(lang) for code, text in sorted(vs.labels.items())}


def _row_table(dist: pd.DataFrame, min_cell: int | None) -> pd.DataFrame:
    """One row per label (given order): counts n1..n5, n_missing, suppressed."""
    order = list(dict.fromkeys(dist["label"].tolist()))
    counts = (
        dist.assign(category=pd.to_numeric(dist["category"], errors="coerce"))
        .pivot_table(index="label", columns="category", values="n", aggfunc="sum", sort=False)
        .reindex(index=order, columns=[1, 2, 3, 4, 5])
    )
    rows = pd.DataFrame(index=pd.Index(order, name="label"))
    for k in range(1, 6):
        rows[f"n{k}"] = pd.to_numeric(counts[k], errors="coerce") if k in counts else np.nan
    grouped = dist.groupby("label", sort=False)
    n_cat_rows = grouped.size().reindex(order)
    if "n_missing" in dist.columns:
        miss = pd.to_numeric(dist["n_missing"], errors="coerce")
        rows["n_missing"] = miss.groupby(dist["label"], sort=False).max().reindex(order)
    else:
        rows["n_missing"] = 0.0
    supp = pd.Series(False, index=order)
    if "suppressed" in dist.columns:
        supp |= (
            dist["suppressed"].fillna(False).astype(bool).groupby(dist["label"], sort=False).any()
        )
    # NaN counts anywhere on a row's category rows suppress the whole row.
    nan_n = (
        pd.to_numeric(dist["n"], errors="coerce").isna().groupby(dist["label"], sort=False).any()
    )
    supp |= nan_n.reindex(order).fillna(True)
    supp |= n_cat_rows.isna()
    count_cols = [f"n{k}" for k in range(1, 6)]
    rows[count_cols] = rows[count_cols].fillna(0.0)
    rows["n_total"] = rows[count_cols].sum(axis=1)
    supp |= rows["n_total"] <= 0
    if min_cell is not None:
        # Safety net: never show percentages based on fewer than min_cell answers.
        supp |= rows["n_total"] < min_cell
    rows["suppressed"] = supp.reindex(order).astype(bool)
    if "suppression_reason" in dist.columns:
        # a label hidden on any of its rows: primary wins, as in disclosure.inherit
        reason = (
            dist["suppression_reason"].astype(object).where(dist["suppression_reason"].notna(), "")
        )
        by_label = reason.astype(str).groupby(dist["label"], sort=False)
        rows["suppression_reason"] = (
            by_label.agg(lambda r: "primary" if (r == "primary").any() else max(r, default=""))
            .reindex(order)
            .fillna("")
        )
    return rows


@styled
def likert_diverging(
    dist: pd.DataFrame,
    title: str | None = None,
    lang: str = "nl",
    min_cell: int | None = 5,
    *,
    category_labels: Mapping[int, str] | Sequence[str] | None = None,
    show_n: bool = True,
    label_width: int = 34,
) -> Figure:
    """Diverging stacked bars of five-point Likert answers, one bar per row label.

    Each bar shows the percentages of the *substantive* answers (1-5). Bars are
    placed so that zero lies in the middle of the neutral category: disagreement
    (1, 2) extends to the left, agreement (4, 5) to the right, and the neutral
    segment straddles zero (Heiberger & Robbins 2014, section 2; ``HH::likert``
    with ``ReferenceZero = 3``). "Weet niet / n.v.t." is not part of the
    percentages: a separate grey bar on the right shows its share of *all*
    answers of the row.

    Parameters
    ----------
    dist
        Tidy counts, one row per label x category, with columns

        ``label``
            Row label (a scale or item text; rows are drawn in the order of first
            appearance, top to bottom).
        ``category``
            Answer code 1-5 (categories absent for a label count as 0).
        ``n``
            Number of answers in that category.
        ``n_missing``
            "Weet niet / n.v.t." count of the label (same on each of its rows;
            optional, 0 when absent).
        ``suppressed``
            Bool per row (optional): true on any of a label's rows hides the label.
        ``suppression_reason``
            Optional; the placeholder of a hidden label says it
            (:func:`.style.hidden_texts`).
    title
        Figure title (none by default).
    lang
        ``"nl"`` (default) or ``"en"`` for the fixed texts.
    min_cell
        Disclosure threshold, named in the placeholder ("n < 5"). As a safety net,
        rows with fewer than ``min_cell`` substantive answers are also suppressed.
        ``None`` disables the safety net and leaves the rule unnamed.
    category_labels
        Legend labels for codes 1-5 (mapping or sequence of five); default the
        codebook's ``likert5`` labels in ``lang`` (see :func:`likert_labels`).
    show_n
        Append ``(n = k)``, the number of substantive answers, to each label.
    label_width
        Wrap row labels at this many characters.

    Returns
    -------
    matplotlib.figure.Figure
        Axes 0 holds the Likert bars (patches with ``gid`` ``"likert-1"`` ...
        ``"likert-5"``; x in percentage points), axes 1 the "weet niet" bars
        (``gid="dont-know"``, x in percent of all answers).

    Notes
    -----
    A suppressed row draws no bar and no number at all: only its label and a
    grey placeholder with its true reason: "te weinig antwoorden (minder dan
    {min_cell})" or "verborgen om een kleinere groep te beschermen".

    References
    ----------
    Heiberger, R. M., & Robbins, N. B. (2014). Design of diverging stacked bar
    charts for Likert scales and other applications. *Journal of Statistical
    Software*, 57(5), 1-32. https://doi.org/10.18637/jss.v057.i05
    """
    check_lang(lang)
    require_columns(dist, ["label", "category", "n"], "likert_diverging")
    if len(dist) == 0:
        return empty_figure(lang, title)
    if category_labels is None:
        labels = LIKERT5_LABELS[lang]
    elif isinstance(category_labels, Mapping):
        labels = {int(k): str(v) for k, v in category_labels.items()}
    else:
        labels = {i + 1: str(v) for i, v in enumerate(category_labels)}
    if sorted(labels) != [1, 2, 3, 4, 5]:
        raise ValueError("category_labels must name the codes 1-5")

    rows = _row_table(dist, min_cell)
    n_rows = len(rows)
    count_cols = [f"n{k}" for k in range(1, 6)]
    shown = ~rows["suppressed"]
    pct = rows[count_cols].div(rows["n_total"].where(shown), axis=0) * 100.0
    n_all = rows["n_total"] + rows["n_missing"].fillna(0.0)
    pct_missing = (rows["n_missing"].fillna(0.0) / n_all.where(n_all > 0)) * 100.0

    left_ext = (pct["n1"] + pct["n2"] + pct["n3"] / 2).where(shown)
    right_ext = (pct["n3"] / 2 + pct["n4"] + pct["n5"]).where(shown)
    extent = float(np.nanmax(np.r_[left_ext.to_numpy(), right_ext.to_numpy(), 40.0]))
    step = 25.0 if extent > 60 else 20.0 if extent > 40 else 10.0
    lim = min(100.0, math.ceil(extent / step - 1e-9) * step)

    height = 0.9 + 0.42 * max(n_rows, 1) + (0.3 if title else 0.0)
    fig = new_figure(height)
    # the right panel wide enough for its wrapped title and axis label (at 1.15 both
    # ran past the figure's right edge)
    gs = fig.add_gridspec(1, 2, width_ratios=[5.0, 1.45])
    ax = fig.add_subplot(gs[0, 0])
    ax_dk = fig.add_subplot(gs[0, 1], sharey=ax)

    why = hidden_texts(rows.reset_index(drop=True), lang, min_cell, n_column="n_total")
    mask = shown.to_numpy(dtype=bool)
    y = np.arange(n_rows, dtype=float)
    for i in np.flatnonzero(~mask):
        placeholder(ax, 0.0, int(i), why[i])
    # One barh call per answer category for all shown rows (a call per segment cost a
    # bar container and its bookkeeping each). Within a row the segments are still
    # drawn from 1 to 5, and rows do not overlap, so the pixels are the same.
    start = -(pct["n1"] + pct["n2"] + pct["n3"] / 2).to_numpy(dtype=float)
    for k in range(1, 6):
        width = pct[f"n{k}"].to_numpy(dtype=float)
        colour = LIKERT5[k - 1]
        if mask.any():
            ax.barh(
                y[mask],
                width[mask],
                left=start[mask],
                height=0.68,
                color=colour,
                edgecolor="white",
                linewidth=0.6,
                zorder=2,
                gid=f"likert-{k}",
            )
        for i in np.flatnonzero(mask & (width >= MIN_LABEL_SHARE * 2 * lim)):
            ax.text(
                start[i] + width[i] / 2,
                int(i),
                fmt_pct(width[i], lang),
                ha="center",
                va="center",
                fontsize=8,
                color=text_colour_on(colour),
                gid="likert-pct",
            )
        start = start + width
    pm = pct_missing.fillna(0.0).to_numpy(dtype=float)
    if mask.any():
        ax_dk.barh(y[mask], pm[mask], height=0.5, color=GREY, gid="dont-know")
    for i in np.flatnonzero(mask):
        ax_dk.text(
            pm[i] + 1.5, int(i), fmt_pct(pm[i], lang), ha="left", va="center", fontsize=8,
            gid="dont-know-pct",
        )  # fmt: skip

    ax.axvline(0, color="#333333", linewidth=0.9, zorder=1.5)
    ax.set_xlim(-lim, lim)
    # at most five tick labels: nine ("100% 75% … 100%") ran into each other
    every = step * 2 if 2 * lim / step > 6 else step
    right = np.arange(0.0, lim + 1e-9, every)
    ticks = np.r_[-right[:0:-1], right]
    ax.set_xticks(ticks, [f"{abs(int(t))}%" for t in ticks])
    ax.set_xlabel(_msg("pct_substantive", lang))
    ytick = []
    for label in rows.index:
        text = wrap_label(label, label_width)
        if show_n and shown.loc[label]:
            text += f" (n = {int(rows.at[label, 'n_total'])})"
        ytick.append(text)
    ax.set_yticks(range(n_rows), ytick)
    ax.set_ylim(n_rows - 0.5, -0.5)
    ax.tick_params(axis="y", length=0)
    ax.spines["left"].set_visible(False)
    ax.grid(axis="x", color="#dddddd", linewidth=0.6, zorder=0)
    ax.set_axisbelow(True)

    dk_max = float(np.nanmax(np.r_[pct_missing.where(shown).to_numpy(), 10.0]))
    ax_dk.set_xlim(0, min(100.0, dk_max * 1.8 + 5))
    ax_dk.set_title(wrap_label(_msg("dont_know", lang), 12), fontsize=8.5)
    ax_dk.set_xticks([])
    ax_dk.tick_params(axis="y", left=False, labelleft=False)
    ax_dk.spines["left"].set_visible(False)
    ax_dk.spines["bottom"].set_visible(False)
    ax_dk.set_xlabel(wrap_label(_msg("pct_all", lang), 14), fontsize=8)

    handles = [Patch(facecolor=LIKERT5[k - 1], label=labels[k]) for k in range(1, 6)]
    fig.legend(
        handles=handles,
        loc="outside lower center",
        ncol=5,
        handlelength=1.2,
        columnspacing=1.0,
        fontsize=8,
    )
    if title:
        fig.suptitle(title, x=0.02, ha="left", fontweight="bold")
    return fig
