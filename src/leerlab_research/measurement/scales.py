"""Scale reliability, item analysis, CFA and measurement invariance.

DataFrame in, tidy result out. The functions:

* :func:`cronbach_alpha` - alpha with a Feldt or (vectorised, seeded) BCa bootstrap CI;
* :func:`mcdonald_omega` - omega total from a one-factor ML model on the covariance matrix;
* :func:`item_analysis` - per item: mean, sd, % missing, item-rest r, alpha/omega if deleted;
* :func:`scale_reliability` - one row per scale (x group) with alpha, CI, omega and a
  ``reliable`` flag with the reason when a group is too small or a scale too short;
* :func:`cfa` - the nine-factor model of the instrument with lavaan-style fit indices;
* :func:`invariance` - configural / metric / scalar models across groups with ΔCFI,
  ΔRMSEA and a verdict per step (Chen 2007).

The numerical cores live beside this module (``alpha``, ``omega``, ``cfa``,
``fit_indices``, ``fiml``, ``invariance``); their docstrings state the estimators, the R equivalents and
how the values were checked against pingouin, psych and lavaan.

Example
-------
>>> import pingouin as pg
>>> from leerlab_research.reliability import cronbach_alpha, item_analysis
>>> data = pg.read_dataset("cronbach_wide_missing")
>>> res = cronbach_alpha(data, ci="bootstrap", n_boot=2000, seed=1)
>>> round(res.alpha, 3), res.n, res.k
(0.733, 12, 11)
>>> item_analysis(data).columns.tolist()
['item', 'n', 'pct_missing', 'mean', 'sd', 'item_rest_r', 'alpha_if_deleted', 'omega_if_deleted']

On the study data (the clean table and the codebook)::

    from leerlab_research.reliability import scale_reliability, cfa, invariance
    scale_reliability(responses, study.codebook, by=["lab", "wave"], min_n=30, seed=1)
    cfa(responses, study.codebook).fit
    invariance(responses, study.codebook, group="school_type")
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..config.codebook import Codebook
from ..runtime import single_thread
from .alpha import AlphaResult, alpha_from_cov, as_item_matrix, cronbach_alpha, pairwise_cov
from .cfa import CfaResult, fit_cfa
from .invariance import invariance_table
from .omega import OmegaResult, mcdonald_omega

__all__ = [
    "AlphaResult",
    "CfaResult",
    "OmegaResult",
    "cfa",
    "cronbach_alpha",
    "invariance",
    "item_analysis",
    "mcdonald_omega",
    "scale_reliability",
]

#: Groups with fewer respondents than this get NaN values (privacy), regardless of min_n.
DEFAULT_MIN_CELL = 5


# ------------------------------------------------------------------- item analysis
def item_analysis(data: pd.DataFrame) -> pd.DataFrame:
    """Per-item statistics of one scale.

    Parameters
    ----------
    data : DataFrame
        The scale's items in columns (already reverse-keyed), NaN = missing.

    Returns
    -------
    DataFrame
        One row per item: ``item, n`` (answers), ``pct_missing`` (0-100),
        ``mean, sd`` (of the answers, ddof = 1), ``item_rest_r`` (corrected
        item-total correlation: item with the sum of the *other* items),
        ``alpha_if_deleted`` and ``omega_if_deleted``.

    Notes
    -----
    ``item_rest_r`` and ``alpha_if_deleted`` come from the pairwise covariance
    matrix ``C``: ``r = sum_{j != i} C_ij / sqrt(C_ii * sum_{j,l != i} C_jl)``,
    as ``psych::alpha`` (``r.drop``, ``alpha.drop$raw_alpha``), so they equal the
    direct computation on complete data. ``omega_if_deleted`` refits the
    one-factor model without the item (NaN when fewer than 3 items remain).
    Checked against ``psych::alpha`` and lavaan on ``psych::bfi`` N1-N5
    (``tests/measurement/results/items_bfi_N_psych.csv``).

    R equivalent: ``psych::alpha(data)$item.stats`` and ``$alpha.drop``.

    Examples
    --------
    >>> from semopy.examples import holzinger39
    >>> items = item_analysis(holzinger39.get_data()[["x4", "x5", "x6"]])
    >>> items[["item", "item_rest_r", "alpha_if_deleted"]].round(3).to_numpy().tolist()
    [['x4', 0.776, 0.831], ['x5', 0.787, 0.826], ['x6', 0.765, 0.843]]
    """
    x, names = as_item_matrix(data)
    n_rows, k = x.shape
    cov = pairwise_cov(x)
    rows = []
    for i, name in enumerate(names):
        col = x[:, i]
        answered = col[~np.isnan(col)]
        rest = [j for j in range(k) if j != i]
        c_rest = cov[np.ix_(rest, rest)]
        cov_ir = float(cov[i, rest].sum())
        var_rest = float(c_rest.sum())
        with np.errstate(divide="ignore", invalid="ignore"):
            r = cov_ir / np.sqrt(cov[i, i] * var_rest)
        a_del = float(alpha_from_cov(c_rest)) if len(rest) >= 2 else float("nan")
        o_del = mcdonald_omega(x[:, rest]).omega if len(rest) >= 3 else float("nan")
        rows.append(
            {
                "item": name,
                "n": int(answered.size),
                "pct_missing": 100.0 * (1 - answered.size / n_rows) if n_rows else float("nan"),
                "mean": float(answered.mean()) if answered.size else float("nan"),
                "sd": float(answered.std(ddof=1)) if answered.size > 1 else float("nan"),
                "item_rest_r": float(r),
                "alpha_if_deleted": a_del,
                "omega_if_deleted": float(o_del),
            }
        )
    return pd.DataFrame(rows)


# ----------------------------------------------------------------- scale reliability
def _child_seed(seed: int | None, *key: object) -> np.random.Generator:
    """A generator that depends on the study seed and the cell, not on row order."""
    if seed is None:
        return np.random.default_rng()
    tag = zlib.crc32("|".join(str(k) for k in key).encode("utf-8"))
    return np.random.default_rng(np.random.SeedSequence([int(seed), tag]))


def _scale_row(
    x: pd.DataFrame,
    scale: str,
    group: str,
    level: str,
    *,
    min_n: int,
    min_cell: int,
    ci: str | None,
    n_boot: int,
    confidence: float,
    seed: int | None,
    omega: bool,
) -> dict[str, object]:
    k = x.shape[1]
    answered = x.notna().sum(axis=1)
    x = x[answered >= 2]  # respondents with at least two answers carry covariance information
    n = len(x)
    n_complete = int(x.notna().all(axis=1).sum())
    nan = float("nan")
    row: dict[str, object] = {
        "scale": scale,
        "group": group,
        "level": level,
        "n": n,
        "n_complete": n_complete,
        "k": k,
        "alpha": nan,
        "std_alpha": nan,
        "alpha_ci_low": nan,
        "alpha_ci_high": nan,
        "ci_method": "none" if ci is None else ("bootstrap-bca" if ci == "bootstrap" else ci),
        "n_boot": n_boot if ci == "bootstrap" else 0,
        "omega": nan,
        "reliable": False,
        "reason": "",
    }
    reasons = []
    if n < min_cell:
        row["reason"] = f"n = {n} below min_cell = {min_cell}: values suppressed"
        return row
    if n < min_n:
        reasons.append(f"n = {n} below min_n = {min_n}")
    if k < 3:
        reasons.append(f"k = {k} items (fewer than 3)")
    try:
        res = cronbach_alpha(
            x,
            ci=ci,  # type: ignore[arg-type]
            confidence=confidence,
            n_boot=n_boot,
            seed=_child_seed(seed, scale, group, level),
        )
        row.update(
            alpha=res.alpha,
            std_alpha=res.std_alpha,
            alpha_ci_low=res.ci_low,
            alpha_ci_high=res.ci_high,
        )
        if not np.isfinite(res.alpha):
            reasons.append("alpha not computable (an item without variance)")
    except ValueError as exc:
        reasons.append(f"alpha not computable: {exc}")
    if omega:
        om = mcdonald_omega(x) if k >= 2 else None
        if om is None or not np.isfinite(om.omega):
            if k >= 3 and om is not None:
                reasons.append(f"omega not computable: {om.reason}")
        else:
            row["omega"] = om.omega
            if om.heywood:
                reasons.append("omega: Heywood case (a residual variance at 0)")
    row["reliable"] = not reasons
    row["reason"] = "; ".join(reasons)
    return row


def scale_reliability(
    responses: pd.DataFrame,
    codebook: Codebook,
    by: Sequence[str] | None = None,
    min_n: int = 30,
    *,
    ci: str | None = "bootstrap",
    n_boot: int = 2000,
    confidence: float = 0.95,
    seed: int | None = None,
    omega: bool = True,
    min_cell: int = DEFAULT_MIN_CELL,
    scales: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Alpha (with CI) and omega per scale, overall or per group.

    Parameters
    ----------
    responses : DataFrame
        The clean response table (item columns ``AMB1`` ... ``INH4`` already
        reverse-keyed, see ``docs/ARCHITECTURE.md``).
    codebook : Codebook
        Scales and their items come from ``codebook.scales[name].items``.
    by : list of str, optional
        Grouping columns (e.g. ``["lab", "role", "school_type", "wave"]``); each
        is used on its own (not crossed). ``None``: the whole sample, with
        ``group = level = "all"``.
    min_n : int
        Groups with fewer respondents are flagged ``reliable = False``.
    ci, n_boot, confidence, seed
        Passed to :func:`cronbach_alpha`. Each scale x group cell draws from
        its own generator derived from ``seed`` and the cell's name, so a cell's
        interval does not change when other groups are added.
    omega : bool
        Also compute omega total.
    min_cell : int
        Cells with fewer respondents get no values at all (privacy).
    scales : list of str, optional
        Subset of scales (default: all, in codebook order).

    Returns
    -------
    DataFrame
        One row per scale x group level: ``scale, group, level, n, n_complete,
        k, alpha, std_alpha, alpha_ci_low, alpha_ci_high, ci_method, n_boot,
        omega, reliable, reason``. ``n`` counts respondents with at least two
        answered items of the scale; ``n_complete`` those who answered all
        (used for omega). ``reliable`` is False, with the ``reason``, when
        ``n < min_n``, ``k < 3``, or a coefficient cannot be estimated. Rows are
        sorted by scale (codebook order), grouping column (order of ``by``) and level.

    Notes
    -----
    R equivalent (one cell): ``psych::alpha(d[items])`` and a one-factor
    ``lavaan::cfa`` for omega (see :func:`mcdonald_omega`).

    References
    ----------
    Cronbach (1951); McDonald (1999); Feldt (1965); Efron (1987): see
    :func:`cronbach_alpha` and :func:`mcdonald_omega`.

    Examples
    --------
    ::

        from leerlab_research.config.study import load_study
        study = load_study("analyses/demo/study.yaml")
        responses = pd.read_parquet("out/demo/clean/responses.parquet")
        table = scale_reliability(responses, study.codebook, by=["lab", "role"],
                                  min_n=30, seed=study.settings.seed)
        table[~table.reliable][["scale", "group", "level", "n", "reason"]]
    """
    names = list(scales) if scales is not None else codebook.scale_names
    rows = []
    cells: list[tuple[str, str, pd.DataFrame]] = []
    if not by:
        cells.append(("all", "all", responses))
    else:
        for col in by:
            if col not in responses.columns:
                raise KeyError(f"grouping column {col!r} is not in the response table")
            levels = sorted(str(v) for v in responses[col].dropna().unique())
            keyed = responses[col].astype("string")
            for level in levels:
                cells.append((col, level, responses[keyed == level]))
    for scale in names:
        items = list(codebook.scales[scale].items)
        for group, level, part in cells:
            rows.append(
                _scale_row(
                    part[items].astype("float64"),
                    scale,
                    group,
                    level,
                    min_n=min_n,
                    min_cell=min_cell,
                    ci=ci,
                    n_boot=n_boot,
                    confidence=confidence,
                    seed=seed,
                    omega=omega,
                )
            )
    return pd.DataFrame(rows)


# ----------------------------------------------------------------------- CFA wrappers
def _factors(codebook: Codebook) -> dict[str, list[str]]:
    return {name: list(codebook.scales[name].items) for name in codebook.scale_names}


def cfa(responses: pd.DataFrame, codebook: Codebook, missing: str = "fiml") -> CfaResult:
    """The instrument's factor model: each item loads on its own scale's factor.

    Parameters
    ----------
    responses : DataFrame
        The clean response table.
    codebook : Codebook
        The factors are the codebook's scales (nine), the indicators their items.
    missing : {"fiml", "listwise"}
        ``"fiml"``: every respondent with at least one answered item,
        full-information ML (lavaan ``missing = "ml"``). ``"listwise"``: complete
        rows only.

    Returns
    -------
    CfaResult
        ``fit``: one row with ``n`` (rows used), ``n_dropped``, ``chi2, df, pvalue,
        cfi, tli, rmsea, rmsea_ci_low, rmsea_ci_high`` (90%), ``srmr`` and
        ``converged``; ``loadings``: ``factor, item, loading, se, std_loading``.

    Notes
    -----
    Normal-theory ML with semopy; fit indices with lavaan's conventions (see
    :mod:`leerlab_research.measurement.cfa`). Factors correlate freely.

    R equivalent::

        fit <- lavaan::cfa("ambitie =~ AMB1 + AMB2 + AMB3 + AMB4\\n...", data = d,
                           missing = "ml")
        fitMeasures(fit, c("chisq", "df", "cfi", "tli", "rmsea", "rmsea.ci.lower",
                           "rmsea.ci.upper", "srmr"))

    Examples
    --------
    ::

        res = cfa(responses, study.codebook)
        res.fit[["n", "chi2", "df", "cfi", "tli", "rmsea", "srmr"]]
        res.loadings.query("std_loading < 0.4")

    References
    ----------
    Hu, L., & Bentler, P. M. (1999). Cutoff criteria for fit indexes in covariance
    structure analysis. *Structural Equation Modeling*, 6, 1-55.
    """

    with single_thread():
        return fit_cfa(responses, _factors(codebook), label="nine-factor", missing=missing)


def invariance(
    responses: pd.DataFrame,
    codebook: Codebook,
    group: str = "school_type",
    levels: Sequence[str] | None = None,
    missing: str = "fiml",
) -> pd.DataFrame:
    """Configural, metric and scalar invariance of the nine-factor model across groups.

    Parameters
    ----------
    responses : DataFrame
        The clean response table.
    codebook : Codebook
        Defines the factors.
    group : str
        Grouping column, e.g. ``"school_type"`` or ``"wave"``.
    levels : list of str, optional
        Groups to compare (others are left out). Default: ``["vmbo", "mbo"]``
        for ``school_type``, all observed levels otherwise.
    missing : {"fiml", "listwise"}
        As in :func:`cfa`.

    Returns
    -------
    DataFrame
        One row per step (``configural, metric, scalar``) with ``n``, ``chi2, df,
        cfi, tli, rmsea`` (+ 90% CI), ``srmr``, ``delta_cfi``, ``delta_rmsea``,
        ``supported`` and a plain ``verdict``: a step holds when ΔCFI ≥ -0.010 and
        ΔRMSEA ≤ 0.015 against the previous step (Chen 2007).

    Notes
    -----
    The groups are treated as independent samples. For ``wave`` the same
    respondents can appear in several waves; a longitudinal invariance model would
    model that dependence, which this multi-group comparison does not.
    See :mod:`leerlab_research.measurement.cfa` for the semopy route.

    R equivalent::

        semTools::measEq.syntax / lavaan::cfa(model, data = d, group = "school_type",
            group.equal = c("loadings", "intercepts"))

    Examples
    --------
    ::

        table = invariance(responses, study.codebook, group="school_type")
        table[["step", "cfi", "rmsea", "delta_cfi", "delta_rmsea", "verdict"]]

    References
    ----------
    Chen, F. F. (2007). Sensitivity of goodness of fit indexes to lack of
    measurement invariance. *Structural Equation Modeling*, 14, 464-504.
    """

    if levels is None:
        if group == "school_type":
            levels = ["vmbo", "mbo"]
        else:
            levels = sorted(str(v) for v in responses[group].dropna().unique())
    data = responses[responses[group].astype("string").isin(list(levels))].copy()
    data[group] = data[group].astype(str)
    with single_thread():
        return invariance_table(
            data, _factors(codebook), group, groups=list(levels), missing=missing
        )
