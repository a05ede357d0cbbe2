"""Every figure's placeholder says the hidden cell's true reason (issue 12 §1).

A cell hidden by complementary suppression had enough answers: it is hidden so
that a smaller group cannot be worked out by subtraction. Its placeholder must say
so, never "te weinig antwoorden", in Dutch and in English.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from leerlab_research import plots
from leerlab_research.plots.trajectory import trajectory_plot

WORDS = {
    "nl": {
        "primary": "te weinig antwoorden (minder dan 5)",
        "complementary": "verborgen om een kleinere groep te beschermen",
        "primary_short": "n < 5",
        "complementary_short": "verborgen",
        "too_few": "te weinig",
    },
    "en": {
        "primary": "too few responses (fewer than 5)",
        "complementary": "hidden to protect a smaller group",
        "primary_short": "n < 5",
        "complementary_short": "hidden",
        "too_few": "too few",
    },
}


def _placeholders(fig) -> list[str]:
    return sorted(t.get_text() for ax in fig.axes for t in ax.texts if t.get_gid() == "placeholder")


def _profile(profile_table: pd.DataFrame) -> pd.DataFrame:
    df = profile_table.copy()
    df["suppression_reason"] = ""
    df.loc[df["scale"] == "faciliteren", "suppression_reason"] = "primary"
    hide = df.index[1]  # a second scale, hidden to protect faciliteren's lab
    df.loc[hide, ["suppressed", "suppression_reason", "n"]] = [True, "complementary", np.nan]
    return df


def _likert(likert_table: pd.DataFrame) -> pd.DataFrame:
    df = likert_table.copy()
    df["suppression_reason"] = np.where(df["suppressed"], "primary", "")
    comp = df["label"] == "Passend proces"  # 20 answers: enough, hidden for another group
    df.loc[comp, ["suppressed", "suppression_reason"]] = [True, "complementary"]
    return df


def _heat() -> pd.DataFrame:
    """Three labs x two scales: one cell primary, one complementary, one without a row."""
    return pd.DataFrame(
        {
            "lab_label": ["Weert", "Weert", "Almere", "Almere", "Zwolle"],
            "scale_label": ["A", "B", "A", "B", "A"],
            "diff": [0.3, np.nan, -0.1, np.nan, 0.2],
            "vs_programme": ["above", "suppressed", "indistinguishable", "suppressed", "above"],
            "suppressed": [False, True, False, True, False],
            "suppression_reason": ["", "primary", "", "complementary", ""],
        }
    )


def _traj() -> pd.DataFrame:
    rows = []
    for k, (wave, time) in enumerate((("T0", 0.0), ("T1", 0.69), ("T2", 1.69))):
        reason = ("", "complementary", "primary")[k]
        rows.append(
            {
                "scale": "commitment",
                "wave": wave,
                "time": time,
                "after": 0.0,
                "n": np.nan if reason else 30.0,
                "raw_mean": np.nan if reason else 3.6,
                "estimate": np.nan if reason else 3.5,
                "ci_low": np.nan if reason else 3.3,
                "ci_high": np.nan if reason else 3.7,
                "programme_estimate": 3.5,
                "suppressed": bool(reason),
                "suppression_reason": reason,
            }
        )
    return pd.DataFrame(rows)


def _margins() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "dimension": ["level", "level", "school_type", "school_type"],
            "group": ["leiding", "docent", "vmbo", "mbo"],
            "mean": [np.nan, 3.4, np.nan, 3.1],
            "ci_low": [np.nan, 3.1, np.nan, 2.8],
            "ci_high": [np.nan, 3.7, np.nan, 3.4],
            "n": [np.nan, 20, np.nan, 12],
            "suppressed": [True, False, True, False],
            "suppression_reason": ["primary", "", "complementary", ""],
        }
    )


def _cells() -> pd.DataFrame:
    rows = [
        ("bestuur", "vmbo", np.nan, np.nan, True, "primary"),
        ("bestuur", "mbo", np.nan, np.nan, True, "complementary"),
        ("management", "vmbo", 3.4, 9, False, ""),
        ("management", "mbo", 3.6, 11, False, ""),
        ("docent", "vmbo", 2.8, 40, False, ""),
        ("docent", "mbo", 3.5, 62, False, ""),
    ]
    cols = ["level", "school_type", "mean", "n", "suppressed", "suppression_reason"]
    return pd.DataFrame(rows, columns=cols)


def _effects() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "label": ["vmbo − mbo", "bestuur − docent"],
            "estimate": [-0.21, np.nan],
            "ci_low": [-0.38, np.nan],
            "ci_high": [-0.04, np.nan],
            "suppressed": [False, True],
            "suppression_reason": ["", "complementary"],
        }
    )


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_each_figure_says_the_true_reason(lang, profile_table, likert_table, codebook):
    """Primary says too few answers, complementary says it protects a smaller group."""
    w = WORDS[lang]
    full = sorted([w["primary"], w["complementary"]])
    figs = {
        "profile": (plots.lab_profile(_profile(profile_table), lang=lang), full),
        "likert": (plots.likert_diverging(_likert(likert_table), lang=lang), full),
        "margins": (plots.achtje_margins(_margins(), lang=lang), full),
        "achtje": (
            plots.achtje(_cells(), lang=lang),
            sorted(
                f"vmbo: {w['primary']}" if k == 0 else f"mbo: {w['complementary']}"
                for k in range(2)
            ),
        ),
        "trajectory": (
            trajectory_plot(_traj(), lang=lang),
            sorted([w["primary_short"], w["complementary_short"]]),
        ),
    }
    for name, (fig, expected) in figs.items():
        got = _placeholders(fig)
        if name == "achtje":  # the level names are capitalised per language
            got = [g.split(": ", 1)[0].lower() + ": " + g.split(": ", 1)[1] for g in got]
        assert got == expected, name


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_heatmap_and_forest_say_the_true_reason(lang):
    w = WORDS[lang]
    fig = plots.lab_heatmap(_heat(), lang=lang)
    texts = [t.get_text() for t in fig.axes[0].texts if t.get_gid() == "placeholder"]
    # Zwolle has no row for B: a dash, no reason it does not have
    assert sorted(texts) == sorted([w["primary_short"], w["complementary_short"], "–"])
    fig = plots.forest(_effects(), lang=lang)
    assert _placeholders(fig) == [w["complementary"]]
    assert not any(w["too_few"] in t for t in _placeholders(fig))


def test_change_plot_reads_suppression_reason_without_hidden_text(h):
    change = pd.DataFrame(
        {
            "scale_label": ["A", "B", "C"],
            "mean_from": [3.1, np.nan, np.nan],
            "mean_to": [3.3, np.nan, np.nan],
            "diff": [0.2, np.nan, np.nan],
            "ci_low": [0.0, np.nan, np.nan],
            "ci_high": [0.4, np.nan, np.nan],
            "n_paired": [20.0, np.nan, np.nan],
            "suppressed": [False, True, True],
            "suppression_reason": ["", "primary", "complementary"],
        }
    )
    texts = _placeholders(plots.change_plot(change))
    assert texts == sorted([WORDS["nl"]["primary"], WORDS["nl"]["complementary"]])


def test_without_a_reason_column_the_standalone_default_is_too_few(profile_table):
    """Figures drawn outside the pipeline keep their documented default."""
    assert _placeholders(plots.lab_profile(profile_table)) == [WORDS["nl"]["primary"]]
