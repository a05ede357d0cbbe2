"""Shared look of the report figures: palettes, fonts, fixed texts, suppression.

Every figure function in :mod:`leerlab_research.plots` builds a
:class:`matplotlib.figure.Figure` directly (no ``pyplot``, so no global figure
registry to leak into or close) inside :func:`styled`, which applies :data:`RC`.

Palettes
--------
* :data:`LIKERT5` -- the five-class ColorBrewer **BrBG** diverging scheme
  (Brewer, Harrower & Penn State 2002; colorbrewer2.org marks it colour-blind
  safe) with the near-white middle class replaced by a mid grey so that the
  neutral segment stays visible on a white page.
* :data:`OKABE_ITO` -- the eight Okabe & Ito (2008) colours for categories
  (e.g. vmbo/mbo, groups), safe for all common colour-vision deficiencies.
* :data:`DIVERGING_CMAP` -- the matching continuous map (``"BrBG"``) for
  benchmark-relative heatmaps: brown below, teal above, white at zero.

References
----------
Heiberger, R. M., & Robbins, N. B. (2014). Design of diverging stacked bar charts
for Likert scales and other applications. *Journal of Statistical Software*,
57(5), 1-32. https://doi.org/10.18637/jss.v057.i05

Okabe, M., & Ito, K. (2008). *Color Universal Design (CUD): How to make figures
and presentations that are friendly to colorblind people.* https://jfly.uni-koeln.de/color/
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any, ParamSpec, TypeVar

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.typing import RcKeyType

from ..text import fmt_num, fmt_pct, fmt_tick, hidden_reason, msg

__all__ = [
    "A4_WIDTH",
    "DIVERGING_CMAP",
    "GREY",
    "LIGHT_GREY",
    "LIKERT5",
    "OKABE_ITO",
    "RC",
    "figure_to_png_bytes",
    "fmt_num",
    "fmt_pct",
    "fmt_tick",
    "msg",
    "new_figure",
    "hidden_texts",
    "placeholder",
    "suppressed_mask",
    "too_few_text",
]

#: Figure width in inches that fits an A4 text column (21 cm minus margins).
A4_WIDTH: float = 7.0

#: ColorBrewer BrBG, 5 classes: 1 = strongly disagree ... 5 = strongly agree.
#: The middle class (#f5f5f5 in ColorBrewer) is a mid grey here.
LIKERT5: tuple[str, ...] = ("#a6611a", "#dfc27d", "#c8c8c8", "#80cdc1", "#018571")

#: Okabe & Ito (2008) categorical palette, black last.
OKABE_ITO: tuple[str, ...] = (
    "#E69F00",  # orange
    "#56B4E9",  # sky blue
    "#009E73",  # bluish green
    "#F0E442",  # yellow
    "#0072B2",  # blue
    "#D55E00",  # vermillion
    "#CC79A7",  # reddish purple
    "#000000",  # black
)

#: Categorical colours in the order figures use them (yellow, weak on white, last).
CATEGORY_ORDER: tuple[str, ...] = (
    OKABE_ITO[4],
    OKABE_ITO[5],
    OKABE_ITO[2],
    OKABE_ITO[0],
    OKABE_ITO[6],
    OKABE_ITO[1],
    OKABE_ITO[7],
    OKABE_ITO[3],
)

#: Colours of the two school types (Okabe-Ito blue and vermillion).
SCHOOL_COLOURS: dict[str, str] = {"vmbo": OKABE_ITO[4], "mbo": OKABE_ITO[5]}

#: Matplotlib name of the continuous diverging map (ColorBrewer BrBG).
DIVERGING_CMAP: str = "BrBG"

#: Greys for "weet niet", placeholders and reference lines.
GREY: str = "#7f7f7f"
LIGHT_GREY: str = "#e6e6e6"
DARK: str = "#333333"

#: Matplotlib settings applied while a figure is built (font >= 8 pt at A4 width).
RC: dict[RcKeyType, Any] = {
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.labelsize": 9,
    "xtick.labelsize": 8.5,
    "ytick.labelsize": 8.5,
    "legend.fontsize": 8.5,
    "figure.titlesize": 11,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.edgecolor": "#555555",
    "axes.linewidth": 0.8,
    "xtick.color": "#333333",
    "ytick.color": "#333333",
    "figure.facecolor": "white",
    "axes.facecolor": "white",
    "savefig.facecolor": "white",
    "svg.hashsalt": "leerlab",
    "legend.frameon": False,
}

#: Pillow's PNG options. zlib level 1 instead of Pillow's 6: the same pixels in files
#: about 6 % larger, encoded in two thirds of the time (PNG encoding was a fifth of
#: saving a figure); pandoc and Typst read them no slower.
PNG_OPTIONS: dict[str, Any] = {"compress_level": 1}

#: Smallest font size any figure uses (points).
MIN_FONT_PT: float = 8.0


def tick_formatter(lang: str = "nl") -> mpl.ticker.FuncFormatter:
    """A matplotlib formatter using :func:`fmt_tick` (decimal comma in Dutch)."""
    return mpl.ticker.FuncFormatter(lambda x, _pos: fmt_tick(x, lang))


def too_few_text(lang: str = "nl", min_cell: int | None = 5, short: bool = False) -> str:
    """The placeholder text of a cell with too few answers (primary suppression).

    ``"te weinig antwoorden (minder dan 5)"``; with ``short=True`` only ``"n < 5"``
    (for small cells such as heatmap tiles). Without ``min_cell`` the rule is not
    named. Other reasons: :func:`hidden_texts`.
    """
    return hidden_reason("primary", lang, min_cell, short)


def hidden_texts(
    df: pd.DataFrame,
    lang: str = "nl",
    min_cell: int | None = 5,
    short: bool = False,
    n_column: str = "n",
) -> list[str]:
    """Each row's placeholder text should it be hidden: its true reason.

    The reason is the row's ``suppression_reason`` (written by
    ``compare/disclosure.py``): ``primary`` → *te weinig antwoorden (minder dan 5)*,
    ``complementary`` → *verborgen om een kleinere groep te beschermen* (see
    :func:`leerlab_research.text.hidden_reason`). A row without a reason but with
    ``0 < n < min_cell`` is hidden by the figures' safety net, so too few answers is
    true; with ``n == 0`` there were no answers. Otherwise a blank reason means not
    estimated; only a table without a
    ``suppression_reason`` column (a figure drawn outside the pipeline) falls back
    to too few answers.
    """
    has_reason = "suppression_reason" in df.columns
    reasons = (
        df["suppression_reason"].astype(object).where(df["suppression_reason"].notna(), "")
        if has_reason
        else pd.Series("", index=df.index, dtype=object)
    )
    n = (
        pd.to_numeric(df[n_column], errors="coerce")
        if n_column in df.columns
        else pd.Series(np.nan, index=df.index)
    )
    small = (n > 0) & (n < (min_cell if min_cell is not None else 0))
    out = []
    for reason, few, none in zip(reasons.astype(str), small, n.eq(0), strict=True):  # per row
        if not reason and none and has_reason:
            out.append(msg("short_too_few_plain" if short else "no_answers", lang))
            continue
        if not reason and (few or not has_reason):
            reason = "primary"
        out.append(hidden_reason(reason, lang, min_cell, short))
    return out


def check_lang(lang: str) -> str:
    """Validate ``lang`` (``"nl"`` or ``"en"``)."""
    if lang not in ("nl", "en"):
        raise ValueError(f"lang must be 'nl' or 'en', not {lang!r}")
    return lang


def require_columns(df: pd.DataFrame, columns: Iterable[str], what: str) -> None:
    """Raise ``ValueError`` naming the missing columns of ``df``."""
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(
            f"{what}: missing column(s) {', '.join(missing)}; got {', '.join(map(str, df.columns))}"
        )


def suppressed_mask(df: pd.DataFrame, value_columns: Iterable[str]) -> pd.Series:
    """Rows that must not be drawn as a value.

    A row is suppressed when its ``suppressed`` column (if present) is true, or
    when any of ``value_columns`` is missing (NaN/None).
    """
    mask = pd.Series(False, index=df.index)
    if "suppressed" in df.columns:
        mask |= df["suppressed"].fillna(False).astype(bool)
    for col in value_columns:
        if col in df.columns:
            mask |= pd.to_numeric(df[col], errors="coerce").isna()
    return mask


P = ParamSpec("P")
R = TypeVar("R")


def styled(func: Callable[P, R]) -> Callable[P, R]:
    """Run a figure builder with :data:`RC` applied (restored afterwards)."""

    @wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with mpl.rc_context(RC):
            return func(*args, **kwargs)

    return wrapper


def new_figure(height: float, width: float = A4_WIDTH) -> Figure:
    """A figure at A4 width with constrained layout, not registered with pyplot."""
    return Figure(figsize=(width, max(height, 1.2)), layout="constrained", dpi=100)


def empty_figure(lang: str = "nl", title: str | None = None) -> Figure:
    """A small figure saying there is nothing to show (for an empty input table)."""
    with mpl.rc_context(RC):
        fig = new_figure(1.2)
        ax = fig.add_subplot(1, 1, 1)
        ax.set_axis_off()
        placeholder(ax, 0.5, 0.5, msg("no_data", lang), transform=ax.transAxes, fontsize=9)
        if title:
            fig.suptitle(title, x=0.02, ha="left", fontweight="bold")
    return fig


def placeholder(
    ax: Axes,
    x: float,
    y: float,
    text: str,
    *,
    ha: str = "center",
    fontsize: float = 8.0,
    transform: Any = None,
) -> None:
    """Draw the grey placeholder box of a suppressed cell (text only, no value)."""
    ax.text(
        x,
        y,
        text,
        ha=ha,
        va="center",
        fontsize=max(fontsize, MIN_FONT_PT),
        color="#555555",
        style="italic",
        transform=transform if transform is not None else ax.transData,
        bbox={"boxstyle": "round,pad=0.3", "facecolor": LIGHT_GREY, "edgecolor": "none"},
        gid="placeholder",
        zorder=4,
    )


def text_colour_on(hex_colour: str) -> str:
    """Black or white text, whichever reads better on ``hex_colour`` (WCAG luminance)."""
    r, g, b = mpl.colors.to_rgb(hex_colour)

    def lin(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    lum = 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)
    return "white" if lum < 0.25 else "black"


def wrap_label(label: str, width: int = 32) -> str:
    """Wrap a long label over lines of at most ``width`` characters."""
    import textwrap

    return "\n".join(textwrap.wrap(str(label), width=width, break_long_words=False)) or str(label)


def figure_to_png_bytes(fig: Figure, dpi: int = 150) -> bytes:
    """Render ``fig`` to PNG bytes, deterministically.

    The PNG carries no software version or time stamp (``metadata={"Software": None}``),
    so the same figure gives the same bytes on every run with the same matplotlib. It
    is compressed with :data:`PNG_OPTIONS` (zlib level 1).

    Parameters
    ----------
    fig
        The figure to render.
    dpi
        Resolution in dots per inch (150 suits HTML/DOCX/PDF reports at A4 width).
    """
    buf = io.BytesIO()

    def save() -> bytes:
        fig.savefig(
            buf,
            format="png",
            dpi=dpi,
            metadata={"Software": None},
            facecolor="white",
            pil_kwargs=dict(PNG_OPTIONS),
        )
        return buf.getvalue()

    engine = fig.get_layout_engine()
    if engine is None or not fig.axes:
        return save()
    # savefig with a layout engine draws the figure twice: once (not rendered) to run
    # the layout, then again with the layout switched off. The layout is run here
    # instead, on the Agg canvas at the output dpi as savefig would, and the figure
    # saved without an engine: one draw, the same pixels, about a tenth less CPU.
    dpi_before = fig.dpi
    FigureCanvasAgg(fig)
    fig.dpi = dpi
    try:
        try:
            engine.execute(fig)
        except ValueError:  # as Figure.draw: a layout that cannot be made is skipped
            pass
        # None means no engine only when the rc asks for none (else tight/constrained)
        with mpl.rc_context({"figure.autolayout": False, "figure.constrained_layout.use": False}):
            fig.set_layout_engine(None)
        return save()
    finally:
        fig.set_layout_engine(engine)
        fig.dpi = dpi_before


def finite(values: Iterable[float]) -> np.ndarray:
    """The finite values of ``values`` as a float array."""
    arr = np.asarray(list(values), dtype=float)
    return arr[np.isfinite(arr)]
