"""Step 5: careless-responding indices per respondent, vectorised.

Five indices, each with a cut-off from ``settings.cleaning.careless``; a respondent
is *flagged* when at least ``min_agree`` indices agree (Curran 2016 recommends
combining several indices rather than trusting one). Flags never drop rows by
themselves: ``exclude_flagged`` decides, and the stage logs that decision.

``seconds_per_item``
    (submitted − started) / number of items (or the export's duration column).
    Flag below ``min_seconds_per_item`` (2 s/item: Huang et al. 2012).
``longstring``
    Longest run of identical consecutive *raw* answers (before reverse keying,
    missing codes such as 9 count as an answer, blanks break a run), in item order.
    Flag at ``max_longstring`` or more (Johnson 2005; Meade & Craig 2012).
``irv``
    Intra-individual response variability: the within-person standard deviation
    of the raw substantive answers (Dunn, Heggestad, Shanock & Theilgard 2018).
    Flag at ``min_irv`` or less (0 is a pure straight line).
``mahalanobis``
    Squared Mahalanobis distance D² of the keyed answers from the pooled mean,
    with the pooled covariance (missing answers imputed by the item mean, which
    shrinks D² and so errs towards *not* flagging). Flag above the χ² quantile
    ``1 − mahalanobis_p`` with **df = number of items** (Meade & Craig 2012).
    The R package ``careless`` (``mahad(flag = TRUE)``) uses
    ``qchisq(confidence, length(maha_data))``, i.e. df = number of *respondents*,
    which makes the cut-off grow with the sample and flag almost nobody; see
    ryentes/careless ``R/mahad.R`` and the reference notes §3. We do not copy that.
``evenodd``
    Even–odd consistency: per scale, the mean of the odd-numbered and of the
    even-numbered (keyed) items; the within-person correlation of the nine odd
    and nine even half-scale means, Spearman–Brown corrected, 2r / (1 + r)
    (Johnson 2005; Meade & Craig 2012). Higher = more consistent (the sign that
    ``careless`` ≥ 1.2.0 flips). Needs ≥ 3 scales with both halves answered and
    variance in both halves, else NaN. Flag below ``min_evenodd``.

An index that cannot be computed (NaN) never raises a flag.

References
----------
Curran, P. G. (2016). Methods for the detection of carelessly invalid responses in
survey data. *Journal of Experimental Social Psychology*, 66, 4–19.
Dunn, A. M., Heggestad, E. D., Shanock, L. R., & Theilgard, N. (2018). Intra-individual
response variability as an indicator of insufficient effort responding. *Journal of
Business and Psychology*, 33, 105–121.
Huang, J. L., Curran, P. G., Keeney, J., Poposki, E. M., & DeShon, R. P. (2012).
Detecting and deterring insufficient effort responding to surveys. *Journal of
Business and Psychology*, 27, 99–114.
Johnson, J. A. (2005). Ascertaining the validity of individual protocols from
web-based personality inventories. *Journal of Research in Personality*, 39, 103–129.
Meade, A. W., & Craig, S. B. (2012). Identifying careless responses in survey data.
*Psychological Methods*, 17(3), 437–455.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import chdtri

from ..config.codebook import Codebook
from ..config.schema import CARELESS_INDICES
from ..config.settings import CarelessSettings


def longstring(raw: np.ndarray) -> np.ndarray:
    """Longest run of identical consecutive answers per row (NaN breaks a run).

    The loop runs over the *items* (34), not the respondents.

    Examples
    --------
    >>> longstring(np.array([[1, 1, 2, 2, 2], [3, np.nan, 3, 3, 1.]]))
    array([3., 2.])
    """
    n, k = raw.shape
    if k == 0:
        return np.full(n, np.nan)
    run = np.where(np.isnan(raw[:, 0]), 0, 1)
    best = run.copy()
    for j in range(1, k):
        cur = raw[:, j]
        same = cur == raw[:, j - 1]  # False when either is NaN
        run = np.where(np.isnan(cur), 0, np.where(same, run + 1, 1))
        best = np.maximum(best, run)
    out = best.astype(float)
    out[np.isnan(raw).all(axis=1)] = np.nan
    return out


def irv(raw: np.ndarray) -> np.ndarray:
    """Within-person SD (ddof = 1) of the answered items; NaN with fewer than 2 answers."""
    n_ans = (~np.isnan(raw)).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.nansum(raw, axis=1) / n_ans
        ss = np.nansum((raw - mean[:, None]) ** 2, axis=1)
        sd = np.sqrt(ss / (n_ans - 1))
    return np.where(n_ans >= 2, sd, np.nan)


def mahalanobis(keyed: np.ndarray) -> np.ndarray:
    """Squared Mahalanobis distance of each row from the pooled mean (pooled covariance).

    Missing answers are imputed by the item mean. The covariance is inverted with
    a pseudo-inverse so that a constant item does not break the computation.
    """
    n, k = keyed.shape
    if n <= k:  # D² is meaningless without many more respondents than items
        return np.full(n, np.nan)
    means = _row_nanmean(keyed.T)
    means = np.where(np.isnan(means), 0.0, means)
    x = np.where(np.isnan(keyed), means, keyed)
    xc = x - x.mean(axis=0)
    cov = (xc.T @ xc) / (n - 1)
    inv = np.linalg.pinv(cov, hermitian=True)
    d2 = ((xc @ inv) * xc).sum(axis=1)  # BLAS matmul; einsum would not use it
    d2[np.isnan(keyed).all(axis=1)] = np.nan
    return d2


def _row_nanmean(block: np.ndarray) -> np.ndarray:
    """Row means over non-missing cells, NaN for an all-missing row (no warning)."""
    n = (~np.isnan(block)).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(np.isnan(block), 0.0, block).sum(axis=1) / n


def even_odd(keyed: np.ndarray, codebook: Codebook, min_scales: int = 3) -> np.ndarray:
    """Spearman–Brown corrected even–odd consistency across the scales, per row."""
    col = {code: j for j, code in enumerate(codebook.item_codes)}
    odd_means, even_means = [], []
    for scale in codebook.scales.values():
        idx = [col[c] for c in scale.items]
        odd, even = idx[0::2], idx[1::2]  # 1st, 3rd… items vs 2nd, 4th…
        if not even:
            continue
        odd_means.append(_row_nanmean(keyed[:, odd]))
        even_means.append(_row_nanmean(keyed[:, even]))
    a = np.column_stack(odd_means)
    b = np.column_stack(even_means)
    ok = ~np.isnan(a) & ~np.isnan(b)
    m = ok.sum(axis=1)
    a0 = np.where(ok, a, 0.0)
    b0 = np.where(ok, b, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        ma = a0.sum(axis=1) / m
        mb = b0.sum(axis=1) / m
        da = np.where(ok, a - ma[:, None], 0.0)
        db = np.where(ok, b - mb[:, None], 0.0)
        r = (da * db).sum(axis=1) / np.sqrt((da**2).sum(axis=1) * (db**2).sum(axis=1))
        sb = 2 * r / (1 + r)
    return np.where((m >= min_scales) & np.isfinite(sb), sb, np.nan)


def careless_indices(
    raw: np.ndarray,
    keyed: np.ndarray,
    duration_s: np.ndarray,
    codebook: Codebook,
    cfg: CarelessSettings,
) -> pd.DataFrame:
    """All indices, per-index flags, the number of flags and the overall flag.

    Parameters
    ----------
    raw
        ``n × k`` raw coded answers in codebook item order (before reverse keying;
        missing codes such as 9 kept as codes; NaN = blank).
    keyed
        ``n × k`` answers after reverse keying with missing codes set to NaN.
    duration_s
        Seconds from start to submit (NaN when unknown).
    codebook
        Item order and scales.
    cfg
        ``settings.cleaning.careless``.

    Returns
    -------
    pandas.DataFrame
        Columns ``cr_<index>``, ``cr_flag_<index>``, ``cr_n_flags``, ``careless_flag``
        (see :func:`leerlab_research.config.schema.careless_columns`).
    """
    k = keyed.shape[1]
    substantive = keyed.copy()
    # IRV on raw substantive answers: raw codes with the missing codes removed.
    raw_subst = np.where(np.isnan(keyed), np.nan, raw)
    idx = {
        "seconds_per_item": duration_s / k,
        "longstring": longstring(raw),
        "irv": irv(raw_subst),
        "mahalanobis": mahalanobis(substantive),
        "evenodd": even_odd(keyed, codebook),
    }
    crit = mahalanobis_cutoff(k, cfg.mahalanobis_p)
    with np.errstate(invalid="ignore"):
        flags = {
            "seconds_per_item": idx["seconds_per_item"] < cfg.min_seconds_per_item,
            "longstring": idx["longstring"] >= cfg.max_longstring,
            "irv": idx["irv"] <= cfg.min_irv,
            "mahalanobis": idx["mahalanobis"] > crit,
            "evenodd": idx["evenodd"] < cfg.min_evenodd,
        }
    out = {f"cr_{name}": idx[name].astype(float) for name in CARELESS_INDICES}
    for name in CARELESS_INDICES:
        out[f"cr_flag_{name}"] = np.asarray(flags[name], dtype=bool)  # NaN compares False
    n_flags = np.sum([out[f"cr_flag_{name}"] for name in CARELESS_INDICES], axis=0).astype(np.int64)
    out["cr_n_flags"] = n_flags
    out["careless_flag"] = n_flags >= cfg.min_agree
    return pd.DataFrame(out)


def mahalanobis_cutoff(n_items: int, p: float) -> float:
    """The χ² cut-off used for D² (df = number of items)."""
    # chdtri(df, p) is the upper-tail inverse: the χ² quantile 1 − p (scipy.special
    # rather than scipy.stats, whose import alone costs a second).
    return float(chdtri(n_items, p))
