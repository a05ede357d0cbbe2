"""Change between two waves: pairing by pseudonym, equality with scipy / pingouin per lab, and the
wave-means rows against R's Partiallyoverlapping::Partover.test."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pingouin as pg
import pytest
from scipy import stats
from synth import make_clean

from leerlab_research.compare.change import change_table
from leerlab_research.compare.common import analysis_frame
from leerlab_research.compare.descriptives import describe, reason_lookup
from leerlab_research.compare.ttests import overlap_vec

RESULTS = Path(__file__).resolve().parent / "results"


@pytest.fixture(scope="module")
def setup(codebook):
    sizes = [30, 25, 40, 18, 22, 35]
    clean, truth = make_clean(codebook, lab_ids=[f"l{i}" for i in range(6)], sizes=sizes, seed=11)
    scales = codebook.scale_names[:2]
    df = analysis_frame(clean, scales)
    return df, scales, change_table(df, scales, waves=("T0", "T1"), min_cell=5)


def split(df, scale, lab):
    d = df[df[scale].notna()]
    if lab != "all":
        d = d[d["lab"] == lab]
    a = d[d["wave"] == "T0"].set_index("respondent_id")[scale]
    b = d[d["wave"] == "T1"].set_index("respondent_id")[scale]
    common = a.index.intersection(b.index)
    return a.loc[common], b.loc[common], a.drop(common), b.drop(common)


def test_counts_and_pairing(setup):
    df, scales, t = setup
    for lab in ["all", "l0", "l3"]:
        p0, p1, u0, u1 = split(df, scales[0], lab)
        rows = t[(t["scale"] == scales[0]) & (t["lab"] == lab)].set_index("analysis")
        if not rows.loc["paired", "suppressed"]:
            assert rows.loc["paired", "n_paired"] == len(p0)
        if not rows.loc["unpaired", "suppressed"]:
            assert rows.loc["unpaired", "n_unpaired_from"] == len(u0)
            assert rows.loc["unpaired", "n_unpaired_to"] == len(u1)


def test_paired_and_unpaired_equal_scipy_and_pingouin(setup):
    df, scales, t = setup
    for s in scales:
        for lab in ["all", "l0", "l2", "l5"]:
            rows = t[(t["scale"] == s) & (t["lab"] == lab)].set_index("analysis")
            p0, p1, u0, u1 = split(df, s, lab)
            pr = rows.loc["paired"]
            if not pr["suppressed"]:
                r = stats.ttest_rel(p1.loc[p0.index], p0)
                assert pr["statistic"] == pytest.approx(r.statistic, rel=1e-9)
                ci = r.confidence_interval(0.95)
                assert (pr["ci_low"], pr["ci_high"]) == pytest.approx((ci.low, ci.high), rel=1e-9)
                assert pr["p"] == pytest.approx(r.pvalue, rel=1e-9)
                d = (p1.loc[p0.index] - p0).to_numpy()
                dz = d.mean() / d.std(ddof=1)
                assert pr["effect_size"] == pytest.approx(dz, rel=1e-9)
                lo, hi = pg.compute_esci(
                    stat=dz, nx=len(d), ny=len(d), paired=True, eftype="cohen", decimals=12
                )
                assert (pr["es_ci_low"], pr["es_ci_high"]) == pytest.approx((lo, hi), rel=1e-9)
                w = stats.wilcoxon(d)
                assert pr["wilcoxon_w"] == pytest.approx(w.statistic) and pr[
                    "wilcoxon_p"
                ] == pytest.approx(w.pvalue)
                tt = pg.ttest(p1.loc[p0.index].to_numpy(), p0.to_numpy(), paired=True).iloc[0]
                assert pr["statistic"] == pytest.approx(tt["T"], rel=1e-9)
            ur = rows.loc["unpaired"]
            if not ur["suppressed"] and len(u0) > 1 and len(u1) > 1:
                r = stats.ttest_ind(u1, u0, equal_var=False)
                assert ur["statistic"] == pytest.approx(r.statistic, rel=1e-9)
                assert ur["p"] == pytest.approx(r.pvalue, rel=1e-9)
                g = pg.compute_effsize(u1.to_numpy(), u0.to_numpy(), eftype="hedges")
                assert ur["effect_size"] == pytest.approx(g, rel=1e-9)
                lo, hi = pg.compute_esci(
                    stat=g, nx=len(u1), ny=len(u0), eftype="hedges", decimals=12
                )
                assert (ur["es_ci_low"], ur["es_ci_high"]) == pytest.approx((lo, hi), rel=1e-9)
                tt = pg.ttest(u1.to_numpy(), u0.to_numpy(), correction=True).iloc[0]
                lo, hi = tt["CI95"]
                assert ur["df"] == pytest.approx(tt["dof"], rel=1e-9)
                ci = r.confidence_interval(0.95)
                assert (ur["ci_low"], ur["ci_high"]) == pytest.approx((ci.low, ci.high), rel=1e-9)
                assert (ur["ci_low"], ur["ci_high"]) == pytest.approx((lo, hi), abs=0.006)


def test_unknown_ids_are_never_paired():
    df = pd.DataFrame(
        {
            "respondent_id": ["onbekend"] * 12 + [f"p{i}" for i in range(6)] * 2,
            "lab": "a",
            "wave": ["T0"] * 6 + ["T1"] * 6 + ["T0"] * 6 + ["T1"] * 6,
            "commitment": np.linspace(1, 5, 24),
        }
    )
    t = change_table(df, ["commitment"], waves=("T0", "T1"), min_cell=5).set_index(
        ["lab", "analysis"]
    )
    assert t.loc[("all", "paired"), "n_paired"] == 6
    assert t.loc[("all", "unpaired"), "n_unpaired_from"] == 6


def test_corrections_across_scales(setup):
    _, scales, t = setup
    fam = t[(t["lab"] == "all") & (t["analysis"] == "paired")]
    assert fam["correction_family"].iloc[0] == f"{len(scales)} scales; lab=all, analysis=paired"
    assert (fam["p_holm"] >= fam["p"]).all()


def test_rows_name_the_compared_waves_generically(codebook):
    """change.csv names its two waves per row (from_wave, to_wave) and its columns refer to
    them generically: with three waves, T1 → T2 is as good a pair as T0 → T1."""
    clean, _ = make_clean(codebook, lab_ids=["l0", "l1"], sizes=[30, 30], seed=3)
    clean = clean.assign(wave=clean["wave"].map({"T0": "T1", "T1": "T2"}))
    scales = codebook.scale_names[:1]
    t = change_table(analysis_frame(clean, scales), scales, waves=("T1", "T2"), min_cell=5)
    assert len(t) and (t["from_wave"] == "T1").all() and (t["to_wave"] == "T2").all()
    assert not [c for c in t.columns if c.endswith(("_t0", "_t1"))]
    paired = t[(t["lab"] == "all") & (t["analysis"] == "paired")].iloc[0]
    assert paired["mean_diff"] == pytest.approx(paired["mean_to"] - paired["mean_from"])


# ------------------------------------------------------------------- waves rows
def test_overlap_test_equals_partover_test():
    """T_new2 against R's Partiallyoverlapping::Partover.test (version 2.0, stored values;
    script results/partover_reference.R): six cases, among them the package's example."""
    data = pd.read_csv(RESULTS / "partover_data.csv")
    ref = pd.read_csv(RESULTS / "partover_reference.csv").set_index("case")
    for case, want in ref.iterrows():
        d = data[data["case"] == case]
        part = {k: g["value"].to_numpy() for k, g in d.groupby("sample")}
        empty = np.zeros(0)
        earlier = np.r_[part.get("earlier_unpaired", empty), part["earlier_paired"]]
        later = np.r_[part.get("later_unpaired", empty), part["later_paired"]]
        r = np.corrcoef(part["earlier_paired"], part["later_paired"])[0, 1]
        got = overlap_vec(
            *(np.array([v]) for v in (len(earlier), earlier.mean(), earlier.var(ddof=1))),
            *(np.array([v]) for v in (len(later), later.mean(), later.var(ddof=1))),
            np.array([len(part["earlier_paired"])]),
            np.array([r]),
        )
        assert later.mean() - earlier.mean() == pytest.approx(want["estimate"], rel=1e-12)
        for key in ("statistic", "df", "p", "ci_low", "ci_high"):
            assert got[key][0] == pytest.approx(want[key], rel=1e-9), (case, key)


def test_overlap_test_is_welch_without_overlap_and_paired_with_full_overlap():
    rng = np.random.default_rng(4)
    x0, x1 = rng.normal(3, 0.6, 17), rng.normal(3.3, 0.9, 11)
    welch = stats.ttest_ind(x1, x0, equal_var=False)
    got = overlap_vec(
        np.array([17]), np.array([x0.mean()]), np.array([x0.var(ddof=1)]),
        np.array([11]), np.array([x1.mean()]), np.array([x1.var(ddof=1)]),
        np.array([0]), np.array([np.nan]),
    )  # fmt: skip
    ci = welch.confidence_interval(0.95)
    assert got["statistic"][0] == pytest.approx(welch.statistic, rel=1e-10)
    assert got["df"][0] == pytest.approx(welch.df, rel=1e-10)
    assert got["p"][0] == pytest.approx(welch.pvalue, rel=1e-10)
    assert (got["ci_low"][0], got["ci_high"][0]) == pytest.approx((ci.low, ci.high), rel=1e-10)
    a = rng.normal(3, 0.6, 14)
    b = a + rng.normal(0.2, 0.3, 14)
    paired = stats.ttest_rel(b, a)
    got = overlap_vec(
        np.array([14]), np.array([a.mean()]), np.array([a.var(ddof=1)]),
        np.array([14]), np.array([b.mean()]), np.array([b.var(ddof=1)]),
        np.array([14]), np.array([np.corrcoef(a, b)[0, 1]]),
    )  # fmt: skip
    ci = paired.confidence_interval(0.95)
    assert got["statistic"][0] == pytest.approx(paired.statistic, rel=1e-10)
    assert got["df"][0] == pytest.approx(13, rel=1e-12)
    assert got["p"][0] == pytest.approx(paired.pvalue, rel=1e-10)
    assert (got["ci_low"][0], got["ci_high"][0]) == pytest.approx((ci.low, ci.high), rel=1e-10)


def test_waves_rows_are_the_difference_of_the_published_wave_means(codebook):
    """A lab's waves row is made of descriptives.csv's two lab means and their n: nothing a
    reader of descriptives could not compute, and its test agrees with T_new2 on the lab's
    own split into stayers, leavers and newcomers."""
    clean, _ = make_clean(codebook, lab_ids=["l0", "l1", "l2"], sizes=[30, 22, 40], seed=5)
    scales = codebook.scale_names[:2]
    df = analysis_frame(clean, scales)
    desc = describe(df, scales, min_cell=5)
    t = change_table(df, scales, waves=("T0", "T1"), min_cell=5, published=reason_lookup(desc))
    lab_desc = desc[(desc["role"] == "all") & (desc["school_type"] == "all")]
    lab_desc = lab_desc.set_index(["scale", "lab", "wave"])
    waves = t[t["analysis"] == "waves"]
    assert len(waves) == len(scales) * 4
    for _, r in waves.iterrows():
        d0, d1 = (lab_desc.loc[(r["scale"], r["lab"], w)] for w in ("T0", "T1"))
        assert (r["n_from"], r["n_to"]) == (d0["n"], d1["n"])
        assert r["mean_from"] == pytest.approx(d0["mean"], rel=1e-12)
        assert r["mean_to"] == pytest.approx(d1["mean"], rel=1e-12)
        assert r["mean_diff"] == pytest.approx(d1["mean"] - d0["mean"], rel=1e-12)
        p0, p1, u0, u1 = split(df, r["scale"], r["lab"])
        assert r["test"] == "overlap_t" and r["n_paired"] == len(p0)
        a, b = np.r_[u0, p0], np.r_[u1, p1.loc[p0.index]]
        got = overlap_vec(
            np.array([len(a)]), np.array([a.mean()]), np.array([a.var(ddof=1)]),
            np.array([len(b)]), np.array([b.mean()]), np.array([b.var(ddof=1)]),
            np.array([len(p0)]), np.array([np.corrcoef(p0, p1.loc[p0.index])[0, 1]]),
        )  # fmt: skip
        for key in ("statistic", "df", "ci_low", "ci_high", "p"):
            assert r[key] == pytest.approx(got[key][0], rel=1e-9)
    fam = waves[waves["lab"] == "all"]["correction_family"].iloc[0]
    assert fam == f"{len(scales)} scales; lab=all, analysis=waves"
