"""Change between two waves per scale, per lab and for the programme (``change.csv``).

The two waves are ``settings.compare.waves`` or, by default, the previous and the
latest of the study's declared waves (their order comes from the study's ``waves``).
Every row names them in ``from_wave`` (the earlier) and ``to_wave`` (the later);
``mean_from`` / ``mean_to`` and ``n_unpaired_from`` / ``n_unpaired_to`` refer to them.

A respondent is *paired* when the same pseudonymised ``respondent_id`` has a score
on the scale in both waves **in the same lab**; everyone else is *unpaired*
(respondents who changed lab count as unpaired in both waves). Three rows per
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
``waves``
    the change of the lab's wave means: everyone of the lab with a score at the earlier
    wave against everyone at the later wave (``n_from``, ``n_to``), i.e. exactly the
    two means ``descriptives.csv`` publishes for the lab, so ``mean_diff`` is their
    difference. The two samples overlap in the paired respondents, so the interval and
    test are those of the partially overlapping samples t-test with separate variances
    (T_new2 of Derrick, Toher & White 2017; R: ``Partiallyoverlapping::Partover.test(
    later_unpaired, earlier_unpaired, later_paired, earlier_paired)``, ``test =
    overlap_t``): :func:`.ttests.overlap_vec`. It equals Welch's test without overlap and the
    paired t-test when everyone answered twice.

Why ``waves``: where a lab's leavers or newcomers number 1 … ``min_cell`` − 1, the
unpaired row is hidden, and with it the paired row (the stayers' means and the
published wave means would give the small group's sum by subtraction). The wave
means themselves are published, so their difference is always publishable wherever
both are shown: the ``waves`` row follows the suppression of the lab's two wave
means in ``descriptives.csv`` (:func:`.disclosure.inherit`) and adds no cell to any
relation. Its standard error uses the stayers' correlation r (an aggregate of at
least ``min_cell`` people, or not used at all: below that, ``test = welch_t``, the
samples treated as independent). Where the paired row is hidden, both the degrees of
freedom and the standard error of T_new2 would tell about the number of stayers
(df directly; the SE through r × n_paired), and so about the small number of leavers:
there the row is Welch's test of the two published means, SDs and sizes
(``test = welch_t``: conservative when the stayers' scores correlate positively; a
function of published numbers only), and ``n_paired`` stays blank.

The t-tests and effect sizes are computed for all labs at once from group
means and variances (:mod:`.ttests`: :func:`paired_vec`, :func:`welch_vec`,
:func:`overlap_vec`) — one scipy/pingouin
call per lab cost seconds at 200 labs — and tested equal to scipy and pingouin.

p-values are corrected across the nine scales within lab × analysis (Holm; BH),
after suppression (suppressed rows are not part of the family).

Disclosure control: a paired row is suppressed when 0 < n_paired < ``min_cell``,
an unpaired row when either of its groups has 0 < n < ``min_cell``. Because a
lab's wave total (in ``descriptives.csv``) is the union of its paired and unpaired
respondents, suppressing one of the two rows suppresses the other
(complementary), and across labs the programme row protects the lab rows. Where
``descriptives.csv`` hides a lab's wave total, the lab's paired and unpaired rows
are hidden with the same reason (their sum would give the total back).

References
----------
Derrick, Toher & White (2017): see :mod:`.ttests`.
Lakens, D. (2013). Calculating and reporting effect sizes to facilitate cumulative
science. *Frontiers in Psychology*, 4, 863.
Wilcoxon, F. (1945). Individual comparisons by ranking methods. *Biometrics Bulletin*, 1, 80–83.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from . import disclosure, hypercube
from .common import ALL, UNKNOWN, add_corrections, lab_names, sort_rows
from .descriptives import cell_reason
from .registry import columns
from .signed_rank import wilcoxon_signed_rank
from .ttests import overlap_vec, paired_vec, welch_vec

COLUMNS = columns("change")
STAT_COLUMNS = [
    "n_paired",
    "n_unpaired_from",
    "n_unpaired_to",
    "n_from",
    "n_to",
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


def _agg(values: pd.Series, keys: pd.Series) -> pd.DataFrame:
    g = values.groupby(keys.to_numpy(), sort=True)
    n, mean, var = g.size(), g.mean(), g.var(ddof=1)
    # the ALL row appended to the arrays (setting it with .loc enlarged the frame,
    # slower than the group statistics themselves)
    return pd.DataFrame(
        {
            "n": np.append(n.to_numpy(), len(values)),
            "mean": np.append(mean.to_numpy(), values.mean() if len(values) else np.nan),
            "var": np.append(var.to_numpy(), values.var(ddof=1) if len(values) > 1 else np.nan),
        },
        index=pd.Index([*n.index, ALL]),
    )


def change_table(
    df: pd.DataFrame,
    scales: Sequence[str],
    *,
    waves: tuple[str, str],
    min_cell: int = 5,
    confidence: float = 0.95,
    labs: object = None,
    published: Mapping[tuple[str, ...], str] | None = None,
) -> pd.DataFrame:
    """``change.csv``: paired, unpaired and wave-means change per scale × lab, protected.

    ``waves`` = (earlier, later); the stage passes ``settings.compare.waves`` or the
    previous and the latest of the study's waves. ``published`` is
    :func:`.descriptives.reason_lookup` of ``descriptives.csv`` computed on the same
    frame: a ``waves`` row is hidden wherever either of the lab's two wave means is
    hidden there, with its reason. Without it (library use on a bare frame) the lab
    wave totals are protected here by :func:`.disclosure.protect` (labs within the
    programme), the same rule descriptives applies to them.
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
    wave_parts: list[pd.DataFrame] = []
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
        a0 = _agg(pd.Series(y[r0]), pd.Series(lab_all[r0])).reindex(labs_all)
        a1 = _agg(pd.Series(y[r1]), pd.Series(lab_all[r1])).reindex(labs_all)
        wave_parts.append(
            pd.DataFrame(
                {
                    "scale": scale,
                    "lab": labs_all,
                    "analysis": "waves",
                    "n_from": a0["n"].fillna(0).to_numpy(),
                    "n_to": a1["n"].fillna(0).to_numpy(),
                    "mean_from": a0["mean"].to_numpy(),
                    "mean_to": a1["mean"].to_numpy(),
                    "mean_diff": a1["mean"].to_numpy() - a0["mean"].to_numpy(),
                    "var_from": a0["var"].to_numpy(),
                    "var_to": a1["var"].to_numpy(),
                    "pairs": npair,
                    "r": _correlation(y[pa_rows], y[pb_rows], lab_p).reindex(labs_all).to_numpy(),
                }
            )
        )
    table = pd.concat(parts, ignore_index=True).assign(from_wave=w0, to_wave=w1)
    for c in COLUMNS:
        if c not in table.columns:
            table[c] = np.nan
    table = sort_rows(table, ["scale", "lab", "analysis"], {"scale": list(scales)})
    table["lab_name"] = lab_names(labs, table["lab"])
    raw_waves = pd.concat(wave_parts, ignore_index=True)
    total_reason = pd.Series(
        _wave_mean_reasons(raw_waves, waves, published, min_cell),
        index=pd.MultiIndex.from_frame(raw_waves[["scale", "lab"]]),
    )
    inherited = total_reason.reindex(pd.MultiIndex.from_frame(table[["scale", "lab"]]))
    reason = _protect(table, min_cell, inherited.fillna("").to_numpy(dtype=object))
    table = disclosure.blank(table, reason, STAT_COLUMNS)
    waves_rows = _waves_rows(
        raw_waves, table, total_reason.to_numpy(dtype=object), min_cell, confidence
    )
    table = pd.concat([table, waves_rows.assign(from_wave=w0, to_wave=w1)], ignore_index=True)
    table = sort_rows(table, ["scale", "lab", "analysis"], {"scale": list(scales)})
    table["lab_name"] = lab_names(labs, table["lab"])
    table = add_corrections(
        table.drop(columns=["p_holm", "p_fdr_bh", "correction_family"]), ["lab", "analysis"]
    )
    for c in ("n_paired", "n_unpaired_from", "n_unpaired_to", "n_from", "n_to"):
        table[c] = pd.to_numeric(table[c]).round().astype("Int64")
    return table[COLUMNS]


def _protect(table: pd.DataFrame, min_cell: int, inherited: np.ndarray) -> np.ndarray:
    """Hypercube suppression on the lab × analysis table.

    The table is two-dimensional: labs (with the programme as total) × analysis
    (paired, unpaired), whose total per lab — the lab's wave totals — is published
    in ``descriptives.csv``. Those totals enter as *fixed* phantom rows: they take
    part in the relations but cannot be suppressed here. Where descriptives hides a
    lab's wave total (``inherited``: its reason), the lab's paired and unpaired rows
    are hidden with that reason: shown, their sum would give the hidden total back.
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
    own = np.where(paired, small(npair), small(nu0) | small(nu1))
    primary = own | (inherited != "")
    phantom = (
        cells.groupby(["scale", "lab"], as_index=False, sort=False)["n"].sum().assign(analysis=ALL)
    )
    ext = pd.concat([cells, phantom[cells.columns]], ignore_index=True)
    m = len(cells)
    fixed = np.r_[np.zeros(m, dtype=bool), np.ones(len(phantom), dtype=bool)]
    prim = np.r_[primary, np.zeros(len(phantom), dtype=bool)]
    reason = hypercube.protect_cube(
        ext, ["lab", "analysis"], by=["scale"], min_cell=min_cell, primary=prim, fixed=fixed
    )[:m]
    return np.where(~own & (inherited != ""), inherited, reason)


def _correlation(x: np.ndarray, y: np.ndarray, keys: pd.Series) -> pd.Series:
    """Pearson r of the paired scores per lab and for everyone (``ALL``); NaN where undefined.

    Centred within each group (as :func:`numpy.corrcoef`), summed per lab at once.
    """
    k = keys.to_numpy()

    def cross(dx: np.ndarray, dy: np.ndarray, by: np.ndarray | None) -> pd.DataFrame:
        prods = pd.DataFrame({"xy": dx * dy, "xx": dx * dx, "yy": dy * dy})
        return prods.groupby(by, sort=True).sum() if by is not None else prods.sum().to_frame(ALL).T

    g = pd.DataFrame({"x": x, "y": y}).groupby(k, sort=True)
    per_lab = cross(
        x - g["x"].transform("mean").to_numpy(), y - g["y"].transform("mean").to_numpy(), k
    )
    overall = cross(x - x.mean() if len(x) else x, y - y.mean() if len(y) else y, None)
    sums = pd.concat([per_lab, overall])
    with np.errstate(invalid="ignore", divide="ignore"):
        return sums["xy"] / np.sqrt(sums["xx"] * sums["yy"])


def _waves_rows(
    raw: pd.DataFrame,
    protected: pd.DataFrame,
    reason: np.ndarray,
    min_cell: int,
    confidence: float,
) -> pd.DataFrame:
    """The ``waves`` rows: difference of the lab's two published wave means, T_new2 test.

    ``protected`` holds the already protected paired and unpaired rows: where either is
    hidden, the stayers' number stays unpublished (``n_paired`` blank, bounded df).
    """
    key = pd.MultiIndex.from_frame(raw[["scale", "lab"]])
    split = protected.set_index(["scale", "lab", "analysis"])["suppression_reason"]
    split_hidden = np.zeros(len(raw), dtype=bool)
    for analysis in ("paired", "unpaired"):
        reasons = split.xs(analysis, level="analysis").reindex(key).fillna("")
        split_hidden |= (reasons != "").to_numpy()
    pairs = raw["pairs"].to_numpy(dtype=float)
    # The stayers' correlation enters only as an aggregate of at least min_cell people,
    # and only where the split is published: its standard error gives r × n_paired
    # back (SE from the interval, the rest from descriptives.csv), a lower bound on the
    # stayers and so an upper bound on the hidden leavers or newcomers. Where the split
    # is hidden the row is Welch's test, a function of published numbers only.
    use_r = (pairs >= max(min_cell, 2)) & ~split_hidden
    stats_ = overlap_vec(
        raw["n_from"].to_numpy(),
        raw["mean_from"].to_numpy(),
        raw["var_from"].to_numpy(),
        raw["n_to"].to_numpy(),
        raw["mean_to"].to_numpy(),
        raw["var_to"].to_numpy(),
        np.where(use_r, pairs, 0.0),
        np.where(use_r, raw["r"].to_numpy(), 0.0),
        confidence,
    )
    test = np.where(use_r, "overlap_t", "welch_t")
    shown_pairs = np.where(split_hidden, np.nan, pairs)
    out = raw.drop(columns=["var_from", "var_to", "pairs", "r"]).assign(
        test=test,
        n_paired=shown_pairs,
        n_unpaired_from=raw["n_from"].to_numpy() - shown_pairs,
        n_unpaired_to=raw["n_to"].to_numpy() - shown_pairs,
        **stats_,
    )
    # the test name would tell a hidden row's stayers apart (fewer than min_cell or not)
    return disclosure.blank(out, reason, [*STAT_COLUMNS, "test"])


def _wave_mean_reasons(
    rows: pd.DataFrame,
    waves: tuple[str, str],
    published: Mapping[tuple[str, ...], str] | None,
    min_cell: int,
) -> np.ndarray:
    """Per ``waves`` row: the reason either of the lab's wave means is hidden ("" if shown)."""
    scale, lab = rows["scale"].astype(str), rows["lab"].astype(str)
    per_wave = []
    for wave, n_col in zip(waves, ("n_from", "n_to"), strict=True):
        if published is not None:
            per_wave.append(
                [cell_reason(published, s, wave, k) for s, k in zip(scale, lab, strict=True)]
            )
            continue
        cells = pd.DataFrame({"scale": scale, "lab": lab, "n": rows[n_col].to_numpy(float)})
        rel = disclosure.hierarchy_relations(cells, ["lab"], by=["scale"])
        per_wave.append(list(disclosure.protect(cells["n"].to_numpy(), rel, min_cell)))
    return np.asarray(
        [disclosure.inherit(pair) for pair in zip(*per_wave, strict=True)], dtype=object
    )
