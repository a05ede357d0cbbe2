"""The panel mixed model against lme4 (stored values; tests never call R).

``results/lme4_longitudinal.R`` simulates a three-wave panel of 12 labs with attrition
and newcomers (person ids repeat across labs, so nesting matters) and fits, by REML,

* ``wave``: ``y ~ wave + role + school_type + (1 | lab/person)``
* ``anchoring``: ``y ~ time + after + role + school_type + (1 + after0 | lab) + (1 | lab:person)``
* ``line`` / ``round``: the anchoring model with ``after:line`` / ``after:round``

(the general engine, unstructured lab covariance), and, in its second block
(``lme4_anchoring_*.csv``), the anchoring models as ``compare/longitudinal.py`` fits
them: ``after0`` in the fixed part and independent lab effects, ``(1 + after0 || lab)`` (``fit_panel(..., diagonal=True)``).

Fixed effects, their standard errors (``vcov``), variance components, the lab BLUPs
with their conditional variances (``ranef(condVar = TRUE)``) and the REML
log-likelihood must agree to 1e-4. The prediction-error variances (β̂ estimated)
are checked against a direct solve of Henderson's mixed-model equations.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from leerlab_research.compare.panel_model import fit_panel

RESULTS = Path(__file__).resolve().parent / "results"
TOL = 1e-4


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    return pd.read_csv(RESULTS / "panel_lme4.csv")


def design(d: pd.DataFrame, model: str) -> pd.DataFrame:
    """The treatment-coded design lme4 builds for ``model`` (same column names)."""
    cols: dict[str, object] = {"(Intercept)": np.ones(len(d))}
    if model == "wave":
        for w in ("T1", "T2"):
            cols[f"wave{w}"] = d["wave"].eq(w).astype(float)
    else:
        cols["time"], cols["after"] = d["time"], d["after"]
    for r in ("anders", "bestuur", "management"):
        cols[f"role{r}"] = d["role"].eq(r).astype(float)
    cols["school_typembo"] = d["school_type"].eq("mbo").astype(float)
    if model == "line":
        cols["lineleerroute"] = d["line"].eq("leerroute").astype(float)
        cols["after:lineleerroute"] = d["after"] * cols["lineleerroute"]
    if model == "round":
        cols["roundr2019"] = d["round"].eq("r2019").astype(float)
        cols["after:roundr2019"] = d["after"] * cols["roundr2019"]
    return pd.DataFrame(cols)


def fit(d: pd.DataFrame, model: str):
    x = design(d, model)
    z = None if model == "wave" else np.column_stack([np.ones(len(d)), d["after0"]])
    return x, fit_panel(d["y"].to_numpy(), x.to_numpy(), d["lab"], d["person"], z)


@pytest.fixture(scope="module")
def fits(panel):
    return {m: fit(panel, m) for m in ("wave", "anchoring", "line", "round")}


@pytest.mark.parametrize("model", ["wave", "anchoring", "line", "round"])
def test_fixed_effects_and_se_equal_lme4(fits, model):
    x, f = fits[model]
    ref = pd.read_csv(RESULTS / "lme4_longitudinal_fixef.csv")
    ref = ref[ref["model"] == model].set_index("term").loc[x.columns]
    assert f.converged and not f.singular
    assert f.beta == pytest.approx(ref["estimate"].to_numpy(), abs=TOL)
    assert np.sqrt(np.diag(f.cov_beta)) == pytest.approx(ref["std_error"].to_numpy(), abs=TOL)


@pytest.mark.parametrize("model", ["wave", "anchoring", "line", "round"])
def test_variance_components_and_loglik_equal_lme4(fits, model):
    _, f = fits[model]
    vc = pd.read_csv(RESULTS / "lme4_longitudinal_varcomp.csv")
    vc = vc[vc["model"] == model].set_index("component")["value"]
    assert f.tau2 == pytest.approx(vc["person"], abs=TOL)
    assert f.sigma2 == pytest.approx(vc["residual"], abs=TOL)
    assert f.g[0, 0] == pytest.approx(vc["lab"], abs=TOL)
    if model != "wave":
        assert f.g[1, 1] == pytest.approx(vc["lab_after"], abs=TOL)
        assert f.g[0, 1] == pytest.approx(vc["lab_cov_after"], abs=TOL)
    ll = pd.read_csv(RESULTS / "lme4_longitudinal_logLik.csv").set_index("model")
    assert f.reml_loglik == pytest.approx(ll.loc[model, "reml_loglik"], abs=TOL)


@pytest.mark.parametrize("model", ["wave", "anchoring", "line", "round"])
def test_lab_blups_and_condvar_equal_lme4(fits, model):
    _, f = fits[model]
    re = pd.read_csv(RESULTS / "lme4_longitudinal_ranef.csv")
    re = re[re["model"] == model]
    for k, term in enumerate(re["term"].unique()):
        r = re[re["term"] == term].set_index("lab").loc[f.labs]
        assert f.blup[:, k] == pytest.approx(r["blup"].to_numpy(), abs=TOL)
        assert f.condvar[:, k, k] == pytest.approx(r["condvar"].to_numpy(), abs=TOL)


def test_prediction_error_variance_equals_henderson_solve(panel):
    """Var(b̂ − b) and Cov(β̂ − β, b̂ − b) from the inverse of the full mixed-model
    equations [[X'X, X'Z], [Z'X, Z'Z + σ²D⁻¹]] σ² (Henderson 1975), persons included."""
    d = panel[panel["lab"].isin(["lab01", "lab02", "lab03", "lab04", "lab05"])]
    x, f = fit(d, "anchoring")
    xm = x.to_numpy()
    labs = sorted(d["lab"].unique())
    persons = (d["lab"] + ":" + d["person"]).astype("category")
    z_lab = np.zeros((len(d), 2 * len(labs)))
    li = d["lab"].map({lab: i for i, lab in enumerate(labs)}).to_numpy()
    z_lab[np.arange(len(d)), 2 * li] = 1.0
    z_lab[np.arange(len(d)), 2 * li + 1] = d["after0"].to_numpy()
    z_p = np.zeros((len(d), len(persons.cat.categories)))
    z_p[np.arange(len(d)), persons.cat.codes.to_numpy()] = 1.0
    z = np.hstack([z_lab, z_p])
    d_inv = np.zeros((z.shape[1], z.shape[1]))
    g_inv = np.linalg.inv(f.g)
    for i in range(len(labs)):
        d_inv[2 * i : 2 * i + 2, 2 * i : 2 * i + 2] = g_inv
    d_inv[2 * len(labs) :, 2 * len(labs) :] = np.eye(z_p.shape[1]) / f.tau2
    mme = np.block([[xm.T @ xm, xm.T @ z], [z.T @ xm, z.T @ z + f.sigma2 * d_inv]])
    c = np.linalg.inv(mme) * f.sigma2
    p = xm.shape[1]
    assert c[:p, :p] == pytest.approx(f.cov_beta, rel=1e-8)
    for i in range(len(labs)):
        blk = slice(p + 2 * i, p + 2 * i + 2)
        assert c[blk, blk] == pytest.approx(f.pev[i], rel=1e-7, abs=1e-12)
        # σ²C12 = Cov(β̂ − β, b̂ − b) = −C X'V⁻¹ZG (Henderson 1975; Cov(β̂, b̂) = 0)
        assert c[:p, blk] == pytest.approx(f.cross[i], rel=1e-7, abs=1e-12)


def test_equals_statsmodels_mixedlm_with_person_variance_component(panel):
    """A second, independent implementation: statsmodels MixedLM, groups = lab, one
    indicator column per person of the lab as a variance component (REML)."""
    from statsmodels.regression.mixed_linear_model import MixedLM, VCSpec

    d = panel[panel["lab"].isin(["lab01", "lab02", "lab05", "lab06", "lab09"])]
    x, f = fit(d, "anchoring")
    d = d.reset_index(drop=True)
    labs = sorted(d["lab"].unique())
    mats, names = [], []
    for lab in labs:
        rows = d.index[d["lab"] == lab]
        codes, uniq = pd.factorize(d.loc[rows, "person"])
        mat = np.zeros((len(rows), len(uniq)))
        mat[np.arange(len(rows)), codes] = 1.0
        mats.append(mat)
        names.append(list(uniq))
    sm = MixedLM(
        d["y"].to_numpy(),
        x.to_numpy(),
        groups=d["lab"].to_numpy(),
        exog_re=np.column_stack([np.ones(len(d)), d["after0"]]),
        exog_vc=VCSpec(["person"], [names], [mats]),
    ).fit(reml=True, method=["lbfgs"])
    assert f.beta == pytest.approx(np.asarray(sm.fe_params), abs=TOL)
    assert f.tau2 == pytest.approx(float(sm.vcomp[0]), abs=TOL)
    assert f.sigma2 == pytest.approx(float(sm.scale), abs=TOL)
    assert f.g == pytest.approx(np.asarray(sm.cov_re), abs=TOL)


@pytest.mark.parametrize("model", ["anchoring", "line", "round"])
def test_independent_lab_effects_equal_lme4_double_bar(panel, model):
    """``diagonal=True`` is lme4's ``(1 + after0 || lab)``: estimates, SEs, variances, BLUPs,
    conditional variances and the REML log-likelihood to 1e-4 (after0 in the fixed part)."""
    d = panel.assign(after=panel["after0"])  # the design's after columns carry after0
    x = design(d, model).rename(columns=lambda c: c.replace("after", "after0"))
    z = np.column_stack([np.ones(len(d)), d["after0"]])
    f = fit_panel(d["y"].to_numpy(), x.to_numpy(), d["lab"], d["person"], z, diagonal=True)
    ref = pd.read_csv(RESULTS / "lme4_anchoring_fixef.csv")
    ref = ref[ref["model"] == model].set_index("term").loc[x.columns]
    assert f.converged and not f.singular
    assert f.beta == pytest.approx(ref["estimate"].to_numpy(), abs=TOL)
    assert np.sqrt(np.diag(f.cov_beta)) == pytest.approx(ref["std_error"].to_numpy(), abs=TOL)
    vc = pd.read_csv(RESULTS / "lme4_anchoring_varcomp.csv")
    vc = vc[vc["model"] == model].set_index("component")["value"]
    assert (f.tau2, f.sigma2) == pytest.approx((vc["person"], vc["residual"]), abs=TOL)
    assert (f.g[0, 0], f.g[1, 1]) == pytest.approx((vc["lab"], vc["lab_after"]), abs=TOL)
    assert f.g[0, 1] == 0.0
    re = pd.read_csv(RESULTS / "lme4_anchoring_ranef.csv")
    re = re[re["model"] == model]
    for k, term in enumerate(["(Intercept)", "after0"]):
        r = re[re["term"] == term].set_index("lab").loc[f.labs]
        assert f.blup[:, k] == pytest.approx(r["blup"].to_numpy(), abs=TOL)
        assert f.condvar[:, k, k] == pytest.approx(r["condvar"].to_numpy(), abs=TOL)
    ll = pd.read_csv(RESULTS / "lme4_anchoring_logLik.csv").set_index("model")
    assert f.reml_loglik == pytest.approx(ll.loc[model, "reml_loglik"], abs=TOL)
