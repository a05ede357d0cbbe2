"""Change between two waves per scale, per lab and for the programme (``change.csv``).

The two waves are ``settings.compare.waves`` or, by default, the previous and the
latest of the study's declared waves (their order comes from the study's ``waves``).
Every row names them in ``from_wave`` (the earlier) and ``to_wave`` (the later);
``mean_from`` / ``mean_to`` and ``n_unpaired_from`` / ``n_unpaired_to`` refer to them.

A respondent is *paired* when the same pseudonymised ``respondent_id`` has a score
on the scale in both waves **in the same lab**; everyone else is *unpaired*
(respondents who changed lab count as unpaired in both waves). Two rows per
scale × lab (``lab = all`` for the programme):

``paired``
    paired t-test (later − earlier wave; as :func:`scipy.stats.ttest_rel`), the Wilcoxon
    signed-rank test on the differences (zero differences dropped as in Wilcoxon
    1945; exact for small samples, normal approximation with tie correction above:
    :mod:`.signed_rank`, equal to :func:`scipy.stats.wilcoxon`), and d_z = mean(diff) / sd(diff)
    (Lakens 2013) with the interval of :func:`pingouin.compute_esci` (paired).
``unpaired``
    Welch's t-test of the unpaired respondents of the later vs the earlier wave (as
    :func:`scipy.stats.ttest_ind`, ``equal_var=False``) with Hedges' g (as
    :func:`pingouin.compute_effsize`) and its interval (as :func:`pingouin.compute_esci`).

The t-tests and effect sizes are computed for all labs at once from group
means and variances (:func:`paired_vec`, :func:`welch_vec`) — one scipy/pingouin
call per lab cost seconds at 200 labs — and tested equal to scipy and pingouin.

p-values are corrected across the nine scales within lab × analysis (Holm; BH),
after suppression (suppressed rows are not part of the family).

Disclosure control: a paired row is suppressed when 0 < n_paired < ``min_cell``,
an unpaired row when either of its groups has 0 < n < ``min_cell``. Because a
lab's wave total (in ``descriptives.csv``) is the union of its paired and unpaired
respondents, suppressing one of the two rows suppresses the other
(complementary), and across labs the programme row protects the lab rows.

References
----------
Lakens, D. (2013). Calculating and reporting effect sizes to facilitate cumulative
science. *Frontiers in Psychology*, 4, 863.
Wilcoxon, F. (1945). Individual comparisons by ranking methods. *Biometrics Bulletin*, 1, 80–83.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from . import disclosure, hypercube
from .common import ALL, UNKNOWN, add_corrections, lab_names, sort_rows
from .registry import columns
from .signed_rank import wilcoxon_signed_rank

COLUMNS = columns("change")
STAT_COLUMNS = [
    "n_paired",
    "n_unpaired_from",
    "n_unpaired_to",
    "mean_from",
    "mean_to",
    "mean_diff",
    "ci_low",
    "ci_high",
    "statistic",
    "df",
    "p",
    "effect_size",
    "es_ci_low",
    "es_ci_high",
    "wilcoxon_w",
    "wilcoxon_p",
]


def paired_vec(
    n: np.ndarray, mean_diff: np.ndarray, sd_diff: np.ndarray, confidence: float = 0.95
) -> dict[str, np.ndarray]:
    """Paired t-test, CI of the mean difference and d_z with CI, vectorised over groups.

    t = mean(d) / (sd(d)/√n) on n − 1 df (as :func:`scipy.stats.ttest_rel`);
    d_z = mean(d)/sd(d) with SE √(1/n + d_z²/(2n)) and t-quantile on n − 1 df (as
    :func:`pingouin.compute_esci` for paired data). Equality with scipy/pingouin is tested.
    """
    n = np.asarray(n, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        ok = (n >= 2) & (sd_diff > 0)
        df = np.where(n >= 2, n - 1, np.nan)
        se = sd_diff / np.sqrt(n)
        crit = stats.t.ppf(0.5 + confidence / 2, df)
        t = np.where(ok, mean_diff / se, np.nan)
        p = np.where(ok, 2 * stats.t.sf(np.abs(t), df), np.nan)
        dz = np.where(ok, mean_diff / sd_diff, np.nan)
        es_se = np.sqrt(1 / n + dz**2 / (2 * n))
    return {
        "df": df,
        "ci_low": mean_diff - crit * se,
        "ci_high": mean_diff + crit * se,
        "statistic": t,
        "p": p,
        "effect_size": dz,
        "es_ci_low": dz - crit * es_se,
        "es_ci_high": dz + crit * es_se,
    }


def welch_vec(
    n0: np.ndarray,
    m0: np.ndarray,
    v0: np.ndarray,
    n1: np.ndarray,
    m1: np.ndarray,
    v1: np.ndarray,
    confidence: float = 0.95,
) -> dict[str, np.ndarray]:
    """Welch's t (later − earlier: ``m1 − m0``), Welch CI of the difference, Hedges' g with CI, vectorised.

    As :func:`scipy.stats.ttest_ind` (``equal_var=False``), :func:`pingouin.compute_effsize`
    (``eftype="hedges"``: pooled-SD d times 1 − 3/(4(n0 + n1) − 9)) and
    :func:`pingouin.compute_esci` (SE √((n0 + n1)/(n0 n1) + g²/(2(n0 + n1))), t on n0 + n1 − 2 df).
    """
    n0 = np.asarray(n0, dtype=float)
    n1 = np.asarray(n1, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        a, b = v0 / n0, v1 / n1
        ok = (n0 >= 2) & (n1 >= 2) & (a + b > 0)
        diff = m1 - m0
        se = np.sqrt(a + b)
        dfw = (a + b) ** 2 / (a**2 / (n0 - 1) + b**2 / (n1 - 1))
        t = diff / se
        p = 2 * stats.t.sf(np.abs(t), dfw)
        half = stats.t.ppf(0.5 + confidence / 2, dfw) * se
        pooled = np.sqrt(((n0 - 1) * v0 + (n1 - 1) * v1) / (n0 + n1 - 2))
        g = diff / pooled * (1 - 3 / (4 * (n0 + n1) - 9))
        es_se = np.sqrt((n0 + n1) / (n0 * n1) + g**2 / (2 * (n0 + n1)))
        crit = stats.t.ppf(0.5 + confidence / 2, n0 + n1 - 2)
    nan = np.full(n0.shape, np.nan)
    pick = lambda v: np.where(ok, v, nan)  # noqa: E731
    return {
        "df": pick(dfw),
        "ci_low": pick(diff - half),
        "ci_high": pick(diff + half),
        "statistic": pick(t),
        "p": pick(p),
        "effect_size": pick(g),
        "es_ci_low": pick(g - crit * es_se),
        "es_ci_high": pick(g + crit * es_se),
    }


def _agg(values: pd.Series, keys: pd.Series) -> pd.DataFrame:
    g = values.groupby(keys.to_numpy(), sort=True)
    out = pd.DataFrame({"n": g.size(), "mean": g.mean(), "var": g.var(ddof=1)})
    out.loc[ALL] = [
        len(values),
        values.mean() if len(values) else np.nan,
        values.var(ddof=1) if len(values) > 1 else np.nan,
    ]
    return out


def change_table(
    df: pd.DataFrame,
    scales: Sequence[str],
    *,
    waves: tuple[str, str],
    min_cell: int = 5,
    confidence: float = 0.95,
    labs: object = None,
) -> pd.DataFrame:
    """``change.csv``: paired and unpaired change per scale × lab, protected.

    ``waves`` = (earlier, later); the stage passes ``settings.compare.waves`` or the
    previous and the latest of the study's waves.
    """
    w0, w1 = waves
    if not {w0, w1} <= set(df["wave"].unique()):
        return pd.DataFrame(columns=COLUMNS)
    parts: list[pd.DataFrame] = []
    valid_id = (df["respondent_id"] != UNKNOWN).to_numpy()
    key, _ = pd.factorize(df["respondent_id"].astype(str) + "\x00" + df["lab"].astype(str))
    key = np.where(valid_id, key, -1)
    n_keys = int(key.max()) + 2
    wave = df["wave"].to_numpy()
    lab_all = df["lab"].to_numpy()
    labs_all = [ALL, *sorted(set(lab_all))]
    for scale in scales:
        y = df[scale].to_numpy(dtype=float)
        has = ~np.isnan(y)
        r0 = np.flatnonzero(has & (wave == w0))
        r1 = np.flatnonzero(has & (wave == w1))
        seen0 = np.zeros(n_keys, dtype=bool)
        seen1 = np.zeros(n_keys, dtype=bool)
        seen0[key[r0] + 1] = True
        seen1[key[r1] + 1] = True
        both = seen0 & seen1
        both[0] = False  # key -1: unknown respondent, never paired
        in_a = both[key[r0] + 1]
        in_b = both[key[r1] + 1]
        pa_rows = r0[in_a][np.argsort(key[r0[in_a]], kind="stable")]
        pb_rows = r1[in_b][np.argsort(key[r1[in_b]], kind="stable")]
        diff = pd.Series(y[pb_rows] - y[pa_rows])
        lab_p = pd.Series(lab_all[pa_rows])
        pdiff = _agg(diff, lab_p).reindex(labs_all)
        p0 = _agg(pd.Series(y[pa_rows]), lab_p).reindex(labs_all)
        p1 = _agg(pd.Series(y[pb_rows]), lab_p).reindex(labs_all)
        ua = r0[~in_a]
        ub = r1[~in_b]
        u0 = _agg(pd.Series(y[ua]), pd.Series(lab_all[ua])).reindex(labs_all)
        u1 = _agg(pd.Series(y[ub]), pd.Series(lab_all[ub])).reindex(labs_all)
        npair = pdiff["n"].fillna(0).to_numpy()
        pv = paired_vec(
            npair, pdiff["mean"].to_numpy(), np.sqrt(pdiff["var"].to_numpy()), confidence
        )
        groups_ = {lab: idx for lab, idx in lab_p.groupby(lab_p.to_numpy()).indices.items()}
        dvals = diff.to_numpy()
        wil = [
            wilcoxon_signed_rank(
                dvals if lab == ALL else dvals[groups_.get(lab, np.zeros(0, dtype=int))]
            )
            for lab in labs_all
        ]
        paired = pd.DataFrame(
            {
                "scale": scale,
                "lab": labs_all,
                "analysis": "paired",
                "test": "paired_t",
                "effect_size_type": "d_z",
                "n_paired": npair,
                "mean_from": p0["mean"].to_numpy(),
                "mean_to": p1["mean"].to_numpy(),
                "mean_diff": pdiff["mean"].to_numpy(),
                **pv,
                "wilcoxon_w": [w[0] for w in wil],
                "wilcoxon_p": [w[1] for w in wil],
            }
        )
        n0, n1 = u0["n"].fillna(0).to_numpy(), u1["n"].fillna(0).to_numpy()
        wv = welch_vec(
            n0,
            u0["mean"].to_numpy(),
            u0["var"].to_numpy(),
            n1,
            u1["mean"].to_numpy(),
            u1["var"].to_numpy(),
            confidence,
        )
        unpaired = pd.DataFrame(
            {
                "scale": scale,
                "lab": labs_all,
                "analysis": "unpaired",
                "test": "welch_t",
                "effect_size_type": "hedges_g",
                "n_unpaired_from": n0,
                "n_unpaired_to": n1,
                "mean_from": u0["mean"].to_numpy(),
                "mean_to": u1["mean"].to_numpy(),
                "mean_diff": u1["mean"].to_numpy() - u0["mean"].to_numpy(),
                **wv,
            }
        )
        parts += [paired, unpaired]
    table = pd.concat(parts, ignore_index=True).assign(from_wave=w0, to_wave=w1)
    for c in COLUMNS:
        if c not in table.columns:
            table[c] = np.nan
    table = sort_rows(table, ["scale", "lab", "analysis"], {"scale": list(scales)})
    table["lab_name"] = lab_names(labs, table["lab"])
    reason = _protect(table, min_cell)
    table = disclosure.blank(table, reason, STAT_COLUMNS)
    table = add_corrections(
        table.drop(columns=["p_holm", "p_fdr_bh", "correction_family"]), ["lab", "analysis"]
    )
    for c in ("n_paired", "n_unpaired_from", "n_unpaired_to"):
        table[c] = pd.to_numeric(table[c]).round().astype("Int64")
    return table[COLUMNS]


def _protect(table: pd.DataFrame, min_cell: int) -> np.ndarray:
    """Hypercube suppression on the lab × analysis table.

    The table is two-dimensional: labs (with the programme as total) × analysis
    (paired, unpaired), whose total per lab — the lab's wave totals — is published
    in ``descriptives.csv``. Those totals enter as *fixed* phantom rows: they take
    part in the relations but cannot be suppressed here.
    """
    paired = (table["analysis"] == "paired").to_numpy()
    npair = table["n_paired"].fillna(0).to_numpy(dtype=float)
    nu0 = table["n_unpaired_from"].fillna(0).to_numpy(dtype=float)
    nu1 = table["n_unpaired_to"].fillna(0).to_numpy(dtype=float)
    small = lambda x: (x > 0) & (x < min_cell)  # noqa: E731
    cells = pd.DataFrame(
        {
            "scale": table["scale"].to_numpy(),
            "lab": table["lab"].to_numpy(),
            "analysis": table["analysis"].to_numpy(),
            "n": np.where(paired, npair, nu0 + nu1),
        }
    )
    primary = np.where(paired, small(npair), small(nu0) | small(nu1))
    phantom = (
        cells.groupby(["scale", "lab"], as_index=False, sort=False)["n"].sum().assign(analysis=ALL)
    )
    ext = pd.concat([cells, phantom[cells.columns]], ignore_index=True)
    m = len(cells)
    fixed = np.r_[np.zeros(m, dtype=bool), np.ones(len(phantom), dtype=bool)]
    prim = np.r_[primary, np.zeros(len(phantom), dtype=bool)]
    reason = hypercube.protect_cube(
        ext, ["lab", "analysis"], by=["scale"], min_cell=min_cell, primary=prim, fixed=fixed
    )
    return reason[:m]
