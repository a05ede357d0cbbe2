"""ICC, mixed models and the lab benchmark against independent references.

* ICC(1)/ICC(2) on ``bh1996`` equal ``multilevel::ICC1``/``ICC2`` (Bliese 2000; the
  multilevel manual's example ``ICC1(aov(WBEING ~ as.factor(GRP), data = bh1996))``),
  values produced by ``results/reference.R`` with multilevel 2.7 and stored in
  ``results/reference_values.csv``.
* The exact REML fit and the BLUPs equal ``lme4::lmer`` + ``ranef(condVar = TRUE)``
  (``results/lme4_wbeing_blups.csv``) and statsmodels ``MixedLM`` called directly.
* Recovery: on data generated from a known model the intervals cover the truth at
  close to their nominal rate (checked over several seeds).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pingouin as pg
import pytest
import statsmodels.formula.api as smf
from statsmodels.regression.mixed_linear_model import MixedLM
from synth import ROLE_P, ROLES, make_clean

from leerlab_research.compare import descriptives, icc, multilevel
from leerlab_research.compare.common import analysis_frame

# not `from conftest import`: tests/compare and tests/measurement both have a conftest
RESULTS = Path(__file__).resolve().parent / "results"


@pytest.fixture(scope="module")
def bh1996() -> pd.DataFrame:
    return pd.read_csv(RESULTS / "bh1996.csv")


@pytest.fixture(scope="module")
def ref() -> pd.DataFrame:
    return pd.read_csv(RESULTS / "reference_values.csv")


def refval(ref: pd.DataFrame, variable: str, statistic: str) -> float:
    return float(
        ref[(ref["variable"] == variable) & (ref["statistic"] == statistic)]["value"].iloc[0]
    )


@pytest.mark.parametrize("var", ["WBEING", "HRS", "LEAD", "COHES"])
def test_icc_bh1996_equals_multilevel_package(bh1996, ref, var):
    out = icc.icc_oneway(bh1996[var].to_numpy(), bh1996["GRP"].to_numpy())
    assert out["icc1"] == pytest.approx(refval(ref, var, "icc1"), abs=1e-7)
    assert out["icc2"] == pytest.approx(refval(ref, var, "icc2"), abs=1e-7)
    assert out["n_labs"] == 99 and out["k_mean"] == pytest.approx(7382 / 99)


def test_icc_equals_anova_closed_forms(bh1996):
    aov = pg.anova(data=bh1996, dv="WBEING", between="GRP", detailed=True)
    msb, msw = aov.loc[0, "MS"], aov.loc[1, "MS"]
    sizes = bh1996.groupby("GRP").size().to_numpy()
    n, j = sizes.sum(), sizes.size
    k = n / j
    k0 = (n - (sizes**2).sum() / n) / (j - 1)
    out = icc.icc_oneway(bh1996["WBEING"].to_numpy(), bh1996["GRP"].to_numpy())
    assert out["msb"] == pytest.approx(msb, rel=1e-10) and out["msw"] == pytest.approx(
        msw, rel=1e-10
    )
    assert out["icc1"] == pytest.approx((msb - msw) / (msb + (k - 1) * msw), rel=1e-12)
    assert out["icc2"] == pytest.approx((msb - msw) / msb, rel=1e-12)
    assert out["k0"] == pytest.approx(k0, rel=1e-12)
    assert out["design_effect"] == pytest.approx(1 + (k - 1) * out["icc1"], rel=1e-12)


def test_reml_and_blups_equal_lme4(bh1996, ref):
    fit = multilevel.reml_random_intercept(
        bh1996["WBEING"].to_numpy(), np.ones((len(bh1996), 1)), bh1996["GRP"].to_numpy()
    )
    assert fit["tau2"] == pytest.approx(refval(ref, "WBEING", "tau2"), rel=1e-5)
    assert fit["sigma2"] == pytest.approx(refval(ref, "WBEING", "sigma2"), rel=1e-6)
    assert fit["beta"][0] == pytest.approx(refval(ref, "WBEING", "intercept"), rel=1e-6)
    b = multilevel.blups(fit).set_index("lab")
    lme4 = pd.read_csv(RESULTS / "lme4_wbeing_blups.csv").set_index("grp")
    assert b.loc[lme4.index, "random_effect"].to_numpy() == pytest.approx(
        lme4["blup"].to_numpy(), abs=1e-5
    )
    assert (b.loc[lme4.index, "random_effect_se"].to_numpy() ** 2) == pytest.approx(
        lme4["condvar"].to_numpy(), rel=1e-4
    )


def test_reml_and_blups_equal_statsmodels(bh1996):
    """statsmodels' default fit stops within its optimiser tolerance (τ² to ~2e-4 relative);
    started at our solution it stays there, and its REML log-likelihood is not higher
    anywhere it finds on its own."""
    from statsmodels.regression.mixed_linear_model import MixedLMParams

    y, g = bh1996["WBEING"].to_numpy(), bh1996["GRP"].to_numpy()
    model = MixedLM(y, np.ones((len(y), 1)), groups=g)
    default = model.fit(reml=True)
    fit = multilevel.reml_random_intercept(y, np.ones((len(y), 1)), g)
    assert fit["tau2"] == pytest.approx(float(np.asarray(default.cov_re)[0, 0]), rel=1e-3)
    start = MixedLMParams.from_components(fe_params=fit["beta"], cov_re=np.array([[fit["gamma"]]]))
    sm = model.fit(reml=True, start_params=start)
    assert sm.llf >= default.llf - 1e-9
    assert fit["tau2"] == pytest.approx(float(np.asarray(sm.cov_re)[0, 0]), rel=1e-6)
    assert fit["sigma2"] == pytest.approx(float(sm.scale), rel=1e-6)
    b = multilevel.blups(fit).set_index("lab")
    re = np.array([float(np.asarray(sm.random_effects[k])[0]) for k in b.index])
    rc = np.array([float(np.asarray(sm.random_effects_cov[k])[0, 0]) for k in b.index])
    assert b["random_effect"].to_numpy() == pytest.approx(re, abs=1e-6)
    assert b["random_effect_se"].to_numpy() ** 2 == pytest.approx(rc, rel=1e-6)


def small(codebook, seed=0, **kw):
    lab_ids = [f"lab{i:02d}" for i in range(12)]
    sizes = np.random.default_rng(seed + 100).integers(20, 60, 12)
    return make_clean(codebook, lab_ids=lab_ids, sizes=sizes, seed=seed, **kw)


def test_mixedlm_equals_statsmodels_called_directly(codebook):
    clean, _ = small(codebook, seed=3)
    scales = codebook.scale_names[:3]
    df = analysis_frame(clean, scales)
    table = multilevel.mixedlm_table(df, scales)
    for s in scales:
        r = smf.mixedlm(
            f"{s} ~ C(role, Treatment('docent')) + C(school_type, Treatment('vmbo')) + C(wave)",
            df,
            groups=df["lab"],
        ).fit(reml=True)
        mine = table[table["scale"] == s]
        assert (mine["status"] == "ok").all()
        coef = mine["coef"].to_numpy()
        se = mine["se"].to_numpy()
        assert coef == pytest.approx(r.fe_params.to_numpy(), abs=1e-5)
        assert se == pytest.approx(r.bse_fe.to_numpy(), rel=1e-4)
        assert mine["var_lab"].iloc[0] == pytest.approx(float(np.asarray(r.cov_re)[0, 0]), rel=1e-3)
        assert mine["var_residual"].iloc[0] == pytest.approx(float(r.scale), rel=1e-5)
        # term names map to statsmodels' (same order: intercept, role, school_type, wave)
        assert list(mine["term"])[0] == "Intercept" and list(mine["term"])[-1] == "wave[T.T1]"


def test_singular_fit_is_flagged_not_reported(codebook):
    clean, _ = small(codebook, seed=4, tau=0.0)
    s = codebook.scale_names[0]
    df = analysis_frame(clean, [s])
    # remove all between-lab variation: lab means equal exactly
    df[s] = df[s] - df.groupby(["lab", "wave"])[s].transform("mean") + 3.0
    table = multilevel.mixedlm_table(df, [s])
    assert (table["status"] == "singular").all() and table["singular"].all()
    assert table["coef"].isna().all()
    desc = descriptives.describe(df, [s])
    bench = multilevel.benchmark_table(df, [s], descriptives.reason_lookup(desc))
    assert (bench["model_status"] == "singular").all() and bench["shrunken_mean"].isna().all()


def test_recovery_of_role_change_and_lab_effects(codebook):
    """Coverage of 95% intervals over 4 seeds × 9 scales (a correct method gives ≈ 0.95;
    we require ≥ 0.85 — P(coverage < 0.85 | true 0.95) is below 1e-3 for 108 intervals)."""
    scales = codebook.scale_names
    hits_fixed, hits_lab, hits_change = [], [], []
    role_mean = {r: p for r, p in zip(ROLES, ROLE_P, strict=True)}
    for seed in range(4):
        clean, truth = small(codebook, seed=seed)
        df = analysis_frame(clean, scales)
        mlm = multilevel.mixedlm_table(df, scales)
        for s in scales:
            m = mlm[mlm["scale"] == s].set_index("term")
            for term, true in (
                ("role[T.bestuur]", 0.3),
                ("role[T.management]", 0.15),
                ("wave[T.T1]", truth.change),
            ):
                hits_fixed.append(m.loc[term, "ci_low"] <= true <= m.loc[term, "ci_high"])
        desc = descriptives.describe(df, scales, min_cell=1)
        bench = multilevel.benchmark_table(df, scales, descriptives.reason_lookup(desc))
        e_role = sum(role_mean[r] * truth.role_effect.get(r, 0.0) for r in ROLES)
        for _, r in bench.iterrows():
            k = scales.index(r["scale"])
            j = truth.lab_ids.index(r["lab"])
            target = truth.mu[k] + truth.u[j, k] + e_role + truth.change * (r["wave"] == "T1")
            hits_lab.append(r["shrunken_ci_low"] <= target <= r["shrunken_ci_high"])
        from leerlab_research.compare.change import change_table

        ch = change_table(df, scales, waves=("T0", "T1"), min_cell=1)
        prog = ch[ch["lab"] == "all"]
        hits_change += list((prog["ci_low"] <= truth.change) & (truth.change <= prog["ci_high"]))
    assert np.mean(hits_fixed) >= 0.85, np.mean(hits_fixed)
    assert np.mean(hits_change) >= 0.85, np.mean(hits_change)
    # conditional BLUP intervals: nominal on average over labs (Raudenbush & Bryk 2002)
    assert 0.85 <= np.mean(hits_lab) <= 0.995, np.mean(hits_lab)


def test_benchmark_has_no_rank_and_is_sorted_by_lab(codebook):
    clean, _ = small(codebook, seed=1)
    scales = codebook.scale_names[:2]
    df = analysis_frame(clean, scales)
    desc = descriptives.describe(df, scales)
    b = multilevel.benchmark_table(df, scales, descriptives.reason_lookup(desc))
    assert not any("rank" in c for c in b.columns)
    for _, g in b.groupby(["scale", "wave"]):
        assert list(g["lab"]) == sorted(g["lab"])
    assert set(b["vs_programme"].dropna()) <= {"above", "below", "indistinguishable"}
    ok = b[~b["suppressed"]]
    above = ok["vs_programme"] == "above"
    assert (ok.loc[above, "shrunken_ci_low"] > ok.loc[above, "programme_mean"]).all()


def test_benchmark_intervals_are_prediction_error_intervals(bh1996):
    """The lab-mean interval and ``random_effect_se`` include the uncertainty of μ̂.

    Independent route: Henderson's mixed-model equations built densely for
    WBEING ~ 1 + (1 | GRP) on bh1996 with lme4's REML variance components
    (``results/reference_values.csv``) and inverted; the diagonal of C⁻¹ gives the
    prediction-error variances of û_j and of μ̂ + û_j (Henderson 1975).
    """
    ref = pd.read_csv(RESULTS / "reference_values.csv")
    lme4 = ref[ref["source"] == "lme4::lmer REML"].set_index("statistic")["value"]
    tau2, sigma2 = float(lme4["tau2"]), float(lme4["sigma2"])
    labs = bh1996["GRP"].map(lambda g: f"g{g:03d}").to_numpy()
    y = bh1996["WBEING"].to_numpy(dtype=float)
    df = pd.DataFrame({"lab": labs, "wave": "T0", "WBEING": y})
    b = multilevel.benchmark_table(df, ["WBEING"], {}).set_index("lab")
    ids = sorted(set(labs))
    z_mat = (labs[:, None] == np.array(ids)[None, :]).astype(float)
    x_mat = np.ones((len(y), 1))
    w = np.hstack([x_mat, z_mat])
    lhs = w.T @ w / sigma2
    lhs[1:, 1:] += np.eye(len(ids)) / tau2
    c_inv = np.linalg.inv(lhs)
    sol = c_inv @ (w.T @ y / sigma2)
    pev_u = np.diag(c_inv)[1:]
    pev_mean = c_inv[0, 0] + pev_u + 2 * c_inv[0, 1:]
    b = b.loc[ids]
    z = 1.959963984540054
    assert b["shrunken_mean"].to_numpy() == pytest.approx(sol[0] + sol[1:], abs=1e-5)
    assert b["random_effect_se"].to_numpy() ** 2 == pytest.approx(pev_u, rel=1e-4)
    half = (b["shrunken_ci_high"] - b["shrunken_ci_low"]).to_numpy() / 2
    assert half == pytest.approx(z * np.sqrt(pev_mean), rel=1e-4)
    # vs_programme follows û_j ± z·random_effect_se
    lo = b["random_effect"] - z * b["random_effect_se"]
    hi = b["random_effect"] + z * b["random_effect_se"]
    expect = np.where(lo > 0, "above", np.where(hi < 0, "below", "indistinguishable"))
    assert list(b["vs_programme"]) == list(expect)


def _mlm_frame(seed: int = 8, n_labs: int = 20, n_per: int = 50) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    lab = np.repeat([f"lab{j:02d}" for j in range(n_labs)], n_per)
    u = np.repeat(rng.normal(0, 0.15, n_labs), n_per)
    n = lab.size
    return pd.DataFrame(
        {
            "lab": lab,
            "role": rng.choice(["docent", "bestuur", "management"], n),
            "school_type": rng.choice(["vmbo", "mbo"], n),
            "wave": rng.choice(["T0", "T1"], n),
            "s": 3 + u + rng.normal(0, 0.7, n),
        }
    )


def test_singular_flag_does_not_depend_on_the_unit_of_the_scale():
    """A random-intercept fit is singular when τ̂² is 0 relative to σ̂² (lme4's
    ``isSingular``), not when τ̂² < 0.01 in the data's units — statsmodels'
    "MLE may be on the boundary" heuristic. Rescaling y by 0.2 multiplies both
    variances by 0.04 and must not change the status or the t-ratios."""
    df = _mlm_frame()
    small = df.assign(s=3 + 0.2 * (df["s"] - 3))
    a = multilevel.mixedlm_table(df, ["s"])
    b = multilevel.mixedlm_table(small, ["s"])
    assert (a["status"] == "ok").all()
    assert a["var_lab"].iloc[0] / a["var_residual"].iloc[0] > 0.02  # clearly interior
    assert list(b["status"]) == list(a["status"])
    assert b["var_lab"].iloc[0] == pytest.approx(0.04 * a["var_lab"].iloc[0], rel=1e-4)
    slopes = a["term"] != "Intercept"
    assert b.loc[slopes, "z"].to_numpy() == pytest.approx(a.loc[slopes, "z"].to_numpy(), rel=1e-4)


def test_non_positive_definite_hessian_is_not_reported(monkeypatch):
    """statsmodels keeps ``converged = True`` when it warns that the Hessian is not
    positive definite; the standard errors are then unusable, so the row is flagged."""
    import warnings

    from statsmodels.tools.sm_exceptions import ConvergenceWarning

    real_fit = MixedLM.fit

    def fit(self, *args, **kwargs):
        res = real_fit(self, *args, **kwargs)
        warnings.warn(
            "The Hessian matrix at the estimated parameter values is not positive definite.",
            ConvergenceWarning,
            stacklevel=2,
        )
        return res

    monkeypatch.setattr(multilevel.MixedLM, "fit", fit)
    t = multilevel.mixedlm_table(_mlm_frame(), ["s"])
    assert (t["status"] == "not_converged").all() and not t["converged"].any()
    assert t["coef"].isna().all() and t["message"].str.contains("Hessian").all()


def test_one_lab_gives_a_not_estimated_row_that_meets_its_contract(codebook, tmp_path):
    # A study of one lab (a single lab's own survey export): no lab variance to
    # estimate. The row that says so has no term; the report stage refused the
    # table ("column 'term': 9 value(s) missing") and the whole run failed.
    from leerlab_research.compare.registry import REGISTRY
    from leerlab_research.config.contracts import read_table

    clean, _ = small(codebook, seed=5)
    s = codebook.scale_names[0]
    df = analysis_frame(clean, [s])
    df = df[df["lab"] == df["lab"].iloc[0]]
    table = multilevel.mixedlm_table(df, [s])
    assert (table["status"] == "not_estimated").all()
    path = tmp_path / "mixedlm.csv"
    table.to_csv(path, index=False)
    read_table(path, REGISTRY["mixedlm"].contract())
