"""Descriptive statistics per scale × lab × role × school_type × wave (``descriptives.csv``).

Breakdowns (``breakdown``): the programme, lab, role, school_type, role+school_type,
lab+role and lab+school_type, with ``all`` marking a variable that is aggregated
over, so every published total is the sum of its published parts, which is what
disclosure control needs (:mod:`.disclosure`). The lab × role × school_type cells
are *not* published: within a lab they are nearly always below ``min_cell`` and,
linked to both lab splits, protecting them would force suppression of lab and even
programme totals. The lab-level comparisons of "het achtje" use the lab × role and
lab × school_type cells (``agreement.csv``).

Statistics per cell: n (respondents with a scale score), mean, sd (n − 1), median,
``pct_agree`` (percentage of respondents whose scale score is ≥ 4, i.e. on average
*eens* or *helemaal eens*), and the Student-t confidence interval of the mean.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from itertools import combinations

import numpy as np
import pandas as pd

from . import disclosure, hypercube
from .common import ALL, GROUP_DIMS, lab_names, sort_rows, t_interval
from .registry import columns

#: Score at or above which a scale score counts as agreement (4 = eens on 1–5).
AGREE_FROM = 4.0

COLUMNS = columns("descriptives")
STAT_COLUMNS = ["n", "mean", "sd", "median", "pct_agree", "ci_low", "ci_high"]
KEY_COLUMNS = ["scale", "wave", "lab", "role", "school_type"]


def long_scores(df: pd.DataFrame, scales: Sequence[str]) -> pd.DataFrame:
    """Scale scores in long form: one row per respondent × wave × scale with a score."""
    long = df.melt(
        id_vars=["respondent_id", *GROUP_DIMS, "wave"],
        value_vars=list(scales),
        var_name="scale",
        value_name="value",
    )
    return long[long["value"].notna()].reset_index(drop=True)


def describe(
    df: pd.DataFrame,
    scales: Sequence[str],
    *,
    confidence: float = 0.95,
    min_cell: int = 5,
    labs: object = None,
    keep_shown: Callable[[pd.DataFrame, int], np.ndarray] | None = None,
) -> pd.DataFrame:
    """The protected descriptives table.

    Parameters
    ----------
    df
        Analysis frame (:func:`.common.analysis_frame`).
    scales
        Scale columns in codebook order.
    confidence
        Level of the t-interval of the mean.
    min_cell
        Disclosure threshold.
    labs
        ``ctx.study.labs`` for display names.
    keep_shown
        Optional ``f(table, min_cell) -> mask`` of cells never to be chosen for
        complementary suppression (e.g. :func:`.publication.target_cells`); the
        protection of a small cell then falls on other cells.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`COLUMNS`; suppressed rows have their statistics blank.
    """
    long = long_scores(df, scales)
    long["agree"] = (long["value"] >= AGREE_FROM).astype(float)
    parts = []
    for r in range(len(GROUP_DIMS)):  # all breakdowns except lab × role × school_type
        for dims in combinations(GROUP_DIMS, r):
            keys = ["scale", "wave", *dims]
            g = long.groupby(keys, sort=False, observed=True)
            agg = g["value"].agg(["count", "mean", "std", "median"])
            agg["pct_agree"] = g["agree"].mean() * 100.0
            agg = agg.reset_index().rename(columns={"count": "n", "std": "sd"})
            for d in GROUP_DIMS:
                if d not in dims:
                    agg[d] = ALL
            agg["breakdown"] = "+".join(dims) if dims else "programme"
            parts.append(agg)
    cols = ["scale", "wave", "breakdown", *GROUP_DIMS, "n", "mean", "sd", "median", "pct_agree"]
    table = pd.concat(parts, ignore_index=True)[cols] if parts else pd.DataFrame(columns=cols)
    table["n"] = table["n"].astype(int)
    lo, hi = t_interval(
        table["mean"].to_numpy(), table["sd"].to_numpy(), table["n"].to_numpy(), confidence
    )
    table["ci_low"], table["ci_high"] = lo, hi
    table["lab_name"] = lab_names(labs, table["lab"]) if len(table) else []
    table = sort_rows(
        table, ["scale", "wave", "lab", "role", "school_type"], {"scale": list(scales)}
    )
    fixed = keep_shown(table, min_cell) if keep_shown is not None else None
    reason = hypercube.protect_cube(
        table, GROUP_DIMS, by=["scale", "wave"], min_cell=min_cell, fixed=fixed
    )
    table = disclosure.blank(table, reason, STAT_COLUMNS)
    table["n"] = table["n"].astype("Int64")
    return table[COLUMNS]


def reason_lookup(table: pd.DataFrame) -> dict[tuple[str, ...], str]:
    """(scale, wave, lab, role, school_type) → suppression reason ("" when shown)."""
    keys = zip(*(table[c].astype(str) for c in KEY_COLUMNS), strict=True)
    return dict(zip(keys, table["suppression_reason"].astype(str), strict=True))


def cell_reason(
    lookup: Mapping[tuple[str, ...], str],
    scale: str,
    wave: str,
    lab: str = ALL,
    role: str = ALL,
    school_type: str = ALL,
) -> str:
    """Suppression reason of one descriptives cell; absent cells (n = 0) are ``""``."""
    return lookup.get((scale, wave, lab, role, school_type), "")


def is_shown(lookup: dict[tuple[str, ...], str], *key: str) -> bool:
    return cell_reason(lookup, *key) == ""
