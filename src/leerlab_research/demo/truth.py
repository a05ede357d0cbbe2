"""Ground truth of the demo study: per-row fate and scores, raw items, parameters."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from ..config.codebook import Codebook
from .params import (
    ALIAS_RATE,
    FAULT_RATES,
    RATE_BLANK,
    RETEST_RHO,
    RETURN_RATE,
    ROLES,
    SPEEDER_SECONDS,
    WAVE_FIELDWORK,
    WAVES,
    DemoParameters,
)
from .simulate import BLANK, NOT_SHOWN, Simulation

FLAGS = (
    "is_straightliner",
    "is_speeder",
    "is_duplicate",
    "is_test",
    "no_consent",
    "is_incomplete",
    "is_alias",
)
# Exclusion reasons in order of precedence: a row gets the first that applies.
REASONS = (
    ("is_test", "test"),
    ("no_consent", "no_consent"),
    ("is_incomplete", "incomplete"),
    ("is_duplicate", "duplicate"),
)
SCALE_MIN_SHARE = 2 / 3


def observed_scores(codes: np.ndarray, p: DemoParameters) -> tuple[np.ndarray, np.ndarray]:
    """Observed scale scores from raw codes, as the cleaning stage should compute them.

    Codes 1–5 count as answered (9, blank and not shown do not); reverse-keyed
    items become ``6 − x``; a scale score is the mean of the answered items when
    at least two thirds of the scale's items are answered, else NaN.

    Returns
    -------
    scores, counts
        Arrays rows × scales (float with NaN, int).
    """
    answered = (codes >= 1) & (codes <= 5)
    keyed = np.where(p.reverse, 6 - codes, codes).astype(float)
    k = len(p.scales)
    scores = np.full((len(codes), k), np.nan)
    counts = np.zeros((len(codes), k), dtype=int)
    for s in range(k):
        cols = p.item_scale == s
        counts[:, s] = answered[:, cols].sum(axis=1)
        sums = np.where(answered[:, cols], keyed[:, cols], 0.0).sum(axis=1)
        # Integer comparison (3·n ≥ 2·k) avoids a float edge at exactly two thirds.
        enough = 3 * counts[:, s] >= 2 * int(cols.sum())
        scores[enough, s] = sums[enough] / counts[enough, s]
    return scores, counts


def _fmt_time(values: pd.Series) -> pd.Series:
    return values.dt.strftime("%Y-%m-%d %H:%M:%S").fillna("")


def respondents_table(sim: Simulation, p: DemoParameters) -> pd.DataFrame:
    """``truth/respondents.csv``: one row per export row with its flags, fate and scores."""
    r = sim.rows
    kind = r["kind"]
    t = pd.DataFrame(
        {
            "source_file": r["source_file"],
            "source_row": r["source_row"],
            "person_key": r["key"],
            "person": r["person"],
            "wave": r["wave"],
            "lab": r["lab"],
            "lab_written": r["lab_written"],
            "school_type": r["school_type"],
            "role": r["role"],
            "platform": r["platform"],
            "consent": np.where(r["consent"], "ja", "nee"),
            "started_at": _fmt_time(r["start"]),
            "submitted_at": _fmt_time(r["submit"]),
            "duration_seconds": r["duration_s"],
            "is_straightliner": kind.eq("straightliner"),
            "is_speeder": kind.eq("speeder"),
            "is_duplicate": kind.eq("duplicate"),
            "is_test": kind.eq("test"),
            "no_consent": kind.eq("no_consent"),
            "is_incomplete": kind.eq("incomplete"),
            "is_alias": r["is_alias"].astype(bool),
        }
    )
    reason = pd.Series("", index=t.index, dtype=object)
    for flag, why in reversed(REASONS):
        reason = reason.mask(t[flag], why)
    t["expected_status"] = np.where(reason.eq(""), "kept", "excluded")
    t["expected_reason"] = reason
    scores, counts = observed_scores(sim.codes, p)
    for j, s in enumerate(p.scales):
        t[f"true_{s}"] = sim.eta[:, j]
    for j, s in enumerate(p.scales):
        t[f"obs_{s}"] = scores[:, j]
    for j, s in enumerate(p.scales):
        t[f"obs_n_{s}"] = counts[:, j]
    return t.sort_values(["source_file", "source_row"], kind="stable").reset_index(drop=True)


def items_table(sim: Simulation, p: DemoParameters) -> pd.DataFrame:
    """``truth/items.csv``: raw answers as written (before reverse keying; 9 kept; blank empty)."""
    raw = pd.DataFrame(sim.codes.astype("int64"), columns=p.items).astype("Int64")
    raw = raw.mask(pd.DataFrame((sim.codes == BLANK) | (sim.codes == NOT_SHOWN), columns=p.items))
    t = pd.concat([sim.rows[["source_file", "source_row"]].reset_index(drop=True), raw], axis=1)
    return t.sort_values(["source_file", "source_row"], kind="stable").reset_index(drop=True)


def _icc_empirical(truth: pd.DataFrame, scale: str) -> float:
    """One-way ANOVA ICC(1) of the true scores of first-wave respondents (one row per person)."""
    d = truth[
        truth["wave"].eq(WAVES[0])
        & truth["person"].notna()
        & ~truth["is_duplicate"]
        & ~truth["is_incomplete"]
    ]
    d = d.drop_duplicates("person")
    groups = d.groupby("lab")[f"true_{scale}"]
    n_i = groups.size().to_numpy(dtype=float)
    means = groups.mean().to_numpy()
    k, n = len(n_i), n_i.sum()
    grand = d[f"true_{scale}"].mean()
    msb = (n_i * (means - grand) ** 2).sum() / (k - 1)
    msw = groups.var(ddof=1).mul(groups.size() - 1).sum() / (n - k)
    n0 = (n - (n_i**2).sum() / n) / (k - 1)
    return float((msb - msw) / (msb + (n0 - 1) * msw))


def fault_counts(truth: pd.DataFrame) -> dict[str, Any]:
    """Counts of every flag and exclusion reason, in total and per file."""
    names = {f: f.removeprefix("is_") for f in FLAGS}

    def count(df: pd.DataFrame) -> dict[str, int]:
        out = {names[f]: int(df[f].sum()) for f in FLAGS}
        out["rows"] = len(df)
        out["kept"] = int(df["expected_status"].eq("kept").sum())
        return out

    return {
        "total": count(truth),
        "by_file": {f: count(g) for f, g in truth.groupby("source_file", sort=True)},
        "expected_exclusions": {
            why: int(truth["expected_reason"].eq(why).sum()) for _, why in REASONS
        },
    }


def scale_gradient(eta: np.ndarray, p: DemoParameters) -> np.ndarray:
    """d E[scale score] / d eta per row and scale (rows × scales), from the item model.

    With ``y* = λ eta + sqrt(1 − λ²) e`` cut at thresholds τ_c, ``E[k | eta] = 1 +
    Σ_c Φ((λ eta − τ_c)/σ)`` with σ = sqrt(1 − λ²), so its derivative is
    ``Σ_c λ φ((λ eta − τ_c)/σ)/σ``; a scale score is the mean of its items (reverse
    keying undoes the reversal, so the sign is the same).
    """
    lam = p.loadings
    sig = np.sqrt(1 - lam**2)
    e = np.nan_to_num(eta)[:, p.item_scale]  # rows × items
    z = (lam[None, :, None] * e[:, :, None] - p.thresholds[None, :, :]) / sig[None, :, None]
    item = (lam / sig)[None, :] * stats.norm.pdf(z).sum(axis=2)
    out = np.zeros((len(eta), len(p.scales)))
    for j in range(len(p.scales)):
        out[:, j] = item[:, p.item_scale == j].mean(axis=1)
    return out


def anchoring_table(sim: Simulation, p: DemoParameters) -> pd.DataFrame:
    """``truth/anchoring.csv``: the generating slope after the subsidy per lab × scale.

    ``slope_after_latent`` is the parameter (latent units per year);
    ``slope_after_observed`` its first-order value on the 1–5 scale-score metric:
    the latent slope times the lab's mean :func:`scale_gradient` over its kept rows.
    ``programme`` rows hold the unweighted mean over labs (the anchoring model's
    fixed slope after the subsidy estimates the mean lab slope).
    """
    rows = sim.rows
    kept = (
        rows["kind"].isin(["normal", "straightliner", "speeder"]) & ~rows["is_extra"]
    ).to_numpy()
    grad = scale_gradient(sim.eta[kept], p)
    lab_idx = rows["lab_idx"].to_numpy()[kept]
    recs = []
    for i, lab in enumerate(p.labs):
        g = grad[lab_idx == i].mean(axis=0)
        for j, sc in enumerate(p.scales):
            recs.append(
                {
                    "lab": lab,
                    "scale": sc,
                    "round": p.lab_round[lab],
                    "line": p.lab_line[lab],
                    "subsidy_start": p.subsidy[lab][0],
                    "subsidy_end": p.subsidy[lab][1],
                    "slope_after_latent": float(p.slope_after[i, j]),
                    "gradient": round(float(g[j]), 6),
                    "slope_after_observed": round(float(p.slope_after[i, j] * g[j]), 6),
                }
            )
    t = pd.DataFrame(recs)
    prog = t.groupby("scale", sort=False)[
        ["slope_after_latent", "gradient", "slope_after_observed"]
    ].mean()
    prog = prog.reset_index().assign(lab="programme", round=0, line="", subsidy_start="")
    prog["subsidy_end"] = ""
    return pd.concat([t, prog[t.columns]], ignore_index=True).round(6)


def _by_lab(matrix: np.ndarray, p: DemoParameters) -> dict[str, dict[str, float]]:
    return {
        lab: {s: float(matrix[i, j]) for j, s in enumerate(p.scales)}
        for i, lab in enumerate(p.labs)
    }


def parameters_json(
    p: DemoParameters,
    truth: pd.DataFrame,
    codebook: Codebook,
    n_pages: int,
    label_switch: dict[str, str],
    conventions: dict[str, Any],
    lab_focus: dict[str, list[str]] | None = None,
) -> dict[str, Any]:
    """``truth/parameters.json``: everything that generated the data, plus realised counts.

    ``lab_focus`` (``Simulation.lab_focus``) gives every lab's focus areas under
    ``programme``.
    """
    lab_focus = lab_focus or {}
    tau2 = (p.lab_intercepts**2).mean(axis=0)  # intercepts have mean 0 by construction
    half = {"vmbo": 0.5, "mbo": -0.5, "anders": 0.0}
    files = {
        f: {
            "platform": g["platform"].iloc[0],
            "wave": g["wave"].iloc[0],
            "labs": [lab for lab in p.labs if p.lab_platform[lab] == g["platform"].iloc[0]],
            "rows": len(g),
        }
        for f, g in truth.groupby("source_file", sort=True)
    }
    return {
        "seed": p.seed,
        "model": (
            "eta[person, wave, scale] = lab_intercept[lab, scale] + role_effect[role, scale] "
            "+ school_effect[lab, school_type, scale] + (wave > first) * change[lab, scale] "
            "+ slope_after[lab, scale] * (after[lab, wave] - after[lab, first]) + residual; "
            "residual ~ N(0, factor_correlation), AR(1) over the waves with lag-1 "
            "correlation retest_rho; after = years since the lab's subsidy ended. "
            "Item: y* = loading * eta[scale] + sqrt(1 - loading^2) * e, e ~ N(0, 1); "
            "k = 1 + #(y* > thresholds); written as 6 - k for reverse-keyed items."
        ),
        "codebook": {"name": codebook.name, "version": codebook.version},
        "scales": p.scales,
        "items": {i: p.scales[s] for i, s in zip(p.items, p.item_scale, strict=True)},
        "reverse_items": [i for i, rev in zip(p.items, p.reverse, strict=True) if rev],
        "labs": p.labs,
        "platform_of_lab": p.lab_platform,
        "files": files,
        "factor_correlation": {"scales": p.scales, "matrix": p.factor_corr.tolist()},
        "loadings": {i: float(v) for i, v in zip(p.items, p.loadings, strict=True)},
        "thresholds": {
            i: [float(x) for x in row] for i, row in zip(p.items, p.thresholds, strict=True)
        },
        "lab_intercepts": _by_lab(p.lab_intercepts, p),
        "icc": {
            s: {
                "target": float(p.icc_target[j]),
                "implied": float(round(tau2[j] / (tau2[j] + 1.0), 4)),
                "empirical_true_T0": round(_icc_empirical(truth, s), 4),
            }
            for j, s in enumerate(p.scales)
        },
        "icc_note": (
            "implied = var(lab intercepts) / (var(lab intercepts) + 1): the lab share of the "
            "random part; empirical_true_T0 = ANOVA ICC(1) of the true scores of T0 respondents, "
            "which also contains role and school-type composition."
        ),
        "role_effects": {
            r: {s: float(p.role_effects[i, j]) for j, s in enumerate(p.scales)}
            for i, r in enumerate(ROLES)
        },
        "school_gap_vmbo_minus_mbo": _by_lab(p.school_gap, p),
        "school_effects": {
            lab: {
                st: {s: float(round(h * p.school_gap[i, j], 4)) for j, s in enumerate(p.scales)}
                for st, h in half.items()
            }
            for i, lab in enumerate(p.labs)
        },
        "change_effects": _by_lab(p.change, p),
        "labs_with_change": p.change_labs,
        "waves": {
            w: {"fieldwork": list(WAVE_FIELDWORK[w]), "order": i} for i, w in enumerate(WAVES)
        },
        "programme": {
            lab: {
                "round": p.lab_round[lab],
                "line": p.lab_line[lab],
                "subsidy": list(p.subsidy[lab]),
                "focus": lab_focus.get(lab, []),
                "years_after_subsidy": {
                    w: round(float(p.after[i, k]), 6) for k, w in enumerate(WAVES)
                },
            }
            for i, lab in enumerate(p.labs)
        },
        "slope_after": _by_lab(p.slope_after, p),
        "slope_after_note": (
            "latent units per year after the subsidy ended (verankering scales); "
            "truth/anchoring.csv translates them to the scale-score metric"
        ),
        "retest_rho": RETEST_RHO,
        "return_rate": RETURN_RATE,
        "missing_rates": {
            "dont_know_9": {i: float(v) for i, v in zip(p.items, p.dont_know_rate, strict=True)},
            "blank": RATE_BLANK,
        },
        "fault_rates": FAULT_RATES,
        "alias_rate": ALIAS_RATE,
        "speeder_seconds": list(SPEEDER_SECONDS),
        "speeder_cutoff_seconds": 2 * len(p.items),
        "scale_min_share": round(SCALE_MIN_SHARE, 6),
        "limesurvey_pages": n_pages,
        "msforms_label_switch": label_switch,
        "fault_counts": fault_counts(truth),
        "n_persons": int(truth["person"].nunique()),
        "n_rows": len(truth),
        "conventions": conventions,
    }
