"""Who stays between waves, and do those who leave differ from those who stay?

Flow (``attrition.csv``)
    Per pair of consecutive waves (declared order) and per lab, plus the programme
    (``lab = ALL``): ``n_from`` persons in the earlier wave, ``stayed`` (also in the
    later wave, same lab), ``left``, ``newcomers`` (in the later wave but not in the
    earlier one; people returning after skipping a wave count here) and ``n_to``;
    ``retention = stayed / n_from``. A person is a (lab, respondent_id) pair.

    Disclosure: the counts are cells of additive relations (``n_from = stayed +
    left``, ``n_to = stayed + newcomers``, programme = Σ labs), protected with
    :func:`.disclosure.protect` (primary below ``min_cell``, complementary so that no
    suppressed count can be recovered by subtraction). A lab × wave whose total is
    suppressed in ``descriptives.csv`` is suppressed here as well.

Baseline comparison (``attrition_baseline.csv``)
    Per consecutive pair of waves and scale, the earlier wave's scores of those who
    stay against those who leave: means, SDs, Hedges' g (pooled SD, small-sample
    correction J = 1 − 3/(4(n₁+n₂) − 9); CI with the SE of Hedges & Olkin 1985 and a
    t critical value, as ``effsize::cohen.d``) and Welch's t-test. R equivalent: ``effectsize::hedges_g(y ~ group)``,
    ``t.test(y ~ group)``. Rows with a group below ``min_cell`` are blanked.

The mixed models assume that leaving depends on nothing beyond what they condition on
(missing at random); a baseline difference between stayers and leavers is a warning
that the paired-only sensitivity analysis (``longitudinal.csv``, model
``paired_only``) and the model may differ.

References
----------
Hedges, L. V., & Olkin, I. (1985). *Statistical methods for meta-analysis*. Academic Press.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from .common import ALL, lab_names, sort_rows
from .disclosure import COMPLEMENTARY, PRIMARY, Relations, protect
from .registry import REGISTRY, columns

# Column lists come from the registry (compare/registry_panel.py), like every table's.
FLOW_COLUMNS = columns("attrition")
BASELINE_COLUMNS = columns("attrition_baseline")
COUNTS = tuple(REGISTRY["attrition"].counts)


def _persons(df: pd.DataFrame, wave: str) -> pd.Index:
    d = df.loc[df["wave"] == wave, ["lab", "respondent_id"]].drop_duplicates()
    return pd.MultiIndex.from_frame(d)


def flow_table(
    df: pd.DataFrame,
    waves: Sequence[str],
    *,
    min_cell: int,
    hidden: Callable[[str, str], bool] = lambda wave, lab: False,
    labs: object = None,
) -> pd.DataFrame:
    """``attrition.csv``: stay / leave / join counts per lab and consecutive waves, protected."""
    rows = []
    for w0, w1 in zip(waves[:-1], waves[1:], strict=True):
        a, b = _persons(df, w0), _persons(df, w1)
        stay = a.isin(b)
        new = ~b.isin(a)
        parts = {
            "n_from": pd.Series(a.get_level_values(0)).value_counts(),
            "stayed": pd.Series(a.get_level_values(0)[stay]).value_counts(),
            "left": pd.Series(a.get_level_values(0)[~stay]).value_counts(),
            "newcomers": pd.Series(b.get_level_values(0)[new]).value_counts(),
            "n_to": pd.Series(b.get_level_values(0)).value_counts(),
        }
        t = pd.DataFrame(parts).fillna(0).astype(int)
        t.loc[ALL] = t.sum()
        t = t.rename_axis("lab").reset_index()
        t["from_wave"], t["to_wave"] = w0, w1
        rows.append(t)
    if not rows:
        return pd.DataFrame(columns=FLOW_COLUMNS)
    table = sort_rows(
        pd.concat(rows, ignore_index=True), ["from_wave", "lab"], {"from_wave": list(waves)}
    )
    # long form: one cell per (row, count) with its additive relations
    m = len(table)
    cell = {c: np.arange(m) + k * m for k, c in enumerate(COUNTS)}
    n = np.concatenate([table[c].to_numpy(dtype=float) for c in COUNTS])
    parents, children = [], []
    for i in range(m):
        parents += [cell["n_from"][i], cell["n_to"][i]]
        children += [
            np.array([cell["stayed"][i], cell["left"][i]]),
            np.array([cell["stayed"][i], cell["newcomers"][i]]),
        ]
    for _, grp in table.groupby("from_wave", sort=False):
        tot = grp.index[grp["lab"] == ALL]
        kids = grp.index[grp["lab"] != ALL].to_numpy()
        for c in COUNTS:
            parents.append(cell[c][tot[0]] if len(tot) else -1)
            children.append(cell[c][kids])
    primary = np.zeros(len(n), dtype=bool)
    for i, r in table.iterrows():  # one row per lab × wave pair, not per respondent
        if r["lab"] != ALL:
            primary[cell["n_from"][i]] = hidden(r["from_wave"], r["lab"])
            primary[cell["n_to"][i]] = hidden(r["to_wave"], r["lab"])
    reason = protect(n, Relations(np.asarray(parents), children), min_cell, primary)
    out = table.copy()
    for c in COUNTS:
        r = reason[cell[c]]
        out[c] = out[c].astype("Int64").mask(r != "")
    out["retention"] = out["stayed"].astype(float) / out["n_from"].astype(float)
    per_row = np.stack([reason[cell[c]] for c in COUNTS], axis=1)
    out["suppressed"] = (per_row != "").any(axis=1)
    out["suppression_reason"] = np.where(
        (per_row == PRIMARY).any(axis=1),
        PRIMARY,
        np.where((per_row == COMPLEMENTARY).any(axis=1), COMPLEMENTARY, ""),
    )
    out["lab_name"] = np.where(out["lab"] == ALL, ALL, lab_names(labs, out["lab"]))
    return out[FLOW_COLUMNS]


def hedges_g(
    x1: np.ndarray, x2: np.ndarray, confidence: float = 0.95
) -> tuple[float, float, float]:
    """Hedges' g of ``x1 − x2`` with its interval (SE of Hedges & Olkin 1985, t critical value).

    R equivalent: ``effsize::cohen.d(x1, x2, hedges.correction = TRUE)``; pingouin
    ``compute_effsize(eftype="hedges")`` with ``compute_esci``.
    """
    n1, n2 = len(x1), len(x2)
    sp = np.sqrt(((n1 - 1) * np.var(x1, ddof=1) + (n2 - 1) * np.var(x2, ddof=1)) / (n1 + n2 - 2))
    d = (np.mean(x1) - np.mean(x2)) / sp
    g = d * (1 - 3 / (4 * (n1 + n2) - 9))
    se = np.sqrt((n1 + n2) / (n1 * n2) + g**2 / (2 * (n1 + n2)))
    crit = stats.t.ppf(0.5 + confidence / 2, n1 + n2 - 2)
    return float(g), float(g - crit * se), float(g + crit * se)


def baseline_table(
    df: pd.DataFrame,
    scales: Sequence[str],
    waves: Sequence[str],
    *,
    min_cell: int,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """``attrition_baseline.csv``: earlier-wave scores of stayers against leavers."""
    rows = []
    for w0, w1 in zip(waves[:-1], waves[1:], strict=True):
        d0 = df[df["wave"] == w0].drop_duplicates(["lab", "respondent_id"], keep="last")
        stay = pd.MultiIndex.from_frame(d0[["lab", "respondent_id"]]).isin(_persons(df, w1))
        for scale in scales:
            y = d0[scale].to_numpy(dtype=float)
            a, b = y[stay & ~np.isnan(y)], y[~stay & ~np.isnan(y)]
            row = {"from_wave": w0, "to_wave": w1, "scale": scale, "n_stay": len(a)}
            row["n_leave"] = len(b)
            if min(len(a), len(b)) < max(min_cell, 2):
                reason = PRIMARY if min(len(a), len(b)) > 0 else ""
                rows.append({**row, "suppressed": bool(reason), "suppression_reason": reason})
                continue
            g, lo, hi = hedges_g(a, b, confidence)
            t = stats.ttest_ind(a, b, equal_var=False)
            va, vb = np.var(a, ddof=1) / len(a), np.var(b, ddof=1) / len(b)
            rows.append(
                {
                    **row,
                    "mean_stay": a.mean(),
                    "sd_stay": a.std(ddof=1),
                    "mean_leave": b.mean(),
                    "sd_leave": b.std(ddof=1),
                    "difference": a.mean() - b.mean(),
                    "hedges_g": g,
                    "g_ci_low": lo,
                    "g_ci_high": hi,
                    "t": float(t.statistic),
                    "df": (va + vb) ** 2 / (va**2 / (len(a) - 1) + vb**2 / (len(b) - 1)),
                    "p_value": float(t.pvalue),
                    "suppressed": False,
                    "suppression_reason": "",
                }
            )
    table = pd.DataFrame(rows).reindex(columns=BASELINE_COLUMNS)
    for c in ("n_stay", "n_leave"):
        table[c] = table[c].astype("Int64").mask(table["suppressed"].astype(bool))
    return sort_rows(
        table, ["from_wave", "scale"], {"from_wave": list(waves), "scale": list(scales)}
    )
