"""achtje: six cells, n texts, gaps, suppressed cells hidden."""

from __future__ import annotations

import pandas as pd
import pytest

from leerlab_research.plots import achtje


@pytest.fixture
def cells() -> pd.DataFrame:
    rows = [
        ("bestuur", "vmbo", 3.8, 6, False),
        ("bestuur", "mbo", 2.9, 1, True),
        ("management", "vmbo", 3.4, 9, False),
        ("management", "mbo", 3.6, 11, False),
        ("docent", "vmbo", 2.8, 40, False),
        ("docent", "mbo", 3.5, 62, False),
    ]
    return pd.DataFrame(rows, columns=["level", "school_type", "mean", "n", "suppressed"])


def _cells_drawn(fig) -> dict[str, float]:
    ax = fig.axes[0]
    return {
        ln.get_gid(): float(ln.get_xdata()[0])
        for ln in ax.get_lines()
        if (ln.get_gid() or "").startswith("cell-")
    }


def test_six_cells_with_means_and_n(cells, h):
    fig = achtje(cells)
    drawn = _cells_drawn(fig)
    placeholders = h.by_gid(fig.axes[0], "placeholder")
    assert len(drawn) + len(placeholders) == 6
    assert drawn == {
        "cell-bestuur-vmbo": 3.8,
        "cell-management-vmbo": 3.4,
        "cell-management-mbo": 3.6,
        "cell-docent-vmbo": 2.8,
        "cell-docent-mbo": 3.5,
    }
    texts = [t.get_text() for t in h.by_gid(fig.axes[0], "cell-text")]
    assert sorted(texts) == sorted(
        ["3,8  (n = 6)", "3,4  (n = 9)", "3,6  (n = 11)", "2,8  (n = 40)", "3,5  (n = 62)"]
    )


def test_levels_top_to_bottom_and_gaps(cells, h):
    fig = achtje(cells)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Bestuur", "Management", "Docenten"]
    y_of = {ln.get_gid(): ln.get_ydata()[0] for ln in ax.get_lines()}
    assert y_of["cell-bestuur-vmbo"] < y_of["cell-management-vmbo"] < y_of["cell-docent-vmbo"]
    gaps = h.by_gid(ax, "gap")
    # Only levels with both schools shown get a connecting line.
    assert len(gaps) == 2
    assert sorted(tuple(g.get_xdata()) for g in gaps) == [(2.8, 3.5), (3.4, 3.6)]
    gap_texts = sorted(t.get_text() for t in h.by_gid(ax, "gap-text"))
    assert gap_texts == ["mbo − vmbo: +0,2", "mbo − vmbo: +0,7"]


def test_suppressed_cell_is_placeholder_without_value(cells, h):
    fig = achtje(cells, min_cell=5)
    texts = h.all_texts(fig)
    assert "mbo: te weinig antwoorden (minder dan 5)" in texts
    assert not any("2,9" in t or "n = 1)" in t for t in texts)


def test_small_or_missing_cells_are_suppressed(cells, h):
    df = cells.assign(suppressed=False)
    df = df[~((df["level"] == "docent") & (df["school_type"] == "mbo"))]
    fig = achtje(df, min_cell=5)
    drawn = _cells_drawn(fig)
    assert "cell-bestuur-mbo" not in drawn  # n = 1 < 5, safety net
    assert "cell-docent-mbo" not in drawn  # absent
    assert len(drawn) + len(h.by_gid(fig.axes[0], "placeholder")) == 6
    assert not any("2,9" in t for t in h.all_texts(fig))


def test_english_labels(cells, h):
    fig = achtje(cells, lang="en")
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Board", "Management", "Teachers"]
    assert "mbo: too few responses (fewer than 5)" in h.all_texts(fig)
    assert "3.8  (n = 6)" in h.all_texts(fig)


def test_school_colours_are_okabe_ito(cells):
    from matplotlib.colors import to_hex

    from leerlab_research.plots.style import OKABE_ITO, SCHOOL_COLOURS

    fig = achtje(cells)
    lines = {ln.get_gid(): ln for ln in fig.axes[0].get_lines()}
    assert to_hex(lines["cell-docent-vmbo"].get_color()) == SCHOOL_COLOURS["vmbo"].lower()
    assert to_hex(lines["cell-docent-mbo"].get_color()) == SCHOOL_COLOURS["mbo"].lower()
    assert set(SCHOOL_COLOURS.values()) <= set(OKABE_ITO)


def test_achtje_margins_draws_shown_rows_and_hides_suppressed():
    import math

    import pandas as pd

    from leerlab_research.plots import achtje_margins

    margins = pd.DataFrame(
        {
            "dimension": ["level", "level", "school_type", "school_type"],
            "group": ["leiding", "docent", "vmbo", "mbo"],
            "mean": [math.nan, 3.1, 3.2, 3.3],
            "ci_low": [math.nan, 2.9, 2.9, 3.0],
            "ci_high": [math.nan, 3.3, 3.5, 3.6],
            "n": [math.nan, 20, 12, 3],
            "suppressed": [True, False, False, False],
            "suppression_reason": ["complementary", "", "", ""],
            "label": ["", "Docenten en overige rollen", "", ""],
        }
    )
    fig = achtje_margins(margins, min_cell=5, lab_mean=3.25)
    ax = fig.axes[0]
    drawn = {ln.get_gid(): ln for ln in ax.lines if ln.get_gid()}
    # leiding is flagged, mbo is below min_cell: neither is drawn
    assert "margin-leiding" not in drawn and "margin-mbo" not in drawn
    assert drawn["margin-docent"].get_xdata()[0] == 3.1
    assert list(drawn["ci-vmbo"].get_xdata()) == [2.9, 3.5]
    assert drawn["lab-mean"].get_xdata()[0] == 3.25
    texts = [t.get_text() for t in ax.texts]
    assert "3,1  (n = 20)" in texts
    assert not any("3,3" in t or "n = 3" in t for t in texts)
    holders = [t.get_text() for t in ax.texts if t.get_gid() == "placeholder"]
    # the true reason: complementary is not "too few answers"
    assert holders == [
        "verborgen om een kleinere groep te beschermen",
        "te weinig antwoorden (minder dan 5)",
    ]
    assert "Docenten en overige rollen" in [t.get_text() for t in ax.get_yticklabels()]
