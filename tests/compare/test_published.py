"""Tests of compare/published.py: the fieldwork dates and the focus-area table."""

from __future__ import annotations

import numpy as np
import pandas as pd

from leerlab_research.compare import published
from leerlab_research.compare.common import ALL


def _clean() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "wave": ["T0", "T0", "T0", "T1", "T1"],
            "submitted_at": pd.to_datetime(
                [
                    "2022-09-07 14:00",
                    "2022-09-26 08:30",
                    None,
                    "2023-05-15 23:59",
                    "2023-06-06 10:00",
                ]
            ),
        }
    )


def test_fieldwork_dates_per_wave_and_overall():
    d = published.fieldwork_dates(_clean()).set_index("wave")
    assert d.loc["T0", "first_submitted"] == "2022-09-07"
    assert d.loc["T0", "last_submitted"] == "2022-09-26"  # the day, not the time
    assert d.loc["T1", "first_submitted"] == "2023-05-15"
    assert d.loc[ALL].tolist() == ["2022-09-07", "2023-06-06"]


def test_fieldwork_dates_without_times_are_blank():
    clean = _clean().assign(submitted_at=pd.NaT)
    d = published.fieldwork_dates(clean)
    assert d["first_submitted"].isna().all() and d["last_submitted"].isna().all()


def test_response_table_dates_on_programme_rows_only():
    df = pd.DataFrame(
        {
            "wave": ["T0"] * 12,
            "lab": ["a"] * 6 + ["b"] * 6,
            "respondent_id": [f"r{i}" for i in range(12)],
        }
    )
    dates = published.fieldwork_dates(_clean())
    t = published.response_table(df, min_cell=5, dates=dates)
    prog = t[t["lab"] == ALL].set_index("wave")
    assert prog.loc["T0", "first_submitted"] == "2022-09-07"
    assert t.loc[t["lab"] != ALL, ["first_submitted", "last_submitted"]].isna().all().all()


def _focus_frame(counts: dict[str, tuple[int, int]]) -> pd.DataFrame:
    """Per lab: (questionnaires, of whom name curriculum); one in each lab skips the question."""
    rows = []
    for lab, (n, named) in counts.items():
        for i in range(n):
            rows.append(
                {
                    "wave": "T0",
                    "lab": lab,
                    "focus_curriculum": pd.NA if i == n - 1 else i < named,
                    "focus_leerling": pd.NA if i == n - 1 else True,
                    "focus_docent": pd.NA if i == n - 1 else False,
                }
            )
    df = pd.DataFrame(rows)
    for c in ("focus_curriculum", "focus_leerling", "focus_docent"):
        df[c] = df[c].astype("boolean")
    return df


def _responses(hidden: dict[str, str] | None = None) -> pd.DataFrame:
    hidden = hidden or {}
    labs = ["a", "b", "c", ALL]
    return pd.DataFrame(
        {
            "wave": "T0",
            "lab": labs,
            "suppressed": [lab in hidden for lab in labs],
            "suppression_reason": [hidden.get(lab, "") for lab in labs],
        }
    )


def test_focus_counts_against_a_hand_count():
    df = _focus_frame({"a": (9, 6), "b": (7, 2), "c": (11, 11)})
    t = published.focus_table(df, _responses(), min_cell=5)
    cur = t[t["area"] == "curriculum"].set_index("lab")
    # the last questionnaire of each lab did not answer: n = questionnaires − 1
    assert cur.loc["a", ["n", "n_named"]].tolist() == [8, 6]
    assert cur.loc["b", ["n", "n_named"]].tolist() == [6, 2]
    assert cur.loc[ALL, ["n", "n_named"]].tolist() == [8 + 6 + 10, 6 + 2 + 10]
    assert np.isclose(cur.loc["b", "pct_named"], 100 * 2 / 6)
    assert (t.loc[t["area"] == "docent", "n_named"] == 0).all()
    assert not t["suppressed"].any()


def test_focus_small_lab_hidden_and_protected_by_subtraction():
    # lab b: 3 answers → primary; one other lab must go too (programme = a + b + c)
    df = _focus_frame({"a": (9, 6), "b": (4, 2), "c": (11, 11)})
    t = published.focus_table(df, _responses(), min_cell=5)
    cur = t[t["area"] == "curriculum"].set_index("lab")
    assert cur.loc["b", "suppression_reason"] == "primary"
    assert np.isnan(cur.loc["b", "n"]) and np.isnan(cur.loc["b", "pct_named"])
    assert (cur["suppression_reason"] == "complementary").sum() >= 1


def test_focus_inherits_the_true_reason_of_responses():
    df = _focus_frame({"a": (9, 6), "b": (7, 2), "c": (11, 11)})
    t = published.focus_table(df, _responses({"a": "complementary", "b": "primary"}), min_cell=5)
    cur = t[t["area"] == "curriculum"].set_index("lab")
    assert cur.loc["a", "suppression_reason"] == "complementary"
    assert cur.loc["b", "suppression_reason"] == "primary"
