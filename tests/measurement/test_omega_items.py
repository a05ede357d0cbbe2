"""Omega total and item analysis against lavaan and psych.

Reference values: ``results/lavaan_reference.R`` (R 4, lavaan 0.6-14, psych 2.2.9):
* ``omega_lavaan.csv``: one-factor ``lavaan::cfa(..., std.lv = TRUE)`` on
  Holzinger-Swineford x1-x3 / x4-x6 / x7-x9 and psych::bfi N1-N5 / C1-C3 (listwise),
  omega = (sum lambda)^2 / ((sum lambda)^2 + sum theta), plus the loadings and
  residual variances.
* ``items_bfi_N_psych.csv``: ``psych::alpha`` item statistics (``r.drop``,
  ``alpha.drop``) and lavaan omega without each item, on complete bfi N1-N5 rows.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from leerlab_research.reliability import item_analysis, mcdonald_omega

# not `from conftest import`: tests/compare and tests/measurement both have a conftest
RESULTS = Path(__file__).resolve().parent / "results"


@pytest.fixture(scope="module")
def reference() -> pd.DataFrame:
    return pd.read_csv(RESULTS / "omega_lavaan.csv")


@pytest.fixture(scope="module")
def bfi() -> pd.DataFrame:
    return pd.read_csv(RESULTS / "bfi_NC.csv")


def _data(row, holzinger, bfi):
    return (holzinger if row["dataset"] == "holzinger" else bfi)[row["items"].split()]


def test_omega_matches_lavaan(reference, holzinger, bfi):
    for _, row in reference.iterrows():
        res = mcdonald_omega(_data(row, holzinger, bfi))
        assert res.omega == pytest.approx(row["omega"], abs=1e-5), row["items"]
        assert res.n == row["n"]
        lam = np.array(row["loadings"].split(), dtype=float)
        th = np.array(row["residuals"].split(), dtype=float)
        # lavaan's ML uses the N-divisor covariance; the estimates are scale-equivariant
        np.testing.assert_allclose(res.loadings, lam, rtol=2e-4)
        np.testing.assert_allclose(res.residual_variances, th, rtol=2e-4)
        assert not res.heywood


def test_omega_two_items_is_nan():
    x = np.random.default_rng(1).normal(size=(50, 2))
    res = mcdonald_omega(x)
    assert np.isnan(res.omega) and res.k == 2


def test_omega_scale_invariant_per_item(holzinger):
    x = holzinger[["x4", "x5", "x6"]]
    # omega of the *raw* sum is not invariant to rescaling items, unlike a
    # correlation-based omega; it is invariant to one common scale factor
    assert mcdonald_omega(x * 3.0).omega == pytest.approx(mcdonald_omega(x).omega, abs=1e-7)


def test_omega_bootstrap_seeded(holzinger):
    x = holzinger[["x1", "x2", "x3"]]
    a = mcdonald_omega(x, ci="bootstrap", n_boot=200, seed=3)
    b = mcdonald_omega(x, ci="bootstrap", n_boot=200, seed=3)
    assert a == b
    assert a.ci_low < a.omega < a.ci_high
    assert a.ci_method == "bootstrap-bca"


def test_item_analysis_matches_psych(bfi):
    ref = pd.read_csv(RESULTS / "items_bfi_N_psych.csv")
    items = [f"N{i}" for i in range(1, 6)]
    complete = bfi[items].dropna()
    got = item_analysis(complete)
    assert list(got.columns) == [
        "item",
        "n",
        "pct_missing",
        "mean",
        "sd",
        "item_rest_r",
        "alpha_if_deleted",
        "omega_if_deleted",
    ]
    np.testing.assert_allclose(got["item_rest_r"], ref["r_drop"], atol=1e-6)
    np.testing.assert_allclose(got["alpha_if_deleted"], ref["alpha_if_deleted"], atol=1e-6)
    np.testing.assert_allclose(got["mean"], ref["mean"], atol=1e-9)
    np.testing.assert_allclose(got["sd"], ref["sd"], atol=1e-9)
    np.testing.assert_allclose(got["omega_if_deleted"], ref["omega_if_deleted"], atol=1e-5)
    assert (got["pct_missing"] == 0).all()


def test_item_analysis_missing_share(bfi):
    items = [f"N{i}" for i in range(1, 6)]
    got = item_analysis(bfi[items])
    expected = 100 * bfi[items].isna().mean().to_numpy()
    np.testing.assert_allclose(got["pct_missing"], expected, atol=1e-12)
    np.testing.assert_array_equal(got["n"], bfi[items].notna().sum().to_numpy())
