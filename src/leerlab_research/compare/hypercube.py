"""Hypercube-style complementary suppression across linked tables (see :mod:`.disclosure` for the rules).

:func:`protect_cube` protects every lab x group x scale table of one stage at once,
because a suppression in one dimension can break a relation in another.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from .common import ALL
from .disclosure import COMPLEMENTARY, PRIMARY, Relations, hierarchy_relations, protect


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
    order = sorted(np.flatnonzero(prim).tolist(), key=lambda i: (n[i], i))
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


def null_row_norms(mat: np.ndarray) -> np.ndarray:
    """Row norms of an orthonormal basis of the null space of ``mat`` (one per column).

    The norm of row ``u`` is ``sqrt(P_uu)`` with ``P`` the projector onto the null
    space, so it does not depend on the basis; it is 0 exactly when unknown ``u`` is
    determined by the relations. The relations fall apart into independent blocks
    (columns linked through shared rows; e.g. one per scale), so the null space is
    computed per block: the same norms as ``scipy.linalg.null_space`` of the whole
    matrix, at a fraction of the cost of one SVD of it (tested).
    """
    from scipy.linalg import null_space
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    n_rows, n_cols = mat.shape
    r, c = np.nonzero(mat)
    # bipartite graph: columns 0..n_cols-1, rows n_cols..
    graph = coo_matrix((np.ones(r.size), (c, n_cols + r)), shape=(n_cols + n_rows, n_cols + n_rows))
    _, label = connected_components(graph, directed=False)
    col_label, row_label = label[:n_cols], label[n_cols:]
    norms = np.ones(n_cols)  # a column in no relation is free
    for lab in np.unique(col_label):
        cols = np.flatnonzero(col_label == lab)
        rows = np.flatnonzero(row_label == lab)
        if rows.size == 0:
            continue
        basis = null_space(mat[np.ix_(rows, cols)])
        norms[cols] = np.linalg.norm(basis, axis=1) if basis.size else 0.0
    return norms


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
        norms = null_row_norms(np.vstack(mat))
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
