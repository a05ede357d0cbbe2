"""Panel tables from the study's waves and lab attributes (compare/panel.py)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from leerlab_research.compare.panel import labs_frame, panel_tables, wave_order, waves_frame

RESULTS = Path(__file__).resolve().parent / "results"


def _period(start: str, end: str) -> SimpleNamespace:
    return SimpleNamespace(start=dt.date.fromisoformat(start), end=dt.date.fromisoformat(end))


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    d = pd.read_csv(RESULTS / "panel_lme4.csv").rename(columns={"person": "respondent_id"})
    return d[["lab", "respondent_id", "wave", "role", "school_type", "y"]]


def study(waves: list[SimpleNamespace], dated_labs: bool = True) -> SimpleNamespace:
    labs = []
    for i in range(12):
        r = 2019 if i < 4 else 2022
        sub = _period(f"{r}-09-01", f"{r + 1}-08-31") if dated_labs else None
        labs.append(
            SimpleNamespace(
                id=f"lab{i + 1:02d}",
                name=f"Lab {i + 1}",
                round=r,
                line=("samenwerking", "leerroute")[i % 2],
                subsidy=sub,
            )
        )
    by_id = {lab.id: lab for lab in labs}
    return SimpleNamespace(
        waves=waves,
        labs=SimpleNamespace(by_id=by_id, name_of=lambda i: by_id[i].name),
    )


WAVES3 = [
    SimpleNamespace(id="T0", fieldwork=_period("2022-09-05", "2022-10-14")),
    SimpleNamespace(id="T1", fieldwork=_period("2023-05-15", "2023-06-23")),
    SimpleNamespace(id="T2", fieldwork=_period("2024-05-13", "2024-06-21")),
]


def test_wave_order_declared_or_sorted(panel):
    assert wave_order(study(WAVES3[::-1]), panel) == ["T2", "T1", "T0"]
    assert wave_order(SimpleNamespace(waves=[]), panel) == ["T0", "T1", "T2"]
    w = waves_frame(study(WAVES3), panel)
    assert w["start"].iloc[1] == pd.Timestamp("2023-05-15")
    lf = labs_frame(study(WAVES3).labs, panel)
    assert lf.loc[0, "round"] == "2019" and lf.loc[11, "subsidy_end"] == pd.Timestamp("2023-08-31")


def test_three_dated_waves_give_every_table(panel):
    out = panel_tables(panel, ["y"], study(WAVES3), {}, confidence=0.95, min_cell=5, margin=0.15)
    models = set(out["longitudinal"]["model"])
    assert {"wave", "anchoring", "line", "round", "paired_only"} <= models
    traj = out["trajectories"]
    assert len(traj) == len(panel.drop_duplicates(["lab", "wave"]))
    assert set(traj.loc[traj["lab"] == "lab01", "phase"]) == {"after"}
    assert list(traj.loc[traj["lab"] == "lab12", "phase"]) == ["during", "during", "after"]
    assert set(out["attrition"]["from_wave"]) == {"T0", "T1"}
    assert len(out["attrition_baseline"]) == 2


def test_undated_two_wave_study_gets_wave_model_only(panel):
    two = panel[panel["wave"].isin(["T0", "T1"])]
    st = study([SimpleNamespace(id="T0", fieldwork=None), SimpleNamespace(id="T1", fieldwork=None)])
    out = panel_tables(two, ["y"], st, {}, confidence=0.95, min_cell=5, margin=0.15)
    assert set(out["longitudinal"]["model"]) == {"wave", "paired_only"}
    assert out["trajectories"]["estimate"].isna().all()
    # labs without a subsidy period: no anchoring either
    out = panel_tables(
        panel, ["y"], study(WAVES3, dated_labs=False), {}, confidence=0.95, min_cell=5, margin=0.15
    )
    assert "anchoring" not in set(out["longitudinal"]["model"])
    assert np.isfinite(out["longitudinal"]["estimate"]).any()
