"""Cronbach's alpha: pingouin, psych and closed-form references; properties.

Sources of reference values:
* pingouin 0.7 ``cronbach_alpha`` on its datasets ``cronbach_alpha`` (long format,
  15 x 10) and ``cronbach_wide_missing`` (12 x 11 with NaN) - computed live.
* psych 2.2.9 ``alpha()`` on ``psych::bfi`` N1-N5 and C1-C3 (listwise), stored by
  ``results/lavaan_reference.R`` in ``results/omega_lavaan.csv``.
* closed forms: alpha from the covariance matrix; k parallel items with correlation r
  have alpha = k r / (1 + (k - 1) r).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pingouin as pg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leerlab_research.measurement import alpha as alpha_module
from leerlab_research.measurement.alpha import (
    _bootstrap_alpha,
    _chunks,
    _Features,
    _jackknife_alpha,
    feldt_ci,
)
from leerlab_research.reliability import cronbach_alpha

# not `from conftest import`: tests/compare and tests/measurement both have a conftest
RESULTS = Path(__file__).resolve().parent / "results"


@pytest.fixture(scope="module")
def pg_complete() -> pd.DataFrame:
    return pg.read_dataset("cronbach_alpha").pivot(index="Subj", columns="Items", values="Scores")


@pytest.fixture(scope="module")
def pg_missing() -> pd.DataFrame:
    return pg.read_dataset("cronbach_wide_missing")


def test_matches_pingouin_complete(pg_complete):
    ref, (lo, hi) = pg.cronbach_alpha(pg_complete)
    res = cronbach_alpha(pg_complete, ci="feldt")
    assert res.alpha == pytest.approx(ref, abs=1e-6)
    assert res.ci_low == pytest.approx(lo, abs=1e-3)  # pingouin rounds to 3 decimals
    assert res.ci_high == pytest.approx(hi, abs=1e-3)
    assert (res.n, res.k, res.ci_method) == (15, 10, "feldt")


def test_matches_pingouin_pairwise_missing(pg_missing):
    ref, (lo, hi) = pg.cronbach_alpha(pg_missing, nan_policy="pairwise")
    res = cronbach_alpha(pg_missing, ci="feldt", nan_policy="pairwise")
    assert res.alpha == pytest.approx(ref, abs=1e-6)
    assert res.ci_low == pytest.approx(lo, abs=1e-3)
    assert res.ci_high == pytest.approx(hi, abs=1e-3)
    assert res.n == len(pg_missing)  # pairwise: n is every row, as pingouin


def test_listwise_point_matches_pingouin_but_n_is_complete_rows(pg_missing):
    ref, (lo, hi) = pg.cronbach_alpha(pg_missing, nan_policy="listwise")
    res = cronbach_alpha(pg_missing, ci="feldt", nan_policy="listwise")
    assert res.alpha == pytest.approx(ref, abs=1e-6)
    complete = int(pg_missing.notna().all(axis=1).sum())
    assert res.n == complete
    # pingouin takes n before dropping rows; with that n our Feldt limits are its limits
    lo_pg, hi_pg = feldt_ci(res.alpha, len(pg_missing), res.k, 0.95)
    assert (lo_pg, hi_pg) == pytest.approx((lo, hi), abs=1e-3)


def test_std_alpha_and_alpha_match_psych():
    ref = pd.read_csv(RESULTS / "omega_lavaan.csv")
    bfi = pd.read_csv(RESULTS / "bfi_NC.csv")
    for _, row in ref[ref["dataset"] == "bfi"].iterrows():
        res = cronbach_alpha(bfi[row["items"].split()], ci=None, nan_policy="listwise")
        assert res.alpha == pytest.approx(row["alpha_psych"], abs=1e-6)
        assert res.std_alpha == pytest.approx(row["std_alpha_psych"], abs=1e-6)
        assert res.n == row["n"] and np.isnan(res.ci_low)


def test_alpha_from_covariance_closed_form():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(200, 5)) + rng.normal(size=(200, 1))
    c = np.cov(x, rowvar=False)
    k = 5
    expected = k / (k - 1) * (1 - np.trace(c) / c.sum())
    assert cronbach_alpha(x, ci=None).alpha == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize("k,r", [(2, 0.3), (4, 0.5), (8, 0.2), (12, 0.7)])
def test_parallel_items_closed_form(k, r):
    # Data whose sample covariance is exactly the parallel-items matrix (unit variances,
    # all correlations r): whiten a random sample, then colour it with the target matrix.
    rng = np.random.default_rng(k)
    target = np.full((k, k), r) + (1 - r) * np.eye(k)
    z = rng.normal(size=(500, k))
    z -= z.mean(axis=0)
    z = z @ np.linalg.inv(np.linalg.cholesky(np.cov(z, rowvar=False))).T
    x = z @ np.linalg.cholesky(target).T + 3.0
    res = cronbach_alpha(x, ci=None)
    assert res.alpha == pytest.approx(k * r / (1 + (k - 1) * r), abs=1e-9)
    assert res.std_alpha == pytest.approx(k * r / (1 + (k - 1) * r), abs=1e-9)


def test_vectorised_bootstrap_equals_naive_loop():
    """The count-matrix algebra gives each resample's alpha (complete and pairwise)."""
    rng = np.random.default_rng(5)
    x = rng.normal(size=(40, 4)) + rng.normal(size=(40, 1))
    xm = x.copy()
    xm[rng.random(x.shape) < 0.1] = np.nan
    for data in (x, xm):
        boot = _bootstrap_alpha(data, 25, np.random.default_rng(9))
        chunks = _chunks(len(data), 25, np.random.default_rng(9))
        idx = np.vstack(
            [g.integers(0, len(data), size=(b, len(data)), dtype=np.int64) for _, b, g in chunks]
        )
        naive = [cronbach_alpha(data[i], ci=None).alpha for i in idx]
        np.testing.assert_allclose(boot, naive, atol=1e-10)
        jack = _jackknife_alpha(data)
        naive_j = [
            cronbach_alpha(np.delete(data, i, axis=0), ci=None).alpha for i in range(len(data))
        ]
        np.testing.assert_allclose(jack, naive_j, atol=1e-10)


def test_bootstrap_chunks_are_independent_streams_and_threads_do_not_matter():
    """Chunk c draws from child c of the seed; one thread or two give the same replicates."""
    rng = np.random.default_rng(2)
    x = rng.normal(size=(400, 5)) + rng.normal(size=(400, 1))
    x[rng.random(x.shape) < 0.05] = np.nan
    chunks = _chunks(400, 5000, np.random.default_rng(4))
    assert len(chunks) > 1 and sum(b for _, b, _ in chunks) == 5000
    one = _bootstrap_alpha(x, 5000, np.random.default_rng(4), workers=1)
    two = _bootstrap_alpha(x, 5000, np.random.default_rng(4), workers=2)
    np.testing.assert_array_equal(one, two)
    first = chunks[0][2].integers(0, 400, size=(2, 400), dtype=np.int64)
    second = chunks[1][2].integers(0, 400, size=(2, 400), dtype=np.int64)
    assert not np.array_equal(first, second)


def test_large_bootstrap_batches_equal_naive_loop_for_any_threads(monkeypatch):
    """The large-n route (float32 product over batches of chunks, one bincount per
    replicate) gives each replicate's alpha from its chunk's draws, for 1 or 2 threads."""
    monkeypatch.setattr(alpha_module, "_FLOAT32_FROM_N", 100)
    monkeypatch.setattr(alpha_module, "_CHUNK_CELLS", 3_000)  # 10 replicates of 300 rows
    monkeypatch.setattr(alpha_module, "_PRODUCT_CELLS", 9_000)  # 3 chunks per product
    rng = np.random.default_rng(12)
    x = np.clip(np.rint(3 + rng.normal(size=(300, 4)) + rng.normal(size=(300, 1))), 1, 5)
    chunks = _chunks(300, 95, np.random.default_rng(3))
    assert [len(b) for b in alpha_module._batches(chunks, 300)] == [3, 3, 3, 1]
    one = _bootstrap_alpha(x, 95, np.random.default_rng(3), workers=1)
    two = _bootstrap_alpha(x, 95, np.random.default_rng(3), workers=2)
    np.testing.assert_array_equal(one, two)
    idx = np.vstack([g.integers(0, 300, size=(b, 300), dtype=np.int64) for _, b, g in chunks])
    naive = [cronbach_alpha(x[i], ci=None).alpha for i in idx]
    np.testing.assert_allclose(one, naive, atol=1e-5)  # float32 product


def test_features_pairwise_equal_pandas_cov(pg_missing):
    x = pg_missing.to_numpy(dtype=float)
    f = _Features(x)
    np.testing.assert_allclose(f.cov(f.f.sum(axis=0)), pg_missing.cov().to_numpy(), atol=1e-12)


def test_bootstrap_seeded_and_reasonable(pg_complete):
    a = cronbach_alpha(pg_complete, ci="bootstrap", n_boot=2000, seed=11)
    b = cronbach_alpha(pg_complete, ci="bootstrap", n_boot=2000, seed=11)
    c = cronbach_alpha(pg_complete, ci="bootstrap", n_boot=2000, seed=12)
    assert a == b
    assert (a.ci_low, a.ci_high) != (c.ci_low, c.ci_high)
    assert a.ci_method == "bootstrap-bca" and a.n_boot == 2000
    assert a.ci_low < a.alpha < a.ci_high


def test_bootstrap_close_to_feldt_for_normal_data():
    rng = np.random.default_rng(8)
    x = rng.normal(size=(400, 6)) * 0.8 + rng.normal(size=(400, 1))
    boot = cronbach_alpha(x, ci="bootstrap", seed=1)
    feldt = cronbach_alpha(x, ci="feldt")
    assert boot.ci_low == pytest.approx(feldt.ci_low, abs=0.015)
    assert boot.ci_high == pytest.approx(feldt.ci_high, abs=0.015)


def test_invalid_arguments(pg_complete):
    with pytest.raises(ValueError):
        cronbach_alpha(pg_complete, ci="wald")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        cronbach_alpha(pg_complete, nan_policy="omit")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        cronbach_alpha(pg_complete.iloc[:, :1])
    with pytest.raises(TypeError):
        cronbach_alpha(pd.DataFrame({"a": ["x", "y"], "b": [1, 2]}))


def test_result_is_tidy(pg_complete):
    frame = cronbach_alpha(pg_complete).to_frame()
    assert list(frame.columns[:6]) == ["alpha", "std_alpha", "ci_low", "ci_high", "n", "k"]
    assert len(frame) == 1


# ------------------------------------------------------------------ properties
def _correlated(seed: int, n: int, k: int, load: float) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return load * rng.normal(size=(n, 1)) + rng.normal(size=(n, k))


_prop = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_prop
@given(st.integers(0, 10_000), st.integers(3, 8), st.data())
def test_alpha_invariant_to_item_order(seed, k, data):
    x = _correlated(seed, 60, k, 1.0)
    perm = data.draw(st.permutations(range(k)))
    assert cronbach_alpha(x[:, perm], ci=None).alpha == pytest.approx(
        cronbach_alpha(x, ci=None).alpha, abs=1e-9
    )


@_prop
@given(st.integers(0, 10_000), st.floats(-100, 100, allow_nan=False))
def test_alpha_invariant_to_adding_a_constant(seed, const):
    x = _correlated(seed, 60, 5, 1.0)
    assert cronbach_alpha(x + const, ci=None).alpha == pytest.approx(
        cronbach_alpha(x, ci=None).alpha, abs=1e-7
    )


@_prop
@given(st.integers(0, 10_000), st.integers(0, 4))
def test_reversing_an_item_lowers_alpha(seed, j):
    x = _correlated(seed, 200, 5, 1.5)
    y = x.copy()
    y[:, j] = 6 - y[:, j]
    assert cronbach_alpha(y, ci=None).alpha < cronbach_alpha(x, ci=None).alpha


@settings(max_examples=10, deadline=None)
@given(st.integers(0, 10_000), st.integers(40, 150))
def test_bootstrap_ci_contains_estimate_and_is_reproducible(seed, n):
    x = _correlated(seed, n, 4, 1.0)
    a = cronbach_alpha(x, ci="bootstrap", n_boot=500, seed=seed)
    assert a.ci_low <= a.alpha <= a.ci_high
    assert cronbach_alpha(x, ci="bootstrap", n_boot=500, seed=seed) == a
