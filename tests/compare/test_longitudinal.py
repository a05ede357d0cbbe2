"""Longitudinal tables (wave / anchoring / line / round / paired-only) against lme4 and scipy.

The schedule is taken from ``results/panel_lme4.csv`` (``time``, ``after``, ``line``,
``round`` as the R script generated them), so ``longitudinal_tables`` fits exactly the
models of ``results/lme4_longitudinal.R``; terms are compared to lme4 to 1e-4.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from leerlab_research.compare.longitudinal import longitudinal_tables, schedule, verdict

RESULTS = Path(__file__).resolve().parent / "results"
TOL = 1e-4
SCALE = "score"


@pytest.fixture(scope="module")
def panel() -> tuple[pd.DataFrame, pd.DataFrame]:
    d = pd.read_csv(RESULTS / "panel_lme4.csv")
    cols = ["lab", "wave", "time", "after", "after0", "line", "round"]
    sched = d[cols].drop_duplicates(["lab", "wave"])
    sched["wave_order"] = sched["wave"].str[1].astype(int)
    sched["phase"] = np.where(sched["after"] > 0, "after", "during")
    df = d.rename(columns={"person": "respondent_id", "y": SCALE})
    return df[["lab", "respondent_id", "wave", "role", "school_type", SCALE]], sched


@pytest.fixture(scope="module")
def tables(panel):
    df, sched = panel
    return longitudinal_tables(df, [SCALE], sched)


def lme4(model: str) -> pd.DataFrame:
    """lme4's fixed effects: the wave model from lme4_longitudinal.R, the anchoring models
    (after0 fixed, independent lab effects) from its second block (lme4_anchoring_*.csv)."""
    name = "longitudinal" if model == "wave" else "anchoring"
    fx = pd.read_csv(RESULTS / f"lme4_{name}_fixef.csv")
    return fx[fx["model"] == model].set_index("term")


def term(table: pd.DataFrame, model: str, name: str) -> pd.Series:
    rows = table[(table["model"] == model) & (table["term"] == name)]
    assert len(rows) == 1, (model, name)
    return rows.iloc[0]


@pytest.mark.parametrize(
    ("model", "mine", "theirs"),
    [
        ("wave", "wave[T.T1]", "waveT1"),
        ("wave", "wave[T.T2]", "waveT2"),
        ("wave", "role[T.bestuur]", "rolebestuur"),
        ("anchoring", "time", "time"),
        ("anchoring", "after_subsidy", "after0"),
        ("anchoring", "school_type[T.mbo]", "school_typembo"),
        ("anchoring", "Intercept", "(Intercept)"),
    ],
)
def test_terms_equal_lme4(tables, model, mine, theirs):
    row = term(tables[0], model, mine)
    ref = lme4(model).loc[theirs]
    assert row["estimate"] == pytest.approx(ref["estimate"], abs=TOL)
    assert row["std_error"] == pytest.approx(ref["std_error"], abs=TOL)
    assert row["ci_low"] == pytest.approx(row["estimate"] - 1.959964 * row["std_error"], abs=1e-6)
    assert row["status"] == "ok"


def test_slopes_by_line_and_round_equal_lme4(tables):
    table = tables[0]
    fx = lme4("line")["estimate"]
    # R: reference samenwerking; here the reference is the first level (leerroute)
    sam = fx["time"] + fx["after0"]
    leer = sam + fx["after0:lineleerroute"]
    assert term(table, "line", "slope_after[line=leerroute]")["estimate"] == pytest.approx(
        leer, abs=TOL
    )
    assert term(table, "line", "slope_after[line=samenwerking]")["estimate"] == pytest.approx(
        sam, abs=TOL
    )
    fx = lme4("round")["estimate"]
    assert term(table, "round", "slope_after[round=r2022]")["estimate"] == pytest.approx(
        fx["time"] + fx["after0"], abs=TOL
    )
    assert term(table, "round", "slope_after[round=r2019]")["estimate"] == pytest.approx(
        fx["time"] + fx["after0"] + fx["after0:roundr2019"], abs=TOL
    )
    anch = lme4("anchoring")["estimate"]
    slope = term(table, "anchoring", "slope_after")
    assert slope["estimate"] == pytest.approx(anch["time"] + anch["after0"], abs=TOL)
    assert slope["verdict"] == verdict(slope["ci_low"], slope["ci_high"], 0.15)[()]


def test_variance_components_equal_lme4(tables):
    var = tables[1]
    vc = pd.concat(
        [
            pd.read_csv(RESULTS / "lme4_longitudinal_varcomp.csv").query("model == 'wave'"),
            pd.read_csv(RESULTS / "lme4_anchoring_varcomp.csv"),
        ]
    )
    names = {"lab": "lab", "lab_after": "lab_slope_after"}
    for model in ("wave", "anchoring", "line", "round"):
        ref = vc[vc["model"] == model].set_index("component")["value"]
        mine = var[var["model"] == model].set_index("component")["variance"]
        # independent lab effects: no covariance is estimated, none is published
        assert sorted(mine.index) == sorted(names.get(c, c) for c in ref.index), model
        for comp, value in ref.items():
            assert mine[names.get(comp, comp)] == pytest.approx(value, abs=TOL), (model, comp)


def test_trajectories_are_blups_of_lme4(panel, tables):
    """estimate(lab, wave) = x̄'β + b0_lab + b1_lab·after0 with lme4's fixef and ranef."""
    df, sched = panel
    traj = tables[2]
    fx = lme4("anchoring")["estimate"]
    re = pd.read_csv(RESULTS / "lme4_anchoring_ranef.csv")
    re = re[re["model"] == "anchoring"].pivot(index="lab", columns="term", values="blup")
    mix = {
        "rolebestuur": df["role"].eq("bestuur").mean(),
        "rolemanagement": df["role"].eq("management").mean(),
        "roleanders": df["role"].eq("anders").mean(),
        "school_typembo": df["school_type"].eq("mbo").mean(),
    }
    t = traj.merge(sched[["lab", "wave", "after0"]], on=["lab", "wave"])
    prog = fx["(Intercept)"] + fx["time"] * t["time"] + fx["after0"] * t["after0"]
    prog = prog + sum(fx[k] * v for k, v in mix.items())
    expect = (
        prog
        + re.loc[t["lab"], "(Intercept)"].to_numpy()
        + re.loc[t["lab"], "after0"].to_numpy() * t["after0"]
    )
    assert t["programme_estimate"].to_numpy() == pytest.approx(prog.to_numpy(), abs=TOL)
    assert t["estimate"].to_numpy() == pytest.approx(expect.to_numpy(), abs=TOL)
    slope = fx["time"] + fx["after0"] + re.loc[t["lab"], "after0"].to_numpy()
    assert t["lab_slope_after"].to_numpy() == pytest.approx(slope, abs=TOL)
    assert (t["ci_low"] < t["estimate"]).all() and (t["estimate"] < t["ci_high"]).all()
    raw = df.groupby(["lab", "wave"])[SCALE].agg(["mean", "size"])
    raw = raw.loc[list(zip(t["lab"], t["wave"], strict=True))]
    assert t["raw_mean"].to_numpy() == pytest.approx(raw["mean"].to_numpy())
    assert t["n"].to_numpy().tolist() == raw["size"].tolist()


def test_paired_only_equals_paired_t_test(panel, tables):
    df, _ = panel
    wide = df.pivot_table(index=["lab", "respondent_id"], columns="wave", values=SCALE)
    both = wide[["T0", "T2"]].dropna()
    res = stats.ttest_rel(both["T2"], both["T0"])
    ci = res.confidence_interval(0.95)
    row = term(tables[0], "paired_only", "wave[T.T2]")
    assert row["estimate"] == pytest.approx((both["T2"] - both["T0"]).mean(), rel=1e-12)
    assert row["p_value"] == pytest.approx(res.pvalue, rel=1e-9)
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((ci.low, ci.high), rel=1e-9)
    assert row["n_persons"] == len(both)


def test_hidden_cells_are_left_out_and_blanked(panel, tables):
    df, sched = panel

    def hidden(scale, wave, lab):
        return "primary" if (lab, wave) == ("lab03", "T2") else ""

    long, _, traj = longitudinal_tables(df, [SCALE], sched, hidden=hidden)
    dropped = df[~((df["lab"] == "lab03") & (df["wave"] == "T2"))]
    ref, _, _ = longitudinal_tables(dropped, [SCALE], sched)
    pd.testing.assert_frame_equal(long, ref)
    cell = traj[(traj["lab"] == "lab03") & (traj["wave"] == "T2")].iloc[0]
    assert cell["suppressed"] and cell["suppression_reason"] == "primary"
    assert pd.isna(cell["n"]) and pd.isna(cell["raw_mean"]) and pd.isna(cell["estimate"])
    assert pd.isna(cell["lab_slope_after"]) and cell["verdict"] is None


def test_verdict_words():
    low = np.array([-0.1, -0.5, 0.05, -0.4, np.nan])
    high = np.array([0.1, -0.05, 0.3, 0.4, 0.1])
    assert verdict(low, high, 0.15).tolist() == [
        "houdt_stand",
        "neemt_af",
        "neemt_toe",
        "niet_te_zeggen",
        "",
    ]


def test_schedule_phase_and_years_after_subsidy():
    waves = pd.DataFrame(
        {
            "wave": ["T0", "T1", "T2"],
            "start": ["2022-09-01", "2023-06-01", "2024-06-01"],
            "end": ["2022-09-30", "2023-06-30", "2024-06-30"],
        }
    )
    labs = pd.DataFrame(
        {
            "lab": ["a", "b"],
            "line": ["samenwerking", "leerroute"],
            "round": [2022, 2019],
            "subsidy_start": ["2022-09-01", "2019-09-01"],
            "subsidy_end": ["2023-08-31", "2020-08-31"],
        }
    )
    s = schedule(waves, labs).set_index(["lab", "wave"])
    assert s.loc[("a", "T0"), "phase"] == "during" and s.loc[("a", "T1"), "phase"] == "during"
    assert s.loc[("a", "T2"), "phase"] == "after" and s.loc[("b", "T0"), "phase"] == "after"
    assert s.loc[("a", "T1"), "after"] == 0.0
    mid = pd.Timestamp("2024-06-01") + (pd.Timestamp("2024-06-30") - pd.Timestamp("2024-06-01")) / 2
    assert s.loc[("a", "T2"), "after"] == pytest.approx(
        (mid - pd.Timestamp("2023-08-31")).days / 365.25
    )
    assert s.loc[("b", "T2"), "time"] == s.loc[("a", "T2"), "time"] > 1.7
