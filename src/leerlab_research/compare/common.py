"""Shared helpers of the comparison stage: the analysis frame, markers, corrections.

Conventions used by every table of ``<out>/compare/``:

* ``ALL`` (``"all"``) in a grouping column (``lab``, ``role``, ``school_type``) means
  "aggregated over this variable" (the programme, all roles, ...).
* ``UNKNOWN`` (``"onbekend"``) is the category for a missing grouping value, kept as
  its own group so that every total equals the sum of its parts (needed for
  disclosure control by subtraction).
* p-values are corrected across the family of the nine scales with Holm (1979) and
  Benjamini & Hochberg (1995) (:func:`add_corrections`: vectorised over families and
  tested equal to :func:`statsmodels.stats.multitest.multipletests`, whose Holm branch
  calls ``gc.collect()`` on every call — 0.1 s each in a large process, minutes for the
  400 families of a 200-lab run).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from statsmodels.stats.multitest import multipletests

from ..config.table_labels import ALL

#: Category for a missing grouping value.
UNKNOWN = "onbekend"
#: Grouping variables of the clean table used as table dimensions.
GROUP_DIMS = ("lab", "role", "school_type")


def analysis_frame(
    clean: pd.DataFrame,
    scales: Sequence[str],
    *,
    items: Sequence[str] | None = None,
    exclude_careless: bool = False,
    extra: Sequence[str] = (),
) -> pd.DataFrame:
    """The rows and columns the comparisons use.

    Parameters
    ----------
    clean
        The clean response table (columns per ``docs/ARCHITECTURE.md``).
    scales
        Scale score columns (codebook order).
    items
        Item columns to keep (default: every column named like an item code, e.g. ``AMB1``).
    exclude_careless
        Drop rows with ``careless_flag`` true.
    extra
        Further columns of ``clean`` carried over as they are (e.g. ``focus_*``).

    Returns
    -------
    pandas.DataFrame
        ``respondent_id``, ``lab``, ``role``, ``school_type``, ``wave`` as strings
        (missing → ``UNKNOWN``), the scale columns as float, and every item column
        present (float, NaN when missing).
    """
    df = clean
    if exclude_careless and "careless_flag" in df.columns:
        df = df[~df["careless_flag"].fillna(False).astype(bool)]
    out = pd.DataFrame(index=df.index)
    out["respondent_id"] = df["respondent_id"].astype("string").fillna(UNKNOWN).astype(str)
    for col in (*GROUP_DIMS, "wave"):
        out[col] = df[col].astype("string").fillna(UNKNOWN).astype(str)
    for s in scales:
        out[s] = pd.to_numeric(df[s], errors="coerce").astype(float)
    if items is None:
        item_cols = [c for c in df.columns if c not in out.columns and _looks_like_item(c)]
    else:
        item_cols = [c for c in items if c in df.columns]
    for c in item_cols:
        out[c] = pd.to_numeric(df[c], errors="coerce").astype(float)
    for c in extra:
        if c in df.columns:
            out[c] = df[c]
    return out.reset_index(drop=True)


def _looks_like_item(col: str) -> bool:
    return col[:-1].isalpha() and col[:-1].isupper() and col[-1].isdigit()


def holm(p: np.ndarray) -> np.ndarray:
    """Holm (1979) step-down adjusted p-values (no NaN).

    Identical to ``multipletests(p, method="holm")[1]`` (tested); written out because
    statsmodels' Holm branch calls ``gc.collect()`` on every call, which costs
    ~0.1 s per family in a large process and dominated the stage's run time.
    """
    p = np.asarray(p, dtype=float)
    m = p.size
    if m == 0:
        return p.copy()
    order = np.argsort(p, kind="mergesort")
    adj = np.minimum(1.0, np.maximum.accumulate(p[order] * np.arange(m, 0, -1)))
    out = np.empty(m)
    out[order] = adj
    return out


def adjust_family(p: pd.Series | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Holm and Benjamini–Hochberg adjusted p-values of one family (NaN kept).

    Parameters
    ----------
    p
        Unadjusted p-values; NaN entries are left out of the family and stay NaN.

    Returns
    -------
    (p_holm, p_fdr_bh)

    References
    ----------
    Holm, S. (1979). A simple sequentially rejective multiple test procedure.
    *Scandinavian Journal of Statistics*, 6, 65–70.
    Benjamini, Y., & Hochberg, Y. (1995). Controlling the false discovery rate.
    *JRSS B*, 57, 289–300.
    """
    p = np.asarray(p, dtype=float)
    holm_ = np.full(p.shape, np.nan)
    bh = np.full(p.shape, np.nan)
    ok = np.isfinite(p)
    if ok.any():
        holm_[ok] = holm(p[ok])
        bh[ok] = multipletests(p[ok], method="fdr_bh")[1]
    return holm_, bh


def add_corrections(
    table: pd.DataFrame, family_keys: Sequence[str], *, p_col: str = "p", label: str = "scales"
) -> pd.DataFrame:
    """Add ``p_holm``, ``p_fdr_bh`` and ``correction_family`` per family of rows.

    A family is the set of rows sharing ``family_keys`` (one row per scale), so the
    correction runs across the scales, as the issue asks. Rows with a missing p are
    not part of their family. Vectorised over families (equal to
    ``multipletests`` per family, tested).
    """
    table = table.copy()
    n = len(table)
    table["p_holm"] = np.nan
    table["p_fdr_bh"] = np.nan
    table["correction_family"] = ""
    if n == 0:
        return table
    keys = list(family_keys)
    fam = table.groupby(keys, sort=True, dropna=False).ngroup().to_numpy()
    p = pd.to_numeric(table[p_col], errors="coerce").to_numpy(dtype=float)
    ok = np.isfinite(p)
    m = np.bincount(fam[ok], minlength=fam.max() + 1)
    pos = np.flatnonzero(ok)
    order = pos[np.lexsort((p[pos], fam[pos]))]
    f_sorted = fam[order]
    p_sorted = p[order]
    start_of = np.r_[0, np.cumsum(m)[:-1]]
    rank = np.arange(order.size) - start_of[f_sorted] + 1  # 1..m within family
    mf = m[f_sorted].astype(float)
    holm_raw = pd.Series(p_sorted * (mf - rank + 1))
    holm_adj = np.minimum(1.0, holm_raw.groupby(f_sorted).cummax().to_numpy())
    bh_raw = pd.Series(p_sorted * mf / rank)
    bh_adj = np.minimum(1.0, bh_raw[::-1].groupby(f_sorted[::-1]).cummin()[::-1].to_numpy())
    out_h = np.full(n, np.nan)
    out_b = np.full(n, np.nan)
    out_h[order] = holm_adj
    out_b[order] = bh_adj
    table["p_holm"] = out_h
    table["p_fdr_bh"] = out_b
    key_frame = table[keys].astype(str)
    desc = (
        key_frame.apply(lambda r: ", ".join(f"{k}={v}" for k, v in r.items()), axis=1)
        if len(keys) > 1
        else keys[0] + "=" + key_frame[keys[0]]
    )
    table["correction_family"] = [
        f"{int(m[f])} {label}; {d}" for f, d in zip(fam, desc, strict=True)
    ]
    return table


def t_interval(
    mean: np.ndarray, sd: np.ndarray, n: np.ndarray, confidence: float
) -> tuple[np.ndarray, np.ndarray]:
    """Student-t confidence interval of a mean (NaN for n < 2)."""
    from scipy import stats

    n = np.asarray(n, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        crit = stats.t.ppf(0.5 + confidence / 2, np.where(n > 1, n - 1, np.nan))
        half = crit * np.asarray(sd, dtype=float) / np.sqrt(n)
    return np.asarray(mean) - half, np.asarray(mean) + half


def lab_names(labs: object, ids: pd.Series) -> pd.Series:
    """Display names for lab ids (``ALL`` → ``"Programma"``; unknown ids kept)."""

    def name(i: str) -> str:
        if i == ALL:
            return "Programma"
        try:
            return labs.name_of(i)  # type: ignore[attr-defined]
        except (KeyError, AttributeError):
            return i

    return ids.map(name)


def sort_rows(
    df: pd.DataFrame, keys: Sequence[str], orders: Mapping[str, Sequence[str]] | None = None
) -> pd.DataFrame:
    """Sort by ``keys`` with ``ALL`` first in each key, deterministic and stable.

    ``orders`` gives an explicit order for some keys (e.g. scales in codebook order);
    values not listed sort after the listed ones, alphabetically.
    """
    if df.empty:
        return df.reset_index(drop=True)
    tmp = df.copy()
    sort_cols = []
    orders = orders or {}
    for k in keys:
        if k in orders:
            pos = {v: i for i, v in enumerate(orders[k])}
            flag = f"__order_{k}"
            tmp[flag] = tmp[k].map(lambda v, pos=pos: pos.get(v, len(pos)))
            sort_cols += [flag, k]
        elif tmp[k].dtype == object or pd.api.types.is_string_dtype(tmp[k]):
            flag = f"__all_{k}"
            tmp[flag] = (tmp[k] != ALL).astype(int)
            sort_cols += [flag, k]
        else:
            sort_cols.append(k)
    tmp = tmp.sort_values(sort_cols, kind="mergesort")
    return tmp[df.columns].reset_index(drop=True)
