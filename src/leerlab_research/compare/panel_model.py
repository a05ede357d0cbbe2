"""Linear mixed model for the panel: lab and person (nested in lab) random effects.

Model
    ``y = Xβ + Z_lab b_lab + u_person + e`` with ``b_lab ~ N(0, G)`` per lab (a random
    intercept, optionally with random slopes, e.g. the slope after the subsidy
    ended), ``u_person ~ N(0, τ²)`` per person within lab and ``e ~ N(0, σ²)``.
    R equivalent: ``lme4::lmer(y ~ x + (1 + after | lab) + (1 | lab:person), REML = TRUE)``
    (``(1 | lab/person)`` for the intercept-only lab part).

Fit
    :class:`statsmodels.regression.mixed_linear_model.MixedLM` by REML with groups = lab,
    ``exog_re`` = the lab's random columns and a variance component for the persons of
    each lab (their indicator columns). Persons are identified *within* a lab, so the
    same pseudonym in two labs is two persons.

Post-estimation (:func:`_gls_parts`)
    With the REML variance parameters, everything lme4 reports is computed in closed
    form without forming the n × n covariance matrix. Per person the covariance of
    σ²I + τ²11' has the inverse (I − c 11')/σ², c = τ²/(σ² + n_i τ²); per lab with
    W = A⁻¹Z, P_j = X_j'W_j, Q_j = Z_j'W_j (Woodbury; push-through identity):

    * ``X'V⁻¹X = X'A⁻¹X − Σ_j P_j (I + G Q_j)⁻¹ G P_j'``; ``Cov(β̂) = (X'V⁻¹X)⁻¹``
      (lme4 ``vcov``);
    * BLUP ``b̂_j = G (I + Q_j G)⁻¹ Z_j'A⁻¹(y_j − X_jβ̂)``; conditional variance
      ``G − G (I + Q_j G)⁻¹ Q_j G`` (lme4 ``ranef(condVar = TRUE)``);
    * prediction-error variance with β̂ estimated (Henderson 1975; Searle, Casella &
      McCulloch 1992, §7.6): ``Var(b̂_j − b_j) = condvar + G (I+Q_jG)⁻¹ P_j' C P_j (I+GQ_j)⁻¹ G``
      and ``Cov(β̂ − β, b̂_j − b_j) = −C P_j (I + G Q_j)⁻¹ G``;
    * the REML log-likelihood ``−½[(N − p) log 2π + log|V| + log|X'V⁻¹X| + r'V⁻¹r]``
      (lme4 ``logLik``), with ``log|V_j| = log|A_j| + log|I + G Q_j|``.

    All sums over rows are ``np.bincount``/``np.add.at`` by person or lab: no loop over
    respondents. The tests check fixed effects, standard errors, variance components,
    BLUPs, conditional variances and the REML log-likelihood against lme4.

References
----------
Henderson, C. R. (1975). Best linear unbiased estimation and prediction under a
selection model. *Biometrics*, 31, 423–447.
Searle, S. R., Casella, G., & McCulloch, C. E. (1992). *Variance components*. Wiley.
Bates, D., Mächler, M., Bolker, B., & Walker, S. (2015). Fitting linear mixed-effects
models using lme4. *Journal of Statistical Software*, 67(1).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from statsmodels.regression.mixed_linear_model import MixedLM, VCSpec
from statsmodels.tools.sm_exceptions import ConvergenceWarning

#: A variance below this share of the total counts as a boundary (singular) fit.
SINGULAR_SHARE = 1e-6


@dataclass
class PanelFit:
    """A fitted panel model with lme4's quantities (see module docstring)."""

    beta: np.ndarray
    cov_beta: np.ndarray
    g: np.ndarray  # lab random-effect covariance (q × q)
    tau2: float  # person variance
    sigma2: float  # residual variance
    labs: np.ndarray  # lab labels, sorted
    blup: np.ndarray  # (J, q)
    condvar: np.ndarray  # (J, q, q), given β (lme4 condVar)
    pev: np.ndarray  # (J, q, q), Var(b̂ − b) with β̂ estimated
    cross: np.ndarray  # (J, p, q), Cov(β̂ − β, b̂ − b)
    reml_loglik: float
    n_obs: int
    n_persons: int
    converged: bool
    singular: bool
    message: str = ""
    n_per_lab: np.ndarray = field(default_factory=lambda: np.zeros(0))

    @property
    def n_labs(self) -> int:
        return len(self.labs)


def _codes(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    codes, labels = pd.factorize(pd.Series(values), sort=True)
    return np.asarray(codes), np.asarray(labels)


def _group_sum(codes: np.ndarray, m: np.ndarray, size: int) -> np.ndarray:
    """Column sums of ``m`` (n × k) by ``codes`` → (size × k)."""
    out = np.zeros((size, m.shape[1]))
    np.add.at(out, codes, m)
    return out


def _gls_parts(
    y: np.ndarray,
    x: np.ndarray,
    z: np.ndarray,
    lab: np.ndarray,
    person: np.ndarray,
    g: np.ndarray,
    tau2: float,
    sigma2: float,
) -> dict[str, np.ndarray | float]:
    """β̂, Cov(β̂), BLUPs, their (prediction-error) variances and the REML log-likelihood."""
    n, p = x.shape
    q = z.shape[1]
    n_lab = int(lab.max()) + 1
    n_person = int(person.max()) + 1
    n_i = np.bincount(person, minlength=n_person).astype(float)
    c = tau2 / (sigma2 + n_i * tau2)

    def ainv(m: np.ndarray) -> np.ndarray:
        m = m.reshape(n, -1)
        return (m - c[person][:, None] * _group_sum(person, m, n_person)[person]) / sigma2

    a_x, a_z, a_y = ainv(x), ainv(z), ainv(y)[:, 0]
    xax, xay = x.T @ a_x, x.T @ a_y
    yay = float(y @ a_y)
    # per lab: P_j = X_j' A⁻¹ Z_j (p × q), Q_j = Z_j' A⁻¹ Z_j (q × q), r_j = Z_j' A⁻¹ y_j
    pj = _group_sum(lab, np.einsum("ni,nk->nik", x, a_z).reshape(n, p * q), n_lab).reshape(
        n_lab, p, q
    )
    qj = _group_sum(lab, np.einsum("ni,nk->nik", z, a_z).reshape(n, q * q), n_lab).reshape(
        n_lab, q, q
    )
    rj = _group_sum(lab, z * a_y[:, None], n_lab)
    eye = np.eye(q)
    igq = eye[None] + g[None] @ qj  # I + G Q_j
    igq_inv = np.linalg.inv(igq)
    k = igq_inv @ g[None]  # (I + G Q_j)⁻¹ G  (symmetric)
    xvx = xax - np.einsum("jpq,jqr,jsr->ps", pj, k, pj)
    xvy = xay - np.einsum("jpq,jqr,jr->p", pj, k, rj)
    yvy = yay - float(np.einsum("jq,jqr,jr->", rj, k, rj))
    cov = np.linalg.inv(xvx)
    beta = cov @ xvy
    rvr = yvy - 2 * float(beta @ xvy) + float(beta @ xvx @ beta)
    # log|V| = Σ_i [(n_i − 1) log σ² + log(σ² + n_i τ²)] + Σ_j log|I + G Q_j|
    logdet_a = float(np.sum((n_i - 1) * np.log(sigma2) + np.log(sigma2 + n_i * tau2)))
    logdet_v = logdet_a + float(np.sum(np.linalg.slogdet(igq)[1]))
    loglik = -0.5 * ((n - p) * np.log(2 * np.pi) + logdet_v + np.linalg.slogdet(xvx)[1] + rvr)
    # BLUPs: b̂_j = G (I + Q_j G)⁻¹ e_j, e_j = Z_j' A⁻¹ (y − Xβ̂)_j = r_j − P_j' β̂
    e = rj - np.einsum("jpq,p->jq", pj, beta)
    iqg_inv = np.linalg.inv(eye[None] + qj @ g[None])  # (I + Q_j G)⁻¹
    blup = np.einsum("qr,jrs,js->jq", g, iqg_inv, e)
    condvar = g[None] - g[None] @ iqg_inv @ qj @ g[None]
    left = g[None] @ iqg_inv  # G (I + Q G)⁻¹
    pcp = np.einsum("jpq,pr,jrs->jqs", pj, cov, pj)  # P_j' C P_j
    pev = condvar + left @ pcp @ np.transpose(left, (0, 2, 1))
    cross = -np.einsum("pr,jrq,jqs->jps", cov, pj, k)
    return {
        "beta": beta,
        "cov": cov,
        "blup": blup,
        "condvar": condvar,
        "pev": pev,
        "cross": cross,
        "loglik": float(loglik),
    }


def fit_panel(
    y: np.ndarray,
    x: np.ndarray,
    lab: np.ndarray,
    person: np.ndarray,
    z: np.ndarray | None = None,
) -> PanelFit:
    """Fit the panel model by REML (statsmodels MixedLM) and add lme4's post-estimates.

    Parameters
    ----------
    y : array (n,)
        Outcome (no NaN).
    x : array (n, p)
        Fixed-effects design (with intercept).
    lab, person : array (n,)
        Lab label and person label; a person is a (lab, person) pair.
    z : array (n, q), optional
        The lab's random columns; default a random intercept only.

    Returns
    -------
    PanelFit

    Notes
    -----
    The fit is *singular* when a variance (lab, lab slope or person) is at most
    1e-6 of the total or the lab covariance matrix is not positive definite (lme4's
    ``isSingular``); a Hessian that statsmodels cannot invert counts as not converged.
    R equivalent: ``lme4::lmer(y ~ ... + (1 + after | lab) + (1 | lab:person))``.
    """
    y = np.asarray(y, dtype=float)
    x = np.asarray(x, dtype=float)
    n = len(y)
    z = np.ones((n, 1)) if z is None else np.asarray(z, dtype=float).reshape(n, -1)
    lab_codes, lab_labels = _codes(np.asarray(lab))
    person_key = (
        pd.Series(np.asarray(lab)).astype(str) + "\x1f" + pd.Series(np.asarray(person)).astype(str)
    )
    person_codes, _ = _codes(person_key.to_numpy())
    # statsmodels: one block of person indicators per lab, rows in the lab's order
    order = np.argsort(lab_codes, kind="stable")
    mats, names = [], []
    for j in range(len(lab_labels)):
        rows = order[lab_codes[order] == j]
        pc, pl = pd.factorize(person_codes[rows])
        mat = np.zeros((len(rows), len(pl)))
        mat[np.arange(len(rows)), pc] = 1.0
        mats.append(mat)
        names.append([str(v) for v in pl])
    vc = VCSpec(["person"], [names], [mats])
    messages: list[str] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = MixedLM(y, x, groups=lab_codes, exog_re=z, exog_vc=vc)
        result = model.fit(reml=True, method=["lbfgs"])
    hessian_ok = True
    for w in caught:
        low = str(w.message).lower()
        if issubclass(w.category, ConvergenceWarning) or "singular" in low:
            messages.append(str(w.message))
            if "hessian" in low:
                hessian_ok = False
    g = np.asarray(result.cov_re, dtype=float)
    tau2 = float(np.asarray(result.vcomp)[0])
    sigma2 = float(result.scale)
    parts = _gls_parts(y, x, z, lab_codes, person_codes, g, max(tau2, 0.0), sigma2)
    total = float(np.trace(g)) + tau2 + sigma2
    eig = np.linalg.eigvalsh(g)
    singular = bool(
        eig.min() <= SINGULAR_SHARE * total
        or tau2 <= SINGULAR_SHARE * total
        or np.any(np.diag(g) <= SINGULAR_SHARE * total)
    )
    return PanelFit(
        beta=np.asarray(parts["beta"]),
        cov_beta=np.asarray(parts["cov"]),
        g=g,
        tau2=tau2,
        sigma2=sigma2,
        labs=lab_labels,
        blup=np.asarray(parts["blup"]),
        condvar=np.asarray(parts["condvar"]),
        pev=np.asarray(parts["pev"]),
        cross=np.asarray(parts["cross"]),
        reml_loglik=float(parts["loglik"]),
        n_obs=n,
        n_persons=int(person_codes.max()) + 1,
        converged=bool(result.converged) and hessian_ok,
        singular=singular,
        message="; ".join(dict.fromkeys(messages)),
        n_per_lab=np.bincount(lab_codes, minlength=len(lab_labels)),
    )
