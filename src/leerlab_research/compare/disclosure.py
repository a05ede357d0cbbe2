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


def protect_cube(
    table: pd.DataFrame,
    dims: Sequence[str],
    by: Sequence[str] = (),
    *,
    n_col: str = "n",
    min_cell: int = 5,
    primary: np.ndarray | None = None,
    fixed: np.ndarray | None = None,
    search_budget: int = 150,
) -> np.ndarray:
    """Hypercube suppression of a hierarchical table, then the remainder rule.

    For every primary cell p a *hypercube* of cells is suppressed: along each
    dimension d one other cell of p's line (a sibling, or the total when p is a
    child; a child when p is the total), and every combination of these choices
    (2^k corners). The vector that adds ``+t`` / ``−t`` alternately on the corners
    (same sign for a total–child pair, opposite signs for two siblings) leaves every
    published total unchanged, so no corner — in particular p — can be solved for
    from the published cells, whatever else is published (Repsilber 1994; Giessing &
    Repsilber 2002; Hundepool et al. 2012, §4.3). All corners must exist (n > 0,
    otherwise the zero is public) and corners whose sign opposes p's must have n ≥ 2,
    so that p's n is not pinned by the bound n ≥ 1 either. Candidate cubes are
    searched depth-first over the dimensions (already-suppressed alternatives first,
    then the smallest; a branch is cut as soon as one of its corners does not exist
    or it costs more than the best cube found), at most ``search_budget`` nodes per
    primary cell; the cube adding the fewest respondents is chosen.
    Finally :func:`protect` adds suppressions until every relation with a published
    total hides either nothing or ≥ 2 cells holding ≥ ``min_cell`` respondents.

    Parameters
    ----------
    table
        One row per cell; ``dims`` hold categories or ``ALL`` (the total).
    dims, by
        Hierarchical dimensions; columns that separate independent tables.
    n_col
        Respondents per cell.
    min_cell
        Smallest published n.
    primary
        Extra cells to protect as primary (e.g. inherited).
    fixed
        Cells published elsewhere (e.g. totals of another table): they take part in
        the relations but are never chosen for suppression.

    Returns
    -------
    numpy.ndarray of str
        ``""``, ``"primary"`` or ``"complementary"`` per row.
    """
    table = table.reset_index(drop=True)
    fixed_ = np.zeros(len(table), dtype=bool) if fixed is None else np.asarray(fixed, dtype=bool)
    n = table[n_col].to_numpy(dtype=float)
    n = np.where(np.isfinite(n), n, 0.0)
    prim = (n > 0) & (n < min_cell)
    if primary is not None:
        prim |= np.asarray(primary, dtype=bool)
    sup = prim.copy()
    keys = [*by, *dims]
    vals = [table[c].astype(str).to_numpy() for c in keys]
    index = {tuple(v[i] for v in vals): i for i in range(len(table))}
    nb = len(by)
    # lines: for each dim, rows sharing all other keys; members pre-sorted by (n < 2, n, row)
    static = np.lexsort((np.arange(len(table)), n, n < 2))
    line_ids: list[np.ndarray] = []
    members: list[list[np.ndarray]] = []
    is_total: list[np.ndarray] = []
    for d in dims:
        other = [c for c in keys if c != d]
        lid = (
            table.groupby(other, sort=False, dropna=False).ngroup().to_numpy()
            if other
            else np.zeros(len(table), dtype=int)
        )
        line_ids.append(lid)
        ordered = static[np.argsort(lid[static], kind="stable")]
        cuts = np.flatnonzero(np.diff(lid[ordered])) + 1
        blocks = np.split(ordered, cuts)
        by_id: list[np.ndarray] = [np.zeros(0, dtype=int)] * (int(lid.max()) + 1 if len(lid) else 0)
        for blk in blocks:
            by_id[int(lid[blk[0]])] = blk
        members.append(by_id)
        is_total.append((table[d].astype(str) == ALL).to_numpy())
    # a row takes part in a relation along dim j when its line has a total and a child
    has_rel = []
    for j in range(len(dims)):
        size = np.bincount(line_ids[j], minlength=len(members[j]))
        tot = np.bincount(line_ids[j], weights=is_total[j].astype(float), minlength=len(members[j]))
        has_rel.append((size[line_ids[j]] > 1) & (tot[line_ids[j]] > 0))
    usable = (n > 0) & ~fixed_

    def line_of(i: int, j: int) -> np.ndarray:
        return members[j][line_ids[j][i]]

    needs_audit: set[tuple[str, ...]] = set()
    order = sorted(np.flatnonzero(prim), key=lambda i: (n[i], i))
    for p in order:
        cands: list[list[tuple[int, bool]]] = []  # per dim: (row, is_total_child_pair)
        active = [j for j in range(len(dims)) if has_rel[j][p]]
        if not active:
            continue  # p is in no published total: hiding p itself is enough
        for j in active:
            m = line_of(p, j)
            m = m[(m != p) & usable[m]]
            if is_total[j][p]:
                m = m[~is_total[j][m]]
            m = np.concatenate([m[sup[m]], m[~sup[m]]])
            pt = bool(is_total[j][p])
            tot = is_total[j][m]
            cands.append([(int(q), pt or bool(t)) for q, t in zip(m, tot, strict=True)])
        best = None
        if all(cands):
            inactive = [j for j in range(len(dims)) if j not in active]
            best = _search_cube(
                p,
                cands,
                vals,
                [nb + j for j in active],
                index,
                n,
                sup,
                budget=search_budget,
                no_rel=[has_rel[j] for j in inactive],
            )
        if best is None:
            # no hypercube of existing cells: protect p's own relations (two hidden cells
            # per relation) and verify the block exactly afterwards (_repair_exact)
            needs_audit.add(tuple(v[p] for v in vals[:nb]))
            for j in active:
                line = line_of(p, j)
                kids = line[~is_total[j][line]]
                others = kids[(kids != p) & usable[kids]]
                if is_total[j][p] or not (sup[others].any()):
                    pick = others[~sup[others]]
                    if pick.size:
                        sup[pick[np.argmin(n[pick])]] = True
            continue
        for q in best[1]:
            sup[q] = True
    rel = hierarchy_relations(table, dims, by)
    extra = protect(np.where(fixed_, np.inf, n), rel, min_cell, primary=sup)
    sup = sup | (extra != "")
    if needs_audit:
        block_of = [tuple(v[i] for v in vals[:nb]) for i in range(len(table))]
        _repair_exact(
            n, rel, sup, prim, fixed_, [i for i, b in enumerate(block_of) if b in needs_audit]
        )
        extra = protect(np.where(fixed_, np.inf, n), rel, min_cell, primary=sup)
        sup = sup | (extra != "")
    reason = np.full(len(table), "", dtype=object)
    reason[sup] = COMPLEMENTARY
    reason[prim] = PRIMARY
    return reason


def _repair_exact(
    n: np.ndarray,
    rel: Relations,
    sup: np.ndarray,
    prim: np.ndarray,
    fixed: np.ndarray,
    rows: list[int],
    max_rounds: int = 100,
) -> None:
    """Suppress more cells until no primary cell of ``rows`` is linearly determined.

    A suppressed cell is determined by the published relations exactly when its row
    of the null-space basis of the relation matrix (restricted to suppressed cells)
    is zero. Each round suppresses, for every determined primary cell, the smallest
    published cell sharing a relation with it. Modifies ``sup`` in place.
    """
    from scipy.linalg import null_space

    in_block = np.zeros(len(n), dtype=bool)
    in_block[rows] = True
    rels = [
        (int(p), kids)
        for p, kids in zip(rel.parent, rel.children, strict=True)
        if p >= 0 and in_block[p]
    ]
    for _ in range(max_rounds):
        unknown = np.flatnonzero(sup & in_block)
        if unknown.size == 0:
            return
        col = {int(u): k for k, u in enumerate(unknown)}
        mat = []
        for p, kids in rels:
            a = np.zeros(unknown.size)
            for idx, sign in [(p, 1.0), *((int(k), -1.0) for k in kids)]:
                if sup[idx]:
                    a[col[idx]] += sign
            if a.any():
                mat.append(a)
        if not mat:
            return
        basis = null_space(np.vstack(mat))
        norms = np.linalg.norm(basis, axis=1) if basis.size else np.zeros(unknown.size)
        determined = [int(u) for k, u in enumerate(unknown) if prim[u] and norms[k] < 1e-9]
        if not determined:
            return
        for u in determined:
            partners = [
                q
                for p, kids in rels
                if u == p or u in kids
                for q in (p, *map(int, kids))
                if not sup[q] and not fixed[q] and n[q] > 0
            ]
            if partners:
                q = min(partners, key=lambda i: (n[i], i))
                sup[q] = True


def _search_cube(
    p: int,
    cands: list[list[tuple[int, bool]]],
    vals: list[np.ndarray],
    positions: list[int],
    index: dict[tuple[str, ...], int],
    n: np.ndarray,
    sup: np.ndarray,
    budget: int,
    no_rel: list[np.ndarray],
) -> tuple[float, list[int]] | None:
    """Depth-first branch-and-bound over one alternative per active dimension.

    ``positions`` are the key positions of the active dimensions; every corner must
    have no relation along the inactive dimensions (``no_rel`` masks are "has a
    relation"), otherwise moving it would change a published total.
    """
    k = len(cands)
    base = [v[p] for v in vals]
    best: list[object] = [None]
    visits = [0]

    # corners as (key list, sign); start with p itself
    def rec(j: int, corners: list[tuple[list[str], int, int]], cost: float) -> bool:
        if best[0] is not None and cost >= best[0][0]:  # type: ignore[index]
            return False
        if j == k:
            best[0] = (cost, [row for _, _, row in corners])
            return cost == 0
        for q, total_pair in cands[j]:
            visits[0] += 1
            if (visits[0] > budget and best[0] is not None) or visits[0] > 20 * budget:
                return True
            alt = vals[positions[j]][q]
            new: list[tuple[list[str], int, int]] = []
            add = 0.0
            ok = True
            for key, sign, _ in corners:
                k2 = list(key)
                k2[positions[j]] = alt
                row = index.get(tuple(k2))
                if row is None or any(mask[row] for mask in no_rel):
                    ok = False
                    break
                s2 = sign if total_pair else -sign
                if s2 < 0 and n[row] < 2:
                    ok = False
                    break
                if not sup[row]:
                    add += n[row] + 1.0
                new.append((k2, s2, row))
            if not ok:
                continue
            if rec(j + 1, corners + new, cost + add):
                return True
        return False

    rec(0, [(base, 1, p)], 0.0)
    return best[0]  # type: ignore[return-value]


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


SUPPRESSION_COLUMNS = ["table", "scale", "wave", "lab", "key", "reason"]


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
