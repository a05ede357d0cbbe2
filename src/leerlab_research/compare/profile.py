"""Within-person profile per lab (``profile.csv``).

Each respondent's nine scale scores are centred on that respondent's own mean
across the scales (ipsative scores; Cattell 1944), so a lab's mean centred score
for a scale says whether that condition stands out *relative to the lab's other
conditions*, independent of how positively its respondents answer in general.
Only respondents with a score on every scale are used (so that all centred
scores share one reference); their number is ``n``.

Rows per scale × wave × lab, plus the programme (``lab = all``). A lab's rows are
suppressed when fewer than ``min_cell`` respondents contribute or when any of the
lab's descriptives cells for that wave is suppressed (differences between centred
means equal differences between raw means, so a profile must never outlive a
suppressed raw mean); complementary suppression across labs protects the
programme total.

References
----------
Cattell, R. B. (1944). Psychological measurement: normative, ipsative, interactive.
*Psychological Review*, 51, 292–303.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from . import disclosure, hypercube
from .common import ALL, lab_names, sort_rows, t_interval
from .descriptives import cell_reason
from .registry import columns

COLUMNS = columns("profile")


def centre_within_person(scores: pd.DataFrame) -> pd.DataFrame:
    """Scores minus each row's mean across the columns (rows with any NaN dropped)."""
    complete = scores.dropna()
    return complete.sub(complete.mean(axis=1), axis=0)


def profile_table(
    df: pd.DataFrame,
    scales: Sequence[str],
    lookup: dict[tuple[str, ...], str],
    *,
    min_cell: int = 5,
    confidence: float = 0.95,
    labs: object = None,
) -> pd.DataFrame:
    """``profile.csv``: mean within-person centred score per scale × wave × lab, protected."""
    centred = centre_within_person(df[list(scales)])
    keys = df.loc[centred.index, ["wave", "lab"]]
    long = pd.concat([keys, centred], axis=1).melt(
        id_vars=["wave", "lab"], var_name="scale", value_name="value"
    )
    parts = []
    for by in (["scale", "wave", "lab"], ["scale", "wave"]):
        agg = long.groupby(by, sort=False)["value"].agg(["size", "mean", "std"]).reset_index()
        if "lab" not in by:
            agg["lab"] = ALL
        parts.append(agg)
    table = pd.concat(parts, ignore_index=True).rename(
        columns={"size": "n", "mean": "mean_centred", "std": "sd"}
    )
    if table.empty:
        return pd.DataFrame(columns=COLUMNS)
    lo, hi = t_interval(
        table["mean_centred"].to_numpy(), table["sd"].to_numpy(), table["n"].to_numpy(), confidence
    )
    table["ci_low"], table["ci_high"] = lo, hi
    table["lab_name"] = lab_names(labs, table["lab"])
    table = sort_rows(table, ["scale", "wave", "lab"], {"scale": list(scales)})
    # inherited: any suppressed descriptives cell of the lab × wave (any scale)
    inherited = {}
    for w, lab in set(zip(table["wave"], table["lab"], strict=True)):
        inherited[(w, lab)] = disclosure.inherit([cell_reason(lookup, s, w, lab) for s in scales])
    inh = np.array(
        [inherited[(w, lab)] for w, lab in zip(table["wave"], table["lab"], strict=True)],
        dtype=object,
    )
    reason = hypercube.protect_cube(
        table, ["lab"], by=["scale", "wave"], min_cell=min_cell, primary=inh != ""
    )
    # one lab's nine centred means sum to zero: keep the scales of a lab × wave together
    reason = np.where(inh != "", inh, reason)
    reason = _same_across_scales(table, reason)
    table = disclosure.blank(table, reason, ["n", "mean_centred", "sd", "ci_low", "ci_high"])
    table["n"] = table["n"].astype("Int64")
    return table[COLUMNS]


def _same_across_scales(table: pd.DataFrame, reason: np.ndarray) -> np.ndarray:
    """Suppress a lab × wave on every scale when it is suppressed on one."""
    frame = pd.DataFrame({"wave": table["wave"], "lab": table["lab"], "r": reason})
    worst = frame.groupby(["wave", "lab"])["r"].agg(lambda s: disclosure.inherit(list(s)))
    return np.array(
        [worst[(w, lab)] for w, lab in zip(table["wave"], table["lab"], strict=True)], dtype=object
    )
