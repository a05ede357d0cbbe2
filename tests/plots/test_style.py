"""Shared style: palettes, PNG rendering, fonts, no global pyplot state, texts."""

from __future__ import annotations

import io

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from matplotlib.layout_engine import ConstrainedLayoutEngine
from matplotlib.text import Text
from PIL import Image

from leerlab_research import plots
from leerlab_research.plots import style
from leerlab_research.plots.trajectory import trajectory_plot


def _relative_luminance(hex_colour: str) -> float:
    def lin(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = mpl.colors.to_rgb(hex_colour)
    return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)


def test_palettes_are_the_documented_colour_blind_safe_ones():
    # ColorBrewer BrBG (5 classes), grey middle.
    assert style.LIKERT5 == ("#a6611a", "#dfc27d", "#c8c8c8", "#80cdc1", "#018571")
    brbg = mpl.colormaps["BrBG"]
    assert style.DIVERGING_CMAP == "BrBG" and brbg.N > 0
    # Okabe & Ito (2008).
    assert [c.upper() for c in style.OKABE_ITO] == [
        "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#000000",
    ]  # fmt: skip
    assert set(style.CATEGORY_ORDER) == set(style.OKABE_ITO)
    # Diverging order reads in greyscale too: the outer classes are darker.
    lum = [_relative_luminance(c) for c in style.LIKERT5]
    assert lum[0] < lum[1] and lum[4] < lum[3]


def test_png_bytes_are_deterministic_and_carry_no_version(likert_table):
    a = style.figure_to_png_bytes(plots.likert_diverging(likert_table))
    b = style.figure_to_png_bytes(plots.likert_diverging(likert_table))
    assert a[:8] == b"\x89PNG\r\n\x1a\n"
    assert a == b
    assert b"Software" not in a and b"matplotlib" not in a.lower()


def _savefig_png(fig: Figure, dpi: int = 150) -> bytes:
    """What ``figure_to_png_bytes`` did before: matplotlib's own savefig (two draws)."""
    buf = io.BytesIO()
    options = dict(style.PNG_OPTIONS)
    fig.savefig(
        buf, format="png", dpi=dpi, metadata={"Software": None}, facecolor="white",
        pil_kwargs=options,
    )  # fmt: skip
    return buf.getvalue()


def test_pngs_are_fast_zlib_with_the_pixels_of_the_default_level(likert_table):
    # zlib level 1 (IDAT's zlib header 78 01) instead of Pillow's 6 (78 9c): files a few
    # per cent larger, encoded in two thirds of the time, the same pixels
    png = style.figure_to_png_bytes(plots.likert_diverging(likert_table))
    idat = png.index(b"IDAT")
    assert png[idat + 4 : idat + 6] == b"\x78\x01"
    pixels = np.asarray(Image.open(io.BytesIO(png)))
    default = io.BytesIO()
    Image.fromarray(pixels).save(default, format="png")  # Pillow's default level
    assert (np.asarray(Image.open(default)) == pixels).all()
    assert len(png) < 1.15 * len(default.getvalue())


def test_one_draw_gives_the_bytes_of_savefig_and_leaves_the_figure_as_it_was(
    likert_table, profile_table
):
    # figure_to_png_bytes runs the constrained layout once itself and saves without an
    # engine (one draw instead of savefig's two): the same pixels, the same bytes, on
    # figures with a legend outside the axes, shared axes and a colour bar
    for make in (
        lambda: plots.likert_diverging(likert_table),
        lambda: plots.lab_profile(profile_table),
        lambda: trajectory_plot(_traj_rows(), wave_labels={"T0": "Start", "T1": "Eind"}),
    ):
        fig = make()
        engine = fig.get_layout_engine()
        assert isinstance(engine, ConstrainedLayoutEngine)
        assert style.figure_to_png_bytes(fig) == _savefig_png(make())
        assert fig.get_layout_engine() is engine and fig.dpi == 100


def test_a_figure_without_a_layout_engine_is_saved_as_savefig_does():
    fig = Figure(figsize=(3, 2))
    fig.add_subplot(1, 1, 1).plot([1, 2], [2, 1])
    assert style.figure_to_png_bytes(fig, dpi=50) == _savefig_png(fig, dpi=50)


def _traj_rows() -> pd.DataFrame:
    rows = [
        {"scale": s, "wave": w, "time": t, "after": a, "n": 20, "raw_mean": 3.4, "estimate": 3.5,
         "ci_low": 3.2, "ci_high": 3.8, "programme_estimate": 3.3, "suppressed": False}
        for s in ("ambitie", "belangen", "organiseren")
        for w, t, a in (("T0", 0.0, 0.0), ("T1", 0.7, 0.4))
    ]  # fmt: skip
    return pd.DataFrame(rows)


def _all_figures(likert_table, profile_table) -> list[Figure]:
    cells = pd.DataFrame(
        {
            "level": ["bestuur", "docent"],
            "school_type": ["vmbo", "mbo"],
            "mean": [3.1, 3.4],
            "n": [7, 30],
            "suppressed": [False, False],
        }
    )
    heat = pd.DataFrame(
        {
            "lab_label": ["A", "A", "B", "B"],
            "scale_label": ["x", "y", "x", "y"],
            "diff": [0.2, -0.1, 0.0, 0.3],
            "vs_programme": ["above", "indistinguishable", "indistinguishable", "above"],
            "suppressed": [False, False, False, True],
        }
    )
    eff = pd.DataFrame(
        {"label": ["a", "b"], "estimate": [0.1, -0.2], "ci_low": [-0.1, -0.4], "ci_high": [0.3, 0]}
    )
    change = profile_table[["scale_label", "suppressed"]].assign(
        mean_from=3.0, mean_to=3.2, diff=0.2, ci_low=0.0, ci_high=0.4, n_paired=12
    )
    rel = pd.DataFrame(
        {
            "scale_label": ["x", "x"],
            "group_label": ["vmbo", "mbo"],
            "alpha": [0.8, 0.6],
            "ci_low": [0.7, None],
            "ci_high": [0.9, None],
            "reliable": [True, False],
            "reason": ["", "small_n"],
        }
    )
    return [
        plots.likert_diverging(likert_table, title="Titel"),
        plots.lab_profile(profile_table, title="Titel"),
        plots.achtje(cells),
        plots.lab_heatmap(heat),
        plots.forest(eff),
        plots.change_plot(change),
        plots.reliability_chart(rel),
    ]


def test_figures_are_a4_wide_readable_and_leave_pyplot_alone(likert_table, profile_table):
    before = plt.get_fignums()
    rc_before = dict(mpl.rcParams)
    figs = _all_figures(likert_table, profile_table)
    assert plt.get_fignums() == before  # nothing registered with pyplot
    assert dict(mpl.rcParams) == rc_before  # style applied locally only
    for fig in figs:
        assert isinstance(fig, Figure)
        w, hgt = fig.get_size_inches()
        assert w == pytest.approx(style.A4_WIDTH)
        assert 1 <= hgt <= 10
        fig.canvas.draw()
        small = [
            (t.get_text(), t.get_fontsize())
            for t in fig.findobj(Text)
            if t.get_visible() and t.get_text() and t.get_fontsize() < style.MIN_FONT_PT
        ]
        assert small == [], small


def test_figure_texts_come_from_the_catalogue():
    assert style.msg("too_few_n", "en", min_cell=10) == "too few responses (fewer than 10)"
    assert style.too_few_text("nl", None) == "te weinig antwoorden"
    assert style.fmt_tick(-0.25, "nl") == "−0,25"
    assert style.fmt_tick(0.5, "en") == "0.5"
    assert style.fmt_tick(-0.0) == "0"
    assert style.fmt_pct(12.5) == "13%"


def test_suppressed_mask():
    df = pd.DataFrame({"v": [1.0, None, 2.0], "suppressed": [False, False, True]})
    assert style.suppressed_mask(df, ["v"]).tolist() == [False, True, True]
    assert style.suppressed_mask(df[["v"]], ["v"]).tolist() == [False, True, False]


@pytest.mark.parametrize(
    ("func", "columns"),
    [
        (plots.likert_diverging, ["label", "category", "n", "n_missing", "suppressed"]),
        (
            plots.lab_profile,
            ["scale_label", "domain_label", "estimate", "ci_low", "ci_high", "programme_mean", "n"],
        ),
        (plots.lab_heatmap, ["lab_label", "scale_label", "diff", "vs_programme", "suppressed"]),
        (plots.forest, ["label", "estimate", "ci_low", "ci_high"]),
        (
            plots.change_plot,
            ["scale_label", "mean_from", "mean_to", "diff", "ci_low", "ci_high", "n_paired"],
        ),
        (
            plots.reliability_chart,
            ["scale_label", "group_label", "alpha", "ci_low", "ci_high", "reliable"],
        ),
    ],
)
def test_empty_table_gives_a_no_data_figure(func, columns, h):
    fig = func(pd.DataFrame(columns=columns), lang="en")
    assert "no data to show" in h.all_texts(fig)
    assert style.figure_to_png_bytes(fig, dpi=50)[:4] == b"\x89PNG"


def test_achtje_without_rows_shows_six_placeholders(h):
    fig = plots.achtje(pd.DataFrame(columns=["level", "school_type", "mean", "n"]))
    assert len(h.by_gid(fig.axes[0], "placeholder")) == 6
