"""compare/oneway.py equals pingouin 0.7 (computed live) to the last bit or near it.

Data: 5-point means with ties, unequal group sizes and variances, groups in an
unsorted row order (pingouin sorts the levels).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pingouin as pg
import pytest
from scipy import stats

from leerlab_research.compare import oneway


def _data(seed: int, k: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    sizes = rng.integers(4, 60, size=k)
    labels = np.repeat([f"g{chr(ord('a') + i)}" for i in range(k)][::-1], sizes)
    shift = np.repeat(rng.normal(0, 0.4, k), sizes)
    spread = np.repeat(rng.uniform(0.4, 1.2, k), sizes)
    y = np.clip(np.round((3 + shift + spread * rng.normal(size=sizes.sum())) * 4) / 4, 1, 5)
    order = rng.permutation(len(y))
    return pd.DataFrame({"y": y[order], "g": labels[order]})


@pytest.mark.parametrize("seed,k", [(1, 3), (2, 5), (3, 8)])
def test_welch_anova_kruskal_games_howell_equal_pingouin(seed, k):
    d = _data(seed, k)
    y, g = d["y"].to_numpy(), oneway.Groups.of(d["y"].to_numpy(), d["g"].to_numpy())
    wa = pg.welch_anova(data=d, dv="y", between="g").iloc[0]
    ours = oneway.welch_anova(y, g)
    for key in ("F", "ddof1", "ddof2", "p_unc", "np2"):
        assert ours[key] == pytest.approx(float(wa[key]), rel=1e-13, abs=1e-300), key
    kw = pg.kruskal(data=d, dv="y", between="g").iloc[0]
    ours = oneway.kruskal(y, g)
    for key in ("H", "ddof1", "p_unc"):
        assert ours[key] == pytest.approx(float(kw[key]), rel=1e-13, abs=1e-300), key
    gh = pg.pairwise_gameshowell(data=d, dv="y", between="g", effsize="hedges")
    mine = oneway.games_howell(g)
    assert mine[["A", "B"]].to_numpy().tolist() == gh[["A", "B"]].to_numpy().tolist()
    for col in ("mean_A", "mean_B", "diff", "se", "T", "df", "hedges"):
        np.testing.assert_allclose(mine[col], gh[col].astype(float), rtol=1e-13, err_msg=col)
    # p from our quadrature of the studentized range, pingouin's from scipy's
    np.testing.assert_allclose(mine["pval"], gh["pval"].astype(float), rtol=0, atol=5e-11)


def test_welch_anova_refuses_a_constant_group_as_pingouin_does():
    d = _data(4, 3)
    d.loc[d["g"] == "ga", "y"] = 3.0
    g = oneway.Groups.of(d["y"].to_numpy(), d["g"].to_numpy())
    with pytest.raises(ValueError, match="non-zero variance"):
        oneway.welch_anova(d["y"].to_numpy(), g)
    with pytest.raises(ValueError, match="non-zero variance"):
        pg.welch_anova(data=d, dv="y", between="g")


@pytest.mark.parametrize("confidence", [0.95, 0.9])
def test_welch_t_and_hedges_equal_pingouin(confidence):
    d = _data(5, 2)
    x = d.loc[d["g"] == "ga", "y"].to_numpy()
    y = d.loc[d["g"] == "gb", "y"].to_numpy()
    tt = pg.ttest(x, y, correction=True, confidence=confidence).iloc[0]
    t, df, p = oneway.welch_t(x, y)
    assert (t, df, p) == pytest.approx((tt["T"], tt["dof"], tt["p_val"]), rel=1e-13)
    g = oneway.hedges_g(x, y)
    assert g == pytest.approx(pg.compute_effsize(x, y, eftype="hedges"), rel=1e-13)
    ref = pg.compute_esci(
        stat=g, nx=len(x), ny=len(y), eftype="hedges", confidence=confidence, decimals=12
    )
    assert oneway.hedges_ci(g, len(x), len(y), confidence) == pytest.approx(tuple(ref), rel=1e-13)


@pytest.mark.parametrize("k", [2, 3, 5, 8, 30])
def test_studentized_range_sf_equals_scipy(k):
    """Within 5e-11 of scipy (whose own integration tolerance is 1e-11), df 2 to 20,000."""
    q = np.array([0.3, 1.5, 3.0, 4.5, 6.0, 9.0, 14.0])
    for df in (2.0, 2.7, 4.0, 9.5, 37.2, 400.8, 20000.0):
        ours = oneway.studentized_range_sf(q, k, np.full(q.size, df))
        np.testing.assert_allclose(
            ours, stats.studentized_range.sf(q, k, df), rtol=0, atol=5e-11, err_msg=f"df {df}"
        )
    # a value does not depend on the others computed with it
    mixed = oneway.studentized_range_sf(q, k, np.array([2.0, 3.0, 5.0, 9.0, 50.0, 3.5, 1e3]))
    alone = [
        oneway.studentized_range_sf(q[i : i + 1], k, np.array([d]))
        for i, d in enumerate([2.0, 3.0, 5.0, 9.0, 50.0, 3.5, 1e3])
    ]
    np.testing.assert_array_equal(mixed, np.concatenate(alone))


@pytest.mark.parametrize(
    ("k", "df", "q", "ref", "tol"),
    [
        (3, 4.0, 3.0, 0.200558067857, 1e-11),
        (3, 1e5, 3.5, 0.0355609373638, 1e-10),  # scipy's infinite-df switch: off by ~4e-5
        # df = 1e9: the infinite-df limit P(range of 3 normals > q) (one well-conditioned
        # quad over z), from which df = 1e9 differs by ~1e-10; 5e-7 off before the
        # density of S was normalised
        (3, 1e9, 3.5, 0.0355570418632, 1e-9),
        (3, 1e9, 0.05, 0.999311078117, 1e-9),
        (30, 1.0, 25.0, 0.129762440561, 5e-7),
    ],
)
def test_studentized_range_sf_at_extreme_df(k, df, q, ref, tol):
    """Against an adaptive quadrature of the same double integral (scipy.integrate.quad
    over s and z, tolerances 1e-13, values stored here) where scipy itself is not a
    reference: above df = 1e5 it uses the infinite-df formula."""
    got = oneway.studentized_range_sf(np.array([q]), k, np.array([df]))[0]
    assert abs(got - ref) < tol
