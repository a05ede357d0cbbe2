"""Programme-level figures: labs x scales heatmap, forest plot, reliability by group."""

from __future__ import annotations

import math

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle
from matplotlib.transforms import blended_transform_factory

from .style import (
    CATEGORY_ORDER,
    DARK,
    DIVERGING_CMAP,
    LIGHT_GREY,
    OKABE_ITO,
    check_lang,
    empty_figure,
    finite,
    fmt_num,
    fmt_tick,
    hidden_texts,
    msg,
    new_figure,
    placeholder,
    require_columns,
    styled,
    suppressed_mask,
    text_colour_on,
    tick_formatter,
    wrap_label,
)

__all__ = ["fmt_p", "forest", "lab_heatmap"]

_ABOVE_BELOW = {"above", "below"}


def _signed(value: float, decimals: int, lang: str) -> str:
    text = fmt_num(value, decimals, lang)
    if text.startswith(("-", "−")):
        return "−" + text[1:]
    if any(ch in "123456789" for ch in text):
        return "+" + text
    return text


def _level(confidence: float) -> str:
    pct = confidence * 100
    return f"{pct:.0f}" if abs(pct - round(pct)) < 1e-9 else f"{pct:g}"


def fmt_p(p: float, lang: str = "nl") -> str:
    """A p-value as ``0,012`` / ``< 0,001`` (nl) or ``0.012`` / ``< 0.001`` (en)."""
    if p is None or (isinstance(p, float) and math.isnan(p)):
        return "–"
    if p < 0.001:
        return "< " + fmt_num(0.001, 3, lang)
    return fmt_num(p, 3, lang)


def _dodge(k: int, width: float = 0.56) -> np.ndarray:
    """Offsets of ``k`` markers centred on a row."""
    if k <= 1:
        return np.zeros(1)
    return np.linspace(-width / 2, width / 2, k)


@styled
def lab_heatmap(
    matrix: pd.DataFrame,
    lang: str = "nl",
    min_cell: int | None = 5,
    *,
    decimals: int = 1,
    title: str | None = None,
    vlim: float | None = None,
) -> Figure:
    """Heatmap of labs x scales: each lab's difference from the programme mean.

    The colour is the (shrunken) difference lab - programme on a diverging map
    centred on zero (ColorBrewer BrBG: brown below, teal above). Every cell prints
    its signed difference. Cells whose interval does not separate the lab from
    the programme (``vs_programme == "indistinguishable"``) are washed out and
    hatched, so only demonstrable differences stand out. Rows keep the order
    given (alphabetical, from the caller): the figure never ranks labs.

    Parameters
    ----------
    matrix
        One row per lab x scale with columns ``lab_label``, ``scale_label``,
        ``diff`` (lab - programme on the 1-5 scale, shrunken), ``vs_programme``
        (``above``/``below``/``indistinguishable``; any other value, e.g.
        ``suppressed``, counts as not distinguishable) and ``suppressed`` (bool).
        Labs and scales appear in the order of first appearance.
    lang
        ``"nl"`` (default) or ``"en"`` for the fixed texts.
    min_cell
        Disclosure threshold printed in suppressed cells (``n < 5``).
    decimals
        Decimals of the printed differences.
    title
        Figure title (none by default).
    vlim
        Colour range ``[-vlim, vlim]``; default the largest absolute shown
        difference, rounded up to 0.1.

    Returns
    -------
    matplotlib.figure.Figure
        Axes 0 holds the image (``gid="heatmap"``; its array is labs x scales with
        NaN for suppressed cells), axes 1 the colour bar. Washed-out overlays have
        ``gid="indistinguishable"``, cell texts ``gid="cell-text"``.
    """
    check_lang(lang)
    require_columns(matrix, ["lab_label", "scale_label", "diff"], "lab_heatmap")
    if len(matrix) == 0:
        return empty_figure(lang, title)
    df = matrix.reset_index(drop=True)
    hidden = suppressed_mask(df, ["diff"])
    if "vs_programme" in df.columns:
        status = df["vs_programme"].astype(str).str.lower()
        hidden |= status.eq("suppressed")
    else:
        status = pd.Series("indistinguishable", index=df.index)
    labs = list(dict.fromkeys(df["lab_label"].tolist()))
    scales = list(dict.fromkeys(df["scale_label"].tolist()))
    li = {lab: i for i, lab in enumerate(labs)}
    si = {s: j for j, s in enumerate(scales)}
    values = np.full((len(labs), len(scales)), np.nan)
    distinct = np.zeros_like(values, dtype=bool)
    why = np.full(values.shape, msg("short_too_few_plain", lang), dtype=object)  # no row: "–"
    texts = hidden_texts(df, lang, min_cell, short=True)
    for idx in df.index:
        i, j = li[df.at[idx, "lab_label"]], si[df.at[idx, "scale_label"]]
        why[i, j] = texts[idx]
        if not hidden.loc[idx]:
            values[i, j] = float(df.at[idx, "diff"])
            distinct[i, j] = status.loc[idx] in _ABOVE_BELOW

    if vlim is None:
        shown = finite(values.ravel())
        vlim = max(0.1, math.ceil((np.abs(shown).max() if shown.size else 0.1) * 10) / 10)
    cmap = mpl.colormaps[DIVERGING_CMAP].with_extremes(bad=LIGHT_GREY)
    norm = mpl.colors.Normalize(vmin=-vlim, vmax=vlim)

    # 0.25 in a lab row: two heatmaps and their captions fit on one page
    height = 1.9 + 0.25 * len(labs) + (0.3 if title else 0.0)
    fig = new_figure(height)
    ax = fig.add_subplot(1, 1, 1)
    image = ax.imshow(
        np.ma.masked_invalid(values),
        cmap=cmap,
        norm=norm,
        aspect="auto",
        interpolation="nearest",
        gid="heatmap",
    )
    for i in range(len(labs)):
        for j in range(len(scales)):
            v = values[i, j]
            if np.isnan(v):
                ax.text(
                    j,
                    i,
                    why[i, j],
                    ha="center",
                    va="center",
                    fontsize=8,
                    color="#555555",
                    style="italic",
                    gid="placeholder",
                )
                continue
            if not distinct[i, j]:
                ax.add_patch(
                    Rectangle(
                        (j - 0.5, i - 0.5),
                        1,
                        1,
                        facecolor="white",
                        alpha=0.6,
                        edgecolor="#9a9a9a",
                        hatch="////",
                        linewidth=0,
                        gid="indistinguishable",
                    )
                )
                colour = DARK
            else:
                colour = text_colour_on(mpl.colors.to_hex(cmap(norm(v))))
            ax.text(
                j,
                i,
                _signed(v, decimals, lang),
                ha="center",
                va="center",
                fontsize=8,
                color=colour,
                fontweight="bold" if distinct[i, j] else "normal",
                gid="cell-text",
            )
    # white grid between cells
    ax.set_xticks(np.arange(-0.5, len(scales)), minor=True)
    ax.set_yticks(np.arange(-0.5, len(labs)), minor=True)
    ax.grid(which="minor", color="white", linewidth=1.5)
    ax.tick_params(which="minor", length=0)
    ax.set_xticks(range(len(scales)), [str(s) for s in scales])
    ax.set_yticks(range(len(labs)), labs)
    ax.tick_params(axis="both", length=0)
    for lab_text in ax.get_xticklabels():
        lab_text.set(rotation=35, ha="right", rotation_mode="anchor", fontsize=8)
    for side in ("left", "bottom"):
        ax.spines[side].set_visible(False)
    cbar = fig.colorbar(image, ax=ax, shrink=0.8, aspect=25, pad=0.02)
    cbar.set_label(wrap_label(msg("diff_programme", lang), 24), fontsize=8)
    cbar.ax.tick_params(labelsize=8)
    cbar.ax.yaxis.set_major_formatter(
        mpl.ticker.FuncFormatter(lambda x, _pos: ("+" if x > 1e-12 else "") + fmt_tick(x, lang))
    )
    cbar.outline.set_visible(False)
    fig.supxlabel(msg("heatmap_note", lang), fontsize=8, color=DARK, style="italic")
    if title:
        fig.suptitle(title, x=0.02, ha="left", fontweight="bold")
    return fig


@styled
def forest(
    effects: pd.DataFrame,
    lang: str = "nl",
    min_cell: int | None = 5,
    *,
    xlabel: str | None = None,
    confidence: float = 0.95,
    title: str | None = None,
    label_width: int = 34,
) -> Figure:
    """Forest plot: estimates with intervals against a zero reference line.

    Parameters
    ----------
    effects
        One row per effect with columns ``label`` (row label), ``estimate``,
        ``ci_low``, ``ci_high`` (same units as the estimate, e.g. scale points or a
        standardised difference), optional ``group`` (colour; when a label occurs
        in several groups its markers are dodged within the row) and optional
        ``p_adj`` (multiplicity-adjusted p, printed in a right-hand column), and
        optional ``suppressed`` and ``suppression_reason`` (the placeholder's true
        reason). Labels keep their order of first appearance.
    lang
        ``"nl"`` (default) or ``"en"`` for the fixed texts.
    min_cell
        Disclosure threshold named in the placeholder of suppressed rows (the
        placeholder stands in the right-hand column, so it never covers another
        group's interval).
    xlabel
        Axis title; default "Verschil (95%-interval)".
    confidence
        Level of the intervals, for the default axis title.
    title
        Figure title (none by default).
    label_width
        Wrap labels at this many characters.

    Returns
    -------
    matplotlib.figure.Figure
        One axes; intervals are line collections with ``gid="ci"`` (one per group,
        in row order), estimates lines with ``gid="estimate"``, the zero line
        ``gid="zero"``.
    """
    check_lang(lang)
    require_columns(effects, ["label", "estimate", "ci_low", "ci_high"], "forest")
    if len(effects) == 0:
        return empty_figure(lang, title)
    df = effects.reset_index(drop=True)
    hidden = suppressed_mask(df, ["estimate", "ci_low", "ci_high"])
    has_group = "group" in df.columns and df["group"].notna().any()
    groups = list(dict.fromkeys(df["group"].dropna().astype(str))) if has_group else [""]
    gcol = df["group"].astype(str) if has_group else pd.Series("", index=df.index)
    labels = list(dict.fromkeys(df["label"].tolist()))
    row_of = {lab: i for i, lab in enumerate(labels)}

    # y position of every row: labels top to bottom, groups dodged within a label.
    per_label = df.groupby("label", sort=False).size()
    k_max = int(per_label.max()) if len(per_label) else 1
    y = pd.Series(0.0, index=df.index)
    for lab in labels:
        idx = df.index[df["label"] == lab]
        offs = _dodge(len(idx), width=min(0.4, 0.4 * (len(idx) - 1) / max(k_max - 1, 1)))
        for k, i in enumerate(idx):
            y.loc[i] = row_of[lab] + offs[k]

    n_rows = len(labels)
    # inches per label, room for dodged groups (0.22 a group made the four roles 10 in tall)
    row_in = 0.32 + 0.12 * (k_max - 1)
    height = 1.2 + row_in * max(n_rows, 1)
    fig = new_figure(height + (0.3 if title else 0.0))
    ax = fig.add_subplot(1, 1, 1)
    ax.axvline(0, color=DARK, linewidth=0.9, zorder=1, gid="zero")
    if k_max > 1:
        for k in range(1, len(labels)):
            ax.axhline(k - 0.5, color="#dddddd", linewidth=0.8, zorder=0)
    colours = {
        g: (CATEGORY_ORDER[k % len(CATEGORY_ORDER)] if has_group else OKABE_ITO[4])
        for k, g in enumerate(groups)
    }
    handles = []
    for g in groups:
        sel = df.index[(gcol == g) & ~hidden]
        if len(sel) == 0:
            continue
        ax.hlines(
            y.loc[sel],
            df.loc[sel, "ci_low"].astype(float),
            df.loc[sel, "ci_high"].astype(float),
            color=colours[g],
            linewidth=2.0,
            zorder=2,
            gid="ci",
        )
        ax.plot(
            df.loc[sel, "estimate"].astype(float),
            y.loc[sel],
            linestyle="none",
            marker="o",
            markersize=6.5,
            color=colours[g],
            markeredgecolor="white",
            markeredgewidth=0.7,
            zorder=3,
            gid="estimate",
        )
        if has_group:
            handles.append(Line2D([0], [0], color=colours[g], marker="o", linewidth=2.0, label=g))
    right = blended_transform_factory(ax.transAxes, ax.transData)
    show_p = "p_adj" in df.columns and df["p_adj"].notna().any()
    why = dict(zip(df.index, hidden_texts(df, lang, min_cell), strict=True))
    for i in df.index:
        if hidden.loc[i]:
            placeholder(ax, 1.02, y.loc[i], why[i], ha="left", transform=right)
        elif show_p and pd.notna(df.at[i, "p_adj"]):
            ax.text(
                1.02,
                y.loc[i],
                fmt_p(float(df.at[i, "p_adj"]), lang),
                transform=right,
                ha="left",
                va="center",
                fontsize=8,
                color=DARK,
                gid="p-text",
            )
    if show_p:
        ax.text(
            1.02,
            -0.7,
            msg("p_adj", lang),
            transform=right,
            ha="left",
            va="center",
            fontsize=8,
            fontweight="bold",
            color=DARK,
        )

    shown = ~hidden
    ext = finite(
        np.r_[df.loc[shown, "ci_low"].astype(float), df.loc[shown, "ci_high"].astype(float)]
    )
    span = float(np.abs(ext).max()) if ext.size else 1.0
    ax.set_xlim(-span * 1.12, span * 1.12)
    ax.xaxis.set_major_locator(mpl.ticker.MaxNLocator(nbins=7, steps=[1, 2, 2.5, 5, 10]))
    ax.xaxis.set_major_formatter(tick_formatter(lang))
    ax.set_yticks(range(n_rows), [wrap_label(str(lab), label_width) for lab in labels])
    ax.set_ylim(n_rows - 0.5, -0.9 if show_p else -0.5)
    ax.tick_params(axis="y", length=0)
    ax.spines["left"].set_visible(False)
    ax.grid(axis="x", color="#e3e3e3", linewidth=0.6, zorder=0)
    ax.set_axisbelow(True)
    if xlabel is None:
        interval = msg("interval_suffix", lang, level=_level(confidence))
        xlabel = f"{msg('difference', lang)} ({interval})"
    ax.set_xlabel(xlabel)
    if handles:
        fig.legend(handles=handles, loc="outside lower center", ncol=min(len(handles), 3))
    if title:
        fig.suptitle(title, x=0.02, ha="left", fontweight="bold")
    return fig
