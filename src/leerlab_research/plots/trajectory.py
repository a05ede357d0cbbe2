"""A lab's trajectory across the waves against the programme, per scale of one domain."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from .style import (
    DARK,
    GREY,
    OKABE_ITO,
    check_lang,
    empty_figure,
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

LAB_COLOUR = OKABE_ITO[4]  # blue
#: Inches per row of panels: a one-line title, the plot and three-line wave labels.
ROW_HEIGHT = 1.85
#: Inches for the legend when it needs a row of its own (an even number of panels).
LEGEND_HEIGHT = 0.35
PROGRAMME_COLOUR = GREY


@styled
def trajectory_plot(
    traj: pd.DataFrame,
    lang: str = "nl",
    min_cell: int | None = 5,
    *,
    wave_labels: dict[str, str] | None = None,
    scale_labels: dict[str, str] | None = None,
    title: str | None = None,
) -> Figure:
    """One panel per scale: the lab's estimates over the waves, the programme, the subsidy's end.

    Waves are placed on the x-axis by their fieldwork time. The lab's empirical-Bayes
    estimate (blue line, band = interval) and its raw mean (open circles; the n of
    each wave under its label on the x-axis, clear of the lines),
    the programme curve on the lab's own schedule (grey, dashed) and a vertical line
    where the lab's subsidy ended (when a wave falls after it). Suppressed lab ×
    wave cells show the grey placeholder and no value.

    Parameters
    ----------
    traj
        Rows of ``trajectories.csv`` for one lab and the scales to show: ``scale, wave,
        time, after, n, raw_mean, estimate, ci_low, ci_high, programme_estimate``
        (``suppressed`` and ``suppression_reason`` optional: a hidden cell's
        placeholder says its true reason). Scales keep their order of first appearance.
    lang
        ``"nl"`` (default) or ``"en"``.
    min_cell
        Disclosure threshold named in the placeholder.
    wave_labels, scale_labels
        Display labels (default the ids).
    title
        Figure title (none by default).

    Returns
    -------
    matplotlib.figure.Figure
        One axes per scale; lines ``gid`` ``"lab"``, ``"programme"``, ``"raw"``,
        ``"subsidy_end"``.
    """
    check_lang(lang)
    cols = ["scale", "wave", "time", "after", "n", "raw_mean", "estimate", "ci_low", "ci_high"]
    require_columns(traj, [*cols, "programme_estimate"], "trajectory_plot")
    if len(traj) == 0 or traj["time"].isna().all():
        return empty_figure(lang, title)
    wave_labels = wave_labels or {}
    scale_labels = scale_labels or {}
    scales = list(dict.fromkeys(traj["scale"]))
    # Two panels a row (narrower panels ran the wave labels of close waves together),
    # each row as short as its title, plot and three-line wave labels allow: a domain of
    # five scales was 7.6 in tall, did not fit under the text before it and left half a
    # page empty. An odd number of panels leaves a slot free, and the legend goes there
    # instead of in a row of its own (one panel: half the width, legend beside it).
    rows = (len(scales) + 1) // 2
    free = len(scales) % 2 == 1
    fig = new_figure(ROW_HEIGHT * rows + (0.0 if free else LEGEND_HEIGHT) + (0.3 if title else 0.0))
    axes = fig.subplots(rows, 2, squeeze=False, sharey=True)
    waves = traj.drop_duplicates("wave").sort_values("time")
    times = waves["time"].to_numpy(dtype=float)
    # room for half a wrapped label beyond the first and last wave (they were cut off
    # at the figure edge and ran into the next panel's labels)
    pad = 0.15 * (np.nanmax(times) - np.nanmin(times)) or 0.5
    for ax, scale in zip(axes.ravel(), scales, strict=False):
        d = traj[traj["scale"] == scale].sort_values("time").reset_index(drop=True)
        hidden = suppressed_mask(d, ["estimate", "raw_mean", "n"]).to_numpy()
        t = d["time"].to_numpy(dtype=float)
        shown = ~hidden
        ax.plot(
            t,
            d["programme_estimate"].to_numpy(dtype=float),
            linestyle="--",
            color=PROGRAMME_COLOUR,
            linewidth=1.4,
            gid="programme",
            label=msg("programme_mean", lang),
        )
        if shown.any():
            est = d["estimate"].to_numpy(dtype=float)
            ax.fill_between(
                t[shown],
                d["ci_low"].to_numpy(dtype=float)[shown],
                d["ci_high"].to_numpy(dtype=float)[shown],
                color=LAB_COLOUR,
                alpha=0.18,
                linewidth=0,
            )
            ax.plot(
                t[shown],
                est[shown],
                color=LAB_COLOUR,
                linewidth=2.0,
                marker="o",
                markersize=4,
                gid="lab",
                label=msg("lab_estimate", lang, level=95),
            )
            raw = d["raw_mean"].to_numpy(dtype=float)
            ax.plot(
                t[shown],
                raw[shown],
                linestyle="none",
                marker="o",
                markersize=6,
                markerfacecolor="white",
                markeredgecolor=DARK,
                markeredgewidth=1.0,
                gid="raw",
                label=msg("raw_mean", lang),
            )
        why = np.asarray(hidden_texts(d, lang, min_cell, short=True), dtype=object)
        for ti, text in zip(t[hidden], why[hidden], strict=True):
            placeholder(ax, ti, 3.0, text)
        after = d["after"].to_numpy(dtype=float)
        if np.nanmax(np.r_[after, 0.0]) > 0:
            i = int(np.nanargmax(after > 0))
            end = t[i] - after[i]
            if end >= t.min() - 0.5:
                ax.axvline(end, color=OKABE_ITO[5], linewidth=1.0, linestyle=":", gid="subsidy_end")
                ax.text(
                    end,
                    4.95,
                    " " + msg("subsidy_end", lang),
                    fontsize=8,
                    color=OKABE_ITO[5],
                    va="top",
                )
        ax.set_title(wrap_label(scale_labels.get(scale, scale), 40), fontsize=9, loc="left")
        ax.set_ylim(1, 5)
        ax.set_yticks([1, 2, 3, 4, 5])  # every answer step, also on a short panel
        ax.yaxis.set_major_formatter(tick_formatter(lang))
        ax.grid(axis="y", color="#e3e3e3", linewidth=0.6)
        # waves can lie close in time (start and end of a subsidy year): their labels
        # wrap so that neighbours do not run into each other. The n of each wave
        # stands under its label, outside the plot, where no line can cross it.
        n_of = dict(zip(d.loc[shown, "wave"], d.loc[shown, "n"], strict=True))
        ax.set_xticks(
            times,
            [
                wrap_label(wave_labels.get(w, w), 12)
                + (f"\nn = {int(n_of[w])}" if w in n_of else "")
                for w in waves["wave"]
            ],
            fontsize=8,
        )
        ax.set_xlim(np.nanmin(times) - pad, np.nanmax(times) + pad)
    handles, labels = axes.ravel()[0].get_legend_handles_labels()
    if free:
        slot = axes.ravel()[-1]
        slot.set_axis_off()  # an empty panel holding the legend
        slot.legend(handles, labels, loc="center", frameon=False)
    else:
        fig.legend(handles, labels, loc="outside lower center", ncol=3)
    if title:
        fig.suptitle(title, x=0.02, ha="left", fontweight="bold")
    return fig
