"""CFA fit indices, loadings and invariance steps against lavaan.

Reference values: ``results/lavaan_reference.R`` (lavaan 0.6-14, ML, default
``likelihood = "normal"``) on ``HolzingerSwineford1939`` (stored as
``results/holzinger1939.csv``, and with deterministic holes as
``results/holzinger1939_missing.csv`` for ``missing = "ml"``):
* ``holzinger_cfa_fit_lavaan.csv``: ``fitMeasures`` of the three-factor model, single
  group and by ``school`` with ``group.equal = {}, "loadings", c("loadings","intercepts")``.
* ``holzinger_cfa_loadings_lavaan.csv``: ``standardizedSolution`` (``std.all``).
* ``holzinger_cfa_fit_missing_lavaan.csv``, ``holzinger_cfa_loadings_missing_lavaan.csv``:
  the same with ``missing = "ml"`` (full-information ML).

semopy's MLW objective uses the N-divisor covariance like lavaan's ML, so chi2 = N F
agrees; RMSEA and its CI use N (lavaan) rather than N - 1 (semopy's own calc_stats).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from leerlab_research.measurement.cfa import fit_cfa
from leerlab_research.measurement.fiml import (
    _fast_model_means_class,
    _stacked_description,
    em_moments,
)
from leerlab_research.measurement.fit_indices import rmsea
from leerlab_research.measurement.invariance import invariance_table
from leerlab_research.runtime import single_thread

HS_FACTORS = {
    "visual": ["x1", "x2", "x3"],
    "textual": ["x4", "x5", "x6"],
    "speed": ["x7", "x8", "x9"],
}
COLS = ["chi2", "df", "cfi", "tli", "rmsea", "rmsea_ci_low", "rmsea_ci_high", "srmr"]
LAVAAN = {"chi2": "chisq", "rmsea_ci_low": "rmsea_ci_lower", "rmsea_ci_high": "rmsea_ci_upper"}

# not `from conftest import`: tests/compare and tests/measurement both have a conftest
RESULTS = Path(__file__).resolve().parent / "results"


@pytest.fixture(scope="module")
def lavaan_fit() -> pd.DataFrame:
    return pd.read_csv(RESULTS / "holzinger_cfa_fit_lavaan.csv").set_index("model")


def _compare(row, ref, srmr="srmr"):
    for col in COLS:
        got, want = float(row[srmr if col == "srmr" else col]), float(ref[LAVAAN.get(col, col)])
        tol = 1e-3 * max(1.0, abs(want)) if col == "chi2" else 1e-4
        assert got == pytest.approx(want, abs=tol), col


def test_single_group_fit_matches_lavaan(holzinger, lavaan_fit):
    for missing in ("listwise", "fiml"):  # complete data: both routes give lavaan's fit
        with single_thread():
            res = fit_cfa(holzinger, HS_FACTORS, missing=missing)
        row = res.fit.iloc[0]
        assert row["converged"] and row["n"] == 301
        _compare(row, lavaan_fit.loc["single"], srmr="srmr_nomean")
    assert row["chi2_baseline"] == pytest.approx(
        lavaan_fit.loc["single", "baseline_chisq"], abs=1e-6
    )


def test_standardised_loadings_match_lavaan(holzinger):
    with single_thread():
        res = fit_cfa(holzinger, HS_FACTORS)
    ref = pd.read_csv(RESULTS / "holzinger_cfa_loadings_lavaan.csv")
    merged = res.loadings.merge(ref, left_on=["factor", "item"], right_on=["lhs", "rhs"])
    assert len(merged) == 9
    np.testing.assert_allclose(merged["std_loading"], merged["est.std"], atol=1e-4)


def test_invariance_steps_match_lavaan(holzinger, lavaan_fit):
    with single_thread():
        table = invariance_table(holzinger, HS_FACTORS, "school", groups=["Pasteur", "Grant-White"])
    assert list(table["step"]) == ["configural", "metric", "scalar"]
    for _, row in table.iterrows():
        assert row["converged"]
        _compare(row, lavaan_fit.loc[row["step"]])
        assert row["srmr_nomean"] == pytest.approx(
            lavaan_fit.loc[row["step"], "srmr_bentler_nomean"], abs=1e-4
        )
    # Chen (2007): metric holds (ΔCFI = -.002), scalar does not (ΔCFI = -.038)
    assert list(table["supported"]) == [True, True, False]
    assert table.loc[1, "delta_cfi"] == pytest.approx(
        0.920923468576775 - 0.923398380408964, abs=1e-4
    )


def test_fiml_single_group_matches_lavaan_missing_ml(holzinger_missing):
    ref = pd.read_csv(RESULTS / "holzinger_cfa_fit_missing_lavaan.csv").set_index("model")
    with single_thread():
        res = fit_cfa(holzinger_missing, HS_FACTORS, missing="fiml")
    row = res.fit.iloc[0]
    assert row["converged"] and row["n"] == 301 and row["missing"] == "fiml"
    _compare(row, ref.loc["single"])
    assert row["srmr_nomean"] == pytest.approx(ref.loc["single", "srmr_bentler_nomean"], abs=1e-4)
    assert row["chi2_baseline"] == pytest.approx(ref.loc["single", "baseline_chisq"], abs=1e-4)
    std = pd.read_csv(RESULTS / "holzinger_cfa_loadings_missing_lavaan.csv")
    merged = res.loadings.merge(std, left_on=["factor", "item"], right_on=["lhs", "rhs"])
    np.testing.assert_allclose(merged["std_loading"], merged["est.std"], atol=1e-4)


def test_fiml_invariance_matches_lavaan_missing_ml(holzinger_missing):
    ref = pd.read_csv(RESULTS / "holzinger_cfa_fit_missing_lavaan.csv").set_index("model")
    with single_thread():
        table = invariance_table(
            holzinger_missing, HS_FACTORS, "school", groups=["Pasteur", "Grant-White"]
        )
    for _, row in table.iterrows():
        assert row["converged"]
        _compare(row, ref.loc[row["step"]])
        assert row["srmr_nomean"] == pytest.approx(
            ref.loc[row["step"], "srmr_bentler_nomean"], abs=1e-4
        )


def test_listwise_drops_incomplete_rows(holzinger_missing):
    with single_thread():
        res = fit_cfa(holzinger_missing, HS_FACTORS, missing="listwise")
    complete = int(holzinger_missing[[f"x{i}" for i in range(1, 10)]].notna().all(axis=1).sum())
    assert res.fit.loc[0, "n"] == complete
    assert res.fit.loc[0, "n_dropped"] == 301 - complete


def test_em_moments_complete_data_are_sample_moments(holzinger):
    x = holzinger[[f"x{i}" for i in range(1, 10)]].to_numpy()
    mu, sigma, f_sat = em_moments(x)
    np.testing.assert_allclose(mu, x.mean(axis=0), atol=1e-12)
    np.testing.assert_allclose(sigma, np.cov(x, rowvar=False, ddof=0), atol=1e-12)
    assert f_sat == pytest.approx(len(x) * (np.linalg.slogdet(sigma)[1] + 9), rel=1e-12)


def test_rmsea_formula_uses_n_and_groups():
    assert rmsea(124.043544179993, 54, 301, 2) == pytest.approx(0.0928365358682976, abs=1e-9)
    assert rmsea(10.0, 20, 100) == 0.0


def test_fast_fiml_equals_semopy_rowwise(holzinger):
    """The sufficient-statistics FIML objective/gradient equal semopy's row-wise ones."""
    import semopy

    items = [it for its in HS_FACTORS.values() for it in its]
    blocks = []
    for g, school in enumerate(["Pasteur", "Grant-White"]):
        part = holzinger.loc[holzinger["school"] == school, items].copy()
        part.columns = [f"{it}__g{g}" for it in items]
        blocks.append(part)
    stacked = pd.concat(blocks, ignore_index=True)
    stacked.iloc[::17, 2] = np.nan  # an extra missingness pattern
    stacked.iloc[::23, 12] = np.nan
    stacked["kappa_one"] = 1.0
    desc = _stacked_description(HS_FACTORS, 2, "scalar")
    fast = _fast_model_means_class()(desc)
    slow = semopy.ModelMeans(desc)
    fast.load(stacked)
    slow.load(stacked)
    fast.prepare_fiml()
    slow.prepare_fiml()
    x = fast.param_vals + 0.01 * np.random.default_rng(0).normal(size=len(fast.param_vals))
    assert fast.obj_fiml(x) == pytest.approx(slow.obj_fiml(x), rel=1e-10)
    np.testing.assert_allclose(fast.grad_fiml(x), slow.grad_fiml(x), rtol=1e-7, atol=1e-6)
    # The moments kept for the last point (objective, then gradient at the same x)
    # answer for that point only, and exactly as a fresh evaluation would.
    x2 = x + 0.01
    fresh = _fast_model_means_class()(desc)
    fresh.load(stacked)
    fresh.prepare_fiml()
    g2 = fast.grad_fiml(x2)
    np.testing.assert_array_equal(g2, fresh.grad_fiml(x2))
    np.testing.assert_allclose(g2, slow.grad_fiml(x2), rtol=1e-7, atol=1e-6)
    assert fast.obj_fiml(x2) == fresh.obj_fiml(x2) == pytest.approx(slow.obj_fiml(x2), rel=1e-10)
    assert fast.obj_fiml(x) == pytest.approx(slow.obj_fiml(x), rel=1e-10)


def _steps(cfi, rmsea, converged):
    return pd.DataFrame(
        {
            "step": ["configural", "metric", "scalar"],
            "cfi": cfi,
            "rmsea": rmsea,
            "converged": converged,
        }
    )


def test_invariance_verdict_needs_convergence_and_the_previous_step():
    """Chen (2007) cut-offs applied by hand: a step is judged only when it converged
    and the step it is nested in holds (scalar presupposes metric)."""
    from leerlab_research.measurement.invariance import _invariance_verdicts

    ok = _invariance_verdicts(_steps([0.95, 0.948, 0.945], [0.03, 0.031, 0.032], [True] * 3))
    assert list(ok["supported"]) == [True, True, True]
    # metric fails (ΔCFI = -0.02): scalar is not evaluated, even with ΔCFI = 0 there
    failed = _invariance_verdicts(_steps([0.95, 0.93, 0.93], [0.03, 0.031, 0.031], [True] * 3))
    assert list(failed["supported"]) == [True, False, False]
    assert failed["verdict"][2].startswith("not evaluated")
    # a metric model that did not converge is not evidence of invariance
    nc = _invariance_verdicts(_steps([0.95, 0.95, 0.949], [0.03, 0.03, 0.03], [True, False, True]))
    assert list(nc["supported"]) == [True, False, False]
    assert "did not converge" in nc["verdict"][1]
    # nor is a configural model that did not converge
    nc0 = _invariance_verdicts(_steps([0.95, 0.95, 0.95], [0.03, 0.03, 0.03], [False, True, True]))
    assert not nc0["supported"].any()
