"""Group differences per scale and wave (``group_tests.csv``, ``posthoc.csv``).

For each grouping factor (``settings.compare.groups``: lab, role, school_type) at
programme level, per wave and scale:

* three or more groups: Welch's ANOVA (Welch 1951) with
  η² and its confidence interval (noncentral-F inversion of the classical F,
  Steiger 2004) and ω² (Hays 1963; from the classical one-way ANOVA sums of squares);
  Kruskal–Wallis with ε² = H / (n − 1) (Tomczak & Tomczak
  2014). Post hoc: Games–Howell (Hedges' g) and
  Dunn's (1964) z-test on the pooled ranks with tie correction, Holm-adjusted over
  the pairs (:func:`dunn`; neither scipy, statsmodels nor pingouin implement it).
* two groups: Welch's t with Hedges' g and its CI and the
  Mann–Whitney U (:func:`scipy.stats.mannwhitneyu`) with the rank-biserial correlation
  and CLES computed from U as :func:`pingouin.mwu` does (equality tested).

Welch's ANOVA, Kruskal–Wallis, Games–Howell and Welch's t come from :mod:`.oneway`,
which computes them as pingouin's ``welch_anova``, ``kruskal``,
``pairwise_gameshowell``, ``ttest(correction=True)``, ``compute_effsize`` and
``compute_esci`` do, on arrays and without importing pingouin (equality tested).

p-values are corrected across the nine scales (Holm; Benjamini–Hochberg) within
wave × factor × test; ``correction_family`` states the family.

Only groups whose descriptives cell is published take part (groups suppressed by
disclosure control and the ``onbekend`` group are excluded and listed in
``groups_excluded``), so no posthoc mean can reveal a suppressed cell.

References
----------
Dunn, O. J. (1964). Multiple comparisons using rank sums. *Technometrics*, 6, 241–252.
Games, P. A., & Howell, J. F. (1976). Pairwise multiple comparison procedures with
unequal n's and/or variances. *Journal of Educational Statistics*, 1, 113–125.
Steiger, J. H. (2004). Beyond the F test: effect size confidence intervals and tests of
close fit in the analysis of variance and contrast analysis. *Psychological Methods*, 9, 164–182.
Tomczak, M., & Tomczak, E. (2014). The need to report effect size estimates revisited.
*Trends in Sport Sciences*, 21, 19–25.
Welch, B. L. (1951). On the comparison of several mean values: an alternative approach.
*Biometrika*, 38, 330–336.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import combinations

import numpy as np
import pandas as pd
from scipy import optimize, special, stats

from .common import ALL, UNKNOWN, add_corrections, holm, sort_rows
from .descriptives import cell_reason
from .oneway import (
    Groups,
    games_howell_columns,
    hedges_ci,
    hedges_g,
    kruskal,
    welch_anova,
    welch_t,
)
from .registry import columns

TEST_COLUMNS = columns("group_tests")
POSTHOC_COLUMNS = columns("posthoc")


def dunn(values: np.ndarray, groups: np.ndarray) -> pd.DataFrame:
    """Dunn's (1964) pairwise z-tests on mean ranks, tie-corrected, Holm-adjusted.

    .. math::
        z_{ab} = \\frac{\\bar R_a - \\bar R_b}
        {\\sqrt{\\left(\\frac{N(N+1)}{12} - \\frac{\\sum (t^3 - t)}{12(N-1)}\\right)
        \\left(\\frac1{n_a} + \\frac1{n_b}\\right)}}

    with ranks over all N observations (midranks for ties, :func:`scipy.stats.rankdata`)
    and t the size of each tie group; p two-sided from the normal distribution.

    Returns
    -------
    pandas.DataFrame
        ``group_a, group_b, n_a, n_b, mean_rank_a, mean_rank_b, z, p, p_holm`` for
        the pairs in sorted group order.
    """
    values = np.asarray(values, dtype=float)
    groups = np.asarray(groups)
    n_total = values.size
    ranks = stats.rankdata(values)
    _, ties = np.unique(values, return_counts=True)
    tie_term = float(np.sum(ties.astype(float) ** 3 - ties)) / (12.0 * (n_total - 1))
    base = n_total * (n_total + 1) / 12.0 - tie_term
    levels = sorted(pd.unique(groups).tolist())
    n = {g: int(np.sum(groups == g)) for g in levels}
    mr = {g: float(ranks[groups == g].mean()) for g in levels}
    rows = []
    for a, b in combinations(levels, 2):
        se = np.sqrt(base * (1.0 / n[a] + 1.0 / n[b]))
        z = (mr[a] - mr[b]) / se
        rows.append((a, b, n[a], n[b], mr[a], mr[b], z, 2.0 * stats.norm.sf(abs(z))))
    out = pd.DataFrame(
        rows, columns=["group_a", "group_b", "n_a", "n_b", "mean_rank_a", "mean_rank_b", "z", "p"]
    )
    out["p_holm"] = holm(out["p"].to_numpy())
    return out


def eta2_ci(
    f: float, df1: float, df2: float, n: int, confidence: float = 0.95
) -> tuple[float, float]:
    """CI of η² by inverting the noncentral F distribution (Steiger 2004).

    Finds λ with ``ncf.cdf(F; df1, df2, λ) = 1 − α/2`` (lower) and ``α/2`` (upper), then
    η² = λ / (λ + N). For df2 > 10,000 (where scipy's noncentral F is numerically
    unstable) the limit df1·F ~ χ²(df1, λ) is used.
    """
    if not np.isfinite(f) or f <= 0:
        return np.nan, np.nan
    alpha = 1.0 - confidence

    # the special functions behind scipy.stats' ncx2/chi2/ncf/f .cdf (the same values,
    # without the distribution objects' argument handling on every brentq step)
    def cdf(lam: float) -> float:
        if df2 > 1e4:
            return special.chndtr(f * df1, df1, lam) if lam > 0 else special.chdtr(df1, f * df1)
        return special.ncfdtr(df1, df2, lam, f) if lam > 0 else special.fdtr(df1, df2, f)

    def solve(target: float) -> float:
        g = lambda lam: float(cdf(lam)) - target  # noqa: E731
        if g(0.0) < 0:  # even λ = 0 puts F below the target quantile
            return 0.0
        hi = max(10.0, f * df1 * 2)
        while g(hi) > 0:
            hi *= 2
            if hi > 1e12 or not np.isfinite(g(hi)):
                return np.nan
        return float(optimize.brentq(g, 0.0, hi, xtol=1e-10))

    lam_lo = solve(1 - alpha / 2)
    lam_hi = solve(alpha / 2)
    return lam_lo / (lam_lo + n), lam_hi / (lam_hi + n)


def oneway_ss(y: np.ndarray, groups: np.ndarray) -> tuple[float, float, int, int]:
    """Between and within sums of squares and their df of the classical one-way ANOVA."""
    y = np.asarray(y, dtype=float)
    codes, uniq = pd.factorize(pd.Series(groups))
    k = len(uniq)
    sizes = np.bincount(codes, minlength=k).astype(float)
    means = np.bincount(codes, weights=y, minlength=k) / sizes
    ssb = float(np.sum(sizes * (means - y.mean()) ** 2))
    ssw = float(np.sum((y - means[codes]) ** 2))
    return ssb, ssw, k - 1, y.size - k


def omega2(ssb: float, ssw: float, dfb: int, dfw: int) -> float:
    """ω² = (SSB − df_B·MSW) / (SST + MSW) (Hays 1963; Olejnik & Algina 2003).

    Computed from the classical ANOVA sums of squares (equal to :func:`pingouin.anova`'s, tested).
    """
    msw = ssw / dfw
    return (ssb - dfb * msw) / (ssb + ssw + msw)


def _row(
    scale: str,
    wave: str,
    factor: str,
    test: str,
    included: list[str],
    excluded: list[str],
    n_total: int,
    **values: object,
) -> dict[str, object]:
    base: dict[str, object] = {c: np.nan for c in TEST_COLUMNS}
    base.update(
        scale=scale,
        wave=wave,
        factor=factor,
        test=test,
        k_groups=len(included),
        groups="|".join(included),
        groups_excluded="|".join(excluded),
        n_total=n_total,
        effect_size_type="",
        effect_size_2_type="",
        status="ok",
    )
    base.update(values)
    return base


def group_tests(
    df: pd.DataFrame,
    scales: Sequence[str],
    factors: Sequence[str],
    lookup: dict[tuple[str, ...], str],
    *,
    confidence: float = 0.95,
    max_posthoc_groups: int = 30,
    posthoc_factors: Sequence[str] = ("role", "school_type"),
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Group tests and post hoc comparisons.

    Parameters
    ----------
    df
        Analysis frame.
    scales
        Scale columns.
    factors
        Grouping variables (``lab``, ``role``, ``school_type``).
    lookup
        Suppression reasons of the descriptives cells (:func:`.descriptives.reason_lookup`).
    confidence
        Level of effect-size intervals.
    max_posthoc_groups
        Post hoc pairs are only computed when a factor has at most this many groups.
    posthoc_factors
        Factors with post hoc pairs (default role and school_type; labs are compared
        with the programme in ``benchmark.csv``, and Games–Howell p-values need the
        studentized-range distribution, ~10 ms per pair in scipy).

    Returns
    -------
    (group_tests, posthoc)
    """
    tests: list[dict[str, object]] = []
    posthoc: list[dict[str, object]] = []
    for wave in sorted(df["wave"].unique()):
        dw = df[df["wave"] == wave]
        for factor in factors:
            # group codes once per wave and factor (levels sorted), masks per scale:
            # a frame filtered and grouped per scale cost more than the tests
            codes, levels = pd.factorize(dw[factor].to_numpy(dtype=object), sort=True)
            for scale in scales:
                values = dw[scale].to_numpy(dtype=float)
                answered = ~np.isnan(values) & (codes >= 0)
                sizes = np.bincount(codes[answered], minlength=len(levels))
                included, excluded, keep_codes = [], [], []
                for code, (level, size) in enumerate(zip(levels, sizes, strict=True)):
                    if size == 0:  # only levels with an answer, as a groupby lists them
                        continue
                    key = {"lab": ALL, "role": ALL, "school_type": ALL, factor: str(level)}
                    reason = cell_reason(
                        lookup, scale, wave, key["lab"], key["role"], key["school_type"]
                    )
                    if level == UNKNOWN or reason or size < 2:
                        excluded.append(str(level))
                    else:
                        included.append(str(level))
                        keep_codes.append(code)
                keep = answered & np.isin(codes, keep_codes)
                d = pd.DataFrame(
                    {factor: np.asarray(levels, dtype=object)[codes[keep]], scale: values[keep]}
                )
                n_total = len(d)
                common = (scale, wave, factor)
                if len(included) < 2:
                    for test in ("welch_anova", "kruskal"):
                        tests.append(
                            _row(
                                *common, test, included, excluded, n_total, status="too_few_groups"
                            )
                        )
                    continue
                if len(included) == 2:
                    tests.extend(_two_groups(d, *common, included, excluded, confidence))
                    continue
                y = d[scale].to_numpy(dtype=float)
                by_group = Groups.of(y, d[factor].to_numpy())
                tests.extend(
                    _k_groups(y, by_group, *common, included, excluded, n_total, confidence)
                )
                if factor in posthoc_factors and len(included) <= max_posthoc_groups:
                    posthoc.extend(_posthoc(y, by_group, *common))
    table = pd.DataFrame(tests, columns=TEST_COLUMNS)
    table = add_corrections(
        table.drop(columns=["p_holm", "p_fdr_bh", "correction_family"]), ["wave", "factor", "test"]
    )
    table = sort_rows(
        table[TEST_COLUMNS], ["scale", "wave", "factor", "test"], {"scale": list(scales)}
    )
    ph = pd.DataFrame(posthoc, columns=POSTHOC_COLUMNS)
    ph = sort_rows(
        ph[POSTHOC_COLUMNS],
        ["scale", "wave", "factor", "test", "group_a", "group_b"],
        {"scale": list(scales)},
    )
    return table, ph


def rank_biserial_ci(r: float, n_x: int, n_y: int, confidence: float = 0.95) -> tuple[float, float]:
    """Confidence interval of the rank-biserial correlation of two independent groups.

    Fisher's z with the standard error of King, Rosopa & Minium (2011):
    ``SE = sqrt((n_x + n_y + 1) / (3 n_x n_y))``, ``CI = tanh(atanh(r) ± z·SE)``;
    the method of R's ``effectsize::rank_biserial()`` (tested against it).

    References
    ----------
    King, B. M., Rosopa, P. J., & Minium, E. W. (2011). *Statistical reasoning in the
    behavioral sciences* (6th ed.). Wiley.
    """
    if n_x < 1 or n_y < 1 or not np.isfinite(r):
        return np.nan, np.nan
    if abs(r) >= 1:  # complete separation: Fisher's z is infinite, the interval degenerate
        return float(r), float(r)
    se = np.sqrt((n_x + n_y + 1) / (3 * n_x * n_y))
    zq = stats.norm.ppf(0.5 + confidence / 2)
    z = np.arctanh(r)
    return float(np.tanh(z - zq * se)), float(np.tanh(z + zq * se))


def _two_groups(
    d: pd.DataFrame,
    scale: str,
    wave: str,
    factor: str,
    included: list[str],
    excluded: list[str],
    confidence: float,
) -> list[dict[str, object]]:
    x = d.loc[d[factor] == included[0], scale].to_numpy()
    y = d.loc[d[factor] == included[1], scale].to_numpy()
    n_total = len(d)
    t_val, t_df, t_p = welch_t(x, y)
    g = hedges_g(x, y)
    lo, hi = hedges_ci(g, len(x), len(y), confidence)
    # scipy's U (what pingouin.mwu calls); RBC and CLES from U exactly as pingouin defines
    # them, without pingouin's O(n_x·n_y) pairwise matrix (8 s and 7 GB at 30,000 per group)
    u_x, p_mw = stats.mannwhitneyu(x, y, alternative="two-sided")
    nxy = len(x) * len(y)
    mw = {"U_val": u_x, "p_val": p_mw, "RBC": 1 - 2 * (nxy - u_x) / nxy, "CLES": u_x / nxy}
    rbc_lo, rbc_hi = rank_biserial_ci(float(mw["RBC"]), len(x), len(y), confidence)
    return [
        _row(
            scale,
            wave,
            factor,
            "welch_t",
            included,
            excluded,
            n_total,
            statistic=t_val,
            df1=t_df,
            p=t_p,
            effect_size=g,
            effect_size_type="hedges_g",
            es_ci_low=float(lo),
            es_ci_high=float(hi),
        ),
        _row(
            scale,
            wave,
            factor,
            "mann_whitney",
            included,
            excluded,
            n_total,
            statistic=float(mw["U_val"]),
            p=float(mw["p_val"]),
            effect_size=float(mw["RBC"]),
            effect_size_type="rank_biserial",
            es_ci_low=rbc_lo,
            es_ci_high=rbc_hi,
            effect_size_2=float(mw["CLES"]),
            effect_size_2_type="cles",
        ),
    ]


def _k_groups(
    y: np.ndarray,
    groups: Groups,
    scale: str,
    wave: str,
    factor: str,
    included: list[str],
    excluded: list[str],
    n_total: int,
    confidence: float,
) -> list[dict[str, object]]:
    wa = welch_anova(y, groups)
    ssb, ssw, dfb, dfw = oneway_ss(y, np.asarray(groups.levels, dtype=object)[groups.codes])
    f_classic = (ssb / dfb) / (ssw / dfw) if ssw > 0 else np.nan
    lo, hi = eta2_ci(f_classic, dfb, dfw, n_total, confidence)
    om2 = omega2(ssb, ssw, dfb, dfw)
    kw = kruskal(y, groups)
    h = float(kw["H"])
    return [
        _row(
            scale,
            wave,
            factor,
            "welch_anova",
            included,
            excluded,
            n_total,
            statistic=float(wa["F"]),
            df1=float(wa["ddof1"]),
            df2=float(wa["ddof2"]),
            p=float(wa["p_unc"]),
            effect_size=float(wa["np2"]),
            effect_size_type="eta2",
            es_ci_low=lo,
            es_ci_high=hi,
            effect_size_2=om2,
            effect_size_2_type="omega2",
        ),
        _row(
            scale,
            wave,
            factor,
            "kruskal",
            included,
            excluded,
            n_total,
            statistic=h,
            df1=float(kw["ddof1"]),
            p=float(kw["p_unc"]),
            effect_size=h / (n_total - 1),
            effect_size_type="epsilon2",
        ),
    ]


def _posthoc(
    y: np.ndarray, groups: Groups, scale: str, wave: str, factor: str
) -> list[dict[str, object]]:
    """Games–Howell and Dunn rows of one scale × wave × factor (one frame is built
    for all of them at the end: a frame per call cost more than the tests)."""
    gh = games_howell_columns(groups)
    dn = dunn(y, np.asarray(groups.levels, dtype=object)[groups.codes])
    size = dict(zip(groups.levels, groups.n.tolist(), strict=True))
    rows: list[dict[str, object]] = []
    for i, (a, b) in enumerate(zip(gh["A"], gh["B"], strict=True)):
        rows.append(
            {
                "scale": scale,
                "wave": wave,
                "factor": factor,
                "test": "games_howell",
                "group_a": str(a),
                "group_b": str(b),
                "n_a": size[a],
                "n_b": size[b],
                "mean_a": gh["mean_A"][i],
                "mean_b": gh["mean_B"][i],
                "mean_rank_a": np.nan,
                "mean_rank_b": np.nan,
                "diff": gh["diff"][i],
                "se": gh["se"][i],
                "statistic": gh["T"][i],
                "df": gh["df"][i],
                "p": np.nan,
                "p_adj": gh["pval"][i],
                "p_adj_method": "games_howell_studentized_range",
                "effect_size": gh["hedges"][i],
                "effect_size_type": "hedges_g",
            }
        )
    for r in dn.itertuples(index=False):
        rows.append(
            {
                "scale": scale,
                "wave": wave,
                "factor": factor,
                "test": "dunn",
                "group_a": r.group_a,
                "group_b": r.group_b,
                "n_a": r.n_a,
                "n_b": r.n_b,
                "mean_a": np.nan,
                "mean_b": np.nan,
                "mean_rank_a": r.mean_rank_a,
                "mean_rank_b": r.mean_rank_b,
                "diff": np.nan,
                "se": np.nan,
                "statistic": r.z,
                "df": np.nan,
                "p": r.p,
                "p_adj": r.p_holm,
                "p_adj_method": "holm",
                "effect_size": np.nan,
                "effect_size_type": "",
            }
        )
    return rows
