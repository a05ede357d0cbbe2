"""Vectorised t-tests of ``change.csv`` (:mod:`.change`): paired, Welch and partially overlapping.

Each takes group sizes, means and variances as arrays (one element per lab) and
returns the test's df, interval of the mean difference (later − earlier), t and p,
so that all labs are tested at once; equality with scipy, pingouin and R's
``Partiallyoverlapping::Partover.test`` is tested in ``tests/compare/test_change.py``.

References
----------
Derrick, B., Toher, D., & White, P. (2017). How to compare the means of two samples
that include paired observations and independent observations: A companion to
Derrick, Russ, Toher and White (2017). *The Quantitative Methods for Psychology*,
13(2), 120–126.
"""

from __future__ import annotations

import numpy as np
from scipy import stats


def paired_vec(
    n: np.ndarray, mean_diff: np.ndarray, sd_diff: np.ndarray, confidence: float = 0.95
) -> dict[str, np.ndarray]:
    """Paired t-test, CI of the mean difference and d_z with CI, vectorised over groups.

    t = mean(d) / (sd(d)/√n) on n − 1 df (as :func:`scipy.stats.ttest_rel`);
    d_z = mean(d)/sd(d) with SE √(1/n + d_z²/(2n)) and t-quantile on n − 1 df (as
    :func:`pingouin.compute_esci` for paired data). Equality with scipy/pingouin is tested.
    """
    n = np.asarray(n, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        ok = (n >= 2) & (sd_diff > 0)
        df = np.where(n >= 2, n - 1, np.nan)
        se = sd_diff / np.sqrt(n)
        crit = stats.t.ppf(0.5 + confidence / 2, df)
        t = np.where(ok, mean_diff / se, np.nan)
        p = np.where(ok, 2 * stats.t.sf(np.abs(t), df), np.nan)
        dz = np.where(ok, mean_diff / sd_diff, np.nan)
        es_se = np.sqrt(1 / n + dz**2 / (2 * n))
    return {
        "df": df,
        "ci_low": mean_diff - crit * se,
        "ci_high": mean_diff + crit * se,
        "statistic": t,
        "p": p,
        "effect_size": dz,
        "es_ci_low": dz - crit * es_se,
        "es_ci_high": dz + crit * es_se,
    }


def _welch_df(a: np.ndarray, b: np.ndarray, n0: np.ndarray, n1: np.ndarray) -> np.ndarray:
    """Welch–Satterthwaite df from the squared standard errors ``a = v0/n0``, ``b = v1/n1``."""
    return (a + b) ** 2 / (a**2 / (n0 - 1) + b**2 / (n1 - 1))


def _t_test(
    diff: np.ndarray, se: np.ndarray, df: np.ndarray, confidence: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """t, two-sided p and the half-width of the t-interval of ``diff``."""
    t = diff / se
    return t, 2 * stats.t.sf(np.abs(t), df), stats.t.ppf(0.5 + confidence / 2, df) * se


def welch_vec(
    n0: np.ndarray,
    m0: np.ndarray,
    v0: np.ndarray,
    n1: np.ndarray,
    m1: np.ndarray,
    v1: np.ndarray,
    confidence: float = 0.95,
) -> dict[str, np.ndarray]:
    """Welch's t (later − earlier: ``m1 − m0``), Welch CI of the difference, Hedges' g with CI, vectorised.

    As :func:`scipy.stats.ttest_ind` (``equal_var=False``), :func:`pingouin.compute_effsize`
    (``eftype="hedges"``: pooled-SD d times 1 − 3/(4(n0 + n1) − 9)) and
    :func:`pingouin.compute_esci` (SE √((n0 + n1)/(n0 n1) + g²/(2(n0 + n1))), t on n0 + n1 − 2 df).
    """
    n0 = np.asarray(n0, dtype=float)
    n1 = np.asarray(n1, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        a, b = v0 / n0, v1 / n1
        ok = (n0 >= 2) & (n1 >= 2) & (a + b > 0)
        diff = m1 - m0
        se = np.sqrt(a + b)
        dfw = _welch_df(a, b, n0, n1)
        t, p, half = _t_test(diff, se, dfw, confidence)
        pooled = np.sqrt(((n0 - 1) * v0 + (n1 - 1) * v1) / (n0 + n1 - 2))
        g = diff / pooled * (1 - 3 / (4 * (n0 + n1) - 9))
        es_se = np.sqrt((n0 + n1) / (n0 * n1) + g**2 / (2 * (n0 + n1)))
        crit = stats.t.ppf(0.5 + confidence / 2, n0 + n1 - 2)
    nan = np.full(n0.shape, np.nan)
    pick = lambda v: np.where(ok, v, nan)  # noqa: E731
    return {
        "df": pick(dfw),
        "ci_low": pick(diff - half),
        "ci_high": pick(diff + half),
        "statistic": pick(t),
        "p": pick(p),
        "effect_size": pick(g),
        "es_ci_low": pick(g - crit * es_se),
        "es_ci_high": pick(g + crit * es_se),
    }


def overlap_vec(
    n0: np.ndarray,
    m0: np.ndarray,
    v0: np.ndarray,
    n1: np.ndarray,
    m1: np.ndarray,
    v1: np.ndarray,
    n_paired: np.ndarray,
    r: np.ndarray,
    confidence: float = 0.95,
) -> dict[str, np.ndarray]:
    """Partially overlapping samples t-test (T_new2), later − earlier, vectorised over groups.

    Sample 0 (earlier wave: ``n0`` people, mean ``m0``, variance ``v0``) and sample 1
    (later) share ``n_paired`` people whose two scores correlate ``r``. As R's
    ``Partiallyoverlapping::Partover.test(x1 = later_unpaired, x2 = earlier_unpaired,
    x3 = later_paired, x4 = earlier_paired, var.equal = FALSE)`` (Derrick, Toher &
    White 2017):

    * SE² = v0/n0 + v1/n1 − 2 r n_paired √(v0 v1) / (n0 n1);
    * df = (n_paired − 1) + (γ − n_paired + 1)(n_a + n_b)/(n_a + n_b + 2 n_paired), with
      γ Welch's degrees of freedom of the two whole samples and n_a = n0 − n_paired,
      n_b = n1 − n_paired;
    * t = (m1 − m0)/SE, two-sided p and the t-interval on df.

    With ``n_paired = 0`` this is Welch's test, with n_a = n_b = 0 the paired t-test
    (tested against scipy, and against stored values of ``Partover.test``). ``r`` is
    set to 0 where it is undefined (as ``Partover.test`` does when a paired sample has
    no variance).
    """
    n0 = np.asarray(n0, dtype=float)
    n1 = np.asarray(n1, dtype=float)
    c = np.asarray(n_paired, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        r = np.where(np.isfinite(r), r, 0.0)
        a, b = v0 / n0, v1 / n1
        ok = (n0 >= 2) & (n1 >= 2) & (a + b > 0)
        gamma = _welch_df(a, b, n0, n1)
        diff = m1 - m0
        se = np.sqrt(a + b - 2 * r * c * np.sqrt(v0 * v1) / (n0 * n1))
        unpaired = n0 + n1 - 2 * c
        df = (c - 1) + (gamma - c + 1) * unpaired / (unpaired + 2 * c)
        t, p, half = _t_test(diff, se, df, confidence)
    nan = np.full(n0.shape, np.nan)
    pick = lambda v: np.where(ok & (se > 0), v, nan)  # noqa: E731
    return {
        "df": pick(df),
        "ci_low": pick(diff - half),
        "ci_high": pick(diff + half),
        "statistic": pick(t),
        "p": pick(p),
    }
