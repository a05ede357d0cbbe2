"""The signed-rank test of ``change.csv`` against scipy.stats.wilcoxon in each of its regimes."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from leerlab_research.compare.signed_rank import wilcoxon_signed_rank

# Stored examples: scale-score differences as the change table sees them (multiples of 1/4, 1/3).
NO_TIES_SMALL = np.array([0.25, -1.0 / 3, 0.5, 1.25, -0.75, 2.0 / 3, 1.5, -1.75, 1.0])
TIES_SMALL = np.array([0.25, 0.25, -0.25, 0.5, 0.0, 1.0, -0.5, 0.25, 0.75, 0.0, 0.5])
TIES_MEDIUM = np.round(np.linspace(-1.2, 2.0, 37) * 4) / 4
NO_TIES_LARGE = np.linspace(-0.9, 2.1, 64) + np.arange(64) * 1e-3
ALL_ZERO = np.zeros(6)


@pytest.mark.parametrize(
    ("d", "method"),
    [
        (NO_TIES_SMALL, "exact"),
        (NO_TIES_SMALL[:4], "exact"),
        (TIES_SMALL, stats.PermutationMethod()),
        (TIES_SMALL[:3], stats.PermutationMethod()),
        (TIES_MEDIUM, "asymptotic"),
        (NO_TIES_LARGE, "asymptotic"),
    ],
)
def test_equals_scipy_in_each_regime(d, method):
    want = stats.wilcoxon(d, method=method)
    auto = stats.wilcoxon(d)  # the regime named is the one scipy's "auto" picks
    assert auto.pvalue == pytest.approx(want.pvalue, rel=1e-12)
    stat, p = wilcoxon_signed_rank(d)
    assert stat == pytest.approx(want.statistic, rel=1e-12)
    assert p == pytest.approx(want.pvalue, rel=1e-10)


def test_exact_and_normal_differ_where_the_switch_matters():
    # 14 differences with ties: normal approximation, not the permutation distribution
    d = TIES_SMALL.tolist() + [1.5, -0.25, 0.75]
    d = np.array(d[:14])
    _, p = wilcoxon_signed_rank(d)
    assert p == pytest.approx(stats.wilcoxon(d, method="asymptotic").pvalue, rel=1e-12)
    assert p != pytest.approx(stats.wilcoxon(d, method=stats.PermutationMethod()).pvalue, rel=1e-6)


def test_random_samples_equal_scipy():
    rng = np.random.default_rng(5)
    for _ in range(200):
        n = int(rng.integers(1, 60))
        d = rng.integers(-3, 4, n) / 3 if rng.random() < 0.7 else rng.normal(0.3, 1, n)
        if not np.any(d != 0):
            continue
        want = stats.wilcoxon(d)
        stat, p = wilcoxon_signed_rank(d)
        assert stat == pytest.approx(want.statistic, rel=1e-12)
        assert p == pytest.approx(want.pvalue, rel=1e-9, abs=1e-15)


def test_empty_and_all_zero_are_nan():
    assert np.isnan(wilcoxon_signed_rank(np.array([]))).all()
    assert np.isnan(wilcoxon_signed_rank(ALL_ZERO)).all()
