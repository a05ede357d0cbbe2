"""likert_diverging: what is drawn (bar geometry, colours, labels, suppression)."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from leerlab_research.plots import LIKERT5, likert_diverging, likert_labels
from leerlab_research.plots.likert import LIKERT5_LABELS


def bars_of_row(fig, row: int) -> dict[int, object]:
    ax = fig.axes[0]
    out = {}
    for p in ax.patches:
        gid = p.get_gid() or ""
        if gid.startswith("likert-") and abs(p.get_y() + p.get_height() / 2 - row) < 1e-9:
            out[int(gid.split("-")[1])] = p
    return out


def test_bar_geometry_follows_heiberger_robbins(likert_table):
    fig = likert_diverging(likert_table)
    counts = np.array([3, 4, 6, 8, 9], dtype=float)
    pct = counts / counts.sum() * 100
    bars = bars_of_row(fig, 0)
    assert sorted(bars) == [1, 2, 3, 4, 5]
    widths = np.array([bars[k].get_width() for k in range(1, 6)])
    np.testing.assert_allclose(widths, pct)
    lefts = np.array([bars[k].get_x() for k in range(1, 6)])
    expected_lefts = -(pct[0] + pct[1] + pct[2] / 2) + np.r_[0, np.cumsum(pct)[:-1]]
    np.testing.assert_allclose(lefts, expected_lefts)
    # Neutral straddles zero, centred on it; negatives left, positives right.
    neutral = bars[3]
    assert neutral.get_x() + neutral.get_width() / 2 == pytest.approx(0.0)
    assert bars[2].get_x() + bars[2].get_width() == pytest.approx(neutral.get_x())
    assert bars[4].get_x() == pytest.approx(pct[2] / 2)


def test_rows_in_given_order_and_n_in_labels(likert_table, h):
    fig = likert_diverging(likert_table)
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert labels[0] == "Gedeelde ambitie (n = 30)"
    assert labels[1] == "Recht doen aan belangen"  # suppressed: no n
    assert labels[2] == "Passend proces (n = 20)"


def test_dont_know_shown_apart_as_share_of_all_answers(likert_table, h):
    fig = likert_diverging(likert_table)
    dk = [p for p in fig.axes[1].patches if p.get_gid() == "dont-know"]
    # Rows 0 and 2 only (row 1 is suppressed).
    assert len(dk) == 2
    first = min(dk, key=lambda p: p.get_y())
    assert first.get_width() == pytest.approx(3 / 33 * 100)
    assert "9%" in h.all_texts(fig)
    # The Likert bars use substantive answers only: they sum to 100 per row.
    assert sum(p.get_width() for p in bars_of_row(fig, 0).values()) == pytest.approx(100.0)


def test_suppressed_row_draws_nothing_and_no_number(likert_table, h):
    fig = likert_diverging(likert_table, min_cell=5)
    assert bars_of_row(fig, 1) == {}
    texts = h.all_texts(fig)
    assert "te weinig antwoorden (minder dan 5)" in texts
    # Row 1 has 3 answers (33% and 67%): none of these numbers may appear anywhere.
    nums = h.numbers_in(texts)
    assert not nums & {"3", "33", "67", "1", "2"}
    assert not any(re.search(r"n = 3\b", t) for t in texts)


def test_safety_net_suppresses_small_rows_even_unflagged(likert_table):
    df = likert_table.assign(suppressed=False)
    fig = likert_diverging(df, min_cell=5)
    assert bars_of_row(fig, 1) == {}
    fig = likert_diverging(df, min_cell=None)
    assert len(bars_of_row(fig, 1)) == 5


def test_nan_counts_suppress_the_row(likert_table):
    df = likert_table.copy()
    df.loc[(df["label"] == "Passend proces") & (df["category"] == 4), "n"] = np.nan
    fig = likert_diverging(df)
    assert bars_of_row(fig, 2) == {}


def test_palette_is_colour_blind_safe_brbg(likert_table):
    fig = likert_diverging(likert_table)
    from matplotlib.colors import to_hex

    for k, bar in bars_of_row(fig, 0).items():
        assert to_hex(bar.get_facecolor()) == LIKERT5[k - 1]


def test_legend_uses_codebook_labels_nl_and_en(likert_table, codebook):
    assert LIKERT5_LABELS["nl"] == likert_labels(codebook, "nl")
    assert LIKERT5_LABELS["en"] == likert_labels(codebook, "en")
    fig = likert_diverging(likert_table)
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend == [codebook.value_sets["likert5"].labels[k].get("nl") for k in range(1, 6)]
    fig = likert_diverging(likert_table, lang="en")
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend == ["Strongly disagree", "Disagree", "Neutral", "Agree", "Strongly agree"]
    assert fig.axes[0].get_xlabel() == "% of substantive answers"


def test_missing_category_counts_as_zero():
    df = pd.DataFrame({"label": ["x"] * 3, "category": [1, 4, 5], "n": [5, 10, 5], "n_missing": 0})
    fig = likert_diverging(df)
    bars = bars_of_row(fig, 0)
    assert bars[2].get_width() == 0 and bars[3].get_width() == 0
    assert bars[4].get_x() == pytest.approx(0.0)


def test_bad_input_is_reported():
    with pytest.raises(ValueError, match="missing column"):
        likert_diverging(pd.DataFrame({"label": ["x"], "n": [1]}))
    with pytest.raises(ValueError, match="lang"):
        likert_diverging(pd.DataFrame({"label": ["x"], "category": [1], "n": [9]}), lang="de")


def test_axis_labels_do_not_run_together_or_off_the_figure():
    """A wide extent (±100%) gets at most five tick labels (nine ran into each other), and
    the 'weet niet' panel's title and axis label stay inside the figure (they ran past
    its right edge)."""
    rows = [
        {"label": f"Uitspraak {i}", "category": k, "n": n, "n_missing": 2, "suppressed": False}
        for i, counts in enumerate(([30, 2, 1, 1, 1], [1, 1, 1, 2, 30]))
        for k, n in enumerate(counts, start=1)
    ]
    fig = likert_diverging(pd.DataFrame(rows), show_n=False)
    ax, ax_dk = fig.axes[0], fig.axes[1]
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert labels[0] == "100%" and labels[-1] == "100%" and "0%" in labels
    assert len(labels) <= 5
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)  # the figure is not registered with pyplot
    canvas.draw()
    renderer = canvas.get_renderer()
    right = fig.bbox.x1
    for text in (ax_dk.title, ax_dk.xaxis.label):
        assert text.get_window_extent(renderer).x1 <= right + 0.5, text.get_text()
