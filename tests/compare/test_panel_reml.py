"""The profiled REML deviance of the panel model, its gradient and its minimiser.

The deviance from sufficient statistics is checked against the textbook formula with
the full n × n covariance matrix, its analytic gradient against central finite
differences, and the minimiser on the two ways a gradient method can fail here: a
start on a bound that is not the minimum (the deviance is flat in a relative SD at
0) and a minimum that does lie on the bound (a singular fit).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from leerlab_research.compare.panel_model import fit_panel
from leerlab_research.compare.panel_reml import minimise, objective, sufficient, unpack

RESULTS = Path(__file__).resolve().parent / "results"


def stats(d: pd.DataFrame, x: np.ndarray, z: np.ndarray):
    lab, _ = pd.factorize(d["lab"], sort=True)
    person, _ = pd.factorize(d["lab"] + ":" + d["person"], sort=True)
    return sufficient(d["y"].to_numpy(float), x, z, lab, person)


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    return pd.read_csv(RESULTS / "panel_lme4.csv")


def design(d: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """The anchoring model's fixed part (with round) and the lab's random columns."""
    x = np.column_stack(
        [
            np.ones(len(d)),
            d["time"],
            d["after0"],
            d["school_type"].eq("mbo"),
            d["round"].eq("r2019"),
            d["after0"] * d["round"].eq("r2019"),
        ]
    ).astype(float)
    return x, np.column_stack([np.ones(len(d)), d["after0"]])


def dense_deviance(d: pd.DataFrame, x: np.ndarray, z: np.ndarray, theta, diagonal) -> float:
    """(N − p) log(r'V⁻¹r / (N − p)) + log|V| + log|X'V⁻¹X| with V built row by row."""
    gamma, gam = unpack(np.asarray(theta), z.shape[1], diagonal)
    same_lab = d["lab"].to_numpy()[:, None] == d["lab"].to_numpy()[None, :]
    key = (d["lab"] + ":" + d["person"]).to_numpy()
    same_person = key[:, None] == key[None, :]
    v = np.eye(len(d)) + gamma * same_person + same_lab * (z @ gam @ z.T)
    vinv = np.linalg.inv(v)
    xvx = x.T @ vinv @ x
    y = d["y"].to_numpy(float)
    beta = np.linalg.solve(xvx, x.T @ vinv @ y)
    r = y - x @ beta
    dof = len(d) - x.shape[1]
    return dof * np.log(r @ vinv @ r / dof) + np.linalg.slogdet(v)[1] + np.linalg.slogdet(xvx)[1]


@pytest.mark.parametrize(
    ("theta", "diagonal"),
    [([0.8, 0.5, 0.3], True), ([0.8, 0.5, -0.2, 0.3], False), ([0.0, 0.7, 0.0], True)],
)
def test_deviance_equals_the_dense_formula(panel, theta, diagonal):
    d = panel[panel["lab"].isin(["lab01", "lab02", "lab05", "lab09"])].reset_index(drop=True)
    x, z = design(d)
    value, _ = objective(np.asarray(theta), stats(d, x, z), diagonal)
    assert value == pytest.approx(dense_deviance(d, x, z, theta, diagonal), rel=1e-12)


@pytest.mark.parametrize(
    ("theta", "diagonal"),
    [([0.8, 0.5, 0.3], True), ([0.6, 0.9, -0.4, 0.2], False), ([1.3, 0.2, 0.7, 0.05], False)],
)
def test_gradient_equals_finite_differences(panel, theta, diagonal):
    x, z = design(panel)
    st = stats(panel, x, z)
    theta = np.asarray(theta)
    _, grad = objective(theta, st, diagonal)
    h = 1e-5
    fd = [
        (objective(theta + h * e, st, diagonal)[0] - objective(theta - h * e, st, diagonal)[0])
        / (2 * h)
        for e in np.eye(len(theta))
    ]
    assert grad == pytest.approx(np.asarray(fd), rel=1e-6, abs=1e-5)


def test_a_start_on_the_bound_reaches_the_inner_minimum(panel):
    """The deviance depends on a relative SD at 0 only through its square (gradient 0):
    started there, the minimiser must still find the interior minimum."""
    x, z = design(panel)
    st = stats(panel, x, z)
    bounds = [(0.0, None), (0.0, None), (None, None), (0.0, None)]
    inner, converged, _ = minimise(st, np.array([1.0, 1.0, 0.0, 1.0]), bounds, False)
    assert converged and inner[3] > 0.05
    from_bound, converged, _ = minimise(st, np.array([1.0, 1.0, 0.0, 0.0]), bounds, False)
    assert converged
    assert from_bound == pytest.approx(inner, abs=1e-8)
    assert objective(inner, st)[1] == pytest.approx(np.zeros(4), abs=1e-8)


def synthetic_without_lab_slopes(seed: int = 0):
    """Eight labs, persons with one to three waves, no lab slope in the truth."""
    rng = np.random.default_rng(seed)
    rows = []
    for lab in range(8):
        b0 = rng.normal(0, 0.3)
        for person in range(25):
            u = rng.normal(0, 0.5)
            for w in sorted(rng.choice(3, size=rng.integers(1, 4), replace=False)):
                rows.append(
                    (f"l{lab}", f"p{person}", float(w), b0 + u + 0.1 * w + rng.normal(0, 0.6))
                )
    lab, person, after0, y = (np.array(c) for c in zip(*rows, strict=True))
    x = np.column_stack([np.ones(len(y)), after0.astype(float)])
    return y.astype(float), x, lab, person


def test_a_minimum_on_the_bound_is_a_singular_fit_equal_to_the_reduced_model():
    """With the lab slope SD at its bound the model is the lab-intercept-only model:
    the same β̂, SEs, variances and REML log-likelihood."""
    y, x, lab, person = synthetic_without_lab_slopes()
    full = fit_panel(y, x, lab, person, x, diagonal=True)
    reduced = fit_panel(y, x, lab, person)
    assert full.converged and full.singular and full.g[1, 1] == 0.0
    assert reduced.converged and not reduced.singular
    assert full.beta == pytest.approx(reduced.beta, rel=1e-9)
    assert full.cov_beta == pytest.approx(reduced.cov_beta, rel=1e-8)
    assert (full.g[0, 0], full.tau2, full.sigma2) == pytest.approx(
        (reduced.g[0, 0], reduced.tau2, reduced.sigma2), rel=1e-8
    )
    assert full.reml_loglik == pytest.approx(reduced.reml_loglik, abs=1e-9)
