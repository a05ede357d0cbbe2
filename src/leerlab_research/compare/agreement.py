"""Het achtje: within-lab agreement and gaps between school types and levels (``agreement.csv``).

Rows per scale × wave × lab (``measure``):

``rwg_j``
    James, Demaree & Wolf (1984) multi-item agreement against a uniform null,
    σ²_EU = (A² − 1)/12 (= 2 for A = 5 options):

    .. math:: r_{wg(J)} = \\frac{J(1 - \\bar s^2/\\sigma^2_{EU})}{J(1 - \\bar s^2/\\sigma^2_{EU}) + \\bar s^2/\\sigma^2_{EU}}

    with s̄² the mean of the J item variances (n − 1) in the lab, computed on
    respondents who answered all items of the scale (listwise, as
    ``multilevel::rwg.j``); s̄² > σ²_EU is truncated to σ²_EU (r_wg(J) = 0), as in
    ``multilevel::rwg.j``.
``awg``
    Brown & Hauenstein (2005) a_wg(J): the mean over items of
    1 − 2 s² / {[(H + L) M − M² − H L] · k/(k − 1)} (H, L scale end points, M item mean,
    k raters), undefined when M lies too close to an end point
    (M < [L(k − 1) + H]/k or M > [H(k − 1) + L]/k) and 1 when M = L or H
    (as ``multilevel::awg``).
``gap_school_type`` / ``gap_role``
    For the *verankering* scales: mean(vmbo) − mean(mbo) and the differences between
    bestuur, management and docent, with n_a and n_b and a Welch confidence
    interval. A gap is shown only when both of its descriptives cells are shown.

References
----------
Brown, R. D., & Hauenstein, N. M. A. (2005). Interrater agreement reconsidered: an
alternative to the rwg indices. *Organizational Research Methods*, 8, 165–184.
James, L. R., Demaree, R. G., & Wolf, G. (1984). Estimating within-group interrater
reliability with and without response bias. *Journal of Applied Psychology*, 69, 85–98.
LeBreton, J. M., & Senter, J. L. (2008). Answers to 20 questions about interrater
reliability and interrater agreement. *Organizational Research Methods*, 11, 815–852.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from .common import ALL, lab_names, sort_rows
from .descriptives import cell_reason
from .disclosure import PRIMARY, blank, inherit
from .registry import columns

COLUMNS = columns("agreement")
ROLE_PAIRS = [("bestuur", "management"), ("bestuur", "docent"), ("management", "docent")]
SCHOOL_PAIRS = [("vmbo", "mbo")]


def uniform_null_variance(n_options: int) -> float:
    """σ²_EU = (A² − 1) / 12 of a discrete uniform on A options (2.0 for A = 5)."""
    return (n_options**2 - 1) / 12.0


def rwg_j(items: np.ndarray, n_options: int = 5) -> float:
    """r_wg(J) of one group (rows = respondents, columns = items; complete rows used)."""
    x = np.asarray(items, dtype=float)
    x = x[~np.isnan(x).any(axis=1)]
    if x.shape[0] < 2:
        return np.nan
    return float(
        _rwg_from_var(
            float(np.mean(np.var(x, axis=0, ddof=1))), x.shape[1], uniform_null_variance(n_options)
        )
    )


def _rwg_from_var(s: float | np.ndarray, j: int, ev: float) -> np.ndarray:
    r = np.minimum(np.asarray(s, dtype=float), ev) / ev
    return j * (1 - r) / (j * (1 - r) + r)


def awg(items: np.ndarray, low: float = 1, high: float = 5) -> float:
    """a_wg(J) of one group (Brown & Hauenstein 2005; complete rows used)."""
    x = np.asarray(items, dtype=float)
    x = x[~np.isnan(x).any(axis=1)]
    if x.shape[0] < 2:
        return np.nan
    k = x.shape[0]
    return float(_awg_items(x.mean(axis=0), x.var(axis=0, ddof=1), k, low, high)[0])


def _awg_items(
    m: np.ndarray, v: np.ndarray, k: float | np.ndarray, low: float, high: float
) -> np.ndarray:
    """a_wg per item (rows of ``m``/``v`` are groups, columns items), then mean over items."""
    m = np.atleast_2d(np.asarray(m, dtype=float))
    v = np.atleast_2d(np.asarray(v, dtype=float))
    k = np.asarray(k, dtype=float).reshape(-1, 1) * np.ones_like(m)
    with np.errstate(invalid="ignore", divide="ignore"):
        denom = ((high + low) * m - m**2 - high * low) * (k / (k - 1))
        a = 1 - (2 * v) / denom
    a = np.where(m < (low * (k - 1) + high) / k, np.nan, a)
    a = np.where(m > (high * (k - 1) + low) / k, np.nan, a)
    a = np.where((m == high) | (m == low), 1.0, a)
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN rows: mean of nothing is NaN
        out = np.nanmean(a, axis=1)
    return out


def agreement_table(
    df: pd.DataFrame,
    scales: Sequence[str],
    scale_items: dict[str, list[str]],
    gap_scales: Sequence[str],
    lookup: dict[tuple[str, ...], str],
    *,
    item_range: tuple[int, int] = (1, 5),
    min_cell: int = 5,
    confidence: float = 0.95,
    labs: object = None,
    role_pairs: Sequence[tuple[str, str]] = tuple(ROLE_PAIRS),
) -> pd.DataFrame:
    """``agreement.csv``: r_wg(J), a_wg(J) per lab and the gaps, protected.

    Parameters
    ----------
    df
        Analysis frame with item columns.
    scales
        Scales for r_wg(J) and a_wg(J).
    scale_items
        Items of each scale.
    gap_scales
        Scales for the gaps (the *verankering* domain).
    lookup
        Descriptives suppression reasons.
    item_range
        (L, H) of the response scale; A = H − L + 1 options.
    role_pairs
        Pairs of ``role`` values whose gap is computed (the stage passes the
        published levels, leiding and docent).
    """
    low, high = item_range
    n_opt = high - low + 1
    ev = uniform_null_variance(n_opt)
    rows: list[pd.DataFrame] = []
    for scale in scales:
        items = [c for c in scale_items[scale] if c in df.columns]
        if not items:
            continue
        d = df.dropna(subset=items)
        g = d.groupby(["wave", "lab"], sort=True)
        n = g.size()
        var = g[items].var(ddof=1)
        mean = g[items].mean()
        rwg = _rwg_from_var(var.mean(axis=1).to_numpy(), len(items), ev)
        aw = _awg_items(mean.to_numpy(), var.to_numpy(), n.to_numpy(), low, high)
        small = n.to_numpy() < 2
        rwg = np.where(small, np.nan, rwg)
        aw = np.where(small, np.nan, aw)
        idx = n.index.to_frame(index=False)
        for measure, values in (("rwg_j", rwg), ("awg", aw)):
            part = idx.copy()
            part["scale"], part["measure"] = scale, measure
            part["n"] = n.to_numpy()
            part["value"] = values
            rows.append(part)
    base = (
        pd.concat(rows, ignore_index=True)
        if rows
        else pd.DataFrame(columns=["wave", "lab", "scale", "measure", "n", "value"])
    )
    base["group_a"], base["group_b"] = "", ""
    reasons = []
    for s, w, lab, nn in zip(base["scale"], base["wave"], base["lab"], base["n"], strict=True):
        r = PRIMARY if 0 < nn < min_cell else ""
        reasons.append(inherit([r, cell_reason(lookup, s, w, lab, ALL, ALL)]))
    base["suppression_reason"] = reasons
    gaps = _gaps(df, gap_scales, lookup, confidence, list(role_pairs))
    table = pd.concat([base, gaps], ignore_index=True)
    for c in COLUMNS:
        if c not in table.columns:
            table[c] = np.nan
    table["lab_name"] = lab_names(labs, table["lab"].astype(str))
    reason = table["suppression_reason"].fillna("").to_numpy(dtype=object)
    table = blank(table, reason, ["n", "n_a", "n_b", "value", "ci_low", "ci_high"])
    for c in ("n", "n_a", "n_b"):
        table[c] = pd.to_numeric(table[c]).round().astype("Int64")
    order = {"scale": list(scales), "measure": ["rwg_j", "awg", "gap_school_type", "gap_role"]}
    return sort_rows(
        table[COLUMNS], ["scale", "wave", "lab", "measure", "group_a", "group_b"], order
    )


def _gaps(
    df: pd.DataFrame,
    scales: Sequence[str],
    lookup: dict[tuple[str, ...], str],
    confidence: float,
    role_pairs: list[tuple[str, str]],
) -> pd.DataFrame:
    rows: list[dict] = []
    for scale in scales:
        d = df[df[scale].notna()]
        for dim, pairs, measure in (
            ("school_type", SCHOOL_PAIRS, "gap_school_type"),
            ("role", role_pairs, "gap_role"),
        ):
            per_lab = d.groupby(["wave", "lab", dim])[scale].agg(["size", "mean", "var"])
            programme = d.groupby(["wave", dim])[scale].agg(["size", "mean", "var"])
            cells = {
                k: (int(r[0]), float(r[1]), float(r[2]))
                for k, r in zip(per_lab.index, per_lab.to_numpy(), strict=True)
            }
            for (wave, level), r in zip(programme.index, programme.to_numpy(), strict=True):
                cells[(wave, ALL, level)] = (int(r[0]), float(r[1]), float(r[2]))
            keys = sorted({(w, lab) for w, lab, _ in cells})
            for wave, lab in keys:
                rows.extend(
                    _gap_rows(scale, wave, lab, dim, pairs, measure, cells, lookup, confidence)
                )
    return pd.DataFrame(rows)


def _gap_rows(
    scale: str,
    wave: str,
    lab: str,
    dim: str,
    pairs: list[tuple[str, str]],
    measure: str,
    cells: dict[tuple[str, str, str], tuple[int, float, float]],
    lookup: dict[tuple[str, ...], str],
    confidence: float,
) -> list[dict]:
    out = []
    for a, b in pairs:
        na, ma, va = cells.get((wave, lab, a), (0, np.nan, np.nan))
        nb, mb, vb = cells.get((wave, lab, b), (0, np.nan, np.nan))
        diff = ma - mb
        lo = hi = np.nan
        if na > 1 and nb > 1:
            se2a, se2b = va / na, vb / nb
            se = np.sqrt(se2a + se2b)
            if se > 0:
                dfw = (se2a + se2b) ** 2 / (se2a**2 / (na - 1) + se2b**2 / (nb - 1))
                t = stats.t.ppf(0.5 + confidence / 2, dfw)
                lo, hi = diff - t * se, diff + t * se
        ra = cell_reason(lookup, scale, wave, lab, **{dim: a}) if na else ""
        rb = cell_reason(lookup, scale, wave, lab, **{dim: b}) if nb else ""
        out.append(
            {
                "scale": scale,
                "wave": wave,
                "lab": lab,
                "measure": measure,
                "group_a": a,
                "group_b": b,
                "n": na + nb,
                "n_a": na,
                "n_b": nb,
                "value": diff,
                "ci_low": lo,
                "ci_high": hi,
                "suppression_reason": inherit([ra, rb]),
            }
        )
    return out
