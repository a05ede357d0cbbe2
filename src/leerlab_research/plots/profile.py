"""Lab profile against the programme, and change per scale between two waves."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.transforms import blended_transform_factory

from .style import (
    DARK,
    GREY,
    LIGHT_GREY,
    OKABE_ITO,
    check_lang,
    empty_figure,
    fmt_num,
    hidden_texts,
    msg,
    new_figure,
    placeholder,
    require_columns,
    styled,
    suppressed_mask,
    tick_formatter,
    wrap_label,
)

__all__ = ["change_plot", "lab_profile"]

LAB_COLOUR = OKABE_ITO[4]  # blue
PROGRAMME_COLOUR = DARK
FROM_COLOUR = OKABE_ITO[0]  # orange: the earlier wave
TO_COLOUR = OKABE_ITO[4]  # blue: the later wave


def _level(confidence: float) -> str:
    pct = confidence * 100
    return f"{pct:.0f}" if abs(pct - round(pct)) < 1e-9 else f"{pct:g}"


@styled
def lab_profile(
    profile: pd.DataFrame,
    lang: str = "nl",
    min_cell: int | None = 5,
    *,
    confidence: float = 0.95,
    show_raw: bool = False,
    title: str | None = None,
    label_width: int = 44,
) -> Figure:
    """The lab's scale means with intervals against the programme mean, by domain.

    One row per scale: a dot at the lab's (shrunken) estimate with a horizontal
    interval, and a black vertical tick at the programme mean. Scales are grouped
    under bold domain headings, in the order given. The right margin prints the
    estimate and the number of respondents behind it.

    Parameters
    ----------
    profile
        One row per scale with columns ``scale`` (scale name), ``scale_label``
        (display label, e.g. the codebook's ``scale.label.get(lang)``), ``domain``,
        ``domain_label``, ``estimate`` (the lab's shrunken mean, 1-5), ``ci_low``,
        ``ci_high`` (its interval), ``programme_mean`` (1-5), ``raw_mean``
        (unshrunken lab mean; drawn only with ``show_raw``), ``n`` (respondents)
        and ``suppressed`` (bool), optional ``suppression_reason`` (the placeholder
        says it: :func:`.style.hidden_texts`). Rows keep their order; domains appear
        in the order of their first scale.
    lang
        ``"nl"`` (default) or ``"en"`` for the fixed texts.
    min_cell
        Disclosure threshold named in the placeholder of suppressed rows.
    confidence
        Level of the intervals, for the legend text only.
    show_raw
        Also draw the unshrunken mean as a small hollow circle.
    title
        Figure title (none by default).
    label_width
        Wrap scale labels at this many characters.

    Returns
    -------
    matplotlib.figure.Figure
        One axes; lines with ``gid`` ``"estimate"`` (x = estimates of the shown
        rows), ``"programme-mean"``, collection ``"ci"``, texts ``"domain-heading"``.

    Notes
    -----
    A suppressed row (``suppressed`` true, or a missing estimate/interval) shows
    only its label and a placeholder: no estimate, interval, raw mean, n or
    programme mean.
    """
    check_lang(lang)
    require_columns(
        profile,
        ["scale_label", "domain_label", "estimate", "ci_low", "ci_high", "programme_mean", "n"],
        "lab_profile",
    )
    if len(profile) == 0:
        return empty_figure(lang, title)
    df = profile.reset_index(drop=True)
    hidden = suppressed_mask(df, ["estimate", "ci_low", "ci_high", "n"])
    domains = list(dict.fromkeys(df["domain_label"].tolist()))

    # y positions: a heading row per domain, then its scales (top to bottom).
    y_of: dict[int, float] = {}
    headings: list[tuple[str, float]] = []
    y = 0.0
    for dom in domains:
        headings.append((dom, y))
        y += 0.9
        for idx in df.index[df["domain_label"] == dom]:
            y_of[idx] = y
            y += 1.0
        y += 0.25
    y_max = y - 0.25

    # 0.25 in a row: the figure and its heading fit under the focus table on page 2
    # of a lab report, in both engines (at 0.34 they moved to page 3 and left half a
    # page empty; at 0.28 they still did in Quarto's PDF, whose title block is taller)
    height = 1.05 + 0.25 * y_max + (0.3 if title else 0.0)
    fig = new_figure(height)
    ax = fig.add_subplot(1, 1, 1)
    right = blended_transform_factory(ax.transAxes, ax.transData)

    shown_idx = [i for i in df.index if not hidden.loc[i]]
    ys_shown = [y_of[i] for i in shown_idx]
    for dom, yh in headings:
        ax.text(
            0.0,
            yh,
            dom,
            transform=right,
            ha="left",
            va="center",
            fontweight="bold",
            fontsize=9.5,
            gid="domain-heading",
        )
        ax.axhline(yh + 0.45, color=LIGHT_GREY, linewidth=0.8, zorder=0)

    # Programme mean, on the rows that are shown.
    prog = pd.to_numeric(df["programme_mean"], errors="coerce")
    prog_ok = prog.notna() & ~hidden
    ax.plot(
        prog[prog_ok].to_numpy(),
        [y_of[i] for i in df.index[prog_ok]],
        linestyle="none",
        marker="|",
        markersize=13,
        markeredgewidth=2.2,
        color=PROGRAMME_COLOUR,
        zorder=3,
        gid="programme-mean",
    )
    est = df.loc[shown_idx, "estimate"].astype(float).to_numpy()
    lo = df.loc[shown_idx, "ci_low"].astype(float).to_numpy()
    hi = df.loc[shown_idx, "ci_high"].astype(float).to_numpy()
    ax.hlines(ys_shown, lo, hi, color=LAB_COLOUR, linewidth=2.2, zorder=2, gid="ci")
    ax.plot(
        est,
        ys_shown,
        linestyle="none",
        marker="o",
        markersize=7.5,
        color=LAB_COLOUR,
        markeredgecolor="white",
        markeredgewidth=0.8,
        zorder=4,
        gid="estimate",
    )
    if show_raw and "raw_mean" in df.columns:
        raw = df.loc[shown_idx, "raw_mean"].astype(float).to_numpy()
        ax.plot(
            raw,
            ys_shown,
            linestyle="none",
            marker="o",
            markersize=5,
            markerfacecolor="none",
            markeredgecolor=GREY,
            zorder=3,
            gid="raw-mean",
        )
    why = hidden_texts(df, lang, min_cell)
    for i in df.index:
        if hidden.loc[i]:
            placeholder(ax, 1.08, y_of[i], why[i], ha="left")
        else:
            value = fmt_num(float(df.at[i, "estimate"]), 1, lang)
            ax.text(
                1.01,
                y_of[i],
                f"{value}   n = {int(df.at[i, 'n'])}",
                transform=right,
                ha="left",
                va="center",
                fontsize=8,
                color=DARK,
                gid="value",
            )

    ax.set_xlim(0.9, 5.1)
    ax.set_xticks([1, 2, 3, 4, 5])
    ax.set_xlabel(msg("mean_axis", lang))
    ax.set_yticks(
        [y_of[i] for i in df.index],
        [wrap_label(str(df.at[i, "scale_label"]), label_width) for i in df.index],
    )
    ax.tick_params(axis="y", length=0)
    ax.set_ylim(y_max + 0.1, -0.6)
    ax.spines["left"].set_visible(False)
    ax.grid(axis="x", color="#e3e3e3", linewidth=0.6, zorder=0)
    ax.set_axisbelow(True)

    handles = [
        Line2D(
            [0],
            [0],
            color=LAB_COLOUR,
            marker="o",
            linewidth=2.2,
            markersize=7,
            label=msg("lab_estimate", lang, level=_level(confidence)),
        ),
        Line2D(
            [0],
            [0],
            color=PROGRAMME_COLOUR,
            marker="|",
            linestyle="none",
            markersize=12,
            markeredgewidth=2.2,
            label=msg("programme_mean", lang),
        ),
    ]
    if show_raw:
        handles.append(
            Line2D(
                [0],
                [0],
                marker="o",
                linestyle="none",
                markerfacecolor="none",
                markeredgecolor=GREY,
                label=msg("raw_mean", lang),
            )
        )
    fig.legend(handles=handles, loc="outside lower center", ncol=len(handles))
    if title:
        fig.suptitle(title, x=0.02, ha="left", fontweight="bold")
    return fig


@styled
def change_plot(
    change: pd.DataFrame,
    lang: str = "nl",
    min_cell: int | None = 5,
    *,
    from_label: str | None = None,
    to_label: str | None = None,
    confidence: float = 0.95,
    title: str | None = None,
    label_width: int = 30,
) -> Figure:
    """Change between two waves per scale: dumbbells of the means and the difference with CI.

    Left panel: per scale an arrow-free dumbbell from the earlier wave's mean
    (orange, open) to the later wave's mean (blue, filled) on the 1-5 scale. Right
    panel: the paired difference (later − earlier) with its interval and a zero
    line, and ``n = k`` (people who answered at both waves). R: no single
    equivalent; ``ggplot2`` with ``geom_segment`` + ``geom_pointrange``.

    Parameters
    ----------
    change
        One row per scale with columns ``scale_label``, ``mean_from``, ``mean_to``
        (1-5; ``change.csv``'s columns), ``diff`` (``mean_to`` − ``mean_from``),
        ``ci_low``, ``ci_high`` (interval of ``diff``), ``n_paired`` and
        ``suppressed`` (bool); or, instead of ``n_paired``, ``n_text``: the text
        beside the interval (the lab report's change of wave means, ``n = 35 → 24``).
        An optional ``hidden_text`` column gives a hidden row's placeholder (its true
        reason); otherwise an optional ``suppression_reason`` column says it
        (:func:`.style.hidden_texts`). Rows keep their order,
        top to bottom.
    lang
        ``"nl"`` (default) or ``"en"`` for the fixed texts.
    min_cell
        Disclosure threshold named in the placeholder of suppressed rows.
    from_label, to_label
        The two waves as the study labels them (``waves[].label``) for the legend
        and the axis title; default the catalogue's "earlier wave" / "later wave".
    confidence
        Level of the intervals (for the axis title only).
    title
        Figure title (none by default).
    label_width
        Wrap scale labels at this many characters.

    Returns
    -------
    matplotlib.figure.Figure
        Axes 0 (means; lines ``gid`` ``"from"``, ``"to"``, collection ``"dumbbell"``)
        and axes 1 (difference; line ``"diff"``, collection ``"ci"``).
    """
    check_lang(lang)
    values = ["mean_from", "mean_to", "diff", "ci_low", "ci_high"]
    n_column = "n_text" if "n_text" in change.columns else "n_paired"
    require_columns(change, ["scale_label", *values, n_column], "change_plot")
    if len(change) == 0:
        return empty_figure(lang, title)
    df = change.reset_index(drop=True)
    hidden = suppressed_mask(df, values if n_column == "n_text" else [*values, n_column])
    from_label = from_label or msg("wave_earlier", lang)
    to_label = to_label or msg("wave_later", lang)
    n_rows = len(df)
    ys = np.arange(n_rows, dtype=float)
    shown = ~hidden.to_numpy()

    height = 1.2 + 0.42 * max(n_rows, 1) + (0.3 if title else 0.0)
    fig = new_figure(height)
    gs = fig.add_gridspec(1, 2, width_ratios=[3.0, 2.0])
    ax = fig.add_subplot(gs[0, 0])
    ax_d = fig.add_subplot(gs[0, 1], sharey=ax)

    m_from = df["mean_from"].astype(float).to_numpy()[shown]
    m_to = df["mean_to"].astype(float).to_numpy()[shown]
    ax.hlines(ys[shown], m_from, m_to, color="#9a9a9a", linewidth=2.0, zorder=2, gid="dumbbell")
    ax.plot(
        m_from,
        ys[shown],
        linestyle="none",
        marker="o",
        markersize=7,
        markerfacecolor="white",
        markeredgecolor=FROM_COLOUR,
        markeredgewidth=1.8,
        zorder=3,
        gid="from",
        label=from_label,
    )
    ax.plot(
        m_to,
        ys[shown],
        linestyle="none",
        marker="o",
        markersize=7,
        color=TO_COLOUR,
        markeredgecolor="white",
        markeredgewidth=0.6,
        zorder=4,
        gid="to",
        label=to_label,
    )
    ax.set_xlim(0.9, 5.1)
    ax.set_xticks([1, 2, 3, 4, 5])
    ax.set_xlabel(wrap_label(msg("mean_axis", lang), 40))
    ax.set_yticks(ys, [wrap_label(str(s), label_width) for s in df["scale_label"]])
    ax.set_ylim(n_rows - 0.5, -0.5)
    ax.tick_params(axis="y", length=0)
    ax.spines["left"].set_visible(False)
    ax.grid(axis="x", color="#e3e3e3", linewidth=0.6, zorder=0)
    ax.set_axisbelow(True)

    d = df["diff"].astype(float).to_numpy()[shown]
    lo = df["ci_low"].astype(float).to_numpy()[shown]
    hi = df["ci_high"].astype(float).to_numpy()[shown]
    ax_d.axvline(0, color=DARK, linewidth=0.9, zorder=1)
    ax_d.hlines(ys[shown], lo, hi, color=TO_COLOUR, linewidth=2.0, zorder=2, gid="ci")
    ax_d.plot(
        d,
        ys[shown],
        linestyle="none",
        marker="D",
        markersize=5.5,
        color=TO_COLOUR,
        zorder=3,
        gid="diff",
    )
    span = np.abs(np.r_[lo, hi, 0.5]).max() if shown.any() else 0.5
    lim = float(np.ceil(span * 1.1 * 2) / 2)
    ax_d.set_xlim(-lim, lim * 1.9)  # room on the right for the n column
    ax_d.spines["bottom"].set_bounds(-lim, lim)
    ax_d.set_xticks([-lim, 0.0, lim])
    ax_d.xaxis.set_major_formatter(tick_formatter(lang))
    ax_d.set_xticks(np.arange(-lim, lim + 1e-9, 0.5), minor=True)
    for v in (-lim, 0.0, lim):
        ax_d.axvline(v, color="#e3e3e3", linewidth=0.6, zorder=0)
    interval = msg("interval_suffix", lang, level=_level(confidence))
    change_title = msg("fig_change", lang, earlier=from_label, later=to_label)
    # the difference panel is narrow: wave labels of ~20 characters wrap over two lines
    ax_d.set_xlabel(f"{wrap_label(change_title, 26)}\n({interval})")
    ax_d.tick_params(axis="y", left=False, labelleft=False)
    ax_d.spines["left"].set_visible(False)

    x_text = lim * 1.12
    why = hidden_texts(df, lang, min_cell, n_column="n_paired")
    for i in range(n_rows):
        if hidden.iloc[i]:
            text = df.at[i, "hidden_text"] if "hidden_text" in df.columns else ""
            placeholder(ax, 3.0, ys[i], str(text) or why[i])
        else:
            ax_d.text(
                x_text,
                ys[i],
                str(df.at[i, "n_text"])
                if n_column == "n_text"
                else f"n = {int(df.at[i, 'n_paired'])}",
                ha="left",
                va="center",
                fontsize=8,
                color=DARK,
                gid="n",
            )
    fig.legend(handles=ax.get_legend_handles_labels()[0], loc="outside lower center", ncol=2)
    if title:
        fig.suptitle(title, x=0.02, ha="left", fontweight="bold")
    return fig
