"""trajectory_plot: lab estimates over the waves, the programme, the subsidy's end, suppression."""

from __future__ import annotations

import numpy as np
import pandas as pd

from leerlab_research.plots.trajectory import trajectory_plot


def _traj(after: tuple[float, float, float] = (0.0, 0.0, 0.75)) -> pd.DataFrame:
    rows = []
    for scale, base in (("commitment", 3.6), ("faciliteren", 3.2), ("evalueren", 3.4)):
        for k, (wave, time) in enumerate((("T0", 0.0), ("T1", 0.69), ("T2", 1.69))):
            rows.append(
                {
                    "scale": scale,
                    "wave": wave,
                    "time": time,
                    "after": after[k],
                    "n": 30 - 4 * k,
                    "raw_mean": base + 0.1 * k,
                    "estimate": base + 0.05 * k,
                    "ci_low": base + 0.05 * k - 0.2,
                    "ci_high": base + 0.05 * k + 0.2,
                    "programme_estimate": 3.5,
                    "suppressed": False,
                }
            )
    return pd.DataFrame(rows)


def _lines(ax, gid):
    return [ln for ln in ax.get_lines() if ln.get_gid() == gid]


def test_lab_and_programme_lines_per_scale_with_waves_by_time():
    t = _traj()
    fig = trajectory_plot(t, wave_labels={"T0": "Start", "T1": "Einde", "T2": "Later"})
    axes = [ax for ax in fig.axes if ax.axison]
    assert len(axes) == 3
    (lab,) = _lines(axes[0], "lab")
    np.testing.assert_allclose(lab.get_xdata(), [0.0, 0.69, 1.69])
    np.testing.assert_allclose(lab.get_ydata(), t.loc[t["scale"] == "commitment", "estimate"])
    (raw,) = _lines(axes[0], "raw")
    np.testing.assert_allclose(raw.get_ydata(), t.loc[t["scale"] == "commitment", "raw_mean"])
    assert _lines(axes[0], "programme")
    fig.draw_without_rendering()
    labels = [x.get_text() for x in axes[-1].get_xticklabels()]
    assert labels == ["Start\nn = 30", "Einde\nn = 26", "Later\nn = 22"]
    # the end of the subsidy: T2 lies 0.75 year after it
    (end,) = _lines(axes[0], "subsidy_end")
    assert end.get_xdata()[0] == np.float64(1.69 - 0.75)


def test_no_subsidy_line_without_a_wave_after_it():
    fig = trajectory_plot(_traj(after=(0.0, 0.0, 0.0)))
    assert not _lines(fig.axes[0], "subsidy_end")


def test_suppressed_cell_shows_no_value():
    t = _traj()
    hide = (t["scale"] == "commitment") & (t["wave"] == "T1")
    t.loc[hide, ["n", "raw_mean", "estimate", "ci_low", "ci_high"]] = np.nan
    t.loc[hide, "suppressed"] = True
    fig = trajectory_plot(t, min_cell=5)
    ax = fig.axes[0]
    (lab,) = _lines(ax, "lab")
    np.testing.assert_allclose(lab.get_xdata(), [0.0, 1.69])
    texts = [x.get_text() for x in ax.texts]
    assert "n < 5" in texts
    assert not any(x.startswith("n = ") and x.endswith("26") for x in texts)


def test_empty_or_undated_gives_empty_figure():
    t = _traj()
    t["time"] = np.nan
    fig = trajectory_plot(t)
    assert len(fig.axes) == 1 and not fig.axes[0].axison


def test_long_wave_labels_of_close_waves_do_not_overlap():
    """The study's wave labels (start and end of the subsidy year lie 0.69 years apart) wrap,
    so neighbouring tick labels keep at least a letter's width apart once laid out (unwrapped
    they came within 6 px, reading as one word: "Start subsidiejaarEinde subsidiejaar")."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    labels = {"T0": "Start subsidiejaar", "T1": "Einde subsidiejaar", "T2": "Een jaar later"}
    fig = trajectory_plot(_traj(), wave_labels=labels)
    FigureCanvasAgg(fig).draw()
    ax = [a for a in fig.axes if a.axison][-1]
    ticks = ax.get_xticklabels()
    assert [t.get_text().replace("\n", " ") for t in ticks] == [
        f"{label} n = {n}" for label, n in zip(labels.values(), (30, 26, 22), strict=True)
    ]
    boxes = [t.get_window_extent() for t in ticks]
    em = ticks[0].get_fontsize() * fig.dpi / 72
    assert all(b.x0 - a.x1 > em for a, b in zip(boxes, boxes[1:], strict=False)), boxes


def test_n_labels_stand_under_the_axis_clear_of_every_line_and_panel():
    """The "n = 23" labels sat on the lines (annotations beside the raw means): each
    panel now shows its waves' n under their labels, below its own plotting area and
    above the next row's panel."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    t = _traj()
    # the n differs per scale: each panel shows its own
    t.loc[t["scale"] == "evalueren", "n"] = [11, 12, 13]
    fig = trajectory_plot(t, wave_labels={"T0": "Start", "T1": "Einde", "T2": "Later"})
    FigureCanvasAgg(fig).draw()
    axes = [a for a in fig.axes if a.axison]
    for ax in axes:
        assert not [x for x in ax.texts if x.get_text().startswith("n = ")]
    top, _right, bottom = axes
    assert [x.get_text().split("\n")[1] for x in top.get_xticklabels()] == [
        "n = 30",
        "n = 26",
        "n = 22",
    ]
    assert [x.get_text().split("\n")[1] for x in bottom.get_xticklabels()] == [
        "n = 11",
        "n = 12",
        "n = 13",
    ]
    below = bottom.get_window_extent().y1  # the panel of the next row starts here
    for tick in top.get_xticklabels():
        box = tick.get_window_extent()
        assert box.y1 <= top.get_window_extent().y0  # outside the plotting area
        assert box.y0 > below + bottom.title.get_window_extent().height


def test_end_labels_stay_inside_the_figure_and_clear_of_the_next_panel():
    """The last wave's label ran off the figure's right edge and into the next panel's first."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    labels = {"T0": "Start subsidiejaar", "T1": "Einde subsidiejaar", "T2": "Een jaar later"}
    fig = trajectory_plot(_traj(), wave_labels=labels)
    FigureCanvasAgg(fig).draw()
    left, right = fig.axes[0], fig.axes[1]
    for ax in (left, right):
        # within the panel's own width: constrained layout does not always make room
        # for labels that stick out (the report's figure cut "Een jaar later" off)
        span = ax.get_window_extent()
        for tick in ax.get_xticklabels():
            box = tick.get_window_extent()
            assert span.x0 - 1 <= box.x0 and box.x1 <= span.x1 + 1, tick.get_text()
    last = left.get_xticklabels()[-1].get_window_extent()
    first = right.get_xticklabels()[0].get_window_extent()
    assert first.x0 - last.x1 > 0.5 * left.get_xticklabels()[0].get_fontsize()


def test_rows_are_short_and_an_odd_panel_count_puts_the_legend_in_the_free_slot():
    """A domain of five scales was 7.6 in tall (2.2 in a row plus a legend row) and left
    half a lab report's page empty; rows are now 1.85 in, and the free slot of an odd
    number of panels holds the legend instead of a row of its own."""
    from leerlab_research.plots.trajectory import LEGEND_HEIGHT, ROW_HEIGHT

    three = trajectory_plot(_traj())
    assert three.get_size_inches()[1] == ROW_HEIGHT * 2  # no legend row
    slot = [ax for ax in three.axes if not ax.axison]
    assert len(slot) == 1 and slot[0].get_legend() is not None
    assert not three.legends  # no figure legend besides
    two = trajectory_plot(_traj()[lambda d: d["scale"] != "evalueren"])
    assert two.get_size_inches()[1] == ROW_HEIGHT + LEGEND_HEIGHT
    assert len(two.legends) == 1 and all(ax.axison for ax in two.axes)
