"""Het achtje: commitment per level (bestuur, management, docent) x school (vmbo, mbo)."""

from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.transforms import blended_transform_factory

from ..text import MESSAGES, hidden_reason
from .style import (
    DARK,
    SCHOOL_COLOURS,
    check_lang,
    fmt_num,
    hidden_texts,
    msg,
    new_figure,
    placeholder,
    require_columns,
    styled,
    suppressed_mask,
)

__all__ = ["LEVELS", "MARGIN_ROWS", "SCHOOLS", "achtje", "achtje_margins"]

#: Levels top to bottom and schools left/right, as in the programme's "achtje".
LEVELS: tuple[str, ...] = ("bestuur", "management", "docent")
SCHOOLS: tuple[str, ...] = ("vmbo", "mbo")
_LEVEL_ALIASES = {
    "docenten": "docent",
    "teacher": "docent",
    "teachers": "docent",
    "board": "bestuur",
}
_MARKERS = {"vmbo": "o", "mbo": "s"}


def _label(key: str, lang: str) -> str:
    """Capitalised figure label of a role or school type (``fig_`` keys in the catalogue)."""
    return msg(f"fig_{key}", lang) if f"fig_{key}" in MESSAGES else msg(key, lang)


def _normalise(value: object, aliases: dict[str, str]) -> str:
    text = str(value).strip().lower()
    return aliases.get(text, text)


@styled
def achtje(
    cells: pd.DataFrame,
    lang: str = "nl",
    min_cell: int | None = 5,
    *,
    title: str | None = None,
) -> Figure:
    """Het achtje: the mean per level x school for one lab, with the gaps and n.

    Three rows (bestuur, management, docenten; top to bottom) by two schools
    (vmbo: blue circle, mbo: vermillion square) on the 1-5 answer scale. Each
    shown cell prints its mean and ``n = k`` next to its marker; a grey line
    joins vmbo and mbo on a level so the gap between the schools is visible, and
    the right margin prints that gap (mbo - vmbo, in scale points). All six cells are always
    present: a suppressed or missing cell is a grey placeholder with its true
    reason ("vmbo: te weinig antwoorden (minder dan 5)", or "verborgen om een
    kleinere groep te beschermen") without value or n, and its level
    shows no gap.

    Parameters
    ----------
    cells
        Up to six rows with columns ``level`` (``bestuur``, ``management``,
        ``docent``), ``school_type`` (``vmbo``, ``mbo``), ``mean`` (1-5), ``n``
        (respondents), ``suppressed`` (bool, optional) and ``suppression_reason``
        (optional; the placeholder says it). Rows for other levels
        or school types (e.g. ``anders``) are ignored.
    lang
        ``"nl"`` (default) or ``"en"`` for the fixed texts (level names, legend).
    min_cell
        Disclosure threshold: named in the placeholder, and cells with
        ``n < min_cell`` are suppressed even when not flagged (safety net).
    title
        Figure title (none by default).

    Returns
    -------
    matplotlib.figure.Figure
        One axes; each shown cell is a line with ``gid`` ``"cell-<level>-<school>"``
        (its x is the mean), the connectors have ``gid="gap"``, placeholders
        ``gid="placeholder"``.
    """
    check_lang(lang)
    require_columns(cells, ["level", "school_type", "mean", "n"], "achtje")
    df = cells.copy()
    df["level"] = [_normalise(v, _LEVEL_ALIASES) for v in df["level"]]
    df["school_type"] = [_normalise(v, {}) for v in df["school_type"]]
    df = df[df["level"].isin(LEVELS) & df["school_type"].isin(SCHOOLS)]
    if df.duplicated(["level", "school_type"]).any():
        raise ValueError("achtje: more than one row for a level x school_type cell")
    hidden = suppressed_mask(df, ["mean", "n"])
    if min_cell is not None:
        hidden |= pd.to_numeric(df["n"], errors="coerce").fillna(0) < min_cell
    lookup: dict[tuple[str, str], tuple[float, int] | None] = {
        (lv, sc): None for lv in LEVELS for sc in SCHOOLS
    }
    # a missing cell has no reason of its own: it had too few (or no) answers
    why = {(lv, sc): hidden_reason("primary", lang, min_cell) for lv in LEVELS for sc in SCHOOLS}
    for (idx, row), text in zip(df.iterrows(), hidden_texts(df, lang, min_cell), strict=True):
        why[(row["level"], row["school_type"])] = text
        if not hidden.loc[idx]:
            lookup[(row["level"], row["school_type"])] = (float(row["mean"]), int(row["n"]))

    height = 2.6 + (0.3 if title else 0.0)
    fig = new_figure(height)
    ax = fig.add_subplot(1, 1, 1)
    margin = blended_transform_factory(ax.transAxes, ax.transData)
    x_min, x_max = 0.2, 5.8

    for y, level in enumerate(LEVELS):
        vm, mb = lookup[(level, "vmbo")], lookup[(level, "mbo")]
        if vm is not None and mb is not None:
            ax.plot(
                [vm[0], mb[0]],
                [y, y],
                color="#a0a0a0",
                linewidth=2.5,
                zorder=2,
                solid_capstyle="round",
                gid="gap",
            )
            gap = mb[0] - vm[0]
            sign = "+" if gap > 0.05 else ""
            ax.text(
                1.01,
                y,
                f"mbo − vmbo: {sign}{fmt_num(gap, 1, lang)}",
                transform=margin,
                ha="left",
                va="center",
                fontsize=8,
                color=DARK,
                gid="gap-text",
            )
        # Text goes on the outer side of each marker: the lower mean left, the higher right.
        order = sorted(
            [(sc, v) for sc, v in (("vmbo", vm), ("mbo", mb)) if v is not None],
            key=lambda t: (t[1][0], t[0] == "mbo"),
        )
        for rank, (school, (mean, n)) in enumerate(order):
            colour = SCHOOL_COLOURS[school]
            ax.plot(
                [mean],
                [y],
                linestyle="none",
                marker=_MARKERS[school],
                markersize=10,
                color=colour,
                markeredgecolor="white",
                markeredgewidth=0.8,
                zorder=3,
                gid=f"cell-{level}-{school}",
            )
            right_side = (
                rank == len(order) - 1 and len(order) == 2 or (len(order) == 1 and mean < 3.0)
            )
            dx = 0.13 if right_side else -0.13
            ax.text(
                mean + dx,
                y,
                f"{fmt_num(mean, 1, lang)}  (n = {n})",
                ha="left" if right_side else "right",
                va="center",
                fontsize=8.5,
                color=colour,
                fontweight="bold",
                gid="cell-text",
            )
        y_ph = y if vm is None and mb is None else y + 0.36
        for school in SCHOOLS:
            if lookup[(level, school)] is None:
                x = x_min + 0.05 if school == "vmbo" else x_max - 0.05
                placeholder(
                    ax,
                    x,
                    y_ph,
                    f"{_label(school, lang)}: {why[(level, school)]}",
                    ha="left" if school == "vmbo" else "right",
                )

    ax.set_xlim(x_min, x_max)
    ax.set_xticks([1, 2, 3, 4, 5])
    ax.spines["bottom"].set_bounds(1, 5)
    ax.set_xlabel(msg("mean_axis", lang))
    ax.set_yticks(range(len(LEVELS)), [_label(lv, lang) for lv in LEVELS])
    ax.set_ylim(len(LEVELS) - 0.35, -0.6)
    ax.tick_params(axis="y", length=0, labelsize=9.5)
    ax.spines["left"].set_visible(False)
    for x in (1, 2, 3, 4, 5):
        ax.axvline(x, color="#e6e6e6", linewidth=0.6, zorder=0)

    handles = [
        Line2D(
            [0],
            [0],
            linestyle="none",
            marker=_MARKERS[s],
            markersize=8,
            color=SCHOOL_COLOURS[s],
            label=_label(s, lang),
        )
        for s in SCHOOLS
    ]
    fig.legend(handles=handles, loc="outside lower center", ncol=2)
    if title:
        fig.suptitle(title, x=0.02, ha="left", fontweight="bold")
    return fig


#: Row order of :func:`achtje_margins`: the two published levels of a lab (leiding =
#: bestuur + management; docenten), then the two schools.
MARGIN_ROWS: tuple[tuple[str, str], ...] = (
    ("level", "leiding"),
    ("level", "docent"),
    ("school_type", "vmbo"),
    ("school_type", "mbo"),
)


@styled
def achtje_margins(
    margins: pd.DataFrame,
    lang: str = "nl",
    min_cell: int | None = 5,
    *,
    lab_mean: float | None = None,
    title: str | None = None,
) -> Figure:
    """Het achtje from its margins: commitment per level and per school of one lab.

    Within one lab the level x school cells are almost always below the minimum
    cell size, so disclosure control publishes the margins instead: the two
    levels (leiding = bestuur + management, docenten) and the two schools (vmbo,
    mbo), each a dot with its interval and "mean (n = k)". A dashed line marks the
    lab mean. Suppressed or missing rows are grey placeholders without any number
    that say why: too few answers (primary suppression) or hidden to protect a
    smaller group (complementary suppression, column ``suppression_reason``).

    Parameters
    ----------
    margins
        Columns ``dimension`` (``level`` or ``school_type``), ``group``
        (``leiding``/``docent`` or ``vmbo``/``mbo``), ``mean``, ``ci_low``,
        ``ci_high``, ``n``, optional ``suppressed``, ``suppression_reason`` and
        ``label`` (a row label that names a merged group, e.g. "Docenten en
        overige rollen"). Other groups are ignored.
    lang
        ``"nl"`` or ``"en"`` for the fixed texts.
    min_cell
        Rows with ``n < min_cell`` are hidden even when not flagged (safety net).
    lab_mean
        The lab's overall mean on the scale (reference line), optional.
    title
        Figure title (none by default).

    Returns
    -------
    matplotlib.figure.Figure
        One axes; shown rows are lines with ``gid`` ``"margin-<group>"`` (x = mean),
        intervals ``"ci-<group>"``, placeholders ``gid="placeholder"``.
    """
    check_lang(lang)
    require_columns(
        margins, ["dimension", "group", "mean", "ci_low", "ci_high", "n"], "achtje_margins"
    )
    df = margins.copy()
    df["group"] = [_normalise(v, _LEVEL_ALIASES) for v in df["group"]]
    hidden = suppressed_mask(df, ["mean", "n"])
    if min_cell is not None:
        hidden |= pd.to_numeric(df["n"], errors="coerce").fillna(0) < min_cell
    shown = {
        (row["dimension"], row["group"]): row for idx, row in df.iterrows() if not hidden.loc[idx]
    }
    why = {
        (row["dimension"], row["group"]): text
        for (_, row), text in zip(df.iterrows(), hidden_texts(df, lang, min_cell), strict=True)
    }
    too_few = hidden_reason("primary", lang, min_cell)  # a missing row: too few or no answers
    labels = {
        (row["dimension"], row["group"]): str(row["label"])
        for _, row in df.iterrows()
        if "label" in df.columns and isinstance(row.get("label"), str) and row["label"]
    }
    fig = new_figure(2.6 + (0.3 if title else 0.0))
    ax = fig.add_subplot(1, 1, 1)
    ys = [0, 1, 2.4, 3.4]
    for y, (dim, group) in zip(ys, MARGIN_ROWS, strict=True):
        colour = SCHOOL_COLOURS[group] if dim == "school_type" else DARK
        row = shown.get((dim, group))
        if row is None:
            placeholder(ax, 1.05, y, why.get((dim, group), too_few), ha="left")
            continue
        mean, lo, hi, n = (
            float(row["mean"]),
            float(row["ci_low"]),
            float(row["ci_high"]),
            int(row["n"]),
        )
        if pd.notna(lo) and pd.notna(hi):
            ax.plot([lo, hi], [y, y], color=colour, linewidth=2, zorder=2, gid=f"ci-{group}")
        ax.plot(
            [mean],
            [y],
            linestyle="none",
            marker=_MARKERS.get(group, "o"),
            markersize=9,
            color=colour,
            markeredgecolor="white",
            zorder=3,
            gid=f"margin-{group}",
        )
        ax.text(
            min(max(hi if pd.notna(hi) else mean, mean) + 0.1, 5.6),
            y,
            f"{fmt_num(mean, 1, lang)}  (n = {n})",
            ha="left",
            va="center",
            fontsize=8.5,
            color=colour,
            gid="margin-text",
        )
    if lab_mean is not None and pd.notna(lab_mean):
        ax.axvline(lab_mean, color="#777777", linestyle="--", linewidth=1, zorder=1, gid="lab-mean")
    ax.set_xlim(1, 5.9)
    ax.set_xticks([1, 2, 3, 4, 5])
    ax.spines["bottom"].set_bounds(1, 5)
    ax.set_xlabel(msg("mean_axis", lang))
    ax.set_yticks(ys, [labels.get(key) or _label(key[1], lang) for key in MARGIN_ROWS])
    ax.set_ylim(max(ys) + 0.6, -0.6)
    ax.axhline(1.7, color="#dddddd", linewidth=0.8)
    ax.tick_params(axis="y", length=0, labelsize=9.5)
    ax.spines["left"].set_visible(False)
    for x in (1, 2, 3, 4, 5):
        ax.axvline(x, color="#eeeeee", linewidth=0.6, zorder=0)
    if lab_mean is not None and pd.notna(lab_mean):
        ax.legend(
            handles=[
                Line2D([0], [0], color="#777777", linestyle="--", label=msg("lab_mean", lang))
            ],
            loc="upper center",
            bbox_to_anchor=(0.5, -0.28),
            ncol=1,
        )
    if title:
        ax.set_title(title)
    return fig
