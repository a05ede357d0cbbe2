"""The panel tables of the compare stage: waves and lab programme attributes from the study.

Builds the lab × wave schedule (:func:`.longitudinal.schedule`) from the study's
declared waves (id, label, fieldwork period; in order) and the labs' ``round``,
``line`` and ``subsidy`` (labs.yaml), then computes

* ``longitudinal.csv``, ``longitudinal_variance.csv``, ``trajectories.csv``
  (:mod:`.longitudinal`);
* ``attrition.csv`` and ``attrition_baseline.csv`` (:mod:`.attrition`).

A study without fieldwork dates (or without subsidy periods) still gets the wave
model, the paired-only check and attrition; the anchoring models need both.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from . import attrition, longitudinal
from .common import ALL
from .descriptives import cell_reason


def wave_order(study: Any, df: pd.DataFrame) -> list[str]:
    """The waves in the data: in the study's order, then any others sorted."""
    known = [w.id for w in getattr(study, "waves", None) or []]
    data = sorted(df["wave"].dropna().astype(str).unique().tolist())
    return [w for w in known if w in data] + [w for w in data if w not in known]


def waves_frame(study: Any, df: pd.DataFrame) -> pd.DataFrame:
    """``wave, start, end`` in declared order (dates missing when not declared)."""
    rows = []
    declared = {w.id: w for w in getattr(study, "waves", None) or []}
    for wid in wave_order(study, df):
        fw = getattr(declared.get(wid), "fieldwork", None)
        rows.append(
            {
                "wave": wid,
                "start": pd.Timestamp(fw.start) if fw is not None else pd.NaT,
                "end": pd.Timestamp(fw.end) if fw is not None else pd.NaT,
            }
        )
    return pd.DataFrame(rows, columns=["wave", "start", "end"])


def labs_frame(labs: Any, df: pd.DataFrame) -> pd.DataFrame:
    """``lab, line, round, subsidy_start, subsidy_end`` for the labs in the data."""
    by_id = getattr(labs, "by_id", {}) if labs is not None else {}
    rows = []
    for lab_id in sorted(df["lab"].dropna().astype(str).unique()):
        lab = by_id.get(lab_id)
        sub = getattr(lab, "subsidy", None)
        rows.append(
            {
                "lab": lab_id,
                "line": getattr(lab, "line", None) or "",
                "round": str(getattr(lab, "round", "") or ""),
                "subsidy_start": pd.Timestamp(sub.start) if sub is not None else pd.NaT,
                "subsidy_end": pd.Timestamp(sub.end) if sub is not None else pd.NaT,
            }
        )
    return pd.DataFrame(rows, columns=["lab", "line", "round", "subsidy_start", "subsidy_end"])


def panel_tables(
    df: pd.DataFrame,
    scales: Sequence[str],
    study: Any,
    lookup: dict[tuple[str, ...], str],
    *,
    confidence: float,
    min_cell: int,
    margin: float,
    compare_scales: Sequence[str] | None = None,
) -> dict[str, pd.DataFrame]:
    """Every panel table of the compare stage (see module docstring).

    ``compare_scales`` (default all) get the by-line and by-round anchoring models;
    the stage passes the verankering scales, the primary outcomes.
    """
    waves = waves_frame(study, df)
    sched = longitudinal.schedule(waves, labs_frame(study.labs, df))
    # without subsidy periods there is no "after": the anchoring models are skipped
    if sched["phase"].eq("").any():
        sched["time"] = np.where(sched["phase"].eq(""), np.nan, sched["time"])

    def hidden(scale: str, wave: str, lab: str) -> str:
        return cell_reason(lookup, scale, wave, lab, ALL, ALL)

    def hidden_any(wave: str, lab: str) -> bool:
        return any(hidden(s, wave, lab) for s in scales)

    long, variance, traj = longitudinal.longitudinal_tables(
        df,
        scales,
        sched,
        hidden=hidden,
        labs=study.labs,
        confidence=confidence,
        margin=margin,
        compare_scales=compare_scales,
    )
    order = waves["wave"].tolist()
    return {
        "longitudinal": long,
        "longitudinal_variance": variance,
        "trajectories": traj,
        "attrition": attrition.flow_table(
            df, order, min_cell=min_cell, hidden=hidden_any, labs=study.labs
        ),
        "attrition_baseline": attrition.baseline_table(
            df, scales, order, min_cell=min_cell, confidence=confidence
        ),
    }
