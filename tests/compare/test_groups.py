"""Group tests equal pingouin/scipy/statsmodels; Dunn against a hand-computed case.

References: pingouin 0.7 (welch_anova, pairwise_gameshowell, kruskal, ttest, mwu,
compute_effsize, compute_esci, anova); scipy.stats.kruskal; statsmodels multipletests;
Dunn (1964) formula computed by hand below.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pingouin as pg
import pytest
from scipy import stats
from statsmodels.stats.multitest import multipletests

from leerlab_research.compare import descriptives, groups
from leerlab_research.compare.common import ALL, add_corrections, holm

SCALES = ["s1", "s2", "s3"]


def data(seed: int = 0, k: int = 4, n: int = 25) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for g in range(k):
        size = n + 7 * g
        for i in range(size):
            rows.append(
                {
                    "respondent_id": f"{g}-{i}",
                    "lab": f"lab{g}",
                    "role": "docent" if i % 3 else "bestuur",
                    "school_type": "vmbo" if i % 2 else "mbo",
                    "wave": "T0",
                    **{
                        s: rng.normal(3 + 0.2 * g * (j + 1), 0.5 + 0.1 * g)
                        for j, s in enumerate(SCALES)
                    },
                }
            )
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def result():
    df = data()
    desc = descriptives.describe(df, SCALES, min_cell=5)
    tests, ph = groups.group_tests(
        df,
        SCALES,
        ["lab", "school_type"],
        descriptives.reason_lookup(desc),
        posthoc_factors=["lab"],
    )
    return df, tests, ph


def test_welch_anova_and_kruskal_equal_pingouin(result):
    df, tests, _ = result
    for s in SCALES:
        wa = pg.welch_anova(data=df, dv=s, between="lab").iloc[0]
        row = tests[
            (tests["scale"] == s) & (tests["factor"] == "lab") & (tests["test"] == "welch_anova")
        ].iloc[0]
        assert row["statistic"] == pytest.approx(wa["F"], rel=1e-6)
        assert row["df2"] == pytest.approx(wa["ddof2"], rel=1e-6)
        assert row["p"] == pytest.approx(wa["p_unc"], rel=1e-6, abs=1e-12)
        assert row["effect_size"] == pytest.approx(wa["np2"], rel=1e-6)
        aov = pg.anova(data=df, dv=s, between="lab", detailed=True)
        ssb, ssw = aov.loc[0, "SS"], aov.loc[1, "SS"]
        dfb, dfw = aov.loc[0, "DF"], aov.loc[1, "DF"]
        om = (ssb - dfb * ssw / dfw) / (ssb + ssw + ssw / dfw)
        assert row["effect_size_2"] == pytest.approx(om, rel=1e-6)
        kw = pg.kruskal(data=df, dv=s, between="lab").iloc[0]
        krow = tests[
            (tests["scale"] == s) & (tests["factor"] == "lab") & (tests["test"] == "kruskal")
        ].iloc[0]
        assert krow["statistic"] == pytest.approx(kw["H"], rel=1e-6)
        assert krow["p"] == pytest.approx(kw["p_unc"], rel=1e-6, abs=1e-12)
        h = stats.kruskal(*[g[s].to_numpy() for _, g in df.groupby("lab")]).statistic
        assert krow["effect_size"] == pytest.approx(h / (len(df) - 1), rel=1e-6)


def test_two_groups_equal_pingouin(result):
    df, tests, _ = result
    for s in SCALES:
        x = df.loc[df["school_type"] == "mbo", s].to_numpy()
        y = df.loc[df["school_type"] == "vmbo", s].to_numpy()
        tt = pg.ttest(x, y, correction=True).iloc[0]
        row = tests[(tests["scale"] == s) & (tests["test"] == "welch_t")].iloc[0]
        assert row["statistic"] == pytest.approx(tt["T"], rel=1e-6)
        assert row["p"] == pytest.approx(tt["p_val"], rel=1e-6)
        g = pg.compute_effsize(x, y, eftype="hedges")
        assert row["effect_size"] == pytest.approx(g, rel=1e-6)
        lo, hi = pg.compute_esci(stat=g, nx=len(x), ny=len(y), eftype="hedges", decimals=12)
        assert (row["es_ci_low"], row["es_ci_high"]) == pytest.approx((lo, hi), rel=1e-6)
        mw = pg.mwu(x, y).iloc[0]
        mrow = tests[(tests["scale"] == s) & (tests["test"] == "mann_whitney")].iloc[0]
        assert mrow["statistic"] == pytest.approx(mw["U_val"])
        assert mrow["effect_size"] == pytest.approx(mw["RBC"], rel=1e-6)
        assert mrow["effect_size_2"] == pytest.approx(mw["CLES"], rel=1e-6)
        assert mrow["p"] == pytest.approx(mw["p_val"], rel=1e-6)


def test_games_howell_equal_pingouin(result):
    df, _, ph = result
    for s in SCALES:
        gh = pg.pairwise_gameshowell(data=df, dv=s, between="lab", effsize="hedges")
        mine = ph[(ph["scale"] == s) & (ph["test"] == "games_howell")].set_index(
            ["group_a", "group_b"]
        )
        assert len(mine) == len(gh)
        for _, r in gh.iterrows():
            m = mine.loc[(r["A"], r["B"])]
            assert m["diff"] == pytest.approx(r["diff"], rel=1e-6)
            assert m["statistic"] == pytest.approx(r["T"], rel=1e-6)
            assert m["p_adj"] == pytest.approx(r["pval"], rel=1e-6, abs=1e-9)
            assert m["effect_size"] == pytest.approx(r["hedges"], rel=1e-6)


def test_dunn_hand_computed():
    """Dunn (1964) with ties, worked by hand.

    A = [1, 3, 3], B = [2, 5, 6], C = [7, 8, 9, 9]; N = 10. Midranks: 1→1, 2→2, 3,3→3.5,
    5→5, 6→6, 7→7, 8→8, 9,9→9.5. Mean ranks A = 8/3, B = 13/3, C = 34/4 = 8.5.
    Ties: two pairs, Σ(t³ − t) = 12, correction 12 / (12·9) = 1/9.
    σ² factor = 10·11/12 − 1/9 = 9.055…; z_AB = (8/3 − 13/3)/√(9.055…·(1/3 + 1/3)) = −0.678323,
    z_AC = (8/3 − 8.5)/√(9.055…·(1/3 + 1/4)) = −2.538054, z_BC = −1.812896.
    """
    values = np.array([1, 3, 3, 2, 5, 6, 7, 8, 9, 9], dtype=float)
    g = np.array(list("AAABBBCCCC"))
    out = groups.dunn(values, g).set_index(["group_a", "group_b"])
    assert out.loc[("A", "B"), "mean_rank_a"] == pytest.approx(8 / 3)
    assert out.loc[("A", "C"), "mean_rank_b"] == pytest.approx(8.5)
    assert out.loc[("A", "B"), "z"] == pytest.approx(-0.678323, abs=1e-6)
    assert out.loc[("A", "C"), "z"] == pytest.approx(-2.538054, abs=1e-6)
    assert out.loc[("B", "C"), "z"] == pytest.approx(-1.812896, abs=1e-6)
    assert out.loc[("A", "C"), "p"] == pytest.approx(0.0111471, abs=1e-6)
    # Holm over the three pairs: 0.01115·3, max(0.06985·2, ·), max(0.4976·1, ·)
    assert out.loc[("A", "C"), "p_holm"] == pytest.approx(3 * 0.011147080, abs=1e-6)
    assert out.loc[("B", "C"), "p_holm"] == pytest.approx(2 * 0.069847914, abs=1e-6)
    assert out.loc[("A", "B"), "p_holm"] == pytest.approx(0.497566635, abs=1e-6)


def test_dunn_two_groups_squares_to_kruskal_h():
    """With two groups Dunn's z² is the tie-corrected Kruskal–Wallis H (scipy)."""
    rng = np.random.default_rng(2)
    v = rng.integers(1, 6, 40).astype(float)
    g = np.array(["a"] * 18 + ["b"] * 22)
    z = groups.dunn(v, g)["z"].iloc[0]
    assert z**2 == pytest.approx(stats.kruskal(v[g == "a"], v[g == "b"]).statistic, rel=1e-10)


def test_holm_and_bh_equal_statsmodels():
    rng = np.random.default_rng(4)
    p = rng.uniform(0, 0.2, 9)
    assert holm(p) == pytest.approx(multipletests(p, method="holm")[1], abs=1e-15)
    t = pd.DataFrame({"fam": ["x"] * 9 + ["y"] * 9, "p": np.r_[p, p[::-1] / 2]})
    t.loc[3, "p"] = np.nan
    out = add_corrections(t, ["fam"])
    for f, sub in out.groupby("fam"):
        ok = sub["p"].notna()
        assert sub.loc[ok, "p_holm"].to_numpy() == pytest.approx(
            multipletests(sub.loc[ok, "p"], method="holm")[1]
        )
        assert sub.loc[ok, "p_fdr_bh"].to_numpy() == pytest.approx(
            multipletests(sub.loc[ok, "p"], method="fdr_bh")[1]
        )
        assert sub["correction_family"].iloc[0].startswith(f"{ok.sum()} scales; fam={f}")
    assert np.isnan(out.loc[3, "p_holm"])


def test_eta2_ci_inverts_the_noncentral_f():
    f, df1, df2, n = 4.0, 3, 96, 100
    lo, hi = groups.eta2_ci(f, df1, df2, n)
    lam_lo, lam_hi = lo * n / (1 - lo), hi * n / (1 - hi)
    assert stats.ncf.cdf(f, df1, df2, lam_lo) == pytest.approx(0.975, abs=1e-6)
    assert stats.ncf.cdf(f, df1, df2, lam_hi) == pytest.approx(0.025, abs=1e-6)
    assert lo < (f * df1) / (f * df1 + df2) < hi


def test_suppressed_groups_are_excluded():
    df = data()
    df.loc[df.index[:2], "lab"] = "tiny"  # two respondents: primary-suppressed
    desc = descriptives.describe(df, SCALES, min_cell=5)
    tests, ph = groups.group_tests(
        df, SCALES, ["lab"], descriptives.reason_lookup(desc), posthoc_factors=["lab"]
    )
    assert tests["groups_excluded"].str.contains("tiny").all()
    assert not ph["group_a"].eq("tiny").any() and not ph["group_b"].eq("tiny").any()


def test_descriptives_statistics_equal_scipy():
    """n, mean, sd (n − 1), median, % ≥ 4 and the Student-t interval (scipy's
    ``t.interval``) of one programme cell and one lab cell."""
    df = data()
    desc = descriptives.describe(df, SCALES, min_cell=5)
    for lab in (ALL, "lab2"):
        row = desc[
            (desc["scale"] == "s2")
            & (desc["lab"] == lab)
            & (desc["role"] == ALL)
            & (desc["school_type"] == ALL)
        ].iloc[0]
        v = df["s2"] if lab == ALL else df.loc[df["lab"] == lab, "s2"]
        assert row["n"] == len(v)
        assert row["mean"] == pytest.approx(v.mean(), rel=1e-12)
        assert row["sd"] == pytest.approx(v.std(ddof=1), rel=1e-12)
        assert row["median"] == pytest.approx(v.median(), rel=1e-12)
        assert row["pct_agree"] == pytest.approx(100 * (v >= 4).mean(), rel=1e-12)
        lo, hi = stats.t.interval(0.95, len(v) - 1, loc=v.mean(), scale=stats.sem(v))
        assert (row["ci_low"], row["ci_high"]) == pytest.approx((lo, hi), rel=1e-12)


def test_rank_biserial_ci_matches_effectsize():
    """Rank-biserial r and its CI equal R effectsize 0.8.3 (results/rank_biserial_effectsize.R)."""
    from pathlib import Path

    import numpy as np
    import pandas as pd
    from scipy import stats

    from leerlab_research.compare.groups import rank_biserial_ci

    ref = pd.read_csv(Path(__file__).parent / "results" / "rank_biserial_effectsize.csv")
    x = np.array([3.25, 4.0, 2.5, 3.75, 4.5, 3.0, 2.75, 4.25, 3.5, 3.5, 5.0, 2.0])
    y = np.array([2.5, 3.0, 3.25, 2.0, 2.75, 3.5, 1.75, 3.0, 2.25])
    for _, row in ref.iterrows():
        a, b = (x, y) if row["x_first"] else (y, x)
        u, _ = stats.mannwhitneyu(a, b, alternative="two-sided")
        r = 2 * u / (len(a) * len(b)) - 1
        lo, hi = rank_biserial_ci(r, len(a), len(b), row["confidence"])
        assert abs(r - row["r_rank_biserial"]) < 1e-9
        assert abs(lo - row["ci_low"]) < 1e-9 and abs(hi - row["ci_high"]) < 1e-9
