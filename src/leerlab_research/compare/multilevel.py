"""Multilevel structure: ICC(1), ICC(2), design effect, mixed models, lab benchmark.

ICC (``icc.csv``)
    From the one-way ANOVA of a scale on lab (Bliese 2000), per scale and wave:

    .. math::
        \\mathrm{ICC}(1) = \\frac{MSB - MSW}{MSB + (k - 1) MSW}, \\qquad
        \\mathrm{ICC}(2) = \\frac{MSB - MSW}{MSB}

    For unequal lab sizes ``k`` is the **mean group size** k̄ = N / J, the choice of
    ``multilevel::ICC1`` (Bliese 2022, where ``GSIZE = (df_W + J) / J``). The ANOVA
    ``k0 = (N − Σ n_j² / N) / (J − 1)`` (Snedecor & Cochran) is reported beside it in
    ``k0``. Design effect: 1 + (k̄ − 1)·ICC(1) (Kish 1965).

Mixed model (``mixedlm.csv``)
    Per scale, :class:`statsmodels.regression.mixed_linear_model.MixedLM` (REML) with a
    random intercept for lab and fixed effects for role (reference ``docent``),
    school_type (reference ``vmbo``) and wave (reference: the study's first wave). The design matrix is
    built with numpy (no formula parsing) and the fit is started at the exact REML
    solution (:func:`reml_random_intercept`), which makes it fast on 100,000 rows and
    avoids statsmodels' default start stalling below the maximum. A fit that does not converge or is
    singular (lab variance ≤ 1e-6 of the total, or a boundary warning) is *flagged*
    (``status``) and its estimates blanked instead of reported.

Lab benchmark (``benchmark.csv``)
    Per scale × wave an intercept-only random-intercept model ``y_ij = μ + u_j + e_ij``
    fitted by exact REML from the labs' sufficient statistics
    (:func:`reml_random_intercept`; the same estimates, BLUPs and conditional
    variances as statsmodels' ``MixedLM``, tested to 1e-6, in milliseconds). The
    empirical-Bayes (BLUP) estimate of lab j is μ̂ + û_j with
    û_j = λ_j (ȳ_j − μ̂), λ_j = τ̂² / (τ̂² + σ̂²/n_j). Its conditional variance given μ
    is τ̂² (1 − λ_j) = τ̂²σ̂²/(n_j τ̂² + σ̂²) (``MixedLMResults.random_effects_cov``,
    ``lme4::ranef(condVar=TRUE)``); because μ̂ is estimated too, the prediction-error
    variances (Henderson 1975; Raudenbush & Bryk 2002, eq. 3.57) add V = Var(μ̂):
    ``random_effect_se`` = √(τ̂²(1 − λ_j) + λ_j² V) for û_j − u_j and the interval of the
    lab mean is μ̂ + û_j ± z·√(τ̂²(1 − λ_j) + (1 − λ_j)² V) (still conditional on
    τ̂², σ̂²). ``vs_programme`` is ``above`` / ``below`` when û_j ± z·``random_effect_se``
    excludes 0, else ``indistinguishable``; the programme mean is μ̂. An intercept-only model is used (rather than the
    adjusted model above) so that the estimate is on the lab's own scale and the
    comparison is per wave. Rows are in lab-id order; there is no rank. Labs whose
    total is suppressed in ``descriptives.csv`` are left out of the fit (μ̂, τ̂², σ̂² and
    every shown BLUP would otherwise let their means be solved for); ``msb``, ``msw``
    and ``k0`` of ``icc.csv`` are blanked in that case for the same reason.

References
----------
Bliese, P. D. (2000). Within-group agreement, non-independence, and reliability:
implications for data aggregation and analysis. In K. J. Klein & S. W. J. Kozlowski
(Eds.), *Multilevel theory, research, and methods in organizations* (pp. 349–381).
Jossey-Bass.
Bliese, P. D. (2022). *Multilevel modeling in R (2.7)*: a brief introduction to R, the
multilevel package and the nlme package (manual of R package ``multilevel``).
Henderson, C. R. (1975). Best linear unbiased estimation and prediction under a
selection model. *Biometrics*, 31, 423–447.
Kish, L. (1965). *Survey sampling*. Wiley.
Raudenbush, S. W., & Bryk, A. S. (2002). *Hierarchical linear models* (2nd ed.), ch. 3
(empirical Bayes estimates and their conditional variance). Sage.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize, stats
from statsmodels.regression.mixed_linear_model import MixedLM, MixedLMParams
from statsmodels.tools.sm_exceptions import ConvergenceWarning

from .common import ALL, add_corrections, lab_names, sort_rows
from .descriptives import cell_reason
from .disclosure import blank
from .registry import columns

MIXEDLM_COLUMNS = columns("mixedlm")
BENCHMARK_COLUMNS = columns("benchmark")
#: Columns :func:`with_fallback` adds to ``benchmark.csv``.
ESTIMATE_COLUMNS = ["estimate", "estimate_ci_low", "estimate_ci_high", "estimate_type"]
#: What :func:`benchmark_table` itself writes (the model's own columns).
MODEL_COLUMNS = [c for c in BENCHMARK_COLUMNS if c not in ("programme_observed", *ESTIMATE_COLUMNS)]
#: Reference levels of the fixed effects (first level used when absent).
REFERENCES = {"role": "docent", "school_type": "vmbo"}
#: A lab variance below this share of the total variance counts as a singular fit.
SINGULAR_SHARE = 1e-6
#: Bounds of log(τ²/σ²) searched by :func:`reml_random_intercept`.
LOG_RATIO_BOUNDS = (-25.0, 10.0)


def reml_random_intercept(y: np.ndarray, x: np.ndarray, groups: np.ndarray) -> dict[str, Any]:
    r"""Exact REML of ``y = Xβ + u_group + e`` from group sufficient statistics.

    With γ = τ²/σ², V_j = σ²(I + γ11'), a_j = γ/(1 + n_jγ), s_j = X_j'1, t_j = 1'y_j:

    .. math::
        A(γ) = X'X - \sum_j a_j s_j s_j', \quad b(γ) = X'y - \sum_j a_j s_j t_j,
        \quad β̂ = A^{-1}b, \quad Q = y'y - \sum_j a_j t_j^2 - b'β̂

    and the profiled REML criterion
    ``(N − p) log(Q/(N − p)) + Σ log(1 + n_jγ) + log|A|`` is minimised over log γ
    (bounded Brent), σ̂² = Q/(N − p), τ̂² = γ̂σ̂² (Harville 1977; Searle, Casella &
    McCulloch 1992, ch. 6). Each evaluation costs O(J p²) instead of a pass over the
    data, so it is used (a) as the start of statsmodels' MixedLM, which then
    converges in one or two iterations — and reaches the true maximum where its
    default start stalls on large data — and (b) for the benchmark's BLUPs. Equality
    with statsmodels is tested.

    Returns
    -------
    dict
        ``gamma, tau2, sigma2, beta, mu_se (SE of β̂), labels, n, ybar, xbar_s (S), boundary``.
    """
    y = np.asarray(y, dtype=float)
    x = np.asarray(x, dtype=float)
    codes, labels = pd.factorize(pd.Series(groups), sort=True)
    j = len(labels)
    n_obs, p = x.shape
    n = np.bincount(codes, minlength=j).astype(float)
    s_mat = np.column_stack([np.bincount(codes, weights=x[:, c], minlength=j) for c in range(p)])
    t = np.bincount(codes, weights=y, minlength=j)
    g_mat = x.T @ x
    xy = x.T @ y
    yy = float(y @ y)

    def parts(gam: float) -> tuple[np.ndarray, np.ndarray, float]:
        a = gam / (1.0 + n * gam)
        a_mat = g_mat - (s_mat * a[:, None]).T @ s_mat
        b = xy - s_mat.T @ (a * t)
        beta = np.linalg.solve(a_mat, b)
        q = yy - float(np.sum(a * t * t)) - float(b @ beta)
        return a_mat, beta, q

    def crit(log_gamma: float) -> float:
        gam = float(np.exp(log_gamma))
        a_mat, _, q = parts(gam)
        return (
            (n_obs - p) * np.log(q / (n_obs - p))
            + float(np.sum(np.log1p(n * gam)))
            + np.linalg.slogdet(a_mat)[1]
        )

    lo, hi = LOG_RATIO_BOUNDS
    res = optimize.minimize_scalar(
        crit, bounds=(lo, hi), method="bounded", options={"xatol": 1e-10}
    )
    log_gamma = float(res.x)
    boundary = log_gamma < lo + 1.0 or crit(lo) <= res.fun
    if crit(lo) <= res.fun:
        log_gamma = lo
    gam = float(np.exp(log_gamma))
    a_mat, beta, q = parts(gam)
    sigma2 = q / (n_obs - p)
    return {
        "gamma": gam,
        "tau2": gam * sigma2,
        "sigma2": sigma2,
        "beta": beta,
        "beta_cov": sigma2 * np.linalg.inv(a_mat),
        "labels": np.asarray(labels),
        "n": n,
        "sums": t,
        "s_mat": s_mat,
        "boundary": bool(boundary),
    }


def blups(fit: dict[str, Any], confidence: float = 0.95) -> pd.DataFrame:
    """Empirical-Bayes lab effects of an intercept-only fit with conditional SEs.

    û_j = λ_j (ȳ_j − μ̂), λ_j = τ̂²/(τ̂² + σ̂²/n_j), Var(u_j | y) = τ̂²(1 − λ_j)
    (Raudenbush & Bryk 2002, eqs. 3.56–3.57; equals statsmodels'
    ``random_effects`` and ``random_effects_cov``, tested).
    """
    n = np.asarray(fit["n"], dtype=float)
    mu = float(np.asarray(fit["beta"])[0])
    tau2, sigma2 = float(fit["tau2"]), float(fit["sigma2"])
    ybar = np.asarray(fit["sums"], dtype=float) / n
    lam = tau2 / (tau2 + sigma2 / n)
    u = lam * (ybar - mu)
    se = np.sqrt(tau2 * (1 - lam))
    return pd.DataFrame(
        {
            "lab": fit["labels"],
            "n": n.astype(int),
            "raw_mean": ybar,
            "random_effect": u,
            "random_effect_se": se,
            "shrinkage": lam,
        }
    )


def design_matrix(
    d: pd.DataFrame,
    factors: Sequence[str] = ("role", "school_type", "wave"),
    references: dict[str, str] | None = None,
) -> tuple[np.ndarray, list[tuple[str, str, str, str]]]:
    """Intercept + treatment dummies; returns the matrix and (term, factor, level, reference).

    References: ``references`` (e.g. the first wave), else :data:`REFERENCES`, else the
    first level in sorted order.
    """
    refs = {**REFERENCES, **(references or {})}
    cols = [np.ones(len(d))]
    terms = [("Intercept", "", "", "")]
    for f in factors:
        levels = sorted(d[f].unique().tolist())
        if len(levels) < 2:
            continue
        ref = refs.get(f, levels[0])
        if ref not in levels:
            ref = levels[0]
        values = d[f].to_numpy()
        for lev in levels:
            if lev == ref:
                continue
            cols.append((values == lev).astype(float))
            terms.append((f"{f}[T.{lev}]", f, lev, ref))
    return np.column_stack(cols), terms


def fit_mixedlm(
    y: np.ndarray, x: np.ndarray, groups: np.ndarray
) -> tuple[Any | None, bool, bool, str]:
    """Fit a random-intercept MixedLM by REML; returns (result, converged, singular, message).

    statsmodels is started at the exact REML solution of :func:`reml_random_intercept`
    (``start_params``), so its own optimiser only confirms the maximum and computes
    the standard errors. The fit is flagged singular when τ̂² ≤ 1e-6 of the total
    variance, the exact REML optimum lies on the boundary, or statsmodels warns about
    a singular covariance; statsmodels' "MLE may be on the boundary" warning (τ̂² < 0.01
    in the data's units, so unit-dependent) is kept in ``message`` only. A Hessian that
    is not positive definite counts as not converged (its standard errors are unusable).
    """
    messages: list[str] = []
    fast = reml_random_intercept(y, x, groups)
    start = MixedLMParams.from_components(
        fe_params=np.asarray(fast["beta"]), cov_re=np.array([[max(float(fast["gamma"]), 1e-8)]])
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = MixedLM(y, x, groups=groups).fit(reml=True, start_params=start)
        except (np.linalg.LinAlgError, ValueError) as exc:
            return None, False, False, f"fit failed: {exc}"
    boundary = bool(fast["boundary"])
    hessian_ok = True
    for w in caught:
        text = str(w.message)
        low = text.lower()
        if issubclass(w.category, ConvergenceWarning) or "singular" in low:
            messages.append(text)
            # statsmodels' "MLE may be on the boundary" fires whenever τ̂² < 0.01 in the
            # data's units, so it is only reported; the boundary itself is judged from
            # the exact REML optimum and τ̂² relative to the total variance.
            if "singular" in low:
                boundary = True
            if "hessian" in low:  # standard errors from a non-PD Hessian are not usable
                hessian_ok = False
    converged = bool(getattr(result, "converged", False)) and hessian_ok
    var_lab = float(np.asarray(result.cov_re)[0, 0])
    scale = float(result.scale)
    total = var_lab + scale
    singular = (not np.isfinite(var_lab)) or var_lab <= SINGULAR_SHARE * total or boundary
    return result, converged, singular, "; ".join(dict.fromkeys(messages))


def mixedlm_table(
    df: pd.DataFrame,
    scales: Sequence[str],
    *,
    confidence: float = 0.95,
    first_wave: str | None = None,
) -> pd.DataFrame:
    """``mixedlm.csv``: fixed effects and variance components per scale.

    ``first_wave`` is the reference of the wave terms (default: the first in sorted order).
    """
    rows = []
    z = stats.norm.ppf(0.5 + confidence / 2)
    for scale in scales:
        d = df[df[scale].notna()]
        base = {"scale": scale, "n_obs": len(d), "n_labs": d["lab"].nunique()}
        if len(d) < 3 or base["n_labs"] < 2:
            rows.append(
                {
                    **base,
                    "term": "",
                    "converged": False,
                    "singular": False,
                    "status": "not_estimated",
                    "message": "fewer than 2 labs or 3 respondents",
                }
            )
            continue
        x, terms = design_matrix(d, references={"wave": first_wave} if first_wave else None)
        result, converged, singular, message = fit_mixedlm(
            d[scale].to_numpy(), x, d["lab"].to_numpy()
        )
        if result is None:
            status = "not_converged"
        elif singular:  # at the boundary a non-PD Hessian is expected: singular is the diagnosis
            status = "singular"
        else:
            status = "ok" if converged else "not_converged"
        var_lab = float(np.asarray(result.cov_re)[0, 0]) if result is not None else np.nan
        var_res = float(result.scale) if result is not None else np.nan
        for i, (term, factor, level, ref) in enumerate(terms):
            row = {
                **base,
                "term": term,
                "factor": factor,
                "level": level,
                "reference": ref,
                "converged": converged,
                "singular": singular,
                "status": status,
                "message": message,
            }
            if status == "ok" and result is not None:  # "ok" implies a result
                coef = float(result.fe_params[i])
                se = float(result.bse_fe[i])
                row.update(
                    coef=coef,
                    se=se,
                    z=coef / se,
                    p=float(2 * stats.norm.sf(abs(coef / se))),
                    ci_low=coef - z * se,
                    ci_high=coef + z * se,
                    var_lab=var_lab,
                    var_residual=var_res,
                    icc_model=var_lab / (var_lab + var_res),
                )
            rows.append(row)
    table = pd.DataFrame(rows)
    for c in MIXEDLM_COLUMNS:
        if c not in table.columns:
            table[c] = np.nan
    table = add_corrections(table, ["term"])
    table = sort_rows(table[MIXEDLM_COLUMNS], ["scale"], {"scale": list(scales)})
    return table


def benchmark_table(
    df: pd.DataFrame,
    scales: Sequence[str],
    lookup: dict[tuple[str, ...], str],
    *,
    labs: object = None,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """``benchmark.csv``: raw and empirical-Bayes lab means per scale × wave, protected."""
    z = stats.norm.ppf(0.5 + confidence / 2)
    parts = []
    for wave in sorted(df["wave"].unique()):
        dw = df[df["wave"] == wave]
        for scale in scales:
            d = dw[dw[scale].notna()]
            if d.empty:
                continue
            g = d.groupby("lab")[scale]
            part = pd.DataFrame({"n": g.size(), "raw_mean": g.mean()}).reset_index()
            part["scale"], part["wave"] = scale, wave
            status = "not_estimated"
            # Labs whose total is suppressed in descriptives stay out of the model: μ̂,
            # τ̂², σ̂² and every shown lab's BLUP are functions of all labs in the fit,
            # so with them the hidden lab means could be solved for.
            hidden = [cell_reason(lookup, scale, wave, lab, ALL, ALL) != "" for lab in d["lab"]]
            d = d[~np.asarray(hidden, dtype=bool)]
            if d["lab"].nunique() >= 2:
                fit = reml_random_intercept(
                    d[scale].to_numpy(), np.ones((len(d), 1)), d["lab"].to_numpy()
                )
                tau2, sigma2 = float(fit["tau2"]), float(fit["sigma2"])
                singular = bool(fit["boundary"]) or tau2 <= SINGULAR_SHARE * (tau2 + sigma2)
                status = "singular" if singular else "ok"
            if status == "ok":
                b = blups(fit, confidence).set_index("lab").reindex(part["lab"])
                mu = float(np.asarray(fit["beta"])[0])
                u = b["random_effect"].to_numpy()
                lam = b["shrinkage"].to_numpy()
                cond_var = b["random_effect_se"].to_numpy() ** 2
                var_mu = float(np.asarray(fit["beta_cov"])[0, 0])
                # prediction-error variances with μ̂ estimated (Henderson's C⁻¹; R&B eq. 3.57)
                se = np.sqrt(cond_var + lam**2 * var_mu)  # û_j − u_j
                se_mean = np.sqrt(cond_var + (1 - lam) ** 2 * var_mu)  # μ̂ + û_j − (μ + u_j)
                part["random_effect"] = u
                part["random_effect_se"] = se
                part["shrinkage"] = lam
                part["shrunken_mean"] = mu + u
                part["shrunken_ci_low"] = mu + u - z * se_mean
                part["shrunken_ci_high"] = mu + u + z * se_mean
                part["programme_mean"] = mu
                part["var_lab"], part["var_residual"] = tau2, sigma2
                part["vs_programme"] = np.where(
                    u - z * se > 0, "above", np.where(u + z * se < 0, "below", "indistinguishable")
                )
            else:
                for c in (
                    "random_effect",
                    "random_effect_se",
                    "shrinkage",
                    "shrunken_mean",
                    "shrunken_ci_low",
                    "shrunken_ci_high",
                    "programme_mean",
                    "var_lab",
                    "var_residual",
                ):
                    part[c] = np.nan
                part["vs_programme"] = ""
            part["model_status"] = status
            parts.append(part)
    if not parts:
        return pd.DataFrame(columns=MODEL_COLUMNS)
    table = pd.concat(parts, ignore_index=True)
    table["lab_name"] = lab_names(labs, table["lab"])
    reason = np.array(
        [
            cell_reason(lookup, s, w, lab, ALL, ALL)
            for s, w, lab in zip(table["scale"], table["wave"], table["lab"], strict=True)
        ],
        dtype=object,
    )
    table = blank(
        table,
        reason,
        [
            "n",
            "raw_mean",
            "shrunken_mean",
            "shrunken_ci_low",
            "shrunken_ci_high",
            "random_effect",
            "random_effect_se",
            "shrinkage",
            "vs_programme",
        ],
    )
    table["n"] = table["n"].astype("Int64")
    return sort_rows(table[MODEL_COLUMNS], ["scale", "wave", "lab"], {"scale": list(scales)})


def with_fallback(bench: pd.DataFrame, desc: pd.DataFrame) -> pd.DataFrame:
    """Add the estimate a report shows per lab: shrunken, or the measured mean when
    the model could not be fitted (singular: no lab variance; too few labs).

    ``estimate_type`` is ``shrunken`` or ``measured`` (the lab's mean and Student-t
    interval from ``descriptives.csv``); for ``measured`` rows ``vs_programme``
    compares that interval with the programme's measured mean. ``programme_observed``
    is the programme's measured mean (the one "programmagemiddelde" of the reports).
    """
    out = bench.copy()
    tot = desc[(desc["role"] == ALL) & (desc["school_type"] == ALL)]
    key = ["scale", "wave", "lab"]
    lab_d = tot[tot["lab"] != ALL].set_index(key)[["mean", "ci_low", "ci_high"]]
    prog = tot[tot["lab"] == ALL].set_index(["scale", "wave"])["mean"]
    idx = pd.MultiIndex.from_frame(out[key].astype(str))
    m = lab_d.reindex(idx)
    out["programme_observed"] = prog.reindex(
        pd.MultiIndex.from_frame(out[["scale", "wave"]].astype(str))
    ).to_numpy()
    shrunk = out["shrunken_mean"].notna().to_numpy()
    out["estimate"] = np.where(shrunk, out["shrunken_mean"], m["mean"].to_numpy())
    out["estimate_ci_low"] = np.where(shrunk, out["shrunken_ci_low"], m["ci_low"].to_numpy())
    out["estimate_ci_high"] = np.where(shrunk, out["shrunken_ci_high"], m["ci_high"].to_numpy())
    shown = ~out["suppressed"].astype(bool).to_numpy()
    out["estimate_type"] = np.where(shrunk, "shrunken", np.where(shown, "measured", ""))
    lo, hi = out["estimate_ci_low"].to_numpy(float), out["estimate_ci_high"].to_numpy(float)
    pm = out["programme_observed"].to_numpy(float)
    verdict = np.where(lo > pm, "above", np.where(hi < pm, "below", "indistinguishable"))
    fallback = ~shrunk & shown & np.isfinite(lo) & np.isfinite(pm)
    out["vs_programme"] = np.where(fallback, verdict, out["vs_programme"].astype(object))
    return out[BENCHMARK_COLUMNS]
