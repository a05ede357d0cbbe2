"""lab_heatmap, forest, reliability_chart: what is drawn."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from leerlab_research.plots import forest, lab_heatmap, reliability_chart
from leerlab_research.plots.overview import fmt_p
from leerlab_research.plots.style import CATEGORY_ORDER, DIVERGING_CMAP

# ---------------------------------------------------------------- heatmap


@pytest.fixture
def heat(codebook) -> pd.DataFrame:
    labs = ["Weert", "Almere", "Zwolle"]  # caller's order, deliberately not sorted
    scales = [s.label.get("nl") for s in list(codebook.scales.values())[:3]]
    diffs = np.array([[0.31, -0.05, 0.12], [-0.42, 0.77, 0.0], [0.05, -0.22, 0.18]])
    rows = []
    for i, lab in enumerate(labs):
        for j, scale in enumerate(scales):
            d = diffs[i, j]
            rows.append(
                {
                    "lab_label": lab,
                    "scale_label": scale,
                    "diff": d,
                    "vs_programme": "above"
                    if d > 0.25
                    else "below"
                    if d < -0.2
                    else "indistinguishable",
                    "suppressed": lab == "Almere" and j == 1,
                }
            )
    return pd.DataFrame(rows)


def test_heatmap_array_is_the_diffs_with_nan_for_suppressed(heat):
    fig = lab_heatmap(heat)
    ax = fig.axes[0]
    (image,) = ax.get_images()
    arr = np.ma.filled(image.get_array().astype(float), np.nan)
    expected = np.array([[0.31, -0.05, 0.12], [-0.42, np.nan, 0.0], [0.05, -0.22, 0.18]])
    np.testing.assert_allclose(arr, expected)
    assert image.get_cmap().name.startswith(DIVERGING_CMAP)
    norm = image.norm
    assert norm.vmin == pytest.approx(-norm.vmax)  # centred on zero


def test_heatmap_keeps_row_order_and_labels(heat, codebook):
    fig = lab_heatmap(heat)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Weert", "Almere", "Zwolle"]
    assert [t.get_text() for t in ax.get_xticklabels()] == [
        s.label.get("nl") for s in list(codebook.scales.values())[:3]
    ]


def test_heatmap_annotations_and_indistinguishable_marks(heat, h):
    fig = lab_heatmap(heat)
    ax = fig.axes[0]
    # position is (x = column, y = row)
    cell_texts = {
        (int(y), int(x)): t.get_text()
        for t in h.by_gid(ax, "cell-text")
        for x, y in [t.get_position()]
    }
    assert len(cell_texts) == 8
    assert cell_texts[(0, 0)] == "+0,3"
    assert cell_texts[(1, 0)] == "−0,4"
    assert cell_texts[(1, 2)] == "0,0"  # no sign on zero
    assert (1, 1) not in cell_texts
    overlays = h.by_gid(ax, "indistinguishable")
    shown = heat[~heat["suppressed"]]
    assert len(overlays) == int((shown["vs_programme"] == "indistinguishable").sum())
    # The suppressed cell (diff 0.77) shows "n < 5" and no value.
    texts = h.all_texts(fig)
    assert "n < 5" in texts
    assert not any("0,8" in t or "0,77" in t for t in texts)
    assert "Lichte, gearceerde cellen" in fig._supxlabel.get_text()


def test_heatmap_english(heat):
    fig = lab_heatmap(heat, lang="en")
    assert fig._supxlabel.get_text().startswith("Light, hatched cells")
    assert "Difference from the" in fig.axes[1].get_ylabel()


# ---------------------------------------------------------------- forest


@pytest.fixture
def effects() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "label": ["vmbo − mbo", "vmbo − mbo", "bestuur − docent", "bestuur − docent"],
            "estimate": [-0.21, 0.05, 0.41, np.nan],
            "ci_low": [-0.38, -0.12, 0.10, np.nan],
            "ci_high": [-0.04, 0.22, 0.72, np.nan],
            "group": ["Gedeelde ambitie", "Passend proces", "Gedeelde ambitie", "Passend proces"],
            "p_adj": [0.03, 0.61, 0.0004, np.nan],
        }
    )


def test_forest_interval_extents_equal_cis(effects, h):
    fig = forest(effects)
    ax = fig.axes[0]
    cis = h.by_gid(ax, "ci")
    assert len(cis) == 2  # one collection per group
    got = sorted(tuple(np.round(s[:, 0], 9)) for c in cis for s in c.get_segments())
    want = sorted(
        (lo, hi) for lo, hi in zip(effects["ci_low"], effects["ci_high"], strict=True) if lo == lo
    )
    assert got == want
    ests = sorted(x for ln in h.by_gid(ax, "estimate") for x in ln.get_xdata())
    assert ests == sorted([-0.21, 0.05, 0.41])
    (zero,) = h.by_gid(ax, "zero")
    assert list(zero.get_xdata()) == [0, 0]


def test_forest_groups_colours_p_and_suppression(effects, h):
    from matplotlib.colors import to_hex

    fig = forest(effects)
    ax = fig.axes[0]
    colours = [to_hex(c.get_color()[0]) for c in h.by_gid(ax, "ci")]
    assert colours == [CATEGORY_ORDER[0].lower(), CATEGORY_ORDER[1].lower()]
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend == ["Gedeelde ambitie", "Passend proces"]
    p_texts = [t.get_text() for t in h.by_gid(ax, "p-text")]
    assert p_texts == ["0,030", "0,610", "< 0,001"]
    texts = h.all_texts(fig)
    assert "te weinig antwoorden (minder dan 5)" in texts
    assert fmt_p(0.0123, "en") == "0.012"
    assert [t.get_text() for t in ax.get_yticklabels()] == ["vmbo − mbo", "bestuur − docent"]


def test_forest_without_group_and_english(effects):
    fig = forest(effects.drop(columns=["group", "p_adj"]).iloc[[0, 2]], lang="en")
    ax = fig.axes[0]
    assert ax.get_xlabel() == "Difference (95% interval)"
    assert not fig.legends
    assert forest(effects).axes[0].get_xlabel() == "Verschil (95%-interval)"


# ---------------------------------------------------------------- reliability


@pytest.fixture
def rel() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "scale_label": ["Gedeelde ambitie"] * 3 + ["Passend proces"] * 3,
            "group_label": ["vmbo", "mbo", "bestuur"] * 2,
            "alpha": [0.81, 0.74, 0.52, 0.66, 0.79, 0.91],
            "ci_low": [0.75, 0.66, np.nan, 0.58, 0.72, np.nan],
            "ci_high": [0.86, 0.80, np.nan, 0.73, 0.84, np.nan],
            "reliable": [True, True, False, True, True, False],
            "reason": ["", "", "small_n", "", "", "small_n"],
        }
    )


def test_reliability_marks_unreliable_rows(rel, h):
    fig = reliability_chart(rel)
    ax = fig.axes[0]
    reliable_x = sorted(x for ln in h.by_gid(ax, "alpha-reliable") for x in ln.get_xdata())
    assert reliable_x == sorted([0.81, 0.74, 0.66, 0.79])
    (weak,) = h.by_gid(ax, "alpha-unreliable")
    np.testing.assert_allclose(sorted(weak.get_offsets()[:, 0]), [0.52, 0.91])
    # Hollow: white fill.
    assert all(tuple(fc[:3]) == (1.0, 1.0, 1.0) for fc in weak.get_facecolors())
    # No interval for unreliable rows: only the four reliable ones have segments.
    segs = [s for c in h.by_gid(ax, "ci") for s in c.get_segments()]
    assert len(segs) == 4
    assert sorted((s[0, 0], s[1, 0]) for s in segs) == sorted(
        [(0.75, 0.86), (0.66, 0.80), (0.58, 0.73), (0.72, 0.84)]
    )
    (thr,) = h.by_gid(ax, "threshold")
    assert list(thr.get_xdata()) == [0.70, 0.70]
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend[-2:] == ["te kleine groep (geen interval)", "grens 0,70"]
    assert not any("small_n" in t for t in h.all_texts(fig))


def test_reliability_english(rel):
    fig = reliability_chart(rel, lang="en")
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend[-2:] == ["group too small (no interval)", "cut-off 0.70"]
    assert fig.axes[0].get_xlabel() == "Reliability (α)"
