"""One-way group tests on arrays, computed as pingouin computes them, without pingouin.

Welch's ANOVA, Kruskal–Wallis, Games–Howell pairs and Welch's t with Hedges' g for
:mod:`.groups`. pingouin's versions take a DataFrame and check and reshape it on
every call (its ``welch_anova`` applies a Python function per group), and importing
pingouin loads matplotlib, seaborn and xarray: together about 1.5 s of the compare
stage's 7 s on the demo. The arithmetic here follows pingouin 0.7 step by step
(group counts, means and variances from the same pandas group reductions, the same
order of operations), so the results are the same numbers; ``tests/compare/
test_oneway.py`` checks them against pingouin. R equivalents: ``oneway.test``,
``kruskal.test``, ``rstatix::games_howell_test``, ``t.test(var.equal = FALSE)``,
``effsize::cohen.d(hedges.correction = TRUE)``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats


@dataclass(frozen=True)
class Groups:
    """Values split by group, levels sorted (pingouin's ``groupby(between)`` order).

    ``n``, ``mean`` and ``var`` (ddof 1) come from pandas' group reductions, which
    pingouin uses (compensated sums, Welford's variance); ``values[i]`` holds group
    ``i``'s values in row order.
    """

    levels: list[str]
    codes: np.ndarray
    n: np.ndarray
    mean: np.ndarray
    var: np.ndarray
    values: list[np.ndarray]

    @classmethod
    def of(cls, y: np.ndarray, labels: np.ndarray) -> Groups:
        y = np.asarray(y, dtype=float)
        grp = pd.Series(y).groupby(np.asarray(labels), sort=True)
        agg = grp.agg(["count", "mean", "var"])
        levels = [str(v) for v in agg.index]
        codes = pd.Categorical(np.asarray(labels), categories=agg.index).codes
        return cls(
            levels=levels,
            codes=codes,
            n=agg["count"].to_numpy(dtype=np.int64),
            mean=agg["mean"].to_numpy(dtype=float),
            var=agg["var"].to_numpy(dtype=float),
            values=[y[codes == i] for i in range(len(levels))],
        )


def hedges_g(x: np.ndarray, y: np.ndarray) -> float:
    """Hedges' g of two independent samples (pooled SD; ``pingouin.compute_effsize``)."""
    nx, ny = x.size, y.size
    dof = nx + ny - 2
    poolsd = np.sqrt(((nx - 1) * x.var(ddof=1) + (ny - 1) * y.var(ddof=1)) / dof)
    d = (x.mean() - y.mean()) / poolsd
    return float(d * (1 - (3 / (4 * (nx + ny) - 9))))


def hedges_ci(g: float, nx: int, ny: int, confidence: float) -> tuple[float, float]:
    """CI of Hedges' g from its normal-theory SE and t(nx + ny − 2) (``pingouin.compute_esci``)."""
    se = np.sqrt(((nx + ny) / (nx * ny)) + (g**2) / (2 * (nx + ny)))
    crit = np.abs(stats.t.ppf((1 - confidence) / 2, nx + ny - 2))
    lo, hi = np.round(np.array([g - crit * se, g + crit * se]), 12)
    return float(lo), float(hi)


def welch_t(x: np.ndarray, y: np.ndarray) -> tuple[float, float, float]:
    """Welch's t, its Welch–Satterthwaite df and two-sided p (``pingouin.ttest(correction=True)``)."""
    nx, ny = x.size, y.size
    tval, pval = stats.ttest_ind(x, y, equal_var=False)
    vnx, vny = x.var(ddof=1) / nx, y.var(ddof=1) / ny
    dof = (vnx + vny) ** 2 / (vnx**2 / (nx - 1) + vny**2 / (ny - 1))
    return float(tval), float(dof), float(pval)


def welch_anova(y: np.ndarray, g: Groups) -> dict[str, float]:
    """Welch's (1951) ANOVA with η² of the classical sums of squares (``pingouin.welch_anova``).

    Returns ``F``, ``ddof1``, ``ddof2``, ``p_unc`` and ``np2``. Raises ValueError when
    a group has fewer than two values or no variance (the weights are undefined), as
    pingouin does.
    """
    if (g.n < 2).any() or (g.var == 0).any():
        raise ValueError(
            "Each group must have at least two observations and a non-zero variance. "
            "The Welch ANOVA weights are undefined otherwise."
        )
    r = len(g.levels)
    ddof1 = r - 1
    weights = g.n / g.var
    adj_grandmean = (weights * g.mean).sum() / weights.sum()
    y = np.asarray(y, dtype=float)
    # squared deviations from each group's own (numpy) mean, summed in row order
    own = np.array([v.mean() for v in g.values])
    ss_res = ((y - own[g.codes]) ** 2).sum()
    ss_bet = ((g.mean - y.mean()) ** 2 * g.n).sum()
    ss_betadj = np.sum(weights * np.square(g.mean - adj_grandmean))
    ms_betadj = ss_betadj / ddof1
    lamb = (3 * np.sum((1 / (g.n - 1)) * (1 - (weights / weights.sum())) ** 2)) / (r**2 - 1)
    fval = ms_betadj / (1 + (2 * lamb * (r - 2)) / 3)
    return {
        "F": float(fval),
        "ddof1": float(ddof1),
        "ddof2": float(1 / lamb),
        "p_unc": float(stats.f.sf(fval, ddof1, 1 / lamb)),
        "np2": float(ss_bet / (ss_bet + ss_res)),
    }


def kruskal(y: np.ndarray, g: Groups) -> dict[str, float]:
    """Kruskal–Wallis H, tie-corrected, with df and p (``pingouin.kruskal``)."""
    y = np.asarray(y, dtype=float)
    n = y.size
    rank = stats.rankdata(y)
    # rank sums are sums of half-integers: exact in any order
    sum_rk = np.bincount(g.codes, weights=rank, minlength=len(g.levels))
    h = (12 / (n * (n + 1)) * np.sum(sum_rk**2 / g.n)) - 3 * (n + 1)
    h /= stats.tiecorrect(rank)
    ddof1 = len(g.levels) - 1
    return {"H": float(h), "ddof1": float(ddof1), "p_unc": float(stats.chi2.sf(h, ddof1))}


def games_howell(g: Groups) -> pd.DataFrame:
    """Games–Howell pairs (``pingouin.pairwise_gameshowell``, Hedges' g).

    Welch's t per pair with the Welch–Satterthwaite df; p from the studentized range
    distribution with k = number of groups (:data:`scipy.stats.studentized_range`).
    Columns ``A, B, mean_A, mean_B, diff, se, T, df, pval, hedges``, pairs in
    sorted level order.
    """
    a, b = np.triu_indices(len(g.levels), k=1)
    v = g.var / g.n
    se = np.sqrt(v[a] + v[b])
    diff = g.mean[a] - g.mean[b]
    t = diff / se
    df = (v[a] + v[b]) ** 2 / (v[a] ** 2 / (g.n[a] - 1) + v[b] ** 2 / (g.n[b] - 1))
    p = stats.studentized_range.sf(np.sqrt(2) * np.abs(t), len(g.levels), df)
    levels = np.array(g.levels, dtype=object)
    return pd.DataFrame(
        {
            "A": levels[a],
            "B": levels[b],
            "mean_A": g.mean[a],
            "mean_B": g.mean[b],
            "diff": diff,
            "se": se,
            "T": t,
            "df": df,
            "pval": np.clip(p, 0, 1),
            "hedges": [hedges_g(g.values[i], g.values[j]) for i, j in zip(a, b, strict=True)],
        }
    )
