"""Longitudinal measurement invariance on the panel (same persons across waves).

Model
    The items are put side by side per person (``AMB1__T0``, ``AMB1__T1``, …; one
    row per person, NaN where the person did not answer a wave). Each wave has its
    own factor (first item the marker, loading 1); the factors' variances and
    covariances across waves are free (the same persons are measured again) and
    the residuals of *the same item* are correlated across waves (its specific
    part persists). Steps: **configural** (loadings and intercepts free per wave,
    factor means 0), **metric** (loadings equal across waves), **scalar** (loadings
    and intercepts equal, factor means free after the first wave). This replaces
    treating waves as independent groups, which ignores that most respondents
    answer more than once.

Estimation
    Full-information ML (lavaan ``missing = "ml"``): persons who answered one wave
    only still contribute. The objective is semopy's FIML objective evaluated from
    per-pattern sufficient statistics (:func:`.fiml._fast_model_means_class`, tested
    against semopy's row-wise functions), the saturated moments come from EM
    (:func:`.fiml.em_moments`), chi2 = -2 (logL_model - logL_saturated), and the fit
    indices use lavaan's conventions (:func:`.fit_indices`).
    The optimiser is Fisher scoring (:func:`.scoring.fit_fiml`, SLSQP only as its
    fallback) with the expected information per missingness pattern (most persons
    miss whole waves, so the complete-data curvature of the group models would
    overstate it), the configural step starting from per-wave one-factor fits to the
    EM moments (:func:`_configural_start`), each later step from the previous one.
    semopy's SLSQP from its default start stopped far from the optimum on two demo
    scales (chi2 216.8 and 357.1 where lavaan finds 38.6 and 43.0).
    ``missing = "listwise"`` keeps persons with every wave complete.

R equivalent (checked against lavaan 0.6 in ``tests/reliability``, stored values in
``tests/reliability/results/longitudinal_invariance_lavaan.csv`` with their script)::

    f_T0 =~ 1*a1__T0 + l2*a2__T0 + ...;  a1__T0 ~ n1*1; ...
    a1__T0 ~~ a1__T1 + a1__T2; ...
    cfa(model, data = wide, missing = "ml", meanstructure = TRUE)
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from ..runtime import single_thread
from .fiml import (
    _CONST,
    _FIML_SOLVER_OPTIONS,
    _SOLVER_OPTIONS,
    _active,
    _fast_model_means_class,
    em_moments,
)
from .fit_indices import _indices, _ml_cov, srmr
from .invariance import _invariance_verdicts
from .scoring import fit_fiml

STEPS = ("configural", "metric", "scalar")
SEP = "__"


def wide_panel(
    df: pd.DataFrame, items: Sequence[str], waves: Sequence[str], person: str = "respondent_id"
) -> pd.DataFrame:
    """One row per person (within lab), columns ``<item>__<wave>`` for the given waves.

    Persons are ``(lab, respondent_id)`` pairs when a ``lab`` column is present. A
    person with several rows in one wave (should not happen after cleaning) keeps
    the last.
    """
    keys = ["lab", person] if "lab" in df.columns else [person]
    d = df[df["wave"].isin(list(waves))]
    d = d.drop_duplicates(keys + ["wave"], keep="last")
    # nullable integer items (pd.NA) to float64 (NaN) before reshaping
    d = d.assign(**{it: pd.to_numeric(d[it], errors="coerce").astype("float64") for it in items})
    wide = d.pivot(index=keys, columns="wave", values=list(items))
    wide.columns = [f"{it}{SEP}{w}" for it, w in wide.columns]
    cols = [f"{it}{SEP}{w}" for w in waves for it in items]
    wide = wide.reindex(columns=cols).astype("float64")
    return wide[wide.notna().any(axis=1)].reset_index(drop=True)


def model_description(items: Sequence[str], waves: Sequence[str], step: str) -> str:
    """semopy syntax of one step (every free parameter labelled; shared labels = equal)."""
    lines: list[str] = []
    for t, w in enumerate(waves):
        v = [f"{it}{SEP}{w}" for it in items]
        terms = [f"1*{v[0]}"]
        for it, col in zip(items[1:], v[1:], strict=True):
            lab = f"lam_{it}" if step in ("metric", "scalar") else f"lam_t{t}_{it}"
            terms.append(f"{lab}*{col}")
        lines.append(f"f{SEP}{w} =~ {' + '.join(terms)}")
        for it, col in zip(items, v, strict=True):
            lines.append(f"{col} ~~ th_t{t}_{it}*{col}")
            nu = f"nu_{it}" if step == "scalar" else f"nu_t{t}_{it}"
            lines.append(f"{col} ~ {nu}*1")
        lines.append(f"f{SEP}{w} ~~ phi_t{t}*f{SEP}{w}")
        if step == "scalar" and t > 0:
            lines.append(f"f{SEP}{w} ~ kap_t{t}*{_CONST}")
    for t, w in enumerate(waves):
        for s in range(t + 1, len(waves)):
            lines.append(f"f{SEP}{w} ~~ psi_{t}_{s}*f{SEP}{waves[s]}")
            for it in items:
                lines.append(f"{it}{SEP}{w} ~~ rc_{it}_{t}_{s}*{it}{SEP}{waves[s]}")
    return "\n".join(lines)


def _configural_start(
    items: Sequence[str], waves: Sequence[str], mean: np.ndarray, cov: np.ndarray
) -> dict[str, float]:
    """Start values of the configural step from the saturated (EM) moments.

    Per wave a one-factor model on that wave's covariance matrix (semopy ``Model``,
    ``MLW``); across waves the least-squares factor covariance of the off-diagonal
    cross-wave covariances and, for the same item, the remainder as the residual
    covariance; intercepts at the means. Fisher scoring from semopy's default start
    can wander to a saddle point; from these it converges in a few steps.
    """
    import semopy

    est: dict[str, float] = {}
    lam = []
    p = len(items)
    for t in range(len(waves)):
        sl = slice(t * p, (t + 1) * p)
        cols = [f"{it}{SEP}{waves[t]}" for it in items]
        terms = ["1*" + cols[0]] + [
            f"lam_t{t}_{it}*{c}" for it, c in zip(items[1:], cols[1:], strict=True)
        ]
        desc = [f"f{SEP}{waves[t]} =~ {' + '.join(terms)}"]
        desc += [f"{c} ~~ th_t{t}_{it}*{c}" for it, c in zip(items, cols, strict=True)]
        desc.append(f"f{SEP}{waves[t]} ~~ phi_t{t}*f{SEP}{waves[t]}")
        model = semopy.Model("\n".join(desc))
        with warnings.catch_warnings(), single_thread():
            warnings.simplefilter("ignore")
            model.fit(
                cov=pd.DataFrame(cov[sl, sl], index=cols, columns=cols),
                n_samples=100,
                obj="MLW",
                solver="SLSQP",
                options=_SOLVER_OPTIONS,
            )
        est.update(dict(zip(_active(model), model.param_vals, strict=True)))
        lam.append(np.array([1.0] + [est[f"lam_t{t}_{it}"] for it in items[1:]]))
        for j, it in enumerate(items):
            est[f"nu_t{t}_{it}"] = float(mean[t * p + j])
    off = ~np.eye(p, dtype=bool)
    for t in range(len(waves)):
        for s in range(t + 1, len(waves)):
            block = cov[t * p : (t + 1) * p, s * p : (s + 1) * p]
            ab = np.outer(lam[t], lam[s])
            psi = float((block * ab)[off].sum() / (ab * ab)[off].sum())
            est[f"psi_{t}_{s}"] = psi
            for j, it in enumerate(items):
                est[f"rc_{it}_{t}_{s}"] = float(block[j, j] - psi * ab[j, j])
    return est


def _start(names: list[str], prev: dict[str, float]) -> np.ndarray:
    """Start a step at the configural start values or the previous step's estimates
    (a label shared across waves starts at the mean of its per-wave values)."""
    out = []
    for name in names:
        if name in prev:
            out.append(prev[name])
            continue
        head, _, tail = name.partition("_")
        vals = [v for k, v in prev.items() if k.startswith(f"{head}_t") and k.endswith(f"_{tail}")]
        out.append(float(np.mean(vals)) if vals else 0.0)
    return np.array(out, dtype=float)


def fit_longitudinal(
    wide: pd.DataFrame,
    items: Sequence[str],
    waves: Sequence[str],
    steps: Sequence[str] = STEPS,
    missing: str = "fiml",
) -> pd.DataFrame:
    """Fit the invariance steps across waves; one row of lavaan-style fit indices per step.

    Parameters
    ----------
    wide : DataFrame
        Output of :func:`wide_panel` (columns ``<item>__<wave>``).
    items : sequence of str
        The scale's items, marker first.
    waves : sequence of str
        Waves in their declared order.
    steps : sequence of str
        Any of ``configural``, ``metric``, ``scalar``, in that order.
    missing : {"fiml", "listwise"}

    Returns
    -------
    DataFrame
        ``step, missing, n, n_waves, n_items, chi2, df, pvalue, cfi, tli, rmsea,
        rmsea_ci_low, rmsea_ci_high, srmr, chi2_baseline, df_baseline, converged``.

    Notes
    -----
    R equivalent: ``lavaan::cfa(model, data, missing = "ml", meanstructure = TRUE)``
    with the labelled model of :func:`model_description`.
    """
    if missing not in ("fiml", "listwise"):
        raise ValueError("missing must be 'fiml' or 'listwise'")
    cols = [f"{it}{SEP}{w}" for w in waves for it in items]
    data = wide[cols].astype("float64")
    data = data[data.notna().all(axis=1)] if missing == "listwise" else data
    data = data[data.notna().any(axis=1)]
    x = data.to_numpy()
    n, p = x.shape
    if n <= p:
        raise ValueError(f"{n} persons for {p} variables: too few to fit the panel model")
    if np.isnan(x).any():
        mean, cov, f_sat = em_moments(x)
    else:
        mean, cov = x.mean(axis=0), _ml_cov(x)
        f_sat = n * (np.linalg.slogdet(cov)[1] + p)
    n_j = (~np.isnan(x)).sum(axis=0)
    f_base = float(np.sum(n_j * np.log(np.nanvar(x, axis=0)) + n_j))
    chi2_base = f_base - f_sat
    df_base = p * (p - 1) // 2
    n_moments = p * (p + 1) // 2 + p
    fitted = data.copy()
    fitted[_CONST] = 1.0
    rows: list[dict[str, object]] = []
    prev = _configural_start(items, waves, mean, cov)
    cls = _fast_model_means_class()
    for step in steps:
        if step not in STEPS:
            raise ValueError("steps must be configural, metric or scalar")
        model = cls(model_description(items, waves, step))
        model.load(fitted)
        model.param_vals = _start(_active(model), prev)
        model.pattern_information = True
        with warnings.catch_warnings(), single_thread():
            warnings.simplefilter("ignore")
            res = fit_fiml(model, _FIML_SOLVER_OPTIONS)
        prev = dict(zip(_active(model), model.param_vals, strict=True))
        obs = list(model.vars["observed"])
        idx = [obs.index(c) for c in cols]
        sigma_full, (m, _) = model.calc_sigma()
        sigma = sigma_full[np.ix_(idx, idx)]
        mu = model.calc_mean(m)[:, 0][idx]
        chi2 = float(res.fun) - f_sat
        df = n_moments - len(model.param_vals)
        rows.append(
            {
                "step": step,
                "missing": missing,
                "n": n,
                "n_waves": len(waves),
                "n_items": len(items),
                **_indices(chi2, df, chi2_base, df_base, n, 1),
                "srmr": srmr(cov, sigma, mean, mu),
                "converged": bool(res.success),
            }
        )
    return pd.DataFrame(rows)


def longitudinal_invariance_table(
    df: pd.DataFrame,
    scales: Mapping[str, Sequence[str]],
    waves: Sequence[str],
    *,
    missing: str = "fiml",
) -> pd.DataFrame:
    """``measurement/invariance_waves.csv``: the three steps per scale with verdicts.

    A scale is skipped (``status`` says why) when no more persons answered more than
    one wave than the panel model has variables, or the model cannot be fitted; ΔCFI/ΔRMSEA verdicts follow Chen (2007)
    as for the group invariance (:func:`.invariance._invariance_verdicts`).
    """
    parts = []
    for scale, items in scales.items():
        wide = wide_panel(df, items, waves)
        answered = np.column_stack(
            [wide[[f"{it}{SEP}{w}" for it in items]].notna().any(axis=1) for w in waves]
        )
        n_panel = int((answered.sum(axis=1) > 1).sum())
        n_vars = len(items) * len(waves)
        if n_panel <= n_vars:
            status = (
                f"not estimated: {n_panel} persons answered more than one wave, "
                f"fewer than the {n_vars} variables of the panel model"
            )
            parts.append(pd.DataFrame([{"scale": scale, "status": status, "n": len(wide)}]))
            continue
        try:
            fit = fit_longitudinal(wide, items, waves, missing=missing)
        except (ValueError, np.linalg.LinAlgError) as exc:
            parts.append(
                pd.DataFrame([{"scale": scale, "status": f"not estimated: {exc}", "n": len(wide)}])
            )
            continue
        fit = _invariance_verdicts(fit)
        fit.insert(0, "scale", scale)
        fit["n_repeated"] = n_panel
        fit["waves"] = " / ".join(waves)
        fit["status"] = "ok"
        parts.append(fit)
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
