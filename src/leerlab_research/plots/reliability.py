"""Reliability chart: alpha per scale (and group) with its interval and the .70 cut-off."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from .overview import _dodge
from .style import (
    CATEGORY_ORDER,
    DARK,
    GREY,
    check_lang,
    empty_figure,
    finite,
    fmt_num,
    msg,
    new_figure,
    require_columns,
    styled,
    suppressed_mask,
    tick_formatter,
    wrap_label,
)


@styled
def reliability_chart(
    rel: pd.DataFrame,
    lang: str = "nl",
    *,
    threshold: float = 0.70,
    title: str | None = None,
    label_width: int = 30,
) -> Figure:
    """Reliability (e.g. Cronbach's alpha) with intervals per scale x group.

    Per scale one row; the groups (e.g. vmbo/mbo, roles) are dodged within the
    row and coloured. A dashed line marks the conventional .70 threshold
    (Nunnally 1978). Estimates flagged unreliable (``reliable == False``, e.g. a
    group too small for a stable estimate) are drawn as hollow circles (white
    fill, edge in the group's colour; grey in the legend) without interval; rows with a missing ``alpha`` (or ``suppressed`` true,
    if that column is present) draw nothing.

    Parameters
    ----------
    rel
        One row per scale x group with columns ``scale_label``, ``group_label``,
        ``alpha`` (coefficient, at most 1), ``ci_low``, ``ci_high`` (its interval),
        ``reliable`` (bool) and ``reason`` (why unreliable; not printed, so that
        no group size appears on the figure). Scales and groups keep their order
        of first appearance.
    lang
        ``"nl"`` (default) or ``"en"`` for the fixed texts.
    threshold
        Reference line (default .70).
    title
        Figure title (none by default).
    label_width
        Wrap scale labels at this many characters.

    Returns
    -------
    matplotlib.figure.Figure
        One axes; reliable estimates are lines ``gid="alpha-reliable"`` (one per
        group) with interval collections ``gid="ci"``, unreliable ones a scatter
        collection ``gid="alpha-unreliable"``, the threshold ``gid="threshold"``.
    """
    check_lang(lang)
    require_columns(
        rel,
        ["scale_label", "group_label", "alpha", "ci_low", "ci_high", "reliable"],
        "reliability_chart",
    )
    if len(rel) == 0:
        return empty_figure(lang, title)
    df = rel.reset_index(drop=True)
    reliable = df["reliable"].fillna(False).astype(bool)
    hidden = suppressed_mask(df, ["alpha"])
    scales = list(dict.fromkeys(df["scale_label"].tolist()))
    groups = list(dict.fromkeys(df["group_label"].astype(str).tolist()))
    colours = {g: CATEGORY_ORDER[k % len(CATEGORY_ORDER)] for k, g in enumerate(groups)}
    offs = _dodge(len(groups), width=min(0.7, 0.14 * (len(groups) - 1)))
    y = pd.Series(
        [
            scales.index(s) + offs[groups.index(str(g))]
            for s, g in zip(df["scale_label"], df["group_label"], strict=True)
        ],
        index=df.index,
        dtype=float,
    )
    height = 1.3 + len(scales) * max(0.42, 0.1 * len(groups) + 0.18)
    fig = new_figure(height + (0.3 if title else 0.0))
    ax = fig.add_subplot(1, 1, 1)
    ax.axvline(
        threshold, color=DARK, linestyle=(0, (4, 3)), linewidth=1.0, zorder=1, gid="threshold"
    )

    handles = []
    for g in groups:
        sel = df.index[(df["group_label"].astype(str) == g) & reliable & ~hidden]
        if len(sel):
            lo = df.loc[sel, "ci_low"].astype(float)
            hi = df.loc[sel, "ci_high"].astype(float)
            ok = lo.notna() & hi.notna()
            ax.hlines(
                y.loc[sel][ok], lo[ok], hi[ok], color=colours[g], linewidth=1.8, zorder=2, gid="ci"
            )
            ax.plot(
                df.loc[sel, "alpha"].astype(float),
                y.loc[sel],
                linestyle="none",
                marker="o",
                markersize=6,
                color=colours[g],
                markeredgecolor="white",
                markeredgewidth=0.6,
                zorder=3,
                gid="alpha-reliable",
            )
        handles.append(Line2D([0], [0], color=colours[g], marker="o", linewidth=1.8, label=g))
    weak = df.index[~reliable & ~hidden]
    if len(weak):
        # Hollow, no interval; the edge keeps the group's colour so it stays identifiable.
        ax.scatter(
            df.loc[weak, "alpha"].astype(float),
            y.loc[weak],
            s=36,
            marker="o",
            facecolors="white",
            edgecolors=[colours[str(g)] for g in df.loc[weak, "group_label"]],
            linewidths=1.3,
            zorder=3,
            gid="alpha-unreliable",
        )
        handles.append(
            Line2D(
                [0],
                [0],
                linestyle="none",
                marker="o",
                markerfacecolor="white",
                markeredgecolor=GREY,
                markeredgewidth=1.3,
                label=msg("fig_unreliable", lang),
            )
        )
    handles.append(
        Line2D(
            [0],
            [0],
            color=DARK,
            linestyle=(0, (4, 3)),
            linewidth=1.0,
            label=msg("threshold", lang, value=fmt_num(threshold, 2, lang)),
        )
    )
    vals = finite(
        np.r_[
            df.loc[~hidden, "alpha"].astype(float),
            df.loc[reliable & ~hidden, "ci_low"].astype(float),
        ]
    )
    low = min(0.5, math.floor(((vals.min() if vals.size else 0.5) - 0.05) * 10) / 10)
    ax.set_xlim(low, 1.0)
    ax.xaxis.set_major_formatter(tick_formatter(lang))
    ax.set_xlabel(msg("reliability_axis", lang))
    ax.set_yticks(range(len(scales)), [wrap_label(str(s), label_width) for s in scales])
    ax.set_ylim(len(scales) - 0.5, -0.5)
    ax.tick_params(axis="y", length=0)
    ax.spines["left"].set_visible(False)
    ax.grid(axis="x", color="#e3e3e3", linewidth=0.6, zorder=0)
    for k in range(1, len(scales)):
        ax.axhline(k - 0.5, color="#eeeeee", linewidth=0.8, zorder=0)
    ax.set_axisbelow(True)
    fig.legend(handles=handles, loc="outside lower center", ncol=min(len(handles), 3))
    if title:
        fig.suptitle(title, x=0.02, ha="left", fontweight="bold")
    return fig
