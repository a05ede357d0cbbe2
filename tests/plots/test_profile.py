"""lab_profile and change_plot: plotted data, headings, labels, suppression."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg

from leerlab_research.plots import change_plot, lab_profile


def _line(fig, gid):
    lines = [ln for ln in fig.axes[0].get_lines() if ln.get_gid() == gid]
    assert len(lines) == 1, gid
    return lines[0]


def test_profile_plots_estimates_and_intervals(profile_table, h):
    fig = lab_profile(profile_table)
    shown = profile_table[~profile_table["suppressed"]]
    est = _line(fig, "estimate")
    np.testing.assert_allclose(est.get_xdata(), shown["estimate"])
    (ci,) = h.by_gid(fig.axes[0], "ci")
    segs = np.array(ci.get_segments())
    np.testing.assert_allclose(segs[:, 0, 0], shown["ci_low"])
    np.testing.assert_allclose(segs[:, 1, 0], shown["ci_high"])
    # Each interval sits on its estimate's row.
    np.testing.assert_allclose(segs[:, 0, 1], est.get_ydata())
    prog = _line(fig, "programme-mean")
    np.testing.assert_allclose(prog.get_xdata(), shown["programme_mean"])
    assert fig.axes[0].get_xlim()[0] <= 1 and fig.axes[0].get_xlim()[1] >= 5
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == ["1", "2", "3", "4", "5"]


def test_profile_domain_headings_in_order_and_scales_under_them(profile_table, codebook, h):
    fig = lab_profile(profile_table)
    headings = sorted(h.by_gid(fig.axes[0], "domain-heading"), key=lambda t: t.get_position()[1])
    assert [t.get_text() for t in headings] == [
        d.label.get("nl") for d in codebook.domains.values()
    ]
    ticks = fig.axes[0].get_yticks()
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert labels == [s.label.get("nl") for s in codebook.scales.values()]
    # Every scale lies below its own domain heading and above the next one.
    head_y = [t.get_position()[1] for t in headings]
    for (_, row), y in zip(profile_table.iterrows(), ticks, strict=True):
        k = list(codebook.domains).index(row["domain"])
        assert y > head_y[k]
        if k + 1 < len(head_y):
            assert y < head_y[k + 1]


def test_profile_suppressed_scale_shows_no_value(profile_table, h):
    fig = lab_profile(profile_table, min_cell=5)
    texts = h.all_texts(fig)
    assert "te weinig antwoorden (minder dan 5)" in texts
    # Suppressed 'faciliteren' has estimate 4.37 and n = 3.
    assert not any("4,4" in t or "4,37" in t or "n = 3" in t for t in texts)
    assert "3,4   n = 23" in texts  # a shown scale: value and n
    assert len(_line(fig, "estimate").get_xdata()) == 8


def test_profile_english_fixed_texts(profile_table, h):
    df = profile_table.copy()
    fig = lab_profile(df, lang="en")
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend == ["Leerlab, with 95% interval", "Programme mean"]
    assert fig.axes[0].get_xlabel().startswith("Mean (1 = strongly disagree")
    assert "3.4   n = 23" in h.all_texts(fig)


def test_profile_nan_estimate_is_suppressed(profile_table):
    df = profile_table.assign(suppressed=False)
    df.loc[0, "estimate"] = np.nan
    fig = lab_profile(df)
    assert len(_line(fig, "estimate").get_xdata()) == 8


@pytest.fixture
def change_table(profile_table) -> pd.DataFrame:
    df = profile_table[["scale_label", "suppressed"]].copy()
    df["mean_from"] = np.linspace(2.6, 3.8, len(df))
    df["mean_to"] = df["mean_from"] + 0.2
    df["diff"] = 0.2
    df["ci_low"] = -0.05
    df["ci_high"] = 0.45
    df["n_paired"] = range(11, 11 + len(df))
    return df


def test_change_plot_draws_both_waves_and_intervals(change_table, h):
    fig = change_plot(change_table)
    shown = change_table[~change_table["suppressed"]]
    np.testing.assert_allclose(_line(fig, "from").get_xdata(), shown["mean_from"])
    np.testing.assert_allclose(_line(fig, "to").get_xdata(), shown["mean_to"])
    (ci,) = h.by_gid(fig.axes[1], "ci")
    segs = np.array(ci.get_segments())
    np.testing.assert_allclose(segs[:, 0, 0], shown["ci_low"])
    np.testing.assert_allclose(segs[:, 1, 0], shown["ci_high"])
    n_texts = [t.get_text() for t in h.by_gid(fig, "n")]
    assert n_texts == [f"n = {k}" for k in shown["n_paired"]]
    texts = h.all_texts(fig)
    supp_n = int(change_table.loc[change_table["suppressed"], "n_paired"].iloc[0])
    assert f"n = {supp_n}" not in texts
    assert "te weinig antwoorden (minder dan 5)" in texts
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend == ["Eerdere meting", "Latere meting"]


def test_change_plot_takes_its_n_text_from_the_table(change_table, h):
    """The change of wave means shows both wave sizes; a blank n_paired hides nothing then."""
    df = change_table.drop(columns="n_paired")
    df["n_text"] = [f"n = {30 + k} → {20 + k}" for k in range(len(df))]
    df["hidden_text"] = "verborgen om een kleinere groep te beschermen"
    fig = change_plot(df)
    shown = df[~df["suppressed"]]
    assert [t.get_text() for t in h.by_gid(fig, "n")] == shown["n_text"].tolist()
    texts = h.all_texts(fig)
    assert "verborgen om een kleinere groep te beschermen" in texts  # the true reason
    assert "te weinig antwoorden (minder dan 5)" not in texts
    np.testing.assert_allclose(_line(fig, "to").get_xdata(), shown["mean_to"])


def test_change_plot_names_the_waves_by_their_study_labels(change_table, h):
    """Any two waves (not only T0 → T1): legend and axis title carry the labels given."""
    fig = change_plot(
        change_table, lang="en", from_label="End of the subsidy year", to_label="One year later"
    )
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend == ["End of the subsidy year", "One year later"]
    title = fig.axes[1].get_xlabel().replace("\n", " ")
    assert "Change: End of the subsidy year → One year later" in title
    assert not any("T0" in t or "T1" in t for t in h.all_texts(fig))
    # long labels wrap: the axis title stays inside the figure
    for lang, labels in (("en", ("End of the subsidy year", "One year later")),
                         ("nl", ("Einde subsidiejaar", "Een jaar later"))):  # fmt: skip
        fig = change_plot(change_table, lang=lang, from_label=labels[0], to_label=labels[1])
        FigureCanvasAgg(fig).draw()  # lays the figure out as savefig does
        box = fig.axes[1].xaxis.label.get_window_extent()
        assert fig.bbox.x0 <= box.x0 and box.x1 <= fig.bbox.x1, (lang, box, fig.bbox)


def test_change_plot_english(change_table):
    fig = change_plot(change_table, lang="en")
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend == ["Earlier wave", "Later wave"]
    title = fig.axes[1].get_xlabel().replace("\n", " ")
    assert title.startswith("Change: Earlier wave → Later wave")
