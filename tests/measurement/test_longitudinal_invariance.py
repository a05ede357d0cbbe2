"""Longitudinal invariance on the panel against lavaan (stored values; tests never call R).

``results/lavaan_longitudinal.R`` simulates 420 persons answering four 5-point items in
up to three waves (a quarter start later, a third leaves after each wave, a few item
non-responses) and fits configural, metric and scalar models with one factor per
wave, free factor covariances and correlated residuals of the same item across
waves, by FIML (``missing = "ml"``) and on complete panels (``missing = "listwise"``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from leerlab_research.measurement.longitudinal_invariance import (
    fit_longitudinal,
    longitudinal_invariance_table,
    model_description,
    wide_panel,
)

RESULTS = Path(__file__).resolve().parent / "results"
ITEMS = ["a1", "a2", "a3", "a4"]
WAVES = ["T0", "T1", "T2"]
PAIRS = [
    ("chi2", "chisq", 1e-4),
    ("df", "df", 0),
    ("cfi", "cfi", 1e-6),
    ("tli", "tli", 1e-6),
    ("rmsea", "rmsea", 1e-6),
    ("rmsea_ci_low", "rmsea_ci_lower", 1e-6),
    ("rmsea_ci_high", "rmsea_ci_upper", 1e-6),
    ("srmr", "srmr", 1e-5),
    ("chi2_baseline", "baseline_chisq", 1e-4),
    ("n", "ntotal", 0),
]


@pytest.fixture(scope="module")
def wide() -> pd.DataFrame:
    return pd.read_csv(RESULTS / "panel_items.csv").drop(columns="id")


@pytest.mark.parametrize(("missing", "r_missing"), [("fiml", "ml"), ("listwise", "listwise")])
def test_fit_equals_lavaan(wide, missing, r_missing):
    ref = pd.read_csv(RESULTS / "longitudinal_invariance_lavaan.csv")
    ref = ref[ref["missing"] == r_missing].reset_index(drop=True)
    out = fit_longitudinal(wide, ITEMS, WAVES, missing=missing)
    assert out["converged"].all()
    assert out["step"].tolist() == ref["step"].tolist()
    for mine, theirs, tol in PAIRS:
        assert out[mine].to_numpy(dtype=float) == pytest.approx(
            ref[theirs].to_numpy(dtype=float), abs=tol
        ), mine
    # free parameters: lavaan's npar = moments − df
    p = len(ITEMS) * len(WAVES)
    assert (p * (p + 1) // 2 + p - out["df"]).tolist() == ref["npar"].astype(int).tolist()


def test_model_has_same_item_residual_covariances_and_shared_labels():
    text = model_description(ITEMS, WAVES, "scalar")
    assert "a2__T0 ~~ rc_a2_0_2*a2__T2" in text
    assert text.count("lam_a2*") == 3 and text.count("nu_a3*1") == 3
    assert "f__T0 ~ kap" not in text and "f__T2 ~ kap_t2*" in text
    configural = model_description(ITEMS, WAVES, "configural")
    assert "lam_t1_a2*a2__T1" in configural and "nu_t2_a4*1" in configural


def test_wide_panel_keeps_persons_within_lab_apart():
    long = pd.DataFrame(
        {
            "lab": ["x", "x", "y", "y"],
            "respondent_id": ["p1", "p1", "p1", "p2"],
            "wave": ["T0", "T1", "T0", "T1"],
            "a1": [1.0, 2.0, 3.0, 4.0],
        }
    )
    wide = wide_panel(long, ["a1"], ["T0", "T1"])
    assert len(wide) == 3  # p1 in lab x (two waves), p1 in lab y, p2 in lab y
    assert sorted(map(tuple, wide.fillna(-1).to_numpy())) == [(-1, 4), (1, 2), (3, -1)]


def test_table_per_scale_with_verdicts(wide):
    long = []
    for w in WAVES:
        part = wide[[f"{it}__{w}" for it in ITEMS]].copy()
        part.columns = ITEMS
        part["respondent_id"] = np.arange(len(wide)).astype(str)
        part["wave"] = w
        long.append(part[part[ITEMS].notna().any(axis=1)])
    long = pd.concat(long, ignore_index=True)
    table = longitudinal_invariance_table(long, {"a": ITEMS}, WAVES)
    ref = pd.read_csv(RESULTS / "longitudinal_invariance_lavaan.csv")
    ref = ref[ref["missing"] == "ml"]
    assert table["chi2"].to_numpy() == pytest.approx(ref["chisq"].to_numpy(), abs=1e-4)
    assert table["supported"].tolist() == [True, True, True]
    assert (table["n_repeated"] > 0).all() and (table["status"] == "ok").all()


def test_hard_start_equals_lavaan():
    """Demo panel where SLSQP from semopy's default start stopped at chi2 216.8 (lavaan: 38.6).

    ``results/lavaan_longitudinal_start.R`` fits the same data with lavaan.
    """
    data = pd.read_csv(RESULTS / "panel_commitment.csv")
    ref = pd.read_csv(RESULTS / "longitudinal_commitment_lavaan.csv")
    out = fit_longitudinal(data, ITEMS, WAVES)
    assert out["converged"].all()
    for mine, theirs, tol in PAIRS:
        if theirs in ref:
            assert out[mine].to_numpy(dtype=float) == pytest.approx(
                ref[theirs].to_numpy(dtype=float), abs=tol
            ), mine
