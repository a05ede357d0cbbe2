"""Fit indices with lavaan's conventions: ML discrepancy, RMSEA (+ CI), SRMR, CFI/TLI.

semopy's own indices use N - 1 for RMSEA, refit the baseline model and have no SRMR,
so every index is computed here from the model-implied moments (see :mod:`.cfa`).
"""

from __future__ import annotations

import numpy as np
from scipy import optimize, stats


def f_ml(s: np.ndarray, sigma: np.ndarray) -> float:
    """Normal-theory ML discrepancy ``log|Sigma| - log|S| + tr(S Sigma^-1) - p``."""
    p = s.shape[0]
    _, ld_sigma = np.linalg.slogdet(sigma)
    _, ld_s = np.linalg.slogdet(s)
    return float(ld_sigma - ld_s + np.trace(np.linalg.solve(sigma, s)) - p)


def rmsea(chi2: float, df: float, n: int, groups: int = 1) -> float:
    """RMSEA as lavaan (``likelihood = "normal"``): N, not N - 1, times sqrt(G)."""
    if df <= 0:
        return 0.0
    return float(np.sqrt(max(chi2 / n / df - 1.0 / n, 0.0)) * np.sqrt(groups))


def rmsea_ci(
    chi2: float, df: float, n: int, groups: int = 1, level: float = 0.90
) -> tuple[float, float]:
    """Confidence interval of RMSEA from the non-central chi-square (as lavaan)."""
    if df < 1 or not np.isfinite(chi2):
        return float("nan"), float("nan")
    up_p, lo_p = 1 - (1 - level) / 2, (1 - level) / 2

    def cdf(lam: float) -> float:
        return float(stats.ncx2.cdf(chi2, df, lam)) if lam > 0 else float(stats.chi2.cdf(chi2, df))

    def lower_fn(lam: float) -> float:
        return cdf(lam) - up_p

    def upper_fn(lam: float) -> float:
        return cdf(lam) - lo_p

    if lower_fn(0.0) < 0:
        lower = 0.0
    else:
        lam_l = optimize.brentq(lower_fn, 0.0, max(chi2, 1e-8), xtol=1e-12)
        lower = np.sqrt(lam_l / (n * df)) * np.sqrt(groups)
    n_rmsea = max(n, chi2 * 4)
    if upper_fn(n_rmsea) > 0 or upper_fn(0.0) < 0:
        upper = 0.0
    else:
        lam_u = optimize.brentq(upper_fn, 0.0, n_rmsea, xtol=1e-12)
        upper = np.sqrt(lam_u / (n * df)) * np.sqrt(groups)
    return float(lower), float(upper)


def srmr(
    s: np.ndarray, sigma: np.ndarray, mean: np.ndarray | None = None, mu: np.ndarray | None = None
) -> float:
    """Bentler's SRMR of one group (lavaan's ``srmr``).

    Residuals ``s_ij - sigma_ij`` are divided by ``sqrt(s_ii s_jj)`` and averaged
    (squared) over the p(p+1)/2 non-duplicated elements; with a mean structure
    the p mean residuals ``(m_i - mu_i) / sqrt(s_ii)`` join the average.
    """
    p = s.shape[0]
    sd = np.sqrt(np.diag(s))
    r = (s - sigma) / np.outer(sd, sd)
    iu = np.triu_indices(p)
    total = float(np.sum(r[iu] ** 2))
    count = len(iu[0])
    if mean is not None and mu is not None:
        total += float(np.sum(((mean - mu) / sd) ** 2))
        count += p
    return float(np.sqrt(total / count))


def _indices(
    chi2: float, df: int, chi2_base: float, df_base: int, n: int, groups: int
) -> dict[str, float]:
    cfi_den = max(chi2 - df, chi2_base - df_base, 0.0)
    cfi = 1.0 - max(chi2 - df, 0.0) / cfi_den if cfi_den > 0 else 1.0
    if df > 0 and df_base > 0:
        tli = ((chi2_base / df_base) - (chi2 / df)) / ((chi2_base / df_base) - 1.0)
    else:
        tli = float("nan")
    lo, hi = rmsea_ci(chi2, df, n, groups)
    return {
        "chi2": chi2,
        "df": df,
        "pvalue": float(stats.chi2.sf(chi2, df)) if df > 0 else float("nan"),
        "cfi": float(cfi),
        "tli": float(tli),
        "rmsea": rmsea(chi2, df, n, groups),
        "rmsea_ci_low": lo,
        "rmsea_ci_high": hi,
        "chi2_baseline": chi2_base,
        "df_baseline": df_base,
    }


def _ml_cov(x: np.ndarray) -> np.ndarray:
    return np.cov(x, rowvar=False, ddof=0)


def _baseline_chi2(s: np.ndarray, n: int) -> float:
    """Chi2 of the independence model (diagonal Sigma = diag(S)), closed form."""
    _, ld = np.linalg.slogdet(s)
    return float(n * (np.sum(np.log(np.diag(s))) - ld))
