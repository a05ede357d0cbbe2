"""Attrition: flow counts against set arithmetic, disclosure audited, baseline against pingouin."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pingouin as pg
import pytest

from leerlab_research.compare.attrition import baseline_table, flow_table, hedges_g
from leerlab_research.compare.common import ALL

RESULTS = Path(__file__).resolve().parent / "results"
WAVES = ["T0", "T1", "T2"]


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    return pd.read_csv(RESULTS / "panel_lme4.csv").rename(columns={"person": "respondent_id"})


def persons(df: pd.DataFrame, wave: str, lab: str | None = None) -> set[tuple[str, str]]:
    d = df[df["wave"] == wave]
    if lab is not None:
        d = d[d["lab"] == lab]
    return set(zip(d["lab"], d["respondent_id"], strict=True))


def test_flow_counts_equal_set_arithmetic(panel):
    table = flow_table(panel, WAVES, min_cell=1)
    assert not table["suppressed"].any()
    for _, r in table.iterrows():
        lab = None if r["lab"] == ALL else r["lab"]
        a, b = persons(panel, r["from_wave"], lab), persons(panel, r["to_wave"], lab)
        assert (r["n_from"], r["stayed"], r["left"], r["newcomers"], r["n_to"]) == (
            len(a),
            len(a & b),
            len(a - b),
            len(b - a),
            len(b),
        )
        assert r["retention"] == pytest.approx(len(a & b) / len(a))
    # persons are (lab, id): the same id in two labs is two persons
    assert table.loc[table["lab"] == ALL, "n_from"].iloc[0] == len(persons(panel, "T0"))


def test_flow_suppression_cannot_be_undone_by_subtraction(panel):
    """Every published relation (n_from = stayed + left, n_to = stayed + newcomers,
    programme = Σ labs) leaves no suppressed count below min_cell recoverable."""
    min_cell = 11
    table = flow_table(panel, WAVES, min_cell=min_cell)
    assert table["suppressed"].any()
    for _, r in table.iterrows():
        shown = [c for c in ("stayed", "left", "newcomers") if not pd.isna(r[c])]
        for c in ("stayed", "left", "newcomers"):
            if not pd.isna(r[c]):
                assert r[c] == 0 or r[c] >= min_cell
        # a hidden part of n_from is never the only hidden one
        if not pd.isna(r["n_from"]):
            hidden = [c for c in ("stayed", "left") if c not in shown]
            assert len(hidden) != 1
        if not pd.isna(r["n_to"]):
            hidden = [c for c in ("stayed", "newcomers") if c not in shown]
            assert len(hidden) != 1
    for w in WAVES[:-1]:
        grp = table[table["from_wave"] == w]
        labs = grp[grp["lab"] != ALL]
        for c in ("stayed", "left", "newcomers"):
            total = grp[grp["lab"] == ALL][c].iloc[0]
            if not pd.isna(total):
                assert labs[c].isna().sum() != 1


def test_hidden_lab_wave_is_suppressed(panel):
    table = flow_table(panel, WAVES, min_cell=1, hidden=lambda w, lab: (w, lab) == ("T1", "lab02"))
    r = table[(table["lab"] == "lab02") & (table["from_wave"] == "T0")].iloc[0]
    assert pd.isna(r["n_to"]) and r["suppression_reason"] == "primary"
    r = table[(table["lab"] == "lab02") & (table["from_wave"] == "T1")].iloc[0]
    assert pd.isna(r["n_from"])


def test_baseline_equals_pingouin(panel):
    table = baseline_table(panel, ["y"], WAVES, min_cell=5)
    row = table[table["from_wave"] == "T0"].iloc[0]
    t1 = persons(panel, "T1")
    d0 = panel[panel["wave"] == "T0"]
    stay = np.array([k in t1 for k in zip(d0["lab"], d0["respondent_id"], strict=True)])
    a, b = d0["y"].to_numpy()[stay], d0["y"].to_numpy()[~stay]
    g = pg.compute_effsize(a, b, eftype="hedges")
    ci = pg.compute_esci(g, len(a), len(b), eftype="cohen", decimals=12)
    tt = pg.ttest(a, b, correction=True)
    assert row["hedges_g"] == pytest.approx(g, rel=1e-10)
    assert (row["g_ci_low"], row["g_ci_high"]) == pytest.approx(tuple(ci), abs=1e-9)
    assert row["p_value"] == pytest.approx(float(tt["p_val"].iloc[0]), rel=1e-8)
    assert row["df"] == pytest.approx(float(tt["dof"].iloc[0]), rel=1e-8)
    assert (row["n_stay"], row["n_leave"]) == (len(a), len(b))
    assert hedges_g(a, b)[0] == pytest.approx(g, rel=1e-10)


def test_baseline_small_group_blanked(panel):
    d = panel[~((panel["wave"] == "T0") & ~panel["lab"].isin(["lab01"]))]
    table = baseline_table(d, ["y"], WAVES, min_cell=30)
    row = table[table["from_wave"] == "T0"].iloc[0]
    assert row["suppressed"] and pd.isna(row["n_stay"]) and pd.isna(row["hedges_g"])
