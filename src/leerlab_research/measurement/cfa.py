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
(tests/reliability/results/holzinger_cfa_fit_lavaan.csv).

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
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize, stats

#: Chen (2007) cut-offs for a step in the invariance sequence.
DELTA_CFI_MIN = -0.010
DELTA_RMSEA_MAX = 0.015

#: SLSQP options: semopy's default ``ftol`` (1e-6 on the objective) stops a little
#: short of lavaan's optimum (chi2 off by ~2e-4 on Holzinger-Swineford).
_SOLVER_OPTIONS = {"ftol": 1e-10, "maxiter": 10000}
#: For the FIML fits SLSQP's ``ftol`` applies to -2 logL (order 1e4-1e5 here, not
#: the O(1) discrepancy F); 1e-7 there still pins chi2 to better than 1e-5.
_FIML_SOLVER_OPTIONS = {"ftol": 1e-7, "maxiter": 10000}

_SEP = "__g"
_CONST = "kappa_one"


@contextmanager
def single_thread() -> Iterator[None]:
    """Limit BLAS to one thread while fitting.

    semopy works with many small matrices; multi-threaded BLAS only adds
    overhead there (5-10x slower on a busy 2-core machine). Uses
    ``threadpoolctl`` when it is installed (it comes with scikit-learn).
    """
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover
        yield
        return
    with threadpool_limits(1):
        yield


@dataclass(frozen=True)
class CfaResult:
    """A fitted CFA: one row of fit indices and the loadings."""

    fit: pd.DataFrame
    loadings: pd.DataFrame


# --------------------------------------------------------------------- fit indices
def f_ml(s: np.ndarray, sigma: np.ndarray) -> float:
    """Normal-theory ML discrepancy ``log|Sigma| - log|S| + tr(S Sigma^-1) - p``."""
    p = s.shape[0]
    _, ld_sigma = np.linalg.slogdet(sigma)
    _, ld_s = np.linalg.slogdet(s)
    return float(ld_sigma - ld_s + np.trace(np.linalg.solve(sigma, s)) - p)


def rmsea(chi2: float, df: float, n: int, groups: int = 1) -> float:
    """RMSEA as lavaan (``likelihood = "normal"``): N, not N - 1, times sqrt(G)."""
    if df <= 0:
        return 0.0
    return float(np.sqrt(max(chi2 / n / df - 1.0 / n, 0.0)) * np.sqrt(groups))


def rmsea_ci(
    chi2: float, df: float, n: int, groups: int = 1, level: float = 0.90
) -> tuple[float, float]:
    """Confidence interval of RMSEA from the non-central chi-square (as lavaan)."""
    if df < 1 or not np.isfinite(chi2):
        return float("nan"), float("nan")
    up_p, lo_p = 1 - (1 - level) / 2, (1 - level) / 2

    def cdf(lam: float) -> float:
        return float(stats.ncx2.cdf(chi2, df, lam)) if lam > 0 else float(stats.chi2.cdf(chi2, df))

    def lower_fn(lam: float) -> float:
        return cdf(lam) - up_p

    def upper_fn(lam: float) -> float:
        return cdf(lam) - lo_p

    if lower_fn(0.0) < 0:
        lower = 0.0
    else:
        lam_l = optimize.brentq(lower_fn, 0.0, max(chi2, 1e-8), xtol=1e-12)
        lower = np.sqrt(lam_l / (n * df)) * np.sqrt(groups)
    n_rmsea = max(n, chi2 * 4)
    if upper_fn(n_rmsea) > 0 or upper_fn(0.0) < 0:
        upper = 0.0
    else:
        lam_u = optimize.brentq(upper_fn, 0.0, n_rmsea, xtol=1e-12)
        upper = np.sqrt(lam_u / (n * df)) * np.sqrt(groups)
    return float(lower), float(upper)


def srmr(
    s: np.ndarray, sigma: np.ndarray, mean: np.ndarray | None = None, mu: np.ndarray | None = None
) -> float:
    """Bentler's SRMR of one group (lavaan's ``srmr``).

    Residuals ``s_ij - sigma_ij`` are divided by ``sqrt(s_ii s_jj)`` and averaged
    (squared) over the p(p+1)/2 non-duplicated elements; with a mean structure
    the p mean residuals ``(m_i - mu_i) / sqrt(s_ii)`` join the average.
    """
    p = s.shape[0]
    sd = np.sqrt(np.diag(s))
    r = (s - sigma) / np.outer(sd, sd)
    iu = np.triu_indices(p)
    total = float(np.sum(r[iu] ** 2))
    count = len(iu[0])
    if mean is not None and mu is not None:
        total += float(np.sum(((mean - mu) / sd) ** 2))
        count += p
    return float(np.sqrt(total / count))


def _indices(
    chi2: float, df: int, chi2_base: float, df_base: int, n: int, groups: int
) -> dict[str, float]:
    cfi_den = max(chi2 - df, chi2_base - df_base, 0.0)
    cfi = 1.0 - max(chi2 - df, 0.0) / cfi_den if cfi_den > 0 else 1.0
    if df > 0 and df_base > 0:
        tli = ((chi2_base / df_base) - (chi2 / df)) / ((chi2_base / df_base) - 1.0)
    else:
        tli = float("nan")
    lo, hi = rmsea_ci(chi2, df, n, groups)
    return {
        "chi2": chi2,
        "df": df,
        "pvalue": float(stats.chi2.sf(chi2, df)) if df > 0 else float("nan"),
        "cfi": float(cfi),
        "tli": float(tli),
        "rmsea": rmsea(chi2, df, n, groups),
        "rmsea_ci_low": lo,
        "rmsea_ci_high": hi,
        "chi2_baseline": chi2_base,
        "df_baseline": df_base,
    }


def _ml_cov(x: np.ndarray) -> np.ndarray:
    return np.cov(x, rowvar=False, ddof=0)


def _baseline_chi2(s: np.ndarray, n: int) -> float:
    """Chi2 of the independence model (diagonal Sigma = diag(S)), closed form."""
    _, ld = np.linalg.slogdet(s)
    return float(n * (np.sum(np.log(np.diag(s))) - ld))


# ------------------------------------------------------------------------- models
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
    parametrisation, starting values and optimiser (scipy SLSQP through
    semopy's ``Solver``) are semopy's. ``tests/reliability`` checks objective
    and gradient against semopy's row-wise versions.
    """
    from semopy import ModelMeans

    class _StackedModelMeans(ModelMeans):
        def prepare_fiml(self) -> None:
            g = self.mx_g
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
                by_size.setdefault(len(keep), []).append((keep, data[np.ix_(rows, keep)]))
            # Patterns with the same number of observed variables are evaluated as one batch.
            self.fiml_batches = []
            for q in sorted(by_size):
                pats = by_size[q]
                keep = np.stack([k for k, _ in pats])
                n = np.array([len(x) for _, x in pats], dtype=float)
                sums = np.stack([x.sum(axis=0) for _, x in pats])
                cross = np.stack([x.T @ x for _, x in pats])
                self.fiml_batches.append((keep, n, sums, cross))

        def _batch(self, sigma_full, mean_full, keep):
            sig = sigma_full[keep[:, :, None], keep[:, None, :]]
            chol = np.linalg.cholesky(sig)
            logdet = 2.0 * np.log(np.diagonal(chol, axis1=1, axis2=2)).sum(axis=1)
            inv = np.linalg.inv(sig)
            return inv, logdet, mean_full[keep]

        def obj_fiml(self, x: np.ndarray) -> float:
            self.update_matrices(x)
            sigma_full, (m, _) = self.calc_sigma()
            mean_full = self.calc_mean(m)[:, 0]
            loss = 0.0
            for keep, n, sums, cross in self.fiml_batches:
                try:
                    inv, logdet, mu = self._batch(sigma_full, mean_full, keep)
                except np.linalg.LinAlgError:
                    return np.inf
                inv_mu = np.einsum("pij,pj->pi", inv, mu)
                tr = (
                    np.einsum("pij,pji->p", cross, inv)
                    - 2.0 * np.einsum("pi,pi->p", sums, inv_mu)
                    + n * np.einsum("pi,pi->p", mu, inv_mu)
                )
                loss += float(np.sum(tr + n * logdet))
            return np.inf if loss < 0 else loss

        def grad_fiml(self, x: np.ndarray) -> np.ndarray:
            self.update_matrices(x)
            sigma_full, (m, c) = self.calc_sigma()
            mean_full = self.calc_mean(m)[:, 0]
            p = sigma_full.shape[0]
            sg = np.stack(
                [g if np.ndim(g) else np.zeros((p, p)) for g in self.calc_sigma_grad(m, c)]
            )
            mg = np.stack(
                [g[:, 0] if np.ndim(g) else np.zeros(p) for g in self.calc_mean_grad(m, c)]
            )
            w_all = np.zeros((p, p))
            a_all = np.zeros(p)
            for keep, n, sums, cross in self.fiml_batches:
                try:
                    inv, _, mu = self._batch(sigma_full, mean_full, keep)
                except np.linalg.LinAlgError:
                    return np.full(sg.shape[0], np.inf)
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
        groups.append((o, m, x[np.ix_(rows, o)]))
    mu = np.nanmean(x, axis=0)
    sigma = np.diag(np.nanvar(x, axis=0))
    for _ in range(max_iter):
        t1 = np.zeros(p)
        t2 = np.zeros((p, p))
        for o, m, xo in groups:
            k = len(xo)
            if len(m) == 0:
                t1 += xo.sum(axis=0)
                t2 += xo.T @ xo
                continue
            b = np.linalg.solve(sigma[np.ix_(o, o)], sigma[np.ix_(o, m)]).T
            full = np.empty((k, p))
            full[:, o] = xo
            full[:, m] = mu[m] + (xo - mu[o]) @ b.T
            t1 += full.sum(axis=0)
            t2 += full.T @ full
            t2[np.ix_(m, m)] += k * (sigma[np.ix_(m, m)] - b @ sigma[np.ix_(o, m)])
        mu_new = t1 / n
        sigma_new = t2 / n - np.outer(mu_new, mu_new)
        delta = max(np.max(np.abs(mu_new - mu)), np.max(np.abs(sigma_new - sigma)))
        mu, sigma = mu_new, sigma_new
        if delta < tol:
            break
    f_sat = 0.0
    for o, _, xo in groups:
        so = sigma[np.ix_(o, o)]
        d = xo - mu[o]
        f_sat += len(xo) * np.linalg.slogdet(so)[1] + float(
            np.einsum("ij,ji->", d.T @ d, np.linalg.inv(so))
        )
    return mu, sigma, float(f_sat)


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
        vals = [(n, v) for n, v in vals if v is not None]
        out.append(sum(n * v for n, v in vals) / n_tot if vals else 0.0)
    return np.array(out, dtype=float)


def _fit_stacked(
    factors: Mapping[str, Sequence[str]],
    groups: list[_GroupData],
    step: str,
    prev: dict[str, float],
) -> tuple[object, bool, float]:
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
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = model.fit(obj="ML", solver="SLSQP", options=_FIML_SOLVER_OPTIONS)
    return model, bool(res.success), float(res.fun)


def _multigroup(
    data: pd.DataFrame,
    factors: Mapping[str, Sequence[str]],
    group: str,
    steps: Sequence[str],
    groups: Sequence[str] | None,
    missing: str,
) -> tuple[list[dict[str, object]], dict[str, dict[str, object]]]:
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
    rows, info = [], {}
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


def fit_multigroup(
    data: pd.DataFrame,
    factors: Mapping[str, Sequence[str]],
    group: str,
    steps: Sequence[str] = ("configural", "metric", "scalar"),
    groups: Sequence[str] | None = None,
    missing: str = "fiml",
) -> list[dict[str, object]]:
    """Fit the invariance steps of a multi-group CFA; one fit row per step.

    Parameters
    ----------
    data : DataFrame
        Items and the ``group`` column.
    factors : mapping
        Factor -> items.
    group : str
        Grouping column.
    steps : sequence of str
        Any of ``configural``, ``metric``, ``scalar`` (in that order).
    groups : sequence of str, optional
        Levels to compare (default: all, sorted).
    missing : {"fiml", "listwise"}
        ``"fiml"``: rows with at least one answered item, full-information ML
        (lavaan ``missing = "ml"``); the saturated model's moments come from EM
        (:func:`em_moments`). ``"listwise"``: complete rows only.

    Notes
    -----
    With complete data the configural model is fitted per group (semopy
    ``Model`` on each group's ML covariance matrix; intercepts saturated, so
    the sum of the separate fits is exact); otherwise, and for ``metric`` and
    ``scalar``, as one stacked semopy ``ModelMeans`` (module docstring), each
    starting from the previous step's estimates (the first from covariance
    fits to the EM moments). Rows follow lavaan's conventions; ``srmr``
    includes the mean residuals (lavaan's ``srmr``), ``srmr_nomean`` does not;
    with missing data both use the EM moments as the sample moments (as lavaan).
    """
    rows, _ = _multigroup(data, factors, group, steps, groups, missing)
    return rows


def invariance_table(
    data: pd.DataFrame,
    factors: Mapping[str, Sequence[str]],
    group: str,
    groups: Sequence[str] | None = None,
    missing: str = "fiml",
) -> pd.DataFrame:
    """Configural, metric and scalar models with ΔCFI, ΔRMSEA and a verdict per step.

    A step is supported when ``ΔCFI >= -0.010`` and ``ΔRMSEA <= 0.015``
    against the previous step (Chen 2007). A step is only judged when it and
    every earlier step converged and the previous step is supported (scalar
    invariance presupposes metric invariance); otherwise its verdict says why
    it is not evaluated and ``supported`` is false.
    """
    rows = fit_multigroup(data, factors, group, groups=groups, missing=missing)
    return _invariance_verdicts(pd.DataFrame(rows))


def _invariance_verdicts(out: pd.DataFrame) -> pd.DataFrame:
    """ΔCFI, ΔRMSEA, ``verdict`` and ``supported`` for the fit rows of the steps, in order."""
    out = out.reset_index(drop=True)
    out["delta_cfi"] = out["cfi"].diff()
    out["delta_rmsea"] = out["rmsea"].diff()
    verdicts: list[str] = []
    supported: list[bool] = []
    for i, r in out.iterrows():
        converged = bool(r["converged"])
        if i == 0:
            verdicts.append(
                "baseline: same factor structure in every group"
                + ("" if converged else " (did not converge)")
            )
            supported.append(converged)
            continue
        what = "loadings" if r["step"] == "metric" else "intercepts"
        if not converged:
            verdicts.append(f"not evaluated: the model with equal {what} did not converge")
            supported.append(False)
            continue
        if not supported[-1]:
            verdicts.append(
                f"not evaluated: the previous step ({out['step'][i - 1]}) does not hold"
            )
            supported.append(False)
            continue
        ok = bool(r["delta_cfi"] >= DELTA_CFI_MIN and r["delta_rmsea"] <= DELTA_RMSEA_MAX)
        verdicts.append(
            f"supported: equal {what} do not worsen fit beyond Chen (2007) cut-offs"
            if ok
            else f"not supported: equal {what} worsen fit (ΔCFI < -0.010 or ΔRMSEA > 0.015)"
        )
        supported.append(ok)
    out["verdict"] = verdicts
    out["supported"] = supported
    return out
