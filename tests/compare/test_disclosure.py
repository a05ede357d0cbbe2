"""Disclosure control: hand-built cases that try to recover suppressed cells and fail.

Every test plays the intruder: it takes only what a table publishes and subtracts
(lab total − shown cells, programme − other labs, wave total − paired/unpaired),
and :func:`audit_linear` solves all published relations at once (exact linear
recovery and LP bounds with n ≥ 1 per existing cell).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leerlab_research.compare import (
    agreement,
    change,
    descriptives,
    disclosure,
    hypercube,
    icc,
    multilevel,
)
from leerlab_research.compare.common import ALL, GROUP_DIMS

SCALES = ["commitment"]


def frame(cells: dict[tuple[str, str, str], list[float]], wave: str = "T0") -> pd.DataFrame:
    """Analysis frame from {(lab, role, school_type): [scores]}."""
    rows = []
    k = 0
    for (lab, role, school), values in cells.items():
        for v in values:
            rows.append(
                {
                    "respondent_id": f"{k:016x}",
                    "lab": lab,
                    "role": role,
                    "school_type": school,
                    "wave": wave,
                    "commitment": float(v),
                }
            )
            k += 1
    return pd.DataFrame(rows)


def one_bestuurder() -> pd.DataFrame:
    rng = np.random.default_rng(5)
    cells = {
        ("a", "bestuur", "vmbo"): [4.75],  # the one board member whose answer must stay hidden
        ("a", "management", "vmbo"): list(rng.uniform(2, 5, 6)),
        ("a", "docent", "vmbo"): list(rng.uniform(2, 5, 14)),
        ("a", "docent", "mbo"): list(rng.uniform(2, 5, 12)),
        ("b", "bestuur", "mbo"): list(rng.uniform(2, 5, 7)),
        ("b", "management", "mbo"): list(rng.uniform(2, 5, 8)),
        ("b", "docent", "mbo"): list(rng.uniform(2, 5, 20)),
        ("c", "bestuur", "vmbo"): list(rng.uniform(2, 5, 9)),
        ("c", "docent", "vmbo"): list(rng.uniform(2, 5, 25)),
    }
    return frame(cells)


def cell(table: pd.DataFrame, lab=ALL, role=ALL, school=ALL) -> pd.Series:
    m = (table["lab"] == lab) & (table["role"] == role) & (table["school_type"] == school)
    assert m.sum() == 1
    return table[m].iloc[0]


def test_one_bestuurder_hidden_in_role_split_and_by_subtraction():
    df = one_bestuurder()
    t = descriptives.describe(df, SCALES, min_cell=5)
    b = cell(t, "a", "bestuur")
    assert b["suppressed"] and b["suppression_reason"] == "primary"
    assert pd.isna(b["mean"]) and pd.isna(b["n"])
    total = cell(t, "a")
    assert not total["suppressed"]
    kids = t[(t["lab"] == "a") & (t["role"] != ALL) & (t["school_type"] == ALL)]
    shown = kids[~kids["suppressed"]]
    hidden = kids[kids["suppressed"]]
    assert len(hidden) >= 2, "a second cell of the lab's role split must be suppressed"
    assert set(hidden["suppression_reason"]) == {"primary", "complementary"}
    # intruder: lab total minus the shown roles
    n_left = total["n"] - shown["n"].sum()
    sum_left = total["n"] * total["mean"] - (shown["n"] * shown["mean"]).sum()
    assert n_left >= 5  # what subtraction gives is a group of at least min_cell people
    assert not np.isclose(sum_left / n_left, 4.75)
    assert n_left != 1


def test_programme_role_total_does_not_reveal_the_lab_cell():
    df = one_bestuurder()
    t = descriptives.describe(df, SCALES, min_cell=5)
    prog = cell(t, ALL, "bestuur")
    labs_b = t[(t["role"] == "bestuur") & (t["lab"] != ALL) & (t["school_type"] == ALL)]
    shown = labs_b[~labs_b["suppressed"]]
    if not prog["suppressed"]:
        left = prog["n"] - shown["n"].sum()
        assert left >= 5 and (labs_b["suppressed"]).sum() >= 2
    else:  # the total is hidden as well: nothing to subtract from
        assert labs_b.loc[labs_b["lab"] == "a", "suppressed"].all()


def test_audit_finds_no_leak_in_descriptives_cube():
    df = one_bestuurder()
    t = descriptives.describe(df, SCALES, min_cell=5)
    truth = descriptives.describe(df, SCALES, min_cell=1)  # same rows, nothing suppressed
    assert (
        truth[["lab", "role", "school_type"]].to_numpy()
        == t[["lab", "role", "school_type"]].to_numpy()
    ).all()
    rel = disclosure.hierarchy_relations(t, GROUP_DIMS, by=["scale", "wave"])
    n = truth["n"].to_numpy(dtype=float)
    sums = n * truth["mean"].to_numpy(dtype=float)
    sup = t["suppressed"].to_numpy()
    targets = (t["suppression_reason"] == "primary").to_numpy()
    assert disclosure.audit_linear(n, rel, sup, min_cell=5, targets=targets) == []
    assert disclosure.audit_linear(sums, rel, sup, min_cell=5, lower=None, targets=targets) == []


def test_audit_detects_a_naive_table():
    """The audit itself works: primary suppression alone leaks by subtraction."""
    df = one_bestuurder()
    truth = descriptives.describe(df, SCALES, min_cell=1)
    rel = disclosure.hierarchy_relations(truth, GROUP_DIMS, by=["scale", "wave"])
    n = truth["n"].to_numpy(dtype=float)
    naive = (n > 0) & (n < 5)
    leaks = disclosure.audit_linear(n, rel, naive, min_cell=5)
    assert leaks, "primary-only suppression must be recoverable"


@settings(max_examples=25, deadline=None)
@given(
    st.lists(st.lists(st.integers(0, 12), min_size=3, max_size=3), min_size=2, max_size=4),
    st.integers(2, 6),
)
def test_protect_two_way_tables_never_leak(counts, min_cell):
    """Random lab × role count tables with margins: no suppressed n is recoverable."""
    rows = []
    for i, row in enumerate(counts):
        for j, c in enumerate(row):
            if c:
                rows.append((f"l{i}", f"r{j}", c))
    if not rows:
        return
    cells = pd.DataFrame(rows, columns=["lab", "role", "n"])
    parts = [cells]
    parts.append(cells.groupby("lab", as_index=False)["n"].sum().assign(role=ALL))
    parts.append(cells.groupby("role", as_index=False)["n"].sum().assign(lab=ALL))
    parts.append(pd.DataFrame({"lab": [ALL], "role": [ALL], "n": [cells["n"].sum()]}))
    t = pd.concat(parts, ignore_index=True)
    rel = disclosure.hierarchy_relations(t, ["lab", "role"])
    reason = hypercube.protect_cube(t, ["lab", "role"], min_cell=min_cell)
    sup = reason != ""
    n = t["n"].to_numpy(dtype=float)
    assert not np.any(~sup & (n < min_cell) & (n > 0))
    targets = reason == "primary"
    assert disclosure.audit_linear(n, rel, sup, min_cell=min_cell, targets=targets) == []


def test_protect_small_remainder_is_widened():
    # lab total 31 = 1 + 1 + 29: two primary cells, but 31 − 29 = 2 < 5 would reveal a pair
    t = pd.DataFrame(
        {"lab": ["a", "a", "a", "a"], "role": [ALL, "b", "m", "d"], "n": [31, 1, 1, 29]}
    )
    rel = disclosure.hierarchy_relations(t, ["role"], by=["lab"])
    reason = disclosure.protect(t["n"].to_numpy(), rel, 5)
    assert list(reason) == ["", "primary", "primary", "complementary"]


def test_gap_with_a_suppressed_cell_is_suppressed():
    df = one_bestuurder()
    desc = descriptives.describe(df, SCALES, min_cell=5)
    lookup = descriptives.reason_lookup(desc)
    items = {"commitment": []}
    t = agreement.agreement_table(df, SCALES, items, SCALES, lookup, min_cell=5)
    gaps = t[(t["lab"] == "a") & (t["measure"] == "gap_role")]
    for _, r in gaps.iterrows():
        involved = {r["group_a"], r["group_b"]}
        hidden = set(
            desc[(desc["lab"] == "a") & (desc["school_type"] == ALL) & desc["suppressed"]]["role"]
        )
        if involved & hidden:
            assert r["suppressed"] and pd.isna(r["value"]) and pd.isna(r["n_a"])
        else:
            assert not r["suppressed"]


def test_benchmark_follows_the_lab_total():
    df = one_bestuurder()
    df = pd.concat([df, frame({("tiny", "docent", "vmbo"): [3.0, 4.0]})], ignore_index=True)
    desc = descriptives.describe(df, SCALES, min_cell=5)
    lookup = descriptives.reason_lookup(desc)
    b = multilevel.benchmark_table(df, SCALES, lookup)
    tiny = b[b["lab"] == "tiny"].iloc[0]
    assert tiny["suppressed"] and pd.isna(tiny["raw_mean"]) and pd.isna(tiny["shrunken_mean"])
    # a second lab is hidden too, so programme − shown labs does not reveal 'tiny'
    assert b["suppressed"].sum() >= 2


def test_change_small_paired_group_cannot_be_recovered():
    rng = np.random.default_rng(3)
    rows = []
    k = 0
    for lab, n_pair, n_only0, n_only1 in (
        ("a", 2, 9, 9),
        ("b", 12, 6, 7),
        ("c", 15, 8, 6),
        ("d", 11, 7, 8),
    ):
        for i in range(n_pair):
            for w in ("T0", "T1"):
                rows.append(
                    {
                        "respondent_id": f"p{lab}{i}",
                        "lab": lab,
                        "wave": w,
                        "commitment": rng.uniform(1, 5),
                    }
                )
        for i in range(n_only0):
            rows.append(
                {
                    "respondent_id": f"x{lab}{i}",
                    "lab": lab,
                    "wave": "T0",
                    "commitment": rng.uniform(1, 5),
                }
            )
        for i in range(n_only1):
            rows.append(
                {
                    "respondent_id": f"y{lab}{i}",
                    "lab": lab,
                    "wave": "T1",
                    "commitment": rng.uniform(1, 5),
                }
            )
        k += 1
    df = pd.DataFrame(rows)
    t = change.change_table(df, SCALES, waves=("T0", "T1"), min_cell=5)
    a = t[t["lab"] == "a"].set_index("analysis")
    assert a.loc["paired", "suppression_reason"] == "primary"
    # wave total (descriptives) = paired + unpaired: the unpaired row must be hidden too
    assert a.loc["unpaired", "suppressed"]
    assert pd.isna(a.loc["unpaired", "n_unpaired_from"]) and pd.isna(a.loc["unpaired", "mean_from"])
    # programme paired row − other labs' paired rows must not give lab a's 2 pairs
    paired = t[(t["analysis"] == "paired")]
    shown = paired[(paired["lab"] != ALL) & ~paired["suppressed"]]
    prog = paired[paired["lab"] == ALL].iloc[0]
    assert prog["n_paired"] - shown["n_paired"].sum() >= 5


@pytest.mark.parametrize("min_cell", [3, 5, 10])
def test_no_shown_cell_below_min_cell(min_cell):
    df = one_bestuurder()
    t = descriptives.describe(df, SCALES, min_cell=min_cell)
    shown = t[~t["suppressed"]]
    assert (shown["n"] >= min_cell).all()
    hidden = t[t["suppressed"]]
    assert hidden[descriptives.STAT_COLUMNS].isna().all().all()


@settings(max_examples=20, deadline=None)
@given(st.lists(st.integers(0, 8), min_size=18, max_size=18), st.integers(0, 10_000))
def test_descriptives_cube_never_leaks(counts, seed):
    """Random lab × role × school_type cubes (3 × 3 × 2) with every margin published:
    no primary cell's n or sum is recoverable, exactly or by bounds."""
    rng = np.random.default_rng(seed)
    cells = {}
    it = iter(counts)
    for lab in ("a", "b", "c"):
        for role in ("bestuur", "management", "docent"):
            for school in ("vmbo", "mbo"):
                k = next(it)
                if k:
                    cells[(lab, role, school)] = list(rng.uniform(1, 5, k))
    if not cells:
        return
    df = frame(cells)
    t = descriptives.describe(df, SCALES, min_cell=5)
    truth = descriptives.describe(df, SCALES, min_cell=1)
    rel = disclosure.hierarchy_relations(t, GROUP_DIMS, by=["scale", "wave"])
    n = truth["n"].to_numpy(dtype=float)
    sums = n * truth["mean"].to_numpy(dtype=float)
    sup = t["suppressed"].to_numpy()
    targets = (t["suppression_reason"] == "primary").to_numpy()
    assert disclosure.audit_linear(n, rel, sup, min_cell=5, targets=targets) == []
    assert disclosure.audit_linear(sums, rel, sup, min_cell=5, lower=None, targets=targets) == []


def _published(table: pd.DataFrame) -> pd.DataFrame:
    """What an intruder sees: every shown number, rounded to what a CSV carries."""
    return table.apply(lambda c: c.round(10) if c.dtype.kind == "f" else c)


def test_benchmark_model_does_not_see_suppressed_labs():
    """programme_mean, the variance components and the shown labs' shrunken means
    are functions of every lab in the fit: with a hidden lab in it, μ̂ (a weighted
    mean of all lab means with published weights 1/(τ̂² + σ̂²/n_j)) and the
    programme mean of descriptives give two equations for the two hidden means.
    Changing the hidden labs' answers must therefore change nothing published."""
    df = one_bestuurder()
    df = pd.concat([df, frame({("tiny", "docent", "vmbo"): [3.0, 4.0]})], ignore_index=True)
    desc = descriptives.describe(df, SCALES, min_cell=5)
    lookup = descriptives.reason_lookup(desc)
    b1 = multilevel.benchmark_table(df, SCALES, lookup)
    hidden = set(b1.loc[b1["suppressed"], "lab"])
    assert "tiny" in hidden
    df2 = df.copy()
    m = df2["lab"].isin(hidden)
    df2.loc[m, "commitment"] = 6.0 - df2.loc[m, "commitment"]  # other answers, same n
    b2 = multilevel.benchmark_table(df2, SCALES, lookup)
    pd.testing.assert_frame_equal(_published(b1), _published(b2))
    shown = b1[~b1["suppressed"]]
    assert shown["programme_mean"].notna().all() or (shown["model_status"] != "ok").all()


def test_icc_sums_of_squares_do_not_see_suppressed_labs():
    """msb and msw are sums over all labs: with the programme n and mean (descriptives)
    they give a quadratic for the hidden labs' means. They are blanked when a lab's
    total is suppressed; icc1, icc2 and F (a ratio of two unknown sums) stay."""
    df = one_bestuurder()
    df = pd.concat([df, frame({("tiny", "docent", "vmbo"): [3.0, 4.0]})], ignore_index=True)
    desc = descriptives.describe(df, SCALES, min_cell=5)
    lookup = descriptives.reason_lookup(desc)
    table = icc.icc_table(df, SCALES, lookup)
    row = table.iloc[0]
    assert pd.isna(row["msb"]) and pd.isna(row["msw"])
    assert np.isfinite(row["icc1"]) and np.isfinite(row["icc2"])
    full = icc.icc_table(df, SCALES)
    assert np.isfinite(full.iloc[0]["msb"])


def test_null_row_norms_per_block_equal_the_whole_null_space():
    """Determinedness per block of relations equals scipy's null space of the whole matrix."""
    from scipy.linalg import null_space

    from leerlab_research.compare.hypercube import null_row_norms

    rng = np.random.default_rng(0)
    for _ in range(20):
        parts = [
            rng.integers(-1, 2, size=(rng.integers(1, 6), rng.integers(1, 8))).astype(float)
            for _ in range(4)
        ]
        rows = sum(p.shape[0] for p in parts)
        cols = sum(p.shape[1] for p in parts) + 2  # two unknowns in no relation
        mat = np.zeros((rows, cols))
        r0 = c0 = 0
        for p in parts:
            mat[r0 : r0 + p.shape[0], c0 : c0 + p.shape[1]] = p
            r0, c0 = r0 + p.shape[0], c0 + p.shape[1]
        mat = mat[rng.permutation(rows)][:, rng.permutation(cols)]
        basis = null_space(mat)
        want = np.linalg.norm(basis, axis=1) if basis.size else np.zeros(cols)
        got = null_row_norms(mat)
        np.testing.assert_allclose(got, want, atol=1e-12)
        assert ((got < 1e-9) == (want < 1e-9)).all()


def _panel() -> pd.DataFrame:
    """Two waves; lab a has 2 leavers (its paired/unpaired split must hide), lab tiny 1 + 3."""
    rng = np.random.default_rng(8)
    rows = []
    for lab, stay, left, new in (
        ("a", 20, 2, 9),
        ("b", 12, 6, 7),
        ("c", 15, 8, 6),
        ("d", 11, 7, 8),
        ("tiny", 0, 1, 3),
    ):
        people = [(f"s{lab}{i}", ("T0", "T1")) for i in range(stay)]
        people += [(f"l{lab}{i}", ("T0",)) for i in range(left)]
        people += [(f"n{lab}{i}", ("T1",)) for i in range(new)]
        for pid, waves in people:
            base = rng.normal(3.4, 0.6)
            for w in waves:
                rows.append(
                    {
                        "respondent_id": pid,
                        "lab": lab,
                        "role": "docent",
                        "school_type": "vmbo",
                        "wave": w,
                        "commitment": base + rng.normal(0, 0.4),
                    }
                )
    return pd.DataFrame(rows)


def _change_with_descriptives(min_cell: int = 5):
    df = _panel()
    desc = descriptives.describe(df, SCALES, min_cell=min_cell)
    t = change.change_table(
        df,
        SCALES,
        waves=("T0", "T1"),
        min_cell=min_cell,
        published=descriptives.reason_lookup(desc),
    )
    return df, desc, t


def test_change_waves_row_follows_the_published_wave_means():
    """The waves row is hidden exactly where descriptives hides either of the lab's two wave
    means (same reason), and where shown it is their difference: it adds nothing."""
    _, desc, t = _change_with_descriptives()
    tot = desc[(desc["role"] == ALL) & (desc["school_type"] == ALL)].set_index(["lab", "wave"])
    waves = t[t["analysis"] == "waves"].set_index("lab")
    assert waves.loc["tiny", "suppression_reason"] == "primary"
    for lab, r in waves.iterrows():
        reasons = [
            str(tot.loc[(lab, w), "suppression_reason"]) if (lab, w) in tot.index else ""
            for w in ("T0", "T1")
        ]
        reasons = ["" if x == "nan" else x for x in reasons]
        assert (r["suppression_reason"] or "") == disclosure.inherit(reasons), lab
        if r["suppressed"]:
            assert r[["mean_from", "mean_to", "mean_diff", "n_from", "n_to", "ci_low"]].isna().all()
            continue
        d0, d1 = tot.loc[(lab, "T0")], tot.loc[(lab, "T1")]
        assert r["mean_diff"] == pytest.approx(d1["mean"] - d0["mean"], rel=1e-12)
        assert (r["n_from"], r["n_to"]) == (d0["n"], d1["n"])
    # a lab's paired/unpaired split never outlives its hidden wave total
    split = t[t["analysis"] != "waves"]
    for lab in waves.index[waves["suppressed"]]:
        assert split.loc[split["lab"] == lab, "suppressed"].all(), lab
    # lab a: 2 leavers; its split is hidden, its change of wave means is shown
    a = t[t["lab"] == "a"].set_index("analysis")
    assert a.loc["unpaired", "suppression_reason"] == "primary"
    assert not a.loc["waves", "suppressed"] and np.isfinite(a.loc["waves", "ci_low"])


def test_change_waves_row_does_not_reveal_the_number_of_stayers():
    """Where the split is hidden, n_paired stays blank and the whole row is Welch's test of
    the two published wave means, SDs and sizes: neither df nor the interval (whose width
    gives the standard error, and T_new2's SE gives r × n_paired) can be solved for the
    stayers."""
    from scipy import stats

    _, desc, t = _change_with_descriptives()
    r = t[(t["lab"] == "a") & (t["analysis"] == "waves")].iloc[0]
    assert r["test"] == "welch_t"
    assert pd.isna(r["n_paired"]) and pd.isna(r["n_unpaired_from"]) and pd.isna(r["n_unpaired_to"])
    tot = desc[(desc["lab"] == "a") & (desc["role"] == ALL) & (desc["school_type"] == ALL)]
    d0, d1 = (tot[tot["wave"] == w].iloc[0] for w in ("T0", "T1"))
    welch = stats.ttest_ind_from_stats(
        d1["mean"], d1["sd"], d1["n"], d0["mean"], d0["sd"], d0["n"], equal_var=False
    )
    a, b = d0["sd"] ** 2 / d0["n"], d1["sd"] ** 2 / d1["n"]
    df = (a + b) ** 2 / (a**2 / (d0["n"] - 1) + b**2 / (d1["n"] - 1))
    half = stats.t.ppf(0.975, df) * np.sqrt(a + b)
    diff = d1["mean"] - d0["mean"]
    assert r["df"] == pytest.approx(df, rel=1e-9)
    assert r["statistic"] == pytest.approx(welch.statistic, rel=1e-9)
    assert r["p"] == pytest.approx(welch.pvalue, rel=1e-9)
    assert (r["ci_low"], r["ci_high"]) == pytest.approx((diff - half, diff + half), rel=1e-9)


def test_change_audit_with_the_waves_rows_finds_no_leak():
    """Per wave side, the published relations of change.csv with its waves rows (lab waves =
    paired + unpaired; programme = Σ labs per analysis): no primary n or sum is recoverable,
    exactly or by LP bounds."""
    df, _, t = _change_with_descriptives()
    truth = change.change_table(df, SCALES, waves=("T0", "T1"), min_cell=1)
    assert (truth[["lab", "analysis"]].to_numpy() == t[["lab", "analysis"]].to_numpy()).all()
    for side, n_unpaired, n_all, mean in (
        ("from", "n_unpaired_from", "n_from", "mean_from"),
        ("to", "n_unpaired_to", "n_to", "mean_to"),
    ):
        n = np.select(
            [truth["analysis"] == "paired", truth["analysis"] == "unpaired"],
            [truth["n_paired"], truth[n_unpaired]],
            truth[n_all],
        ).astype(float)
        keep = n > 0  # cells that exist
        cells = t.loc[keep, ["lab", "analysis"]].replace({"analysis": {"waves": ALL}})
        cells = cells.reset_index(drop=True)
        rel = disclosure.hierarchy_relations(cells, ["lab", "analysis"])
        sup = t.loc[keep, "suppressed"].to_numpy(dtype=bool)
        targets = (t.loc[keep, "suppression_reason"] == "primary").to_numpy()
        sums = n[keep] * truth.loc[keep, mean].to_numpy(dtype=float)
        assert disclosure.audit_linear(n[keep], rel, sup, min_cell=5, targets=targets) == [], side
        leaks = disclosure.audit_linear(sums, rel, sup, min_cell=5, lower=None, targets=targets)
        assert leaks == [], side
