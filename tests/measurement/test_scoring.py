"""Fisher scoring reaches semopy's SLSQP optimum of the stacked FIML model (and falls back to it)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from leerlab_research.measurement import scoring
from leerlab_research.measurement.fiml import (
    _FIML_SOLVER_OPTIONS,
    _fast_model_means_class,
    _stacked_description,
)
from leerlab_research.runtime import single_thread

HS_FACTORS = {
    "visual": ["x1", "x2", "x3"],
    "textual": ["x4", "x5", "x6"],
    "speed": ["x7", "x8", "x9"],
}


def _model(holzinger_missing: pd.DataFrame, step: str):
    items = [it for its in HS_FACTORS.values() for it in its]
    blocks = []
    for g, school in enumerate(["Pasteur", "Grant-White"]):
        part = holzinger_missing.loc[holzinger_missing["school"] == school, items].copy()
        part.columns = [f"{it}__g{g}" for it in items]
        blocks.append(part[part.notna().any(axis=1)])
    stacked = pd.concat(blocks, ignore_index=True)
    stacked["kappa_one"] = 1.0
    model = _fast_model_means_class()(_stacked_description(HS_FACTORS, 2, step))
    model.load(stacked)
    return model


@pytest.mark.parametrize("step", ["configural", "metric", "scalar"])
def test_scoring_reaches_the_slsqp_optimum(holzinger_missing, step):
    with single_thread():
        ours = _model(holzinger_missing, step)
        res = scoring.fit_fiml(ours, _FIML_SOLVER_OPTIONS)
        ref = _model(holzinger_missing, step)
        ref_res = ref.fit(obj="ML", solver="SLSQP", options={"ftol": 1e-12, "maxiter": 10000})
    assert res.method == "fisher-scoring" and res.success
    assert res.n_it < 30
    # the same optimum: -2 logL within 1e-6 and the same estimates
    assert res.fun == pytest.approx(ref_res.fun, abs=1e-6)
    np.testing.assert_allclose(ours.param_vals, ref.param_vals, atol=2e-4)
    assert res.fun == pytest.approx(ours.obj_fiml(ours.param_vals), rel=1e-14)


def test_falls_back_to_slsqp_when_scoring_does_not_converge(holzinger_missing, monkeypatch):
    monkeypatch.setattr(scoring, "MAX_ITER", 1)
    with single_thread():
        model = _model(holzinger_missing, "metric")
        res = scoring.fit_fiml(model, _FIML_SOLVER_OPTIONS)
        ref = _model(holzinger_missing, "metric")
        ref_res = ref.fit(obj="ML", solver="SLSQP", options={"ftol": 1e-12, "maxiter": 10000})
    assert res.method == "slsqp" and res.success
    assert res.fun == pytest.approx(ref_res.fun, abs=1e-4)


def test_blocks_are_the_groups(holzinger_missing):
    model = _model(holzinger_missing, "configural")
    model.prepare_fiml()
    obs = list(model.vars["observed"])
    blocks = [sorted(obs[i].split("__g")[1] for i in idx) for idx, _ in model.fiml_blocks]
    assert sorted(set(b) for b in map(tuple, blocks)) == [{"0"}, {"1"}]
    n = holzinger_missing.groupby("school").size()
    assert sorted(n_b for _, n_b in model.fiml_blocks) == sorted(n.to_list())
