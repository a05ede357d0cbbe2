"""McDonald's omega total from a one-factor maximum-likelihood model.

The estimator is :class:`statsmodels.multivariate.factor.Factor` with
``method="ml"``: a true normal-theory maximum-likelihood factor analysis. It
is fitted to the correlation matrix and rescaled to the covariance metric,
which is exact because the ML discrepancy is scale invariant: if ``(L, Psi)``
is the ML solution for ``R = D^-1 S D^-1`` then ``(D L, D^2 Psi)`` is the ML
solution for ``S`` (Joreskog 1969). The rescaled loadings and residual
variances equal lavaan's ``cfa("f =~ x1 + ...", std.lv = TRUE)`` estimates
(tests: ``tests/measurement/results/omega_lavaan.csv``, agreement < 1e-6).
"""

from __future__ import annotations

import warnings
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from .alpha import as_item_matrix, bca_interval

#: Most leave-out blocks used for the BCa acceleration (delete-d jackknife when n is larger).
_JACKKNIFE_BLOCKS = 200

#: Seed for statsmodels' random EM starting values, so that fits are deterministic.
_START_SEED = 20190901


@dataclass(frozen=True)
class OmegaResult:
    """Omega total of one set of items.

    Attributes
    ----------
    omega : float
        ``(sum lambda)^2 / ((sum lambda)^2 + sum theta)`` in the covariance metric.
    ci_low, ci_high : float
        Bootstrap limits (NaN without ``ci``).
    n, k : int
        Complete rows used and number of items.
    loadings, residual_variances : tuple of float
        Unstandardised one-factor loadings ``lambda`` and residual variances
        ``theta`` of the ML covariance matrix (divisor N), as lavaan reports them.
    heywood : bool
        A residual variance is (nearly) zero: the solution sits on the boundary.
    reason : str
        Why ``omega`` is NaN (too few items or complete rows, an item without
        variance, a model that cannot be fitted); empty when it was estimated.
    ci_method : str
        ``"bootstrap-bca"`` or ``"none"``.
    n_boot : int
        Bootstrap replicates.
    """

    omega: float
    ci_low: float
    ci_high: float
    n: int
    k: int
    loadings: tuple[float, ...]
    residual_variances: tuple[float, ...]
    heywood: bool
    ci_method: str = "none"
    confidence: float = 0.95
    n_boot: int = 0
    reason: str = ""

    def as_dict(self) -> dict[str, object]:
        return asdict(self)

    def to_frame(self) -> pd.DataFrame:
        d = self.as_dict()
        d["loadings"] = " ".join(f"{v:.6f}" for v in self.loadings)
        d["residual_variances"] = " ".join(f"{v:.6f}" for v in self.residual_variances)
        return pd.DataFrame([d])


def one_factor_ml(cov: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray, bool]:
    """Unstandardised loadings and residual variances of a one-factor ML model.

    Parameters
    ----------
    cov : ndarray, shape (k, k)
        Covariance matrix. :func:`mcdonald_omega` passes the ML (N-divisor)
        matrix, as lavaan, so the loadings equal lavaan's; omega itself does
        not depend on the divisor.
    n : int
        Number of observations (passed to statsmodels).

    Returns
    -------
    loadings, residual_variances : ndarray
    heywood : bool
        True when a uniqueness is below 1e-6 (boundary solution).
    """
    from statsmodels.multivariate.factor import Factor

    sd = np.sqrt(np.diag(cov))
    corr = cov / np.outer(sd, sd)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = Factor(corr=corr, n_factor=1, method="ml", nobs=n).fit(
            rng=np.random.default_rng(_START_SEED)
        )
    lam_std = np.asarray(res.loadings)[:, 0]
    if lam_std.sum() < 0:  # orientation is arbitrary; make the factor point 'up'
        lam_std = -lam_std
    uniq = np.asarray(res.uniqueness)
    return lam_std * sd, uniq * sd**2, bool(uniq.min() < 1e-6)


def omega_from_fit(loadings: np.ndarray, residual_variances: np.ndarray) -> float:
    s = float(np.sum(loadings)) ** 2
    return s / (s + float(np.sum(residual_variances)))


#: What a model fit raises on degenerate data (an item without variance, collinear
#: items, a singular information matrix): numpy's SVD/Cholesky/inverse, the libraries'
#: own checks (statsmodels, semopy, ours: ValueError) and floating-point trouble.
#: Anything else is a bug and must not turn into a "not estimated" row.
ESTIMATION_ERRORS = (np.linalg.LinAlgError, ValueError, ArithmeticError)


def _unfittable(cov: np.ndarray, names: list[str] | None = None) -> str:
    """Why a covariance matrix cannot carry a one-factor model ('' when it can)."""
    if not np.all(np.isfinite(cov)):
        return "the covariance matrix is not finite"
    flat = np.flatnonzero(np.diag(cov) <= 1e-12)
    if flat.size:
        which = ", ".join(names[i] if names else str(i + 1) for i in flat.tolist())
        return f"no variance in the complete rows for {which}"
    return ""


def _omega_of_matrix(x: np.ndarray) -> float:
    cov = np.cov(x, rowvar=False, ddof=0)  # ML (N-divisor) covariance, as lavaan
    if _unfittable(cov):
        return float("nan")  # a replicate without variance counts as missing in the BCa
    try:
        lam, th, _ = one_factor_ml(cov, x.shape[0])
    except ESTIMATION_ERRORS:
        return float("nan")
    return omega_from_fit(lam, th)


def mcdonald_omega(
    data: pd.DataFrame | np.ndarray,
    ci: str | None = None,
    confidence: float = 0.95,
    n_boot: int = 1000,
    seed: int | np.random.Generator | None = None,
) -> OmegaResult:
    """McDonald's omega total of the sum score of ``data``'s columns.

    A one-factor model is fitted by maximum likelihood to the **covariance**
    matrix of the complete rows, and
    ``omega = (sum lambda)^2 / ((sum lambda)^2 + sum theta)``: the share of the
    raw sum score's model-implied variance due to the common factor, i.e. the
    reliability of the (unweighted) scale score.

    Parameters
    ----------
    data : DataFrame or ndarray, shape (n, k)
        Items in columns; rows with a missing item are dropped (listwise).
    ci : {None, "bootstrap"}
        ``"bootstrap"``: BCa interval over respondents with jackknife
        acceleration. Each replicate is a full ML fit (statsmodels), so this
        loops over replicates (about 3 ms each); use ``n_boot`` accordingly.
        The acceleration comes from a leave-one-out jackknife, or for n > 200
        from a delete-d jackknife over 200 contiguous blocks of rows.
    confidence : float
        Confidence level.
    n_boot : int
        Bootstrap replicates (default 1000).
    seed : int, Generator or None
        Seed for :func:`numpy.random.default_rng`.

    Returns
    -------
    OmegaResult

    Notes
    -----
    How this differs from what users often compare it with:

    * ``psych::omega()`` fits a *bifactor* (Schmid-Leiman) solution to the
      **correlation** matrix with minres and reports *omega hierarchical* and
      an omega total of the **standardised** items; ``psych::omega(m, nfactors = 1)``
      still works on correlations, so it describes the sum of z-scores, not the
      raw sum. With items of unequal variance the two differ.
    * JASP (via ``Bayesrel``/``lavaan``) reports omega from a one-factor CFA,
      by default also with the model-implied (not observed) total variance, so
      it agrees with this function up to estimator settings; some JASP versions
      standardise first, which gives the psych-style value.
    * ``semTools::compRelSEM()`` divides by the *observed* total variance by
      default (``obs.var = TRUE``); use ``obs.var = FALSE`` for this value.

    The one-factor model needs k >= 3 items (k = 3 is just identified);
    with k = 2 the result is NaN.

    R equivalent::

        fit <- lavaan::cfa("f =~ x1 + x2 + x3", data = d, std.lv = TRUE)
        pe  <- lavaan::parameterEstimates(fit)
        lam <- pe$est[pe$op == "=~"]; th <- pe$est[pe$op == "~~" & pe$lhs == pe$rhs][1:3]
        sum(lam)^2 / (sum(lam)^2 + sum(th))

    References
    ----------
    McDonald, R. P. (1999). *Test theory: A unified treatment*. Erlbaum.
    Flora, D. B. (2020). Your coefficient alpha is probably wrong, but which
    coefficient omega is right? *AMPPS*, 3(4), 484-501.

    Examples
    --------
    >>> from semopy.examples import holzinger39
    >>> from leerlab_research.reliability import mcdonald_omega
    >>> round(mcdonald_omega(holzinger39.get_data()[["x4", "x5", "x6"]]).omega, 4)
    0.8859
    """
    if ci not in (None, "none", "bootstrap"):
        raise ValueError("ci must be None or 'bootstrap'")
    x, names = as_item_matrix(data)
    x = x[~np.isnan(x).any(axis=1)]
    n, k = x.shape
    if k < 2:
        raise ValueError("omega needs at least two items")
    nan = float("nan")
    if k < 3:
        return OmegaResult(
            nan, nan, nan, int(n), int(k), (), (), False, reason="fewer than 3 items"
        )
    if n < k + 1:
        why = f"{n} complete rows for {k} items (needs at least {k + 1})"
        return OmegaResult(nan, nan, nan, int(n), int(k), (), (), False, reason=why)
    cov = np.cov(x, rowvar=False, ddof=0)  # ML (N-divisor) covariance, as lavaan
    why = _unfittable(cov, [str(c) for c in names])
    if not why:
        try:
            lam, th, heywood = one_factor_ml(cov, n)
        except ESTIMATION_ERRORS as exc:
            why = f"the one-factor model cannot be fitted ({type(exc).__name__}: {exc})"
    if why:
        return OmegaResult(nan, nan, nan, int(n), int(k), (), (), False, reason=why)
    omega = omega_from_fit(lam, th)
    lo = hi = nan
    method = "none"
    used = 0
    if ci == "bootstrap":
        rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
        idx = rng.integers(0, n, size=(n_boot, n))
        boot = np.array([_omega_of_matrix(x[i]) for i in idx])
        blocks = np.array_split(np.arange(n), min(n, _JACKKNIFE_BLOCKS))
        jack = np.array([_omega_of_matrix(np.delete(x, b, axis=0)) for b in blocks])
        lo, hi = bca_interval(omega, boot, jack, confidence)
        method, used = "bootstrap-bca", n_boot
    return OmegaResult(
        omega=omega,
        ci_low=lo,
        ci_high=hi,
        n=int(n),
        k=int(k),
        loadings=tuple(float(v) for v in lam),
        residual_variances=tuple(float(v) for v in th),
        heywood=heywood,
        ci_method=method,
        confidence=float(confidence),
        n_boot=used,
    )
