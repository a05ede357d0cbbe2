"""Confirmatory factor analysis and measurement invariance with semopy.

Route and its limits
--------------------
*Single group, complete rows.* ``fit_cfa(missing="listwise")`` fits the model with
:class:`semopy.Model` (objective ``MLW``, i.e. the normal-theory ML discrepancy on
the covariance matrix with divisor N, as lavaan's default ``likelihood = "normal"``). semopy's
own fit indices use N - 1 for RMSEA and refit a baseline model, so every index
is computed here from the model-implied covariance matrix with lavaan's
conventions: ``chi2 = N F_ML``, baseline chi2 from the closed-form independence
model, RMSEA ``sqrt(max(chi2 / df - 1, 0) / N) * sqrt(G)`` with the 90% CI from
the non-central chi-square, and Bentler's SRMR (semopy has none).

*Multiple groups.* ``semopy.multigroup`` only fits the model separately per
group; it cannot constrain parameters *across* groups. Invariance models are
therefore fitted as **one stacked model**: each group gets its own copy of
the items and factors (``AMB1__g0``, ``AMB1__g1``, ...), each respondent's row
holds their answers in their group's columns and NaN elsewhere, and
:class:`semopy.ModelMeans` maximises the full-information likelihood. Because
no row observes two groups' columns, that likelihood is exactly the
multi-group ML likelihood, and cross-group equality constraints are shared
parameter labels (``lam_AMB2*AMB2__g1``, ``AMB2__g1 ~ nu_AMB2*1``). Factor means in groups after the first
are regressions on a constant column (``f__g1 ~ kappa_one``) because semopy's
starting-value routine does not accept ``f ~ 1`` for a latent variable.
Cross-group factor covariances are fixed at 0 (they are not identified).
Identification follows lavaan's defaults: the first loading of each factor is
1; configural: intercepts free, factor means 0; metric: loadings equal;
scalar: loadings and intercepts equal, factor means free after the first group.
With complete data the configural model is the sum of per-group covariance fits.
semopy's row-wise FIML objective is far too slow for a stacked model with ~280
parameters, so :func:`_fast_model_means_class` evaluates the *same* objective and
gradient from per-pattern sufficient statistics (tested against semopy's
functions); parametrisation, start values and optimiser stay semopy's (SLSQP).
On Holzinger-Swineford by school this reproduces lavaan's chi2, CFI, TLI, RMSEA
(+ CI) and SRMR for all three steps to about 1e-6
(tests/measurement/results/holzinger_cfa_fit_lavaan.csv).

*Missing answers.* By default every respondent with at least one answered item
is used: the stacked model is fitted by full-information ML (semopy's FIML
objective, lavaan's ``missing = "ml"``), the saturated model's moments come from
the EM algorithm (:func:`em_moments`), and chi2 = -2 (logL_model - logL_saturated).
On Holzinger-Swineford with holes this reproduces lavaan's ``missing = "ml"``
chi2, CFI, TLI, RMSEA and SRMR (``holzinger_cfa_fit_missing_lavaan.csv``).
``missing = "listwise"`` uses complete rows only.

Limits: normal-theory ML without robust (MLR/Satorra-Bentler) corrections;
5-point items treated as continuous (no WLSMV/thresholds); no standard errors
under FIML (semopy's information matrix ignores the missingness patterns);
SLSQP in semopy is slower than lavaan for large models, which is why every
constrained step starts from the previous step's estimates.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .fiml import _SOLVER_OPTIONS, _multigroup
from .fit_indices import _baseline_chi2, _indices, _ml_cov, f_ml, srmr


@dataclass(frozen=True)
class CfaResult:
    """A fitted CFA: one row of fit indices and the loadings."""

    fit: pd.DataFrame
    loadings: pd.DataFrame


def model_description(factors: Mapping[str, Sequence[str]]) -> str:
    """semopy/lavaan syntax with one line ``factor =~ item + item ...`` per factor."""
    return "\n".join(f"{f} =~ {' + '.join(items)}" for f, items in factors.items())


def _complete(data: pd.DataFrame, items: list[str]) -> pd.DataFrame:
    x = data[items].astype("float64")
    return x[x.notna().all(axis=1)]


def fit_cfa(
    data: pd.DataFrame,
    factors: Mapping[str, Sequence[str]],
    label: str = "cfa",
    missing: str = "fiml",
) -> CfaResult:
    """Fit a simple-structure CFA with semopy and compute lavaan-style fit indices.

    Parameters
    ----------
    data : DataFrame
        Item columns (numeric, NaN = missing).
    factors : mapping
        Factor name -> its items (first item is the marker, loading 1).
    label : str
        Written to the ``model`` column.
    missing : {"fiml", "listwise"}
        ``"fiml"`` (default): every row with at least one answered item,
        full-information ML with a mean structure (lavaan ``missing = "ml"``).
        ``"listwise"``: complete rows, covariance-only ML (lavaan's default).
        On complete data both give the same chi2 and loadings.

    Returns
    -------
    CfaResult
        ``fit``: one row (``model, missing, n, n_dropped, n_items, n_factors,
        chi2, df, pvalue, cfi, tli, rmsea, rmsea_ci_low, rmsea_ci_high, srmr,
        chi2_baseline, df_baseline, converged``); ``loadings``: ``factor, item,
        loading, se, std_loading`` (``lambda sqrt(phi) / sqrt(sigma_ii)`` with the
        model-implied item variance: lavaan's ``std.all``; semopy's own
        ``Est. Std`` standardises with the sample variance instead). ``se`` is
        semopy's (expected information) for ``listwise`` and NaN for ``fiml``:
        semopy's information matrix ignores the missingness pattern.

    Notes
    -----
    With ``fiml`` the SRMR uses the EM (saturated) moments and includes the mean
    residuals, as lavaan's ``srmr`` with ``missing = "ml"``; ``srmr_nomean``
    leaves them out (lavaan's ``srmr_bentler_nomean``; equal to ``srmr`` of a
    covariance-only fit).

    R equivalent: ``fit <- lavaan::cfa(model, data, missing = "ml");
    fitMeasures(fit); standardizedSolution(fit)``.
    """
    import semopy

    items = [it for its in factors.values() for it in its]
    p = len(items)
    if missing == "fiml":
        tagged = data[items].copy()
        tagged["__all__"] = "all"
        rows, info = _multigroup(tagged, factors, "__all__", ["configural"], ["all"], "fiml")
        r = rows[0]
        keep = [
            "n",
            "n_dropped",
            "chi2",
            "df",
            "pvalue",
            "cfi",
            "tli",
            "rmsea",
            "rmsea_ci_low",
            "rmsea_ci_high",
            "chi2_baseline",
            "df_baseline",
            "srmr",
            "srmr_nomean",
            "converged",
        ]
        row = {
            "model": label,
            "missing": "fiml",
            "n_items": p,
            "n_factors": len(factors),
            "n_groups": 1,
        }
        row.update({k: r[k] for k in keep})
        est = info["configural"]["est"]
        sigma = info["configural"]["sigmas"][0]
        recs = []
        for f, its in factors.items():
            phi = est[f"phi_g0_{f}"]
            for j, it in enumerate(its):
                lam = 1.0 if j == 0 else est[f"lam_g0_{it}"]
                sd = np.sqrt(sigma[items.index(it), items.index(it)])
                recs.append(
                    {
                        "factor": f,
                        "item": it,
                        "loading": float(lam),
                        "se": float("nan"),
                        "std_loading": float(lam * np.sqrt(phi) / sd),
                    }
                )
        return CfaResult(fit=pd.DataFrame([row])[_FIT_COLUMNS], loadings=pd.DataFrame(recs))
    if missing != "listwise":
        raise ValueError("missing must be 'fiml' or 'listwise'")
    x = _complete(data, items)
    n = len(x)
    model = semopy.Model(model_description(factors))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = model.fit(x, obj="MLW", solver="SLSQP", options=_SOLVER_OPTIONS)
    obs = list(model.vars["observed"])
    order = [obs.index(it) for it in items]
    sigma = model.calc_sigma()[0][np.ix_(order, order)]
    s = _ml_cov(x.to_numpy())
    chi2 = n * f_ml(s, sigma)
    df = p * (p + 1) // 2 - len(model.param_vals)
    row = {
        "model": label,
        "missing": "listwise",
        "n": n,
        "n_dropped": int(len(data) - n),
        "n_items": p,
        "n_factors": len(factors),
        "n_groups": 1,
        **_indices(chi2, df, _baseline_chi2(s, n), p * (p - 1) // 2, n, 1),
        "srmr": srmr(s, sigma),
        "srmr_nomean": srmr(s, sigma),
        "converged": bool(res.success),
    }
    est = model.inspect()
    lam = est[(est["op"] == "~") & est["rval"].isin(list(factors))]
    var = (
        est[(est["op"] == "~~") & (est["lval"] == est["rval"])]
        .set_index("lval")["Estimate"]
        .astype(float)
    )
    implied_var = dict(zip(items, np.diag(sigma), strict=True))
    loading = lam["Estimate"].astype(float).to_numpy()
    phi = var.reindex(lam["rval"]).to_numpy()
    sd_item = np.sqrt([implied_var[it] for it in lam["lval"]])
    loadings = pd.DataFrame(
        {
            "factor": lam["rval"].to_numpy(),
            "item": lam["lval"].to_numpy(),
            "loading": loading,
            "se": pd.to_numeric(lam["Std. Err"], errors="coerce").to_numpy(),
            "std_loading": loading * np.sqrt(phi) / sd_item,
        }
    )
    pos = {it: i for i, it in enumerate(items)}
    loadings = loadings.sort_values("item", key=lambda c: c.map(pos), kind="stable").reset_index(
        drop=True
    )
    return CfaResult(fit=pd.DataFrame([row])[_FIT_COLUMNS], loadings=loadings)


_FIT_COLUMNS = [
    "model",
    "missing",
    "n",
    "n_dropped",
    "n_items",
    "n_factors",
    "n_groups",
    "chi2",
    "df",
    "pvalue",
    "cfi",
    "tli",
    "rmsea",
    "rmsea_ci_low",
    "rmsea_ci_high",
    "srmr",
    "srmr_nomean",
    "chi2_baseline",
    "df_baseline",
    "converged",
]
