"""Configural, metric and scalar invariance across groups as one stacked semopy model.

See :mod:`.cfa` for the route (stacked groups, shared labels as equality
constraints, lavaan's identification) and its check against lavaan.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from .fiml import _multigroup

#: Chen (2007) cut-offs for a step in the invariance sequence.
DELTA_CFI_MIN = -0.010
DELTA_RMSEA_MAX = 0.015


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
