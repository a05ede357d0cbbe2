"""Agreement between coders of the open answers: Cohen's kappa and Krippendorff's alpha.

Each theme is a yes/no decision per answer. For a pair of coders (or a coder
and the automatic proposal) Cohen's (1960) kappa compares the observed
agreement with the agreement expected from each coder's own rate. For any
number of coders, and answers that not every coder coded, Krippendorff's alpha
for nominal data (Krippendorff 2011) is computed with the ``krippendorff``
package (Castro 2017).

Confidence intervals are percentile bootstrap intervals over *answers*
(units): the answers are resampled with replacement ``n_boot`` times with the
study's seed. Both statistics are recomputed on every resample in closed form,
vectorised over resamples (a (resamples × answers) count matrix times the
per-answer counts); :func:`alpha_binary` equals ``krippendorff.alpha`` on the
same data (tested), it only avoids calling the package thousands of times.
When a resample has no variation the statistic is undefined there and that
resample is left out of the interval.

References
----------
Cohen, J. (1960). A coefficient of agreement for nominal scales. *Educational
and Psychological Measurement, 20*(1), 37–46.
Krippendorff, K. (2011). Computing Krippendorff's alpha-reliability. Annenberg
School for Communication, University of Pennsylvania.
Hayes, A. F., & Krippendorff, K. (2007). Answering the call for a standard
reliability measure for coding data. *Communication Methods and Measures, 1*(1), 77–89.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: Columns of ``coding/agreement.csv``.
AGREEMENT_COLUMNS = [
    "question",
    "theme",
    "comparison",
    "coders",
    "n_answers",
    "n_present",
    "percent_agreement",
    "kappa",
    "kappa_ci_low",
    "kappa_ci_high",
    "alpha",
    "alpha_ci_low",
    "alpha_ci_high",
]


def cohen_kappa(x: np.ndarray, y: np.ndarray) -> float:
    """Cohen's kappa of two binary codings of the same answers (NaN when undefined).

    >>> round(cohen_kappa(np.array([1, 1, 0, 0, 1]), np.array([1, 0, 0, 0, 1])), 4)
    0.6154
    """
    k = _kappa_counts(*_pair_counts(x, y)[None, :].T)
    return float(k[0])


def _pair_counts(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    x, y = np.asarray(x, dtype=bool), np.asarray(y, dtype=bool)
    return np.array([(x & y).sum(), (x & ~y).sum(), (~x & y).sum(), (~x & ~y).sum()], float)


def _kappa_counts(a, b, c, d) -> np.ndarray:
    """Kappa from the 2 × 2 counts (arrays over resamples)."""
    a, b, c, d = (np.asarray(v, dtype=float) for v in (a, b, c, d))
    n = a + b + c + d
    with np.errstate(invalid="ignore", divide="ignore"):
        po = (a + d) / n
        pe = ((a + b) * (a + c) + (c + d) * (b + d)) / n**2
        k = (po - pe) / (1 - pe)
    return np.where(np.isclose(pe, 1.0), np.nan, k)


def alpha_binary(data: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
    """Krippendorff's alpha (nominal) for 0/1 codes with missing values, vectorised.

    Parameters
    ----------
    data
        Coders × answers, 1/0 or NaN (not coded).
    weights
        Resamples × answers: how often each answer is drawn (None: once each).

    Returns
    -------
    numpy.ndarray
        Alpha per resample (one value without ``weights``); NaN when undefined.

    Notes
    -----
    With :math:`m_u` codes for answer *u*, :math:`n_{u1}` of them 1, only answers
    with :math:`m_u \\ge 2` count. The coincidence of 0 and 1 is
    :math:`o_{01} = \\sum_u n_{u0} n_{u1} / (m_u - 1)`, the totals are
    :math:`n_c = \\sum_u n_{uc}` and :math:`n = n_0 + n_1`, and
    :math:`\\alpha = 1 - (n - 1)\\, o_{01} / (n_0 n_1)` (Krippendorff 2011, nominal, two values).
    """
    data = np.asarray(data, dtype=float)
    m = (~np.isnan(data)).sum(axis=0)
    n1 = np.nansum(data, axis=0)
    n0 = m - n1
    ok = m >= 2
    o01 = np.where(ok, n0 * n1 / np.where(ok, m - 1, 1), 0.0)
    n0, n1 = np.where(ok, n0, 0.0), np.where(ok, n1, 0.0)
    w = np.ones((1, data.shape[1])) if weights is None else np.asarray(weights, dtype=float)
    O01, N0, N1 = w @ o01, w @ n0, w @ n1
    N = N0 + N1
    with np.errstate(invalid="ignore", divide="ignore"):
        a = 1 - (N - 1) * O01 / (N0 * N1)
    return np.where((N0 * N1) > 0, a, np.nan)


def _resamples(n: int, n_boot: int, seed: int) -> np.ndarray:
    """Resamples × answers counts of a nonparametric bootstrap over answers."""
    rng = np.random.default_rng(seed)
    return rng.multinomial(n, np.full(n, 1.0 / n), size=n_boot).astype(float)


def _ci(values: np.ndarray, level: float) -> tuple[float, float]:
    v = values[np.isfinite(values)]
    if len(v) < 0.5 * len(values) or len(v) == 0:  # mostly undefined: no interval
        return np.nan, np.nan
    lo, hi = np.quantile(v, [(1 - level) / 2, (1 + level) / 2])
    return float(lo), float(hi)


def agreement_row(
    codes: np.ndarray, *, n_boot: int, seed: int, level: float = 0.95
) -> dict[str, float]:
    """Kappa (two coders) and alpha with bootstrap intervals for one theme.

    Parameters
    ----------
    codes
        Coders × answers, 1/0 or NaN (not coded by that coder).
    n_boot, seed, level
        Bootstrap resamples, seed and interval level.
    """
    import krippendorff

    codes = np.asarray(codes, dtype=float)
    both = (~np.isnan(codes)).sum(axis=0) >= 2
    sub = codes[:, both]
    n = sub.shape[1]
    row: dict[str, float] = {"n_answers": n, "n_present": float(np.nansum(sub))}
    row.update(dict.fromkeys(AGREEMENT_COLUMNS[6:], np.nan))
    if n == 0:
        return row
    complete = ~np.isnan(sub).any(axis=0)
    if len(codes) == 2:
        row["percent_agreement"] = float((sub[0] == sub[1]).mean())
    else:  # share of answers on which all coders agree
        row["percent_agreement"] = float((np.nanmin(sub, 0) == np.nanmax(sub, 0)).mean())
    if len(np.unique(sub[~np.isnan(sub)])) > 1:
        row["alpha"] = float(
            krippendorff.alpha(reliability_data=sub, level_of_measurement="nominal")
        )
    w = _resamples(n, n_boot, seed)
    row["alpha_ci_low"], row["alpha_ci_high"] = (
        _ci(alpha_binary(sub, w), level) if np.isfinite(row["alpha"]) else (np.nan, np.nan)
    )
    if len(codes) == 2 and complete.all():
        x, y = sub[0].astype(bool), sub[1].astype(bool)
        row["kappa"] = cohen_kappa(x, y)
        cells = np.stack([x & y, x & ~y, ~x & y, ~x & ~y]).astype(float)  # 4 × answers
        boot = _kappa_counts(*(w @ cells.T).T)
        if np.isfinite(row["kappa"]):
            row["kappa_ci_low"], row["kappa_ci_high"] = _ci(boot, level)
    return row


def agreement_table(
    matrix: dict[str, pd.DataFrame],
    questions: dict[str, str],
    *,
    n_boot: int,
    seed: int,
) -> pd.DataFrame:
    """Agreement per theme for every pair of coders, each coder with auto, and all coders.

    Parameters
    ----------
    matrix
        Theme → answers × coders frame of 1/0/NaN; the column ``auto`` is the
        automatic proposal, the other columns are human coders.
    questions
        Theme → question.
    n_boot, seed
        Bootstrap settings.
    """
    rows = []
    for theme, df in matrix.items():
        humans = [c for c in df.columns if c != "auto"]
        comparisons: list[tuple[str, list[str]]] = []
        if len(humans) >= 2:
            comparisons.append(("coders", humans))
        comparisons += (
            [("coders", [a, b]) for i, a in enumerate(humans) for b in humans[i + 1 :]]
            if len(humans) > 2
            else []
        )
        comparisons += [("coder_auto", [h, "auto"]) for h in humans]
        for kind, cols in comparisons:
            stats = agreement_row(df[cols].to_numpy(dtype=float).T, n_boot=n_boot, seed=seed)
            rows.append(
                {
                    "question": questions[theme],
                    "theme": theme,
                    "comparison": kind,
                    "coders": " × ".join(cols),
                    **stats,
                }  # fmt: skip
            )
    out = pd.DataFrame(rows, columns=AGREEMENT_COLUMNS)
    return out.astype({"n_answers": "int64", "n_present": "int64"})
