"""Repeated measures across waves and the anchoring question: does the work hold after the subsidy?

Schedule (:func:`schedule`)
    Every wave has a fieldwork period; its midpoint places the wave in time. For each
    lab × wave: ``time`` = years since the first wave's midpoint, ``phase`` =
    ``before`` / ``during`` / ``after`` the lab's subsidy period, and ``after`` =
    years since the lab's subsidy ended (0 while it runs). Labs of an earlier round
    are *after* at every wave.

Models per scale (``longitudinal.csv``, ``longitudinal_variance.csv``), all fitted by
:func:`.panel_model.fit_panel` (REML; lab and person-within-lab random intercepts):

* ``wave``: ``y ~ wave + role + school_type + (1 | lab/person)``, waves as a factor
  (reference: the first declared wave). Persons answering several waves are
  repeated measures, not independent respondents.
* ``anchoring``: ``y ~ time + after0 + role + school_type + (1 + after0 || lab) +
  (1 | lab:person)``, a piecewise-linear trend whose slope changes when the
  subsidy ends. ``after0`` = ``after`` minus the lab's value at the programme's first declared wave, in
  the fixed and the random part: the intercepts are levels at the first wave, and
  a lab of an earlier round, whose subsidy ended years before the first wave, is
  not assumed to have stood at the programme's level when its subsidy ended
  (with ``after`` in the fixed part the slope after the subsidy would also be
  estimated from level differences between the rounds at the first wave, an
  extrapolation over years without data; on the demo that pulled the commitment
  slope from the true −0.15 to +0.02). ``time`` is the slope while subsidised,
  ``after_subsidy`` (the coefficient of ``after0``) the change in slope afterwards
  and the derived term ``slope_after`` (= time + after_subsidy, SE from the
  covariance) the yearly change after the subsidy. The lab's level at the first
  wave and its slope after the subsidy are independent random effects (``||``): with
  a dozen labs their correlation cannot be estimated with any precision (on the
  demo, whose labs have independent levels and slopes, it came out at +0.69, −0.61
  and −0.30 on the three verankering scales), and with a correlation a lab's slope
  would be pulled by its level (a lab that starts high "declines less"), while a
  lab's verdict should rest on its own change. Lab slopes after the subsidy are
  empirical-Bayes (BLUP) estimates; a fit whose lab slope variance is 0 (singular)
  is refitted with a lab random intercept only (``status = reduced``): the labs'
  slopes then cannot be told apart and are left blank (verdict ``niet_te_zeggen``).
* ``line`` / ``round``: the anchoring model with ``line + after0 × line`` (``round``);
  ``slope_after[<level>]`` per level.
* ``paired_only``: sensitivity check: the mean within-person change from the first
  wave to each later wave among persons who answered both (paired t interval;
  R: ``t.test(y_k, y_1, paired = TRUE)``).

Verdict (:func:`verdict`) on a slope after the subsidy (scale points per year) with
its 95 % interval and the margin ``m`` (``settings.compare.anchoring_margin``):
``houdt_stand`` when the interval lies within ±m, ``neemt_af`` when it lies below 0,
``neemt_toe`` when above 0, else ``niet_te_zeggen`` (interval too wide to tell).

Trajectories (``trajectories.csv``): per lab × scale × wave (with the wave's ``time``
and the lab's ``after``, years since its subsidy ended) the raw mean with n and
the model estimate ``x'β̂ + z'b̂_lab`` at the programme's mix of roles and school
types, with the prediction-error interval (β̂ estimated: Henderson 1975), beside
the programme curve ``x'β̂`` on the lab's own schedule. No ranks.

Disclosure: lab × wave cells suppressed in ``descriptives.csv`` are left out of every
model (otherwise fitted values and BLUPs would let their means be solved for) and
their trajectory rows are blanked.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from .common import lab_names, sort_rows
from .disclosure import blank
from .multilevel import REFERENCES
from .panel_model import PanelFit, fit_panel
from .registry import columns

# Column lists come from the registry (compare/registry_panel.py), like every table's.
LONGITUDINAL_COLUMNS = columns("longitudinal")
VARIANCE_COLUMNS = columns("longitudinal_variance")
TRAJECTORY_COLUMNS = columns("trajectories")
#: Trajectory statistics blanked with a hidden lab × wave cell (raw mean … verdict).
TRAJECTORY_STATS = TRAJECTORY_COLUMNS[
    TRAJECTORY_COLUMNS.index("raw_mean") : TRAJECTORY_COLUMNS.index("verdict") + 1
]
VERDICTS = ("houdt_stand", "neemt_af", "neemt_toe", "niet_te_zeggen")
DAYS_PER_YEAR = 365.25
#: The schedule's columns of a lab × wave cell (constant within it).
_CELL_COLUMNS = ["wave_order", "phase", "time", "after", "after0", "line", "round"]


def schedule(waves: pd.DataFrame, labs: pd.DataFrame) -> pd.DataFrame:
    """Lab × wave timing: ``lab, wave, wave_order, time, phase, after, line, round``.

    Parameters
    ----------
    waves : DataFrame
        ``wave, start, end`` (fieldwork dates, may be missing) in declared order.
    labs : DataFrame
        ``lab, line, round, subsidy_start, subsidy_end`` (may be missing).
    """
    w = waves.reset_index(drop=True).copy()
    w["wave_order"] = np.arange(len(w))
    start, end = pd.to_datetime(w["start"]), pd.to_datetime(w["end"])
    mid = start + (end - start) / 2
    w["time"] = (mid - mid.iloc[0]).dt.days / DAYS_PER_YEAR if len(w) else []
    w["mid"] = mid
    s = labs.merge(w[["wave", "wave_order", "time", "mid"]], how="cross")
    sub_start = pd.to_datetime(s["subsidy_start"])
    sub_end = pd.to_datetime(s["subsidy_end"])
    years = (s["mid"] - sub_end).dt.days / DAYS_PER_YEAR
    s["after"] = np.clip(years.to_numpy(dtype=float), 0.0, None)
    s["phase"] = np.select(
        [s["mid"].isna() | sub_end.isna(), s["mid"] > sub_end, s["mid"] < sub_start],
        ["", "after", "before"],
        "during",
    )
    cols = ["lab", "wave", "wave_order", "time", "phase", "after", "line", "round"]
    return s[cols].sort_values(["lab", "wave_order"]).reset_index(drop=True)


def verdict(low: np.ndarray, high: np.ndarray, margin: float) -> np.ndarray:
    """``houdt_stand`` / ``neemt_af`` / ``neemt_toe`` / ``niet_te_zeggen`` per interval."""
    low, high = np.asarray(low, dtype=float), np.asarray(high, dtype=float)
    out = np.select(
        [
            ~(np.isfinite(low) & np.isfinite(high)),
            (low >= -margin) & (high <= margin),
            high < 0,
            low > 0,
        ],
        ["", "houdt_stand", "neemt_af", "neemt_toe"],
        "niet_te_zeggen",
    )
    return out.astype(object)


def _dummies(d: pd.DataFrame, factor: str, ref: str | None = None) -> tuple[np.ndarray, list[str]]:
    levels = sorted(d[factor].dropna().unique().tolist())
    if len(levels) < 2:
        return np.zeros((len(d), 0)), []
    ref = ref if ref in levels else REFERENCES.get(factor, levels[0])
    ref = ref if ref in levels else levels[0]
    keep = [lev for lev in levels if lev != ref]
    values = d[factor].to_numpy()
    return np.column_stack([(values == lev).astype(float) for lev in keep]), [
        f"{factor}[T.{lev}]" for lev in keep
    ]


def _design(d: pd.DataFrame, model: str, first_wave: str) -> tuple[np.ndarray, list[str]]:
    cols, names = [np.ones((len(d), 1))], ["Intercept"]
    if model == "wave":
        m, n = _dummies(d, "wave", first_wave)
        cols.append(m)
        names.extend(n)
    else:
        # after0, not after: see the module docstring (no extrapolation to the subsidy's end)
        cols.append(d[["time", "after0"]].to_numpy(dtype=float))
        names += ["time", "after_subsidy"]
    for f in ("role", "school_type"):
        m, n = _dummies(d, f)
        cols.append(m)
        names.extend(n)
    if model in ("line", "round"):
        m, n = _dummies(d, model)
        cols.append(m)
        names.extend(n)
        cols.append(m * d[["after0"]].to_numpy(dtype=float))
        names += [f"after_subsidy:{t}" for t in n]
    return np.hstack(cols), names


def _row(est: float, se: float, z: float, **kw: object) -> dict[str, Any]:
    return {
        **kw,
        "estimate": est,
        "std_error": se,
        "ci_low": est - z * se,
        "ci_high": est + z * se,
        "p_value": float(2 * stats.norm.sf(abs(est / se))) if se > 0 else np.nan,
    }


def _fit(d: pd.DataFrame, scale: str, model: str, first_wave: str):
    x, names = _design(d, model, first_wave)
    y, lab, person = d[scale].to_numpy(), d["lab"].to_numpy(), d["respondent_id"].to_numpy()
    if model == "wave":
        return fit_panel(y, x, lab, person), x, names, "ok"
    z = np.column_stack([np.ones(len(d)), d["after0"]])
    f = fit_panel(y, x, lab, person, z, diagonal=True)
    if f.singular or not f.converged:  # lab slope variance at 0: lab intercept only
        f2 = fit_panel(y, x, lab, person)
        if f2.converged and not f2.singular:
            return f2, x, names, "reduced"
    return f, x, names, "ok"


def _status(f: PanelFit, status: str) -> str:
    if not f.converged:
        return "not_converged"
    return "singular" if f.singular else status


def _slopes(d: pd.DataFrame, names: list[str], model: str) -> list[tuple[str, np.ndarray]]:
    """Contrast vectors of the slope after the subsidy (per level for line/round)."""
    base = np.zeros(len(names))
    base[names.index("time")] = base[names.index("after_subsidy")] = 1.0
    out = [("slope_after", base)]
    if model in ("line", "round"):
        out = []
        inter = [n for n in names if n.startswith("after_subsidy:")]
        levels = [n.split("[T.", 1)[1].rstrip("]") for n in inter]
        ref_vec = base.copy()
        ref = [v for v in sorted(d[model].unique().tolist()) if str(v) not in levels]
        out.append((f"slope_after[{model}={ref[0]}]", ref_vec))
        for n, lev in zip(inter, levels, strict=True):
            v = base.copy()
            v[names.index(n)] = 1.0
            out.append((f"slope_after[{model}={lev}]", v))
    return out


def longitudinal_tables(
    df: pd.DataFrame,
    scales: Sequence[str],
    sched: pd.DataFrame,
    *,
    hidden: Callable[[str, str, str], str] = lambda s, w, lab: "",
    labs: object = None,
    confidence: float = 0.95,
    margin: float = 0.15,
    compare_scales: Sequence[str] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """``longitudinal.csv``, ``longitudinal_variance.csv`` and ``trajectories.csv``.

    Parameters
    ----------
    df : DataFrame
        Clean responses: ``respondent_id, lab, role, school_type, wave`` and the scales.
    scales : sequence of str
    sched : DataFrame
        Output of :func:`schedule` (waves in declared order).
    hidden : callable
        ``(scale, wave, lab) -> reason`` of a suppressed lab × wave cell ("" = shown).
    labs : Labs, optional
        For display names.
    confidence : float
    margin : float
        Slope (scale points per year) within which a score "holds" (:func:`verdict`).
    compare_scales : sequence of str, optional
        Scales that get the ``line`` and ``round`` models (default: all).
    """
    z = float(stats.norm.ppf(0.5 + confidence / 2))
    waves = sched.drop_duplicates("wave").sort_values("wave_order")["wave"].tolist()
    dated = bool(sched["time"].notna().all()) and bool(len(sched))
    first = sched[sched["wave_order"] == sched["wave_order"].min()].set_index("lab")["after"]
    sched = sched.assign(after0=sched["after"] - sched["lab"].map(first).fillna(0.0))
    data = df.merge(sched, on=["lab", "wave"], how="inner")
    rows, var_rows, traj = [], [], []
    # suppression is decided per lab × wave cell: look each cell up once, not each row
    cell_of, cells = pd.factorize(pd.MultiIndex.from_arrays([data["wave"], data["lab"]]))
    for scale in scales:
        shown = ~np.array([bool(hidden(scale, w, lab)) for w, lab in cells], dtype=bool)
        d = data[data[scale].notna().to_numpy() & shown[cell_of]]
        base = {"scale": scale, "n_obs": len(d), "n_labs": d["lab"].nunique()}
        base["n_persons"] = len(d.drop_duplicates(["lab", "respondent_id"]))
        rows += _paired(d, scale, waves, confidence, base)
        models = ["wave"]
        if dated and d["after"].gt(0).any() and d["wave"].nunique() >= 2:
            models.append("anchoring")
            if compare_scales is None or scale in compare_scales:
                models += [m for m in ("line", "round") if d[m].nunique() >= 2]
        for model in models:
            if d["lab"].nunique() < 2 or d["wave"].nunique() < 2:
                rows.append({**base, "model": model, "status": "not_estimated"})
                continue
            f, x, names, status = _fit(d, scale, model, waves[0])
            status = _status(f, status)
            se = np.sqrt(np.diag(f.cov_beta))
            for i, name in enumerate(names):
                rows.append(
                    _row(f.beta[i], se[i], z, **base, model=model, term=name, status=status)
                )
            if model != "wave":
                for name, vec in _slopes(d, names, model):
                    est, s = float(vec @ f.beta), float(np.sqrt(vec @ f.cov_beta @ vec))
                    r = _row(est, s, z, **base, model=model, term=name, status=status)
                    r["verdict"] = verdict(r["ci_low"], r["ci_high"], margin)[()]
                    rows.append(r)
            comps = [("lab", f.g[0, 0])]
            if f.g.shape[0] > 1:  # independent lab effects: no covariance is estimated
                comps += [("lab_slope_after", f.g[1, 1])]
            comps += [("person", f.tau2), ("residual", f.sigma2)]
            var_rows += [
                {"scale": scale, "model": model, "component": c, "variance": v} for c, v in comps
            ]
            if model == "anchoring":
                traj.append(_trajectory(d, scale, f, x, names, z, margin, status))
    table = pd.DataFrame(rows).reindex(columns=LONGITUDINAL_COLUMNS)
    order = {"scale": list(scales), "model": ["wave", "anchoring", "line", "round", "paired_only"]}
    table = sort_rows(table, ["scale", "model"], order)
    variance = sort_rows(
        pd.DataFrame(var_rows, columns=VARIANCE_COLUMNS), ["scale", "model"], order
    )
    trajectories = _protect_trajectories(
        pd.concat(traj, ignore_index=True) if traj else pd.DataFrame(columns=TRAJECTORY_COLUMNS),
        data,
        scales,
        hidden,
        labs,
    )
    return table, variance, trajectories


def _paired(
    d: pd.DataFrame, scale: str, waves: list[str], confidence: float, base: dict[str, object]
) -> list[dict[str, object]]:
    """Mean within-person change first wave → each later wave (persons in both)."""
    # = pivot_table (mean per person × wave, sorted), without its overhead
    wide = d.groupby(["lab", "respondent_id", "wave"], sort=True)[scale].mean().unstack("wave")
    out = []
    for w in waves[1:]:
        if waves[0] not in wide or w not in wide:
            continue
        diff = (wide[w] - wide[waves[0]]).dropna()
        n = len(diff)
        row = {**base, "model": "paired_only", "term": f"wave[T.{w}]", "n_obs": 2 * n}
        row.update(n_persons=n, n_labs=diff.index.get_level_values(0).nunique())
        diff = diff.to_numpy()
        if n < 2:
            out.append({**row, "status": "not_estimated"})
            continue
        est, se = float(diff.mean()), float(diff.std(ddof=1) / np.sqrt(n))
        tq = float(stats.t.ppf(0.5 + confidence / 2, n - 1))
        p = float(2 * stats.t.sf(abs(est / se), n - 1)) if se > 0 else np.nan
        out.append(
            {
                **row,
                "estimate": est,
                "std_error": se,
                "ci_low": est - tq * se,
                "ci_high": est + tq * se,
                "p_value": p,
                "status": "ok",
            }
        )
    return out


def _trajectory(
    d: pd.DataFrame,
    scale: str,
    f: PanelFit,
    x: np.ndarray,
    names: list[str],
    z: float,
    margin: float,
    status: str,
) -> pd.DataFrame:
    """Lab × wave estimates of the anchoring model at the programme's covariate mix."""
    # one aggregation of the scale; the schedule's columns are constant within a cell
    # (named "first" aggregations of seven columns cost ten times as much)
    cells = d.groupby(["lab", "wave"], sort=True)[scale].agg(["size", "mean"])
    cells = cells.set_axis(["n", "raw_mean"], axis=1).reset_index()
    timing = d.drop_duplicates(["lab", "wave"])[["lab", "wave", *_CELL_COLUMNS]]
    cells = cells.merge(timing, on=["lab", "wave"], how="left")
    xm = np.tile(x.mean(axis=0), (len(cells), 1))
    xm[:, names.index("time")] = cells["time"]
    xm[:, names.index("after_subsidy")] = cells["after0"]
    q = f.g.shape[0]
    zc = np.column_stack([np.ones(len(cells)), cells["after0"]])[:, :q]
    j = pd.Index(f.labs).get_indexer(cells["lab"])
    prog = xm @ f.beta
    prog_var = np.einsum("ni,ij,nj->n", xm, f.cov_beta, xm)
    est = prog + np.einsum("nq,nq->n", zc, f.blup[j])
    pev = (
        prog_var
        + np.einsum("nq,nqr,nr->n", zc, f.pev[j], zc)
        + 2 * np.einsum("np,npq,nq->n", xm, f.cross[j], zc)
    )
    cells["scale"] = scale
    cells["estimate"] = est
    cells["ci_low"], cells["ci_high"] = est - z * np.sqrt(pev), est + z * np.sqrt(pev)
    cells["programme_estimate"] = prog
    cells["programme_ci_low"] = prog - z * np.sqrt(prog_var)
    cells["programme_ci_high"] = prog + z * np.sqrt(prog_var)
    # lab slope after the subsidy: β_time + β_after + b_after,lab. Without a lab slope
    # variance (``reduced``) the labs' slopes cannot be told apart: left blank.
    c = np.zeros(len(names))
    c[names.index("time")] = c[names.index("after_subsidy")] = 1.0
    if q > 1:
        slope = float(c @ f.beta) + f.blup[j, 1]
        var = (
            float(c @ f.cov_beta @ c)
            + f.pev[j, 1, 1]
            + 2 * np.einsum("p,np->n", c, f.cross[j, :, 1])
        )
        half = z * np.sqrt(var)
    else:
        slope = half = np.full(len(cells), np.nan)
    cells["lab_slope_after"] = slope
    cells["lab_slope_after_ci_low"] = slope - half
    cells["lab_slope_after_ci_high"] = slope + half
    cells["verdict"] = np.where(
        q > 1,
        verdict(cells["lab_slope_after_ci_low"], cells["lab_slope_after_ci_high"], margin),
        "niet_te_zeggen",
    )
    cells["model_status"] = status
    return cells


def _protect_trajectories(
    traj: pd.DataFrame,
    data: pd.DataFrame,
    scales: Sequence[str],
    hidden: Callable[[str, str, str], str],
    labs: object,
) -> pd.DataFrame:
    """Add hidden lab × wave cells back as blanked rows; lab names; order."""
    keys = ["lab", "wave", "wave_order", "time", "after", "phase", "line", "round"]
    cells = data[keys].drop_duplicates()
    rows = []
    for scale in scales:
        part = cells.copy()
        part["scale"] = scale
        rows.append(part)
    full = pd.concat(rows, ignore_index=True) if rows else cells.assign(scale=[])
    traj = full.merge(
        traj.drop(columns=keys[2:], errors="ignore"),
        on=["scale", "lab", "wave"],
        how="left",
    )
    reason = np.array(
        [
            hidden(s, w, lab)
            for s, w, lab in zip(traj["scale"], traj["wave"], traj["lab"], strict=True)
        ],
        dtype=object,
    )
    traj = blank(traj, reason, ["n", *TRAJECTORY_STATS])
    traj["lab_name"] = lab_names(labs, traj["lab"]) if len(traj) else []
    traj["n"] = pd.to_numeric(traj["n"]).astype("Int64")
    traj["model_status"] = traj["model_status"].fillna("")
    traj = traj.reindex(columns=TRAJECTORY_COLUMNS)
    return sort_rows(traj, ["scale", "lab", "wave_order"], {"scale": list(scales)})
