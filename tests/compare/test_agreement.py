"""r_wg(J) and a_wg: a hand-computed case and R ``multilevel::rwg.j`` / ``awg`` values.

References: James, Demaree & Wolf (1984); Brown & Hauenstein (2005); R package
multilevel 2.7 (``rwg.j(lq2002[, c("TSIG01","TSIG02","TSIG03")], lq2002$COMPID, ranvar = 2)``
and the LEAD01–LEAD11 items, ``awg(..., range = c(1, 5))``), produced by
``results/reference.R`` and stored in ``results/rwgj_awg_*.csv``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from leerlab_research.compare import agreement, descriptives

# not `from conftest import`: tests/compare and tests/measurement both have a conftest
RESULTS = Path(__file__).resolve().parent / "results"


def test_uniform_null_variance():
    assert agreement.uniform_null_variance(5) == 2.0
    assert agreement.uniform_null_variance(7) == 4.0


def test_hand_computed_case():
    """Five raters, two items on 1–5.

    Item 1 = [4, 4, 4, 5, 3]: M = 4, s² = 0.5; item 2 = [2, 3, 3, 4, 3]: M = 3, s² = 0.5.
    r_wg(2): s̄² = 0.5, s̄²/σ²_EU = 0.25 → 2·0.75 / (2·0.75 + 0.25) = 1.5/1.75 = 0.857143.
    a_wg item 1: 1 − 2·0.5 / [((5+1)·4 − 16 − 5)·5/4] = 1 − 1/3.75 = 0.733333;
    item 2: 1 − 1 / [((6·3 − 9 − 5)·5/4] = 1 − 1/5 = 0.8; a_wg(2) = 0.766667.
    """
    x = np.array([[4, 2], [4, 3], [4, 3], [5, 4], [3, 3]], dtype=float)
    assert agreement.rwg_j(x) == pytest.approx(1.5 / 1.75, abs=1e-12)
    assert agreement.awg(x) == pytest.approx((1 - 1 / 3.75 + 0.8) / 2, abs=1e-12)
    # perfect agreement and maximal disagreement
    assert agreement.rwg_j(np.full((4, 3), 3.0)) == 1.0
    assert agreement.rwg_j(np.array([[1.0, 1], [5, 5], [1, 1], [5, 5]])) == 0.0  # s² > 2 truncated


@pytest.mark.parametrize(
    "which,items",
    [("tsig", ["TSIG01", "TSIG02", "TSIG03"]), ("lead", [f"LEAD{i:02d}" for i in range(1, 12)])],
)
def test_equal_to_r_multilevel(which, items):
    lq = pd.read_csv(RESULTS / "lq2002.csv")
    ref = pd.read_csv(RESULTS / f"rwgj_awg_{which}.csv").set_index("grpid")
    frame = lq.rename(columns={"COMPID": "lab"}).assign(wave="T0")
    frame["lab"] = frame["lab"].astype(str)
    scale = {"x": items}
    table = agreement.agreement_table(frame.assign(x=1.0), ["x"], scale, [], {}, min_cell=1)
    mine = table.set_index(["measure", "lab"])
    for grp, r in ref.iterrows():
        rw = mine.loc[("rwg_j", str(grp))]
        assert rw["value"] == pytest.approx(r["rwg_j"], abs=1e-10)
        assert rw["n"] == r["gsize"]
        aw = mine.loc[("awg", str(grp)), "value"]
        if pd.isna(r["awg"]):
            assert pd.isna(aw)
        else:
            assert aw == pytest.approx(r["awg"], abs=1e-10)


def test_gaps_and_suppression():
    rng = np.random.default_rng(0)
    rows = []
    for role, school, k in (
        ("bestuur", "vmbo", 6),
        ("management", "mbo", 7),
        ("docent", "vmbo", 10),
        ("docent", "mbo", 9),
        ("management", "vmbo", 2),
    ):
        for _ in range(k):
            rows.append(
                {
                    "respondent_id": str(len(rows)),
                    "lab": "a",
                    "role": role,
                    "school_type": school,
                    "wave": "T0",
                    "commitment": rng.uniform(1, 5),
                }
            )
    df = pd.DataFrame(rows)
    desc = descriptives.describe(df, ["commitment"], min_cell=5)
    t = agreement.agreement_table(
        df,
        ["commitment"],
        {"commitment": []},
        ["commitment"],
        descriptives.reason_lookup(desc),
        min_cell=5,
    )
    g = t[(t["lab"] == "a") & (t["measure"] == "gap_school_type")].iloc[0]
    v = df[df["school_type"] == "vmbo"]["commitment"]
    m = df[df["school_type"] == "mbo"]["commitment"]
    assert not g["suppressed"]
    assert g["value"] == pytest.approx(v.mean() - m.mean())
    # Welch interval, as scipy's ttest_ind(equal_var=False)
    ci = stats.ttest_ind(v, m, equal_var=False).confidence_interval(0.95)
    assert (g["ci_low"], g["ci_high"]) == pytest.approx((ci.low, ci.high), rel=1e-9)
    assert (g["n_a"], g["n_b"]) == (len(v), len(m))
    shown = t[~t["suppressed"] & t["measure"].str.startswith("gap")]
    assert (shown["n_a"].fillna(0).isin([0]) | (shown["n_a"] >= 5)).all()
    assert (shown["n_b"].fillna(0).isin([0]) | (shown["n_b"] >= 5)).all()
