"""Wilcoxon signed-rank test without scipy's permutation machinery.

:func:`scipy.stats.wilcoxon` with its default ``method="auto"`` runs a full
:func:`scipy.stats.permutation_test` (2^n sign flips, each re-ranking the data) for
samples of at most 13 differences with ties or zeros, about 0.1-0.2 s per call; the
change table calls it once per scale x lab. Scale scores are means of 1-5 items, so
ties are the rule and those calls made up most of the ``compare`` stage. The same
exact null distribution follows from a small dynamic programme over the (doubled,
hence integer) midranks, in microseconds.

Method, by the number ``n`` of differences (zeros included, as scipy counts):

* ``n <= 50`` without ties or zeros: exact null distribution of W+ (Wilcoxon 1945);
* ``n <= 13`` with ties or zeros: exact conditional distribution given the midranks
  (all 2^n sign flips, zeros dropped as in Wilcoxon's method), as scipy's permutation test;
* otherwise: normal approximation of W+ with mean ``m(m + 1)/4`` and variance
  ``(m(m + 1)(2m + 1) - sum(t^3 - t)/2) / 24`` (``m`` non-zero differences, ``t`` the
  sizes of tied groups), without continuity correction.

These are exactly the choices of ``scipy.stats.wilcoxon(d)`` (scipy >= 1.13:
``zero_method="wilcox"``, ``correction=False``, ``method="auto"``), so the results are
equal (tests compare all three regimes with scipy). The exact branches cost at most
``n`` x ``n(n + 1)`` additions; above them the normal approximation is accurate (R's
``wilcox.test`` switches at the same n = 50 and also uses it whenever there are ties).

R equivalent: ``wilcox.test(d, exact = NULL, correct = FALSE)`` (R's default corrects
for continuity; scipy's, and this one, does not).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from scipy import stats

#: Largest sample with an exact p-value when there are no ties or zeros (scipy, R: 50).
EXACT_MAX_N = 50
#: Largest sample with an exact (conditional) p-value when there are ties or zeros (scipy: 13).
EXACT_TIES_MAX_N = 13


def _null_counts(doubled_ranks: tuple[int, ...]) -> np.ndarray:
    """Number of sign assignments giving each value of 2 W+ (index = 2 W+)."""
    counts = np.zeros(sum(doubled_ranks) + 1)
    counts[0] = 1.0
    top = 0
    for r in doubled_ranks:
        counts[r : top + r + 1] += counts[: top + 1].copy()
        top += r
    return counts


@lru_cache(maxsize=64)
def _null_no_ties(n: int) -> np.ndarray:
    return _null_counts(tuple(range(2, 2 * n + 1, 2)))


def _exact_p(counts: np.ndarray, w2: int) -> float:
    """Two-sided p = 2 min(P(W+ <= w), P(W+ >= w)), capped at 1 (scipy's convention)."""
    total = counts.sum()
    low = counts[: w2 + 1].sum() / total
    high = counts[w2:].sum() / total
    return float(min(1.0, 2.0 * min(low, high)))


def wilcoxon_signed_rank(d: np.ndarray) -> tuple[float, float]:
    """Statistic ``min(W+, W-)`` and two-sided p of the signed-rank test of ``d``.

    Parameters
    ----------
    d : ndarray
        Paired differences (NaN not allowed). Zeros are dropped from the ranking
        (Wilcoxon's method); the choice between exact and normal p-value counts them.

    Returns
    -------
    statistic, p : float
        NaN, NaN when ``d`` is empty or all zero.
    """
    d = np.asarray(d, dtype=float)
    n = d.size
    nz = d[d != 0]
    m = nz.size
    if m == 0:
        return float("nan"), float("nan")
    a = np.abs(nz)
    ranks = stats.rankdata(a)  # midranks of the non-zero differences
    r_plus = float(ranks[nz > 0].sum())
    statistic = min(r_plus, m * (m + 1) / 2 - r_plus)
    _, ties = np.unique(a, return_counts=True)
    has_ties = bool(np.any(ties > 1))
    if n <= EXACT_MAX_N and not has_ties and m == n:
        return statistic, _exact_p(_null_no_ties(n), int(round(2 * r_plus)))
    if n <= EXACT_TIES_MAX_N:
        doubled = tuple(int(round(2 * r)) for r in ranks)
        return statistic, _exact_p(_null_counts(doubled), int(round(2 * r_plus)))
    mean = m * (m + 1) / 4
    var = (m * (m + 1) * (2 * m + 1) - np.sum(ties**3 - ties) / 2) / 24
    if var <= 0:
        return statistic, float("nan")
    z = (r_plus - mean) / np.sqrt(var)
    return statistic, float(2 * stats.norm.sf(abs(z)))
