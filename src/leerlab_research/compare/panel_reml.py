"""The profiled REML deviance of the panel model, its gradient and its minimisation.

The model, its notation and the sufficient statistics are described in
:mod:`.panel_model`, whose :func:`~.panel_model.fit_panel` uses these pieces: the
statistics (:func:`sufficient`), the GLS quantities at given relative covariance
parameters (:func:`relative`), the deviance with its analytic gradient
(:func:`objective`) and the optimiser (:func:`minimise`: L-BFGS-B, a way off a
bound that is no minimum, Newton steps at the end).

References
----------
Harville, D. A. (1977). Maximum likelihood approaches to variance component
estimation and to related problems. *Journal of the American Statistical
Association*, 72, 320–338.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np
from scipy import optimize, sparse

#: Largest projected gradient of the REML deviance (in θ) of a converged fit; the
#: polish ends near 1e-11 (lme4 checks its scaled gradient against 2e-3).
GRAD_TOL = 1e-6
#: L-BFGS-B's stopping rules, and the Newton steps after it (two reach ~1e-12 in θ).
_LBFGSB = {"ftol": 1e-12, "gtol": 1e-8, "maxiter": 2000}
_NEWTON_STEPS = 3
#: Step inside a bound at which the gradient is probed, and the restarts from there.
_PROBE = 1e-3
_RESTARTS = 3


@dataclass
class Suff:
    """Sufficient statistics, summed over persons with the same number of rows.

    c_i depends on a person only through n_i (1, 2, 3, … waves), so every weighted
    sum over persons is a sum over the K distinct values of n_i of pre-summed outer
    products: one evaluation of the criterion costs O(K·J·p²), not O(N). The K axis
    is last, so that each weighted sum is one matrix-vector product.
    """

    n: int
    p: int
    q: int
    n_val: np.ndarray  # K distinct row counts per person
    n_count: np.ndarray  # K: persons with that count
    xx: np.ndarray
    xy: np.ndarray
    yy: float
    ss: np.ndarray  # p × p × K  Σ s_i s_i'
    sw: np.ndarray  # p × K      Σ s_i w_i
    ww: np.ndarray  # K          Σ w_i²
    st: np.ndarray  # J × p × q × K  Σ s_i t_i' (persons of lab j)
    tt: np.ndarray  # J × q × q × K
    tw: np.ndarray  # J × q × K
    xz: np.ndarray  # J × p × q   X_j'Z_j
    zz: np.ndarray  # J × q × q
    zy: np.ndarray  # J × q


def sufficient(
    y: np.ndarray, x: np.ndarray, z: np.ndarray, lab: np.ndarray, person: np.ndarray
) -> Suff:
    """:class:`Suff` of y, X and Z with lab and person (within lab) codes 0, 1, …"""
    n, p = x.shape
    q = z.shape[1]
    n_lab, n_per = int(lab.max()) + 1, int(person.max()) + 1
    rows = sparse.csr_matrix((np.ones(n), (person, np.arange(n))), shape=(n_per, n))
    lab_rows = sparse.csr_matrix((np.ones(n), (lab, np.arange(n))), shape=(n_lab, n))
    n_i = np.asarray(rows.sum(axis=1)).ravel()
    n_val, k_of = np.unique(n_i, return_inverse=True)
    n_k = len(n_val)
    person_lab = np.zeros(n_per, dtype=int)
    person_lab[person] = lab
    by_k = sparse.csr_matrix((np.ones(n_per), (k_of, np.arange(n_per))), shape=(n_k, n_per))
    by_jk = sparse.csr_matrix(
        (np.ones(n_per), (person_lab * n_k + k_of, np.arange(n_per))), shape=(n_lab * n_k, n_per)
    )
    s, t, w = rows @ x, rows @ z, rows @ y

    def outer(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return np.einsum("ia,ib->iab", a, b).reshape(len(a), -1)

    def k_last(sums: np.ndarray, *shape: int) -> np.ndarray:
        # (J·K, m) sums per lab and row count → J × shape × K
        out = np.moveaxis(sums.reshape(n_lab, n_k, -1), 1, -1)
        return np.ascontiguousarray(out.reshape(n_lab, *shape, n_k))

    return Suff(
        n=n,
        p=p,
        q=q,
        n_val=n_val.astype(float),
        n_count=np.bincount(k_of, minlength=n_k).astype(float),
        xx=x.T @ x,
        xy=x.T @ y,
        yy=float(y @ y),
        ss=np.ascontiguousarray((by_k @ outer(s, s)).T.reshape(p, p, n_k)),
        sw=np.ascontiguousarray((by_k @ (s * w[:, None])).T),
        ww=by_k @ (w * w),
        st=k_last(by_jk @ outer(s, t), p, q),
        tt=k_last(by_jk @ outer(t, t), q, q),
        tw=k_last(by_jk @ (t * w[:, None]), q),
        xz=(lab_rows @ outer(x, z)).reshape(n_lab, p, q),
        zz=(lab_rows @ outer(z, z)).reshape(n_lab, q, q),
        zy=lab_rows @ (z * y[:, None]),
    )


def _inv_logdet(m: np.ndarray) -> tuple[np.ndarray, float]:
    """Inverses of a stack of small matrices with positive determinant, and Σ log|m_j|.

    The lab blocks are 1 × 1 or 2 × 2: their explicit inverse and determinant save
    the LAPACK calls (the deviance is evaluated some twenty times per fit, each time
    for every lab).
    """
    q = m.shape[-1]
    if q == 1:
        return 1.0 / m, float(np.sum(np.log(m)))
    if q == 2:
        a, b, c, d = m[:, 0, 0], m[:, 0, 1], m[:, 1, 0], m[:, 1, 1]
        det = a * d - b * c
        inv = np.stack([d, -b, -c, a], axis=-1).reshape(-1, 2, 2) / det[:, None, None]
        return inv, float(np.sum(np.log(det)))
    return np.linalg.inv(m), float(np.sum(np.linalg.slogdet(m)[1]))


def relative(st: Suff, gamma: float, gam: np.ndarray) -> dict[str, Any]:
    """GLS pieces with σ² = 1: V₀ = A + ZΓZ' (γ = τ²/σ², Γ = G/σ²)."""
    c = gamma / (1.0 + st.n_val * gamma)  # per distinct n_i
    pj = st.xz - st.st @ c
    qj = st.zz - st.tt @ c
    rj = st.zy - st.tw @ c
    # I + ΓQ_j has positive determinant (= |I + L'Q_jL|, Γ = LL')
    fi, logdet_igq = _inv_logdet(np.eye(st.q) + gam @ qj)  # (I + ΓQ_j)⁻¹
    k = fi @ gam  # (I + ΓQ_j)⁻¹Γ, symmetric
    pk = pj @ k
    xvx = st.xx - st.ss @ c - np.sum(pk @ np.transpose(pj, (0, 2, 1)), axis=0)
    xvy = st.xy - st.sw @ c - np.sum(pk @ rj[:, :, None], axis=0)[:, 0]
    yvy = st.yy - float(st.ww @ c) - float(np.sum(rj * (k @ rj[:, :, None])[:, :, 0]))
    sign, logdet_xvx = np.linalg.slogdet(xvx)
    logdet_v = float(st.n_count @ np.log1p(st.n_val * gamma)) + logdet_igq
    return {
        "pj": pj,
        "qj": qj,
        "rj": rj,
        "fi": fi,
        "k": k,
        "pk": pk,
        "xvx": xvx,
        "xvy": xvy,
        "yvy": yvy,
        "logdet_xvx": logdet_xvx if sign > 0 else np.inf,
        "logdet_v": logdet_v,
    }


def unpack(theta: np.ndarray, q: int, diagonal: bool = False) -> tuple[float, np.ndarray]:
    """γ = θ₀² and Γ (LL' from the lower triangle in θ[1:], or diag(θ[1:]²))."""
    gamma = float(theta[0]) ** 2
    if diagonal:  # independent lab effects: θ holds their relative standard deviations
        return gamma, np.diag(np.asarray(theta[1:], dtype=float) ** 2)
    return gamma, _lower(theta, q) @ _lower(theta, q).T


def _lower(theta: np.ndarray, q: int) -> np.ndarray:
    low = np.zeros((q, q))
    low[_tril(q)] = theta[1:]
    return low


@cache
def _tril(q: int) -> tuple[np.ndarray, np.ndarray]:
    return np.tril_indices(q)


def objective(theta: np.ndarray, st: Suff, diagonal: bool = False) -> tuple[float, np.ndarray]:
    """Profiled REML deviance without constants (lme4's objective up to a constant) and
    its gradient in θ.

    With P = V₀⁻¹ − V₀⁻¹XCX'V₀⁻¹ (C = (X'V₀⁻¹X)⁻¹), u = V₀⁻¹(y − Xβ̂) and ρ = r'V₀⁻¹r,
    the derivative along a covariance parameter φ is ``tr(P ∂V₀) − (N − p) u'∂V₀u / ρ``
    (Harville 1977). For γ, ∂V₀ = Σ_i 1_i1_i', and 1_i'V₀⁻¹ = d_i(1_i' − t_i'K_jZ_j'A⁻¹),
    d_i = 1/(1 + n_iγ), K_j = (I + ΓQ_j)⁻¹Γ, turns both terms into d_i²-weighted sums
    over persons (of (s_i − P_jK_jt_i)(…)' and of (w_i − s_i'β̂ − t_i'K_je_j)², e_j =
    Z_j'A⁻¹(y_j − X_jβ̂)). For Γ, ∂V₀ = Σ_j Z_j ∂Γ Z_j' and ``df = tr(M dΓ)`` with M = Σ_j
    Z_j'PZ_j − (N − p) v_jv_j'/ρ, Z_j'V₀⁻¹Z_j = Q_j(I + ΓQ_j)⁻¹, X_j'V₀⁻¹Z_j = P_j(I +
    ΓQ_j)⁻¹ and v_j = Z_j'u = (I + Q_jΓ)⁻¹e_j; then ∂f/∂L = 2ML for Γ = LL'. The tests
    check the gradient against finite differences.
    """
    gamma, gam = unpack(theta, st.q, diagonal)
    r = relative(st, gamma, gam)
    if not np.isfinite(r["logdet_xvx"]):
        return np.inf, np.zeros_like(theta)
    cinv = np.linalg.inv(r["xvx"])
    beta = cinv @ r["xvy"]
    rho = r["yvy"] - float(beta @ r["xvy"])
    if not rho > 0:
        return np.inf, np.zeros_like(theta)
    dof = st.n - st.p
    value = dof * np.log(rho / dof) + r["logdet_v"] + r["logdet_xvx"]
    scale = dof / rho
    pj, qj, fi, k, pk = r["pj"], r["qj"], r["fi"], r["k"], r["pk"]
    e = r["rj"] - (beta @ pj)  # J × q: R_j − P_j'β̂
    a = (k @ e[:, :, None])[:, :, 0]  # K_j e_j
    # d_i²-weighted sums over the persons (per lab where K_j enters)
    d = 1.0 / (1.0 + st.n_val * gamma)
    d2 = d * d
    ss, sw, ww = st.ss @ d2, st.sw @ d2, float(st.ww @ d2)
    stj, ttj, twj = st.st @ d2, st.tt @ d2, st.tw @ d2
    bst = np.sum(pk @ np.transpose(stj, (0, 2, 1)), axis=0)
    dev = ss - bst - bst.T + np.sum(pk @ ttj @ np.transpose(pk, (0, 2, 1)), axis=0)
    trace = float(st.n_count @ (d * st.n_val)) - float(np.sum(k * ttj)) - float(np.sum(cinv * dev))
    sq = (
        ww
        - 2.0 * float(beta @ sw)
        + float(beta @ ss @ beta)
        - 2.0 * float(np.sum(a * twj))
        + 2.0 * float(np.sum((beta @ stj) * a))
        + float(np.sum(a * (ttj @ a[:, :, None])[:, :, 0]))
    )
    grad = np.empty_like(theta, dtype=float)
    grad[0] = 2.0 * theta[0] * (trace - scale * sq)
    h = pj @ fi  # X_j'V₀⁻¹Z_j
    v = (np.transpose(fi, (0, 2, 1)) @ e[:, :, None])[:, :, 0]
    m = np.sum(qj @ fi - np.transpose(h, (0, 2, 1)) @ cinv @ h, axis=0) - scale * (v.T @ v)
    if diagonal:
        grad[1:] = 2.0 * theta[1:] * np.diag(m)
    else:
        grad[1:] = 2.0 * (m @ _lower(theta, st.q))[_tril(st.q)]
    return float(value), grad


def _polish(
    theta: np.ndarray,
    value: float,
    grad: np.ndarray,
    st: Suff,
    diagonal: bool,
    lower: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Newton steps towards a zero of the gradient from near the optimum.

    The Hessian is taken by forward differences of the analytic gradient; a θ at its
    bound whose gradient points outwards stays there (a singular fit). A step is kept
    only when it does not raise the deviance beyond its rounding and shrinks the
    gradient, so the polish can never make a fit worse than L-BFGS-B left it.
    """
    theta, grad = np.asarray(theta, dtype=float), np.asarray(grad, dtype=float)
    for _ in range(_NEWTON_STEPS):
        free = ~((theta <= lower) & (grad >= 0))
        if not free.any():
            break
        h = 1e-6 * np.maximum(1.0, np.abs(theta))
        hess = np.empty((len(theta), len(theta)))
        for i in range(len(theta)):
            step = np.zeros(len(theta))
            step[i] = h[i]
            hess[:, i] = (objective(theta + step, st, diagonal)[1] - grad) / h[i]
        sub = 0.5 * (hess + hess.T)[np.ix_(free, free)]
        if np.any(np.linalg.eigvalsh(sub) <= 0):  # not a minimum's neighbourhood
            break
        step = np.zeros(len(theta))
        step[free] = -np.linalg.solve(sub, grad[free])
        new = np.maximum(theta + step, lower)
        new_value, new_grad = objective(new, st, diagonal)
        if new_value > value + 1e-10 * max(1.0, abs(value)) or np.max(
            np.abs(new_grad[free])
        ) >= np.max(np.abs(grad[free])):
            break
        theta, value, grad = new, new_value, new_grad
        if np.max(np.abs(step)) < 1e-12:
            break
    # the projected gradient: a θ at its bound with the gradient pointing outwards is done
    return theta, np.where((theta <= lower) & (grad >= 0), 0.0, grad)


def minimise(
    st: Suff, start: np.ndarray, bounds: list[tuple[float | None, None]], diagonal: bool
) -> tuple[np.ndarray, bool, str]:
    """θ̂, whether it is a minimum (projected gradient ≤ ``GRAD_TOL``) and L-BFGS-B's message.

    L-BFGS-B with the analytic gradient gets to ~1e-7 in θ; Newton steps on the
    gradient then polish to ~1e-12 (the deviance itself is flat to rounding there, so
    a search on its values alone, lme4's bobyqa or Powell, stops near 1e-7). A
    relative standard deviation at its bound 0 enters the deviance only through its
    square, so the gradient there is 0 whether or not the variance should grow: the
    bound is a stationary point that a gradient method cannot leave. The gradient a
    small step inside (≈ 2h ∂f/∂variance) tells: where it is negative the variance
    belongs inside, and L-BFGS-B starts again from there.
    """
    lower = np.array([-np.inf if lo is None else lo for lo, _ in bounds])
    res = optimize.minimize(
        objective,
        start,
        args=(st, diagonal),
        jac=True,
        method="L-BFGS-B",
        bounds=bounds,
        options=_LBFGSB,
    )
    for _ in range(_RESTARTS):
        at = np.asarray(res.x) <= lower
        if not at.any():
            break
        probe = np.where(at, lower + _PROBE, res.x)
        inward = at & (objective(probe, st, diagonal)[1] < 0)
        if not inward.any():
            break
        again = optimize.minimize(
            objective,
            np.where(inward, probe, res.x),
            args=(st, diagonal),
            jac=True,
            method="L-BFGS-B",
            bounds=bounds,
            options=_LBFGSB,
        )
        if not again.fun < res.fun:
            break
        res = again
    theta, grad = _polish(res.x, float(res.fun), res.jac, st, diagonal, lower)
    # A line search that fails in the rounding of the deviance next to the optimum is
    # no failure: convergence is judged on the gradient where the polish ended.
    converged = bool(np.all(np.isfinite(grad))) and float(np.max(np.abs(grad))) <= GRAD_TOL
    return theta, converged, str(res.message)
