"""The reliability stage on a synthetic clean table (see ``synthetic.py``).

The table is generated from a one-factor-per-scale model with known loadings, so
each scale's alpha and omega are predictable (``synthetic.implied_reliability``,
tolerance ``synthetic.TOLERANCE`` = 0.025: discretisation <= 0.005 plus ~3 SE).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from synthetic import TOLERANCE, implied_reliability, make_study

from leerlab_research.errors import MissingStageOutput
from leerlab_research.measurement.stage import run_measurement
from leerlab_research.outputs import write_parquet
from leerlab_research.runtime import StageContext

FILES = [
    "reliability.csv",
    "reliability_by_group.csv",
    "items.csv",
    "cfa_fit.csv",
    "cfa_loadings.csv",
    "invariance.csv",
    "invariance_waves.csv",
]


def _context(root: Path, table: pd.DataFrame, extra: str = "") -> StageContext:
    root.mkdir(parents=True, exist_ok=True)
    study = make_study(root, extra)
    write_parquet(table, root / "out" / "clean" / "responses.parquet")
    return StageContext(study=study, out=root / "out")


@pytest.fixture(scope="module")
def stage_run(tmp_path_factory, clean_table):
    root = tmp_path_factory.mktemp("stage")
    ctx = _context(root, clean_table)
    written = run_measurement(ctx)
    return ctx, written


def test_writes_the_six_tables(stage_run):
    ctx, written = stage_run
    assert sorted(p.name for p in written) == sorted(FILES)
    for name in FILES:
        assert (ctx.out / "measurement" / name).exists()


def test_alpha_and_omega_near_generating_values(stage_run, codebook):
    ctx, _ = stage_run
    rel = pd.read_csv(ctx.out / "measurement" / "reliability.csv")
    assert list(rel["scale"]) == codebook.scale_names
    for _, row in rel.iterrows():
        target = implied_reliability(int(row["k"]))
        assert row["alpha"] == pytest.approx(target, abs=TOLERANCE), row["scale"]
        assert row["omega"] == pytest.approx(target, abs=TOLERANCE), row["scale"]
        assert row["alpha_ci_low"] < row["alpha"] < row["alpha_ci_high"]
        assert row["reliable"] and row["ci_method"] == "bootstrap-bca" and row["n_boot"] == 2000


def test_groups_flagged_and_sorted(stage_run, codebook, clean_table):
    ctx, _ = stage_run
    by = pd.read_csv(ctx.out / "measurement" / "reliability_by_group.csv", keep_default_na=False)
    assert set(by["group"]) == {"lab", "role", "school_type", "wave"}
    small = by[(by["group"] == "role") & (by["level"] == "anders")]
    assert len(small) == len(codebook.scale_names)
    assert not small["reliable"].astype(str).eq("True").any()
    assert small["reason"].str.contains("below min_n = 30").all()
    big = by[(by["group"] == "wave")]
    assert big["reliable"].astype(str).eq("True").all()
    order = {s: i for i, s in enumerate(codebook.scale_names)}
    key = list(
        zip(
            by["scale"].map(order),
            by["group"].map(["lab", "role", "school_type", "wave"].index),
            by["level"],
            strict=True,
        )
    )
    assert key == sorted(key)


def test_items_cfa_and_invariance_tables(stage_run, codebook):
    ctx, _ = stage_run
    out = ctx.out / "measurement"
    items = pd.read_csv(out / "items.csv")
    assert list(items["item"]) == codebook.item_codes
    assert items["item_rest_r"].between(0.5, 0.9).all()
    fit = pd.read_csv(out / "cfa_fit.csv").iloc[0]
    assert fit["converged"] and fit["n_factors"] == 9
    assert fit["missing"] == "fiml" and fit["n"] == 1500 and fit["n_dropped"] == 0
    assert fit["cfi"] > 0.98 and fit["rmsea"] < 0.03  # data generated from this model
    loadings = pd.read_csv(out / "cfa_loadings.csv")
    assert list(loadings["item"]) == codebook.item_codes
    assert loadings["std_loading"].between(0.6, 0.9).all()
    inv = pd.read_csv(out / "invariance.csv")
    # waves are not independent groups: they get the panel model (invariance_waves.csv)
    assert list(inv["group"]) == ["school_type"] * 3
    assert inv.loc[0, "levels"] == "vmbo / mbo"
    assert inv["supported"].all()  # the generator is invariant across groups
    assert (inv.groupby("group")["chi2"].diff().dropna() > 0).all()  # nested models
    # every synthetic respondent answered one wave only: nothing to fit on the panel
    waves = pd.read_csv(out / "invariance_waves.csv")
    assert list(waves["scale"]) == codebook.scale_names
    assert waves["status"].str.startswith("not estimated: 0 persons answered more").all()


def test_deterministic(tmp_path, clean_table):
    """Two runs, one model fit at a time and in two processes, give byte-identical tables.

    (Smaller table and settings to save time.)
    """
    extra = "  measurement:\n    n_boot: 500\n    by: [wave, school_type]\n    invariance_groups: [wave]\n"
    table = clean_table.iloc[:500]
    runs = [
        _context(tmp_path / f"run{i}", table, extra + f"    workers: {i + 1}\n") for i in range(2)
    ]
    for ctx in runs:
        run_measurement(ctx)
    for name in FILES:
        a = (runs[0].out / "measurement" / name).read_bytes()
        b = (runs[1].out / "measurement" / name).read_bytes()
        assert a == b, name


def test_missing_clean_output_is_a_clear_error(tmp_path, clean_table):
    ctx = _context(tmp_path / "none", clean_table)
    shutil.rmtree(ctx.out / "clean")
    with pytest.raises(MissingStageOutput, match="leerlab clean"):
        run_measurement(ctx)


def test_settings_feldt_without_cfa(tmp_path, clean_table):
    extra = "  measurement:\n    ci: feldt\n    cfa: false\n    by: [wave]\n    omega: false\n"
    ctx = _context(tmp_path / "feldt", clean_table.iloc[:300], extra)
    written = run_measurement(ctx)
    assert sorted(p.name for p in written) == [
        "items.csv",
        "reliability.csv",
        "reliability_by_group.csv",
    ]
    rel = pd.read_csv(ctx.out / "measurement" / "reliability.csv")
    assert (rel["ci_method"] == "feldt").all() and rel["omega"].isna().all()
