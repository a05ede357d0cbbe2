"""Full-information ML for the stacked multi-group model from pattern summaries.

semopy's FIML objective works row by row, far too slow for a stacked model with
~280 parameters; :func:`_fast_model_means_class` evaluates the same objective and
gradient from per-missingness-pattern sufficient statistics (tested equal to
semopy's own functions), and :func:`em_moments` gives the saturated moments.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .fit_indices import _indices, _ml_cov, f_ml, srmr
from .scoring import fit_fiml

#: SLSQP options: semopy's default ``ftol`` (1e-6 on the objective) stops a little
#: short of lavaan's optimum (chi2 off by ~2e-4 on Holzinger-Swineford).
_SOLVER_OPTIONS = {"ftol": 1e-10, "maxiter": 10000}
#: For the FIML fits SLSQP's ``ftol`` applies to -2 logL (order 1e4-1e5 here, not
#: the O(1) discrepancy F); 1e-7 there still pins chi2 to better than 1e-5.
_FIML_SOLVER_OPTIONS = {"ftol": 1e-7, "maxiter": 10000}

_SEP = "__g"
_CONST = "kappa_one"


def _active(model: object) -> list[str]:
    return [name for name, par in model.parameters.items() if par.active]  # type: ignore[attr-defined]


def _fast_model_means_class() -> type:
    """``semopy.ModelMeans`` with its FIML objective evaluated from sufficient statistics.

    semopy's FIML objective and gradient work row by row: the mean gradient
    alone is a (variables x rows) matrix per parameter, which makes a stacked
    multi-group model with ~280 parameters take minutes. When every exogenous
    column is constant (here: the intercept ``1`` and :data:`_CONST`), the
    model-implied mean is the same for every row, and both functions depend on
    a missingness pattern's rows only through their count, sum and cross-product.
    This subclass evaluates *the same* objective and gradient
    (``sum_p [n_p log|Sigma_p| + tr(C_p Sigma_p^-1)]``) from those statistics;
    the parametrisation is semopy's; the optimiser is Fisher scoring
    (:func:`.scoring.fit_fiml`, semopy's SLSQP as its fallback), and the panel models
    get their own start (``longitudinal_invariance``). ``tests/measurement`` checks objective
    and gradient against semopy's row-wise versions.
    """
    from semopy import ModelMeans

    class _StackedModelMeans(ModelMeans):
        mx_g: np.ndarray  # semopy's exogenous matrix (set by ModelMeans.load)
        #: Fisher scoring's curvature per missingness pattern instead of per block
        pattern_information = False

        def prepare_fiml(self) -> None:
            g: np.ndarray = self.mx_g
            if not np.allclose(g, g[:, :1]):
                raise ValueError("exogenous columns must be constant for the stacked model")
            self.mx_g = g[:, :1].copy()
            data = self.mx_data
            finite = np.isfinite(data)
            patterns: dict[bytes, list[int]] = {}
            for i, row in enumerate(finite):
                patterns.setdefault(row.tobytes(), []).append(i)
            by_size: dict[int, list[tuple[np.ndarray, np.ndarray]]] = {}
            for rows in patterns.values():
                keep = np.flatnonzero(finite[rows[0]])
                by_size.setdefault(len(keep), []).append(
                    (keep, data[np.ix_(np.asarray(rows), keep)])
                )
            # Blocks of variables observed together (one per group of the stacked model)
            # with their rows: the curvature that Fisher scoring (.scoring) works with.
            block = np.arange(data.shape[1])
            for rows in patterns.values():
                keep = np.flatnonzero(finite[rows[0]])
                if keep.size:
                    block[np.isin(block, block[keep])] = block[keep].min()
            self.fiml_blocks = []
            for b in np.unique(block):
                idx = np.flatnonzero(block == b)
                n_b = sum(len(r) for r in patterns.values() if finite[r[0]][idx].any())
                if n_b:
                    self.fiml_blocks.append((idx, float(n_b)))
            # Patterns with the same number of observed variables are evaluated as one batch.
            self.fiml_batches = []
            for q in sorted(by_size):
                pats = by_size[q]
                keep = np.stack([k for k, _ in pats])
                n = np.array([len(x) for _, x in pats], dtype=float)
                sums = np.stack([x.sum(axis=0) for _, x in pats])
                cross = np.stack([x.T @ x for _, x in pats])
                self.fiml_batches.append((keep, n, sums, cross))
            self._moments_key: bytes | None = None  # new data: nothing kept (_moments)

        def _batch(self, sigma_full, mean_full, keep):
            sig = sigma_full[keep[:, :, None], keep[:, None, :]]
            chol = np.linalg.cholesky(sig)
            logdet = 2.0 * np.log(np.diagonal(chol, axis1=1, axis2=2)).sum(axis=1)
            inv = np.linalg.inv(sig)
            return inv, logdet, mean_full[keep]

        def _moments(self, x: np.ndarray) -> tuple[Any, Any, Any, np.ndarray, list[Any]]:
            """Implied moments at ``x`` and each batch's inverse (None: not positive definite).

            The optimisers ask for the objective and then the gradient at the same
            point; both need these, so the last point's are kept. The same
            arrays, so the gradient is exactly what it was when computed twice.
            """
            self.update_matrices(x)
            key = x.tobytes()
            if getattr(self, "_moments_key", None) != key:
                sigma_full, (m, c) = self.calc_sigma()
                mean_full = self.calc_mean(m)[:, 0]
                batches: list[Any] = []
                for keep, _n, _sums, _cross in self.fiml_batches:
                    try:
                        batches.append(self._batch(sigma_full, mean_full, keep))
                    except np.linalg.LinAlgError:
                        batches.append(None)
                        break
                self._moments_cache = (sigma_full, m, c, mean_full, batches)
                self._moments_key = key
            return self._moments_cache

        def obj_fiml(self, x: np.ndarray) -> float:
            _sigma, _m, _c, _mean, batches = self._moments(x)
            loss = 0.0
            for (_keep, n, sums, cross), batch in zip(self.fiml_batches, batches, strict=False):
                if batch is None:
                    return np.inf
                inv, logdet, mu = batch
                inv_mu = np.einsum("pij,pj->pi", inv, mu)
                tr = (
                    np.einsum("pij,pji->p", cross, inv)
                    - 2.0 * np.einsum("pi,pi->p", sums, inv_mu)
                    + n * np.einsum("pi,pi->p", mu, inv_mu)
                )
                loss += float(np.sum(tr + n * logdet))
            return np.inf if loss < 0 else loss

        def grad_fiml(self, x: np.ndarray) -> np.ndarray:
            sigma_full, m, c, mean_full, batches = self._moments(x)
            p = sigma_full.shape[0]
            sg = np.stack(
                [g if np.ndim(g) else np.zeros((p, p)) for g in self.calc_sigma_grad(m, c)]
            )
            mg = np.stack(
                [g[:, 0] if np.ndim(g) else np.zeros(p) for g in self.calc_mean_grad(m, c)]
            )
            w_all = np.zeros((p, p))
            a_all = np.zeros(p)
            for (keep, n, sums, cross), batch in zip(self.fiml_batches, batches, strict=False):
                if batch is None:
                    return np.full(sg.shape[0], np.inf)
                inv, _, mu = batch
                cc = (
                    cross
                    - sums[:, :, None] * mu[:, None, :]
                    - mu[:, :, None] * sums[:, None, :]
                    + n[:, None, None] * mu[:, :, None] * mu[:, None, :]
                )
                w = n[:, None, None] * inv - inv @ cc @ inv
                np.add.at(w_all, (keep[:, :, None], keep[:, None, :]), w)
                np.add.at(a_all, keep, np.einsum("pij,pj->pi", inv, sums - n[:, None] * mu))
            # A pattern's sub-matrix of dSigma contracted with its weights equals the full
            # dSigma contracted with the zero-padded weights: one einsum for all patterns.
            return np.einsum("ij,kji->k", w_all, sg) - 2.0 * mg @ a_all

    return _StackedModelMeans


def em_moments(
    x: np.ndarray, tol: float = 1e-10, max_iter: int = 10_000
) -> tuple[np.ndarray, np.ndarray, float]:
    """ML mean vector and covariance matrix of incomplete normal data (EM algorithm).

    These are the saturated ("h1") moments that lavaan estimates with
    ``missing = "ml"``. Returns ``(mu, sigma, f_sat)`` with ``f_sat`` the FIML
    objective at the saturated model in semopy's form (-2 log-likelihood without
    the constant): ``sum_p [n_p log|S_p| + tr(C_p S_p^-1)]``. Rows must have at
    least one observed value.

    References
    ----------
    Little, R. J. A., & Rubin, D. B. (2002). *Statistical analysis with missing
    data* (2nd ed.), section 11.2.
    """
    n, p = x.shape
    obs = ~np.isnan(x)
    patterns: dict[bytes, list[int]] = {}
    for i, row in enumerate(obs):
        patterns.setdefault(row.tobytes(), []).append(i)
    groups = []
    for rows in patterns.values():
        o = np.flatnonzero(obs[rows[0]])
        m = np.flatnonzero(~obs[rows[0]])
        # index grids built once, not in every iteration (np.ix_ was half the EM's time)
        groups.append(
            (o, m, x[np.ix_(np.asarray(rows), o)], np.ix_(o, o), np.ix_(o, m), np.ix_(m, m))
        )
    mu = np.nanmean(x, axis=0)
    sigma = np.diag(np.nanvar(x, axis=0))
    for _ in range(max_iter):
        t1 = np.zeros(p)
        t2 = np.zeros((p, p))
        for o, m, xo, oo, om, mm in groups:
            k = len(xo)
            if len(m) == 0:
                t1 += xo.sum(axis=0)
                t2 += xo.T @ xo
                continue
            s_om = sigma[om]
            b = np.linalg.solve(sigma[oo], s_om).T
            full = np.empty((k, p))
            full[:, o] = xo
            full[:, m] = mu[m] + (xo - mu[o]) @ b.T
            t1 += full.sum(axis=0)
            t2 += full.T @ full
            t2[mm] += k * (sigma[mm] - b @ s_om)
        mu_new = t1 / n
        sigma_new = t2 / n - np.outer(mu_new, mu_new)
        delta = max(np.max(np.abs(mu_new - mu)), np.max(np.abs(sigma_new - sigma)))
        mu, sigma = mu_new, sigma_new
        if delta < tol:
            break
    f_sat = 0.0
    for o, _, xo, oo, _om, _mm in groups:
        so = sigma[oo]
        d = xo - mu[o]
        f_sat += len(xo) * np.linalg.slogdet(so)[1] + float(
            np.einsum("ij,ji->", d.T @ d, np.linalg.inv(so))
        )
    return mu, sigma, float(f_sat)


# ------------------------------------------------------------ stacked multi-group engine
def _labelled_description(
    factors: Mapping[str, Sequence[str]], g: int, step: str, means: bool
) -> list[str]:
    """Lines for group ``g`` with every free parameter labelled.

    Labels shared across groups (``lam_<item>``, ``nu_<item>``) are the
    equality constraints; all others carry the group index.
    """
    sfx = f"{_SEP}{g}"
    names = list(factors)
    lines: list[str] = []
    for f, its in factors.items():
        terms = []
        for j, it in enumerate(its):
            if j == 0:
                terms.append(f"1*{it}{sfx}")
            elif step in ("metric", "scalar"):
                terms.append(f"lam_{it}*{it}{sfx}")
            else:
                terms.append(f"lam_g{g}_{it}*{it}{sfx}")
        lines.append(f"{f}{sfx} =~ {' + '.join(terms)}")
    for a_i, f1 in enumerate(names):
        lines.append(f"{f1}{sfx} ~~ phi_g{g}_{f1}*{f1}{sfx}")
        for f2 in names[a_i + 1 :]:
            lines.append(f"{f1}{sfx} ~~ psi_g{g}_{f1}_{f2}*{f2}{sfx}")
    for its in factors.values():
        for it in its:
            lines.append(f"{it}{sfx} ~~ th_g{g}_{it}*{it}{sfx}")
            if means:
                lab = f"nu_{it}" if step == "scalar" else f"nu_g{g}_{it}"
                lines.append(f"{it}{sfx} ~ {lab}*1")
    if means and step == "scalar" and g > 0:
        for f in names:
            lines.append(f"{f}{sfx} ~ kap_g{g}_{f}*{_CONST}")
    return lines


def _stacked_description(factors: Mapping[str, Sequence[str]], n_groups: int, step: str) -> str:
    lines: list[str] = []
    for g in range(n_groups):
        lines += _labelled_description(factors, g, step, means=True)
    names = list(factors)
    for g in range(n_groups):
        for h in range(g + 1, n_groups):
            for f in names:
                for f2 in names:
                    lines.append(f"{f}{_SEP}{g} ~~ 0*{f2}{_SEP}{h}")
    return "\n".join(lines)


@dataclass
class _GroupData:
    level: str
    n: int
    mean: np.ndarray  # ML (EM when incomplete) mean
    cov: np.ndarray  # ML (EM when incomplete) covariance, divisor N
    f_sat: float  # FIML objective of the saturated model
    f_base: float  # FIML objective of the independence model
    complete: bool
    data: pd.DataFrame  # rows used, columns suffixed with the group index


def _group_data(
    data: pd.DataFrame, items: list[str], group: str, levels: Sequence[str], missing: str
) -> list[_GroupData]:
    out = []
    p = len(items)
    for g, level in enumerate(levels):
        part = data.loc[data[group] == level, items].astype("float64")
        if missing == "listwise":
            part = part[part.notna().all(axis=1)]
        else:
            part = part[part.notna().any(axis=1)]
        x = part.to_numpy()
        complete = not np.isnan(x).any()
        if complete:
            mu, cov = x.mean(axis=0), _ml_cov(x)
            f_sat = len(x) * (np.linalg.slogdet(cov)[1] + p)
        else:
            mu, cov, f_sat = em_moments(x)
        n_j = (~np.isnan(x)).sum(axis=0)
        var_j = np.nanvar(x, axis=0)
        f_base = float(np.sum(n_j * np.log(var_j) + n_j))
        renamed = part.copy()
        renamed.columns = [f"{it}{_SEP}{g}" for it in items]
        out.append(_GroupData(str(level), len(x), mu, cov, float(f_sat), f_base, complete, renamed))
    return out


def _fit_groups_separately(
    factors: Mapping[str, Sequence[str]], groups: list[_GroupData]
) -> tuple[dict[str, float], list[np.ndarray], int, bool]:
    """Configural model: one semopy ``Model`` (MLW) per group.

    With intercepts free in every group the mean structure is saturated, so the
    configural model's likelihood is the sum of the separate covariance fits.
    Returns the labelled estimates, each group's implied covariance, the number
    of free covariance parameters and whether all fits converged.
    """
    import semopy

    items = [it for its in factors.values() for it in its]
    est: dict[str, float] = {}
    sigmas, n_par, ok = [], 0, True
    for g, gd in enumerate(groups):
        model = semopy.Model(
            "\n".join(_labelled_description(factors, g, "configural", means=False))
        )
        cols = [f"{it}{_SEP}{g}" for it in items]
        cov = pd.DataFrame(gd.cov, index=cols, columns=cols)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = model.fit(
                cov=cov, n_samples=gd.n, obj="MLW", solver="SLSQP", options=_SOLVER_OPTIONS
            )
        ok = ok and bool(res.success)
        est.update(dict(zip(_active(model), model.param_vals, strict=True)))
        obs = list(model.vars["observed"])
        order = [obs.index(f"{it}{_SEP}{g}") for it in items]
        sigmas.append(model.calc_sigma()[0][np.ix_(order, order)])
        n_par += len(model.param_vals)
        for j, it in enumerate(items):
            est[f"nu_g{g}_{it}"] = float(gd.mean[j])
    return est, sigmas, n_par, ok


def _start_values(names: list[str], prev: dict[str, float], groups: list[_GroupData]) -> np.ndarray:
    """Starting values for a constrained step from the previous step's estimates.

    A shared label starts at the n-weighted mean of the groups' estimates of that
    parameter; latent means start at 0.
    """
    n_tot = sum(gd.n for gd in groups)
    out = []
    for name in names:
        if name in prev:
            out.append(prev[name])
            continue
        base = name.split("_", 1)
        vals = (
            [(gd.n, prev.get(f"{base[0]}_g{g}_{base[1]}")) for g, gd in enumerate(groups)]
            if len(base) == 2
            else []
        )
        known = [(n, v) for n, v in vals if v is not None]
        out.append(sum(n * v for n, v in known) / n_tot if known else 0.0)
    return np.array(out, dtype=float)


def _fit_stacked(
    factors: Mapping[str, Sequence[str]],
    groups: list[_GroupData],
    step: str,
    prev: dict[str, float],
) -> tuple[Any, bool, float]:  # a semopy ModelMeans (untyped)
    items = [it for its in factors.values() for it in its]
    stacked = pd.concat([gd.data for gd in groups], ignore_index=True)
    for g in range(len(groups)):
        for it in items:
            col = f"{it}{_SEP}{g}"
            if col not in stacked:
                stacked[col] = np.nan
    stacked[_CONST] = 1.0
    model = _fast_model_means_class()(_stacked_description(factors, len(groups), step))
    model.load(stacked)
    model.param_vals = _start_values(_active(model), prev, groups)
    res = fit_fiml(model, _FIML_SOLVER_OPTIONS)
    return model, res.success, res.fun


def _multigroup(
    data: pd.DataFrame,
    factors: Mapping[str, Sequence[str]],
    group: str,
    steps: Sequence[str],
    groups: Sequence[str] | None,
    missing: str,
) -> tuple[list[dict[str, object]], dict[str, dict[str, Any]]]:
    for step in steps:
        if step not in ("configural", "metric", "scalar"):
            raise ValueError("steps must be configural, metric or scalar")
    if missing not in ("fiml", "listwise"):
        raise ValueError("missing must be 'fiml' or 'listwise'")
    items = [it for its in factors.values() for it in its]
    p = len(items)
    levels = list(groups) if groups is not None else sorted(data[group].dropna().unique())
    gds = _group_data(data, items, group, levels, missing)
    too_small = [f"{gd.level} (n = {gd.n})" for gd in gds if gd.n <= p]
    if too_small:
        raise ValueError(f"groups with no more usable rows than items: {', '.join(too_small)}")
    all_complete = all(gd.complete for gd in gds)
    n_total = sum(gd.n for gd in gds)
    n_moments = len(levels) * (p * (p + 1) // 2 + p)
    sat = sum(gd.f_sat for gd in gds)
    chi2_base = sum(gd.f_base for gd in gds) - sat
    df_base = len(levels) * p * (p - 1) // 2
    est, sigmas, n_par_cov, ok = _fit_groups_separately(factors, gds)
    rows: list[dict[str, object]] = []
    info: dict[str, dict[str, Any]] = {}
    for step in steps:
        if step == "configural" and all_complete:
            # intercepts saturated: the sum of the separate covariance fits is exact
            chi2 = float(sum(gd.n * f_ml(gd.cov, sig) for gd, sig in zip(gds, sigmas, strict=True)))
            n_params = n_par_cov + len(levels) * p
            mus = [gd.mean for gd in gds]
        else:
            model, ok, fun = _fit_stacked(factors, gds, step, est)
            est = dict(zip(_active(model), model.param_vals, strict=True))
            chi2 = fun - sat
            n_params = len(model.param_vals)
            obs = list(model.vars["observed"])
            sigma_full, (m, _) = model.calc_sigma()
            mean_full = model.calc_mean(m)[:, 0]
            sigmas, mus = [], []
            for g in range(len(gds)):
                idx = [obs.index(f"{it}{_SEP}{g}") for it in items]
                sigmas.append(sigma_full[np.ix_(idx, idx)])
                mus.append(mean_full[idx])
        srmr_total = sum(
            gd.n / n_total * srmr(gd.cov, sig, gd.mean, mu)
            for gd, sig, mu in zip(gds, sigmas, mus, strict=True)
        )
        srmr_nomean = sum(
            gd.n / n_total * srmr(gd.cov, sig) for gd, sig in zip(gds, sigmas, strict=True)
        )
        n_rows = int(data[group].isin(levels).sum())
        rows.append(
            {
                "group": group,
                "levels": " / ".join(str(v) for v in levels),
                "step": step,
                "missing": missing,
                "n": n_total,
                "n_dropped": n_rows - n_total,
                "n_by_group": " / ".join(str(gd.n) for gd in gds),
                "n_groups": len(levels),
                **_indices(chi2, n_moments - n_params, chi2_base, df_base, n_total, len(levels)),
                "srmr": float(srmr_total),
                "srmr_nomean": float(srmr_nomean),
                "converged": bool(ok),
            }
        )
        info[step] = {"est": dict(est), "sigmas": sigmas}
    return rows, info
