"""Fisher scoring for the stacked FIML model, with semopy's SLSQP as the fallback.

SLSQP starts from an identity Hessian; on a stacked model with ~280 parameters it
needed ~500 objective and ~100 gradient evaluations per invariance step, most of the
measurement stage. Fisher scoring uses the curvature the model itself implies:

``theta <- theta - t H^-1 g``, ``H_ab = sum_B n_B [tr(P dSigma_a P dSigma_b) + 2 dmu_a' P dmu_b]``

with ``g`` the analytic FIML gradient (:mod:`.fiml`), ``P = Sigma_B^-1`` the implied
precision of a block ``B`` of variables observed together (one group of the stacked
model) and ``n_B`` its rows: the expected Hessian of -2 log L for complete data.
With a few per cent of missing answers it is close to the FIML Hessian, so the
iteration converges in a handful of steps (linearly, at the rate of the fraction of
missing information). ``t`` halves until the objective decreases (Armijo); a component
that would leave semopy's bounds stops at the bound (projected step). Converged when
the predicted decrease ``g' H^-1 g / 2`` is below :data:`TOL` (in -2 log L units:
chi2 is exact to about that), or below :data:`LOOSE_TOL` once the objective stops
changing in floating point.

This changes the route to the optimum, not the optimum: the objective is semopy's
(``obj_fiml``), and when scoring does not converge (a boundary solution such as a
Heywood case, or a singular ``H``) the fit continues with semopy's SLSQP from the
best point reached, as before. The lavaan reference tests run through this path.

R equivalent: lavaan's default optimiser (``nlminb``, quasi-Newton); lavaan also
offers Fisher scoring (``optim.method = "GN"``).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

#: Stop when the predicted decrease of -2 log L is below this.
TOL = 1e-9
#: ... or when no decrease is left in floating point and the predicted one is below this.
LOOSE_TOL = 1e-6
MAX_ITER = 100
_ARMIJO = 1e-4


@dataclass(frozen=True)
class ScoringResult:
    """What :func:`fit_fiml` returns (the fields semopy's ``SolverResult`` has that we use)."""

    fun: float
    success: bool
    n_it: int
    method: str


def _expected_hessian(model: object, x: np.ndarray) -> np.ndarray:
    # the implied moments and each pattern batch's inverse at x, which grad_fiml
    # has just computed at the same point (fiml._moments keeps the last point's)
    sigma, m, c, _mean, batches = model._moments(x)  # type: ignore[attr-defined]
    k = len(x)
    p = sigma.shape[0]
    sg_list = model.calc_sigma_grad(m, c)  # type: ignore[attr-defined]
    mg_list = model.calc_mean_grad(m, c)  # type: ignore[attr-defined]
    sg = np.stack([g if np.ndim(g) else np.zeros((p, p)) for g in sg_list])
    mg = np.stack([g[:, 0] if np.ndim(g) else np.zeros(p) for g in mg_list])
    hess = np.zeros((k, k))
    if model.pattern_information:  # type: ignore[attr-defined]
        # per missingness pattern, the patterns with as many observed variables at once
        for (keep, n, _sums, _cross), batch in zip(model.fiml_batches, batches, strict=False):  # type: ignore[attr-defined]
            if batch is None:  # a pattern's implied covariance is not positive definite
                raise np.linalg.LinAlgError("implied covariance not positive definite")
            prec = batch[0]
            low = np.linalg.cholesky(prec)
            d = sg[:, keep[:, :, None], keep[:, None, :]]
            a_mat = (np.swapaxes(low, 1, 2) @ d @ low).reshape(k, -1)
            w = np.repeat(n, a_mat.shape[1] // n.size)
            hess += (a_mat * w) @ a_mat.T
            mm = np.swapaxes(mg[:, keep], 0, 1)  # patterns x parameters x variables
            hess += 2.0 * np.einsum("pkj,plj->kl", (mm @ prec) * n[:, None, None], mm)
        return hess
    for idx, n_b in model.fiml_blocks:  # type: ignore[attr-defined]
        prec = np.linalg.inv(sigma[np.ix_(idx, idx)])
        low = np.linalg.cholesky(prec)
        d = sg[:, idx][:, :, idx]
        act = np.flatnonzero(np.abs(d).reshape(k, -1).max(axis=1) > 0)
        if act.size:
            a_mat = (low.T @ d[act] @ low).reshape(act.size, -1)
            hess[np.ix_(act, act)] += n_b * (a_mat @ a_mat.T)
        mm = mg[:, idx]
        act = np.flatnonzero(np.abs(mm).max(axis=1) > 0)
        if act.size:
            hess[np.ix_(act, act)] += 2.0 * n_b * (mm[act] @ prec @ mm[act].T)
    return hess


def _score(model: object, x: np.ndarray) -> tuple[np.ndarray, float, bool, int]:
    bounds = model.get_bounds()  # type: ignore[attr-defined]
    lo = np.array([-np.inf if b[0] is None else b[0] for b in bounds], dtype=float)
    hi = np.array([np.inf if b[1] is None else b[1] for b in bounds], dtype=float)
    x = np.clip(x, lo, hi)
    f = model.obj_fiml(x)  # type: ignore[attr-defined]
    if not np.isfinite(f):
        return x, f, False, 0
    for it in range(1, MAX_ITER + 1):
        g = model.grad_fiml(x)  # type: ignore[attr-defined]
        try:
            d = -np.linalg.solve(_expected_hessian(model, x), g)
        except np.linalg.LinAlgError:
            return x, f, False, it
        decrease = -float(g @ d)
        if not np.isfinite(decrease) or decrease < 0:
            return x, f, False, it
        if decrease / 2 < TOL:
            return x, f, True, it
        # projected step: components that would leave the bounds stop at them
        t = 1.0
        while t > 1e-10:
            xn = np.clip(x + t * d, lo, hi)
            fn = model.obj_fiml(xn)  # type: ignore[attr-defined]
            if np.isfinite(fn) and fn <= f + _ARMIJO * float(g @ (xn - x)):
                break
            t /= 2
        else:
            return x, f, False, it
        if f - fn <= 1e-12 * abs(f):
            # no progress left in floating point: converged if little was predicted,
            # otherwise a bound blocks the step (e.g. a Heywood case)
            return xn, fn, decrease / 2 < LOOSE_TOL, it
        x, f = xn, fn
    return x, f, False, MAX_ITER


def fit_fiml(model: object, options: Mapping[str, object]) -> ScoringResult:
    """Fit a loaded stacked FIML model (``_StackedModelMeans``) from its ``param_vals``.

    Fisher scoring first; if it does not converge, semopy's SLSQP (``options``) from
    the best point reached. The model's ``param_vals`` and matrices hold the estimates.
    """
    model.prepare_fiml()  # type: ignore[attr-defined]
    x0 = np.asarray(model.param_vals, dtype=np.float64)  # type: ignore[attr-defined]
    with np.errstate(all="ignore"):
        x, f, ok, n_it = _score(model, x0)
    if ok:
        model.param_vals = x  # type: ignore[attr-defined]
        model.update_matrices(x)  # type: ignore[attr-defined]
        return ScoringResult(float(f), True, n_it, "fisher-scoring")
    if np.isfinite(f):
        model.param_vals = x  # type: ignore[attr-defined]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = model.fit(obj="ML", solver="SLSQP", options=options)  # type: ignore[attr-defined]
    return ScoringResult(float(res.fun), bool(res.success), n_it, "slsqp")
