"""Statistical disclosure control for every table of the comparison stage.

Rules (``settings.min_cell``, default 5):

* **Primary suppression**: a cell (a row of a table) describing fewer than
  ``min_cell`` respondents (``0 < n < min_cell``) has its statistics *and* its n
  blanked, reason ``primary``.
* **Complementary suppression**: a table is a set of additive relations
  ("constraints"): a parent cell (e.g. lab total) is the union of its children
  (the lab's roles). When the parent is published, the suppressed children of
  that relation are jointly recoverable by subtraction (parent n − shown n's, and
  parent sum − shown sums). We therefore require, for every relation with a
  published parent, that either no child is suppressed or at least two are and
  their total n is at least ``min_cell`` (so what subtraction reveals is an
  aggregate of at least ``min_cell`` people over at least two cells). When a
  parent is suppressed but all its children are shown, the parent is the sum of
  the children, so one child is suppressed too. Missing suppressions are added to
  the smallest shown child (ties: first in table order), reason ``complementary``,
  and the rules are re-applied until nothing changes, because a new suppression
  can break a relation in another dimension (cell suppression in linked tables,
  Hundepool et al. 2012, ch. 4; Cox 1980).
* Tables derived from group cells (gaps, benchmark, group tests) inherit the
  suppression of the cells they are computed from, so no table can undo another.

:func:`audit_linear` checks a protected table the way an intruder would: it
solves the published relations for each suppressed cell (exact linear recovery)
and bounds each suppressed n by linear programming (n ≥ 1 per existing cell).

References
----------
Cox, L. H. (1980). Suppression methodology and statistical disclosure control.
*Journal of the American Statistical Association*, 75(370), 377–385.
Hundepool, A., Domingo-Ferrer, J., Franconi, L., Giessing, S., Schulte Nordholt, E.,
Spicer, K., & de Wolf, P.-P. (2012). *Statistical Disclosure Control*. Wiley.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .common import ALL
from .registry import columns

PRIMARY = "primary"
COMPLEMENTARY = "complementary"


@dataclass(frozen=True)
class Relations:
    """Additive relations of a table: ``parent[g]`` = union of ``children[g]``.

    ``parent[g]`` is the row position of the parent cell, or -1 when the parent
    total is not published (then the relation constrains nothing).
    """

    parent: np.ndarray
    children: list[np.ndarray]

    @staticmethod
    def empty() -> Relations:
        return Relations(np.zeros(0, dtype=int), [])

    def __add__(self, other: Relations) -> Relations:
        return Relations(
            np.concatenate([self.parent, other.parent]), self.children + other.children
        )


def hierarchy_relations(
    table: pd.DataFrame, dims: Sequence[str], by: Sequence[str] = ()
) -> Relations:
    """Relations of a hierarchical table where ``ALL`` in a dimension marks a total.

    For each dimension ``d`` and each row with ``d != ALL``, the parent is the row
    with the same values of ``by`` and the other dimensions and ``d == ALL``.

    Parameters
    ----------
    table
        Rows are cells; positional order is used for the returned indices.
    dims
        Dimension columns holding category values or ``ALL``.
    by
        Columns that separate independent tables (e.g. ``scale``, ``wave``).
    """
    table = table.reset_index(drop=True)
    parents: list[int] = []
    children: list[np.ndarray] = []
    for d in dims:
        other = [*by, *(x for x in dims if x != d)]
        if other:
            key = table.groupby(other, sort=False, dropna=False).ngroup().to_numpy()
        else:
            key = np.zeros(len(table), dtype=int)
        is_total = (table[d] == ALL).to_numpy()
        parent_of_key: dict[int, int] = {}
        for pos in np.flatnonzero(is_total):
            parent_of_key[int(key[pos])] = int(pos)
        kid_pos = np.flatnonzero(~is_total)
        if kid_pos.size == 0:
            continue
        order = np.argsort(key[kid_pos], kind="stable")
        kid_sorted = kid_pos[order]
        k_sorted = key[kid_sorted]
        cuts = np.flatnonzero(np.diff(k_sorted)) + 1
        for block in np.split(kid_sorted, cuts):
            parents.append(parent_of_key.get(int(key[block[0]]), -1))
            children.append(block)
    return Relations(np.asarray(parents, dtype=int), children)


def protect(
    n: np.ndarray, relations: Relations, min_cell: int, primary: np.ndarray | None = None
) -> np.ndarray:
    """Primary and complementary suppression.

    Parameters
    ----------
    n
        Respondents behind each cell.
    relations
        Additive relations between cells (see :func:`hierarchy_relations`).
    min_cell
        Smallest n shown.
    primary
        Optional extra primary suppressions (e.g. inherited from another table).

    Returns
    -------
    numpy.ndarray of str
        ``""`` (shown), ``"primary"`` or ``"complementary"`` per cell.
    """
    n = np.asarray(n, dtype=float)
    n_safe = np.where(np.isfinite(n), n, 0.0)
    reason = np.full(n.shape, "", dtype=object)
    prim = (n_safe > 0) & (n_safe < min_cell)
    if primary is not None:
        prim |= np.asarray(primary, dtype=bool)
    reason[prim] = PRIMARY
    sup = prim.copy()

    def smallest(cands: np.ndarray) -> int | None:
        cands = cands[n_safe[cands] > 0]
        if cands.size == 0:
            return None
        return int(cands[np.argmin(n_safe[cands])])

    changed = True
    while changed:
        changed = False
        for p, kids in zip(relations.parent, relations.children, strict=True):
            if p < 0 or kids.size == 0:
                continue
            ks = sup[kids]
            if sup[p]:
                if ks.any():
                    continue
                pick = smallest(kids)
                if pick is not None:
                    sup[pick] = True
                    reason[pick] = COMPLEMENTARY
                    changed = True
                continue
            # parent published
            while ks.any() and (ks.sum() < 2 or n_safe[kids][ks].sum() < min_cell):
                pick = smallest(kids[~ks])
                if pick is None:
                    sup[p] = True
                    reason[p] = COMPLEMENTARY
                    changed = True
                    break
                sup[pick] = True
                reason[pick] = COMPLEMENTARY
                changed = True
                ks = sup[kids]
    return reason


def blank(table: pd.DataFrame, reason: np.ndarray, stat_cols: Sequence[str]) -> pd.DataFrame:
    """Blank ``stat_cols`` of suppressed rows; add ``suppressed`` and ``suppression_reason``."""
    table = table.copy()
    mask = np.asarray(reason != "", dtype=bool)
    for c in stat_cols:
        if c in table.columns:
            if pd.api.types.is_numeric_dtype(table[c]) and not pd.api.types.is_bool_dtype(table[c]):
                table[c] = table[c].astype(float)
                table.loc[mask, c] = np.nan
            else:
                table[c] = table[c].astype(object)
                table.loc[mask, c] = None
    table["suppressed"] = mask
    table["suppression_reason"] = np.asarray(reason, dtype=object)
    return table


SUPPRESSION_COLUMNS = columns("suppression")


def records(name: str, table: pd.DataFrame, key_cols: Sequence[str]) -> pd.DataFrame:
    """Rows of ``suppression.csv`` for the suppressed rows of a blanked table."""
    if table.empty or "suppressed" not in table.columns:
        return pd.DataFrame(columns=SUPPRESSION_COLUMNS)
    sub = table[table["suppressed"].astype(bool)]
    if sub.empty:
        return pd.DataFrame(columns=SUPPRESSION_COLUMNS)
    keys = [c for c in key_cols if c in sub.columns]
    key = pd.Series("", index=sub.index, dtype=object)
    for i, k in enumerate(keys):
        key = key + (("; " if i else "") + f"{k}=") + sub[k].astype(str).astype(object)
    return pd.DataFrame(
        {
            "table": name,
            "scale": sub["scale"].astype(str) if "scale" in sub else "",
            "wave": sub["wave"].astype(str) if "wave" in sub else "",
            "lab": sub["lab"].astype(str) if "lab" in sub else "",
            "key": key.to_numpy(),
            "reason": sub["suppression_reason"].to_numpy(),
        }
    )[SUPPRESSION_COLUMNS]


def inherit(reasons: Sequence[str]) -> str:
    """Reason of a derived cell that depends on cells with ``reasons``."""
    rs = [r for r in reasons if r]
    if not rs:
        return ""
    return PRIMARY if PRIMARY in rs else COMPLEMENTARY


def audit_linear(
    values: np.ndarray,
    relations: Relations,
    suppressed: np.ndarray,
    *,
    min_cell: int,
    lower: float | None = 1.0,
    targets: np.ndarray | None = None,
) -> list[str]:
    """Try to recover suppressed cells from the published ones; list what leaks.

    The intruder knows the relations ``value[parent] = Σ value[children]`` and
    every published value. A suppressed cell leaks when (1) it is uniquely
    determined by the linear system, or (2) with ``lower`` given (n ≥ 1 for an
    existing cell) its linear-programming range is a single point, or (3) the
    published total of the suppressed cells of one relation is below ``min_cell``
    (``lower`` given, i.e. ``values`` are counts).

    Parameters
    ----------
    values
        The true cell values (n, or n·mean sums) including the suppressed ones.
    relations
        The additive relations of the table.
    suppressed
        Suppression mask.
    min_cell
        Threshold for check (3).
    lower
        Lower bound for a suppressed value (``None``: unbounded, for sums).
    targets
        Cells that must stay hidden (default: all suppressed cells); complementary
        cells hold ≥ ``min_cell`` respondents and need not.

    Returns
    -------
    list of str
        One message per leak; empty when the table is safe.
    """
    from scipy.optimize import linprog

    values = np.asarray(values, dtype=float)
    sup = np.asarray(suppressed, dtype=bool)
    unknown = np.flatnonzero(sup)
    if unknown.size == 0:
        return []
    col = {int(u): j for j, u in enumerate(unknown)}
    rows: list[np.ndarray] = []
    rhs: list[float] = []
    problems: list[str] = []
    for p, kids in zip(relations.parent, relations.children, strict=True):
        if p < 0:
            continue
        a = np.zeros(unknown.size)
        b = 0.0
        for idx, sign in [(int(p), 1.0), *((int(k), -1.0) for k in kids)]:
            if sup[idx]:
                a[col[idx]] += sign
            else:
                b -= sign * values[idx]
        if np.any(a != 0):
            rows.append(a)
            rhs.append(b)
            if lower is not None and not sup[p]:
                hidden = -b  # Σ suppressed children = parent − shown children
                if 0 < hidden < min_cell:
                    problems.append(
                        f"relation parent={p}: suppressed children total {hidden:g} < {min_cell}"
                    )
    if not rows:
        return problems
    a_eq = np.vstack(rows)
    b_eq = np.asarray(rhs)
    rank = np.linalg.matrix_rank(a_eq)
    tgt = sup if targets is None else np.asarray(targets, dtype=bool)
    for j, u in enumerate(unknown):
        if not tgt[u]:
            continue
        e = np.zeros(unknown.size)
        e[j] = 1.0
        if np.linalg.matrix_rank(np.vstack([a_eq, e])) == rank:
            problems.append(f"cell {int(u)}: exactly recoverable (value {values[u]:g})")
            continue
        if lower is None:
            continue
        bounds = [(lower, None)] * unknown.size
        lo = linprog(e, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
        hi = linprog(-e, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
        if lo.status == 0 and hi.status == 0 and abs(-hi.fun - lo.fun) < 1e-9:
            problems.append(f"cell {int(u)}: bounded to a single value {lo.fun:g}")
    return problems
