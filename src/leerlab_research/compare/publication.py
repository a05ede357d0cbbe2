"""The publication design: who a lab's figures describe, and which groups are merged.

Disclosure control (:mod:`.disclosure`) decides which cells can be shown; this
module decides which cells exist, so that the rule does not have to trade a large
group for a tiny one (issue 12, "het achtje"):

* **A lab's population is its school members.** Respondents whose school type is
  ``vmbo`` or ``mbo`` count in their lab. Everyone else (school type ``anders`` or
  missing, typically the external procesbegeleider) is placed in the pseudo-lab
  :data:`OUTSIDE`, a group that appears in programme-level tables only. A lab's
  total is therefore vmbo + mbo, and no lab total minus its parts can reveal an
  outsider.
* **Levels, not roles, within a lab.** ``role`` in the published tables holds the
  level: ``leiding`` (bestuur + management), ``docent`` and ``overige``
  (procesbegeleider, anders, missing). Bestuur alone (1–3 per lab) would force the
  suppression of a large group in every lab.
* **Small residual groups are merged into a named neighbour.** When a lab's
  ``overige`` school members number between 1 and ``min_cell − 1`` in a wave, they
  are counted with ``docent`` (the report says "docenten en overige rollen"); the
  merges are listed in ``merges.csv`` without counts. Every published breakdown
  still adds up to its published total.

The comparisons that are not cell based (the programme-level mixed model of
``mixedlm.csv``) keep the respondents' own roles and school types.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..config.table_labels import ALL, OUTSIDE
from .registry import columns

#: School types whose members make up a lab's population.
SCHOOLS = ("vmbo", "mbo")
#: School type of everyone in :data:`OUTSIDE`.
OUTSIDE_SCHOOL = "anders"
#: Published level of each role; roles not listed are ``overige``.
LEVEL_OF_ROLE = {"bestuur": "leiding", "management": "leiding", "docent": "docent"}
LEADERSHIP = "leiding"
TEACHERS = "docent"
OTHER = "overige"
#: The neighbour a small residual group is merged into.
MERGE_INTO = {OTHER: TEACHERS}
MERGE_COLUMNS = columns("merges")


def publication_lab(lab: pd.Series, school_type: pd.Series) -> np.ndarray:
    """The published lab of each row: its lab for school members, :data:`OUTSIDE` otherwise.

    One rule for every table, the row-level ones (:func:`publication_frame`) and those
    built from other files (the open answers of :mod:`.open_themes`).
    """
    member = school_type.isin(SCHOOLS).to_numpy()
    return np.where(member, lab.to_numpy(dtype=object), OUTSIDE)


def publication_frame(df: pd.DataFrame, min_cell: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Recode an analysis frame to the publication design.

    Parameters
    ----------
    df
        Analysis frame (:func:`.common.analysis_frame`): ``lab``, ``role``,
        ``school_type``, ``wave`` as strings.
    min_cell
        Disclosure threshold; residual groups smaller than this are merged.

    Returns
    -------
    (frame, merges)
        ``frame`` with ``lab`` (:data:`OUTSIDE` for non-members), ``role`` (the
        level) and ``school_type`` recoded and the original values kept in
        ``role_orig`` / ``school_type_orig`` / ``lab_orig``; ``merges`` lists, per
        lab × wave, the groups merged into a neighbour (:data:`MERGE_COLUMNS`, no n).
    """
    out = df.copy()
    out["lab_orig"] = out["lab"]
    out["role_orig"] = out["role"]
    out["school_type_orig"] = out["school_type"]
    member = out["school_type"].isin(SCHOOLS).to_numpy()
    level = out["role"].map(LEVEL_OF_ROLE).fillna(OTHER).to_numpy(dtype=object)
    level[~member] = OTHER
    out["lab"] = publication_lab(out["lab"], out["school_type"])
    out["school_type"] = np.where(member, out["school_type"], OUTSIDE_SCHOOL)
    # residual groups are judged on respondents (not per scale), so a merge holds for
    # every scale of the lab × wave alike
    other = member & (level == OTHER)
    counts = (
        pd.DataFrame({"lab": out["lab"], "wave": out["wave"], "other": other})
        .groupby(["lab", "wave"], sort=True)["other"]
        .sum()
    )
    small = counts[(counts > 0) & (counts < min_cell)]
    merges = []
    if len(small):
        key = pd.MultiIndex.from_arrays([out["lab"], out["wave"]])
        hit = other & key.isin(small.index)
        level[hit] = MERGE_INTO[OTHER]
        merges = [
            {"lab": lab, "wave": wave, "dimension": "role", "group": OTHER, "merged_into": TEACHERS}
            for lab, wave in small.index
        ]
    out["role"] = level
    return out.reset_index(drop=True), pd.DataFrame(merges, columns=MERGE_COLUMNS)


def target_cells(table: pd.DataFrame, min_cell: int) -> np.ndarray:
    """Cells of the descriptives cube that must never be chosen for complementary suppression.

    The lab × school type and lab × level cells of a lab × wave × scale whose two
    compared groups (vmbo and mbo; leiding and docent) both reach ``min_cell``:
    het achtje is published wherever its groups are large enough. Protection of a
    small cell elsewhere then falls on programme-level cells instead of on another
    lab's comparison.
    """
    keep = np.zeros(len(table), dtype=bool)
    if table.empty:
        return keep
    lab_rows = (table["lab"] != ALL) & (table["lab"] != OUTSIDE)
    for dim, pair in (("school_type", SCHOOLS), ("role", (LEADERSHIP, TEACHERS))):
        other = "role" if dim == "school_type" else "school_type"
        rows = lab_rows & (table[dim].isin(pair)) & (table[other] == ALL)
        sub = table[rows]
        # both groups present and both large enough (built-in group reductions: a
        # Python function per lab × wave × scale cost more than the rest of describe)
        big = (sub["n"].astype(float) >= min_cell).groupby([sub["scale"], sub["wave"], sub["lab"]])
        ok = (big.transform("size") == len(pair)) & big.transform("all")
        keep[np.flatnonzero(rows.to_numpy())[ok.to_numpy(dtype=bool)]] = True
    return keep
