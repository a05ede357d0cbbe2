"""The compare stage end to end: files, columns, results.json, determinism, min_cell."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from rich.console import Console
from synth import make_clean

from leerlab_research.compare import stage as stage_module
from leerlab_research.compare.registry import REGISTRY
from leerlab_research.compare.stage import TABLES, run_compare
from leerlab_research.errors import MissingStageOutput
from leerlab_research.outputs import write_parquet
from leerlab_research.runtime import StageContext

FILES = [f"{t}.csv" for t in TABLES] + ["results.json"]


@pytest.fixture(scope="module")
def run(tmp_path_factory, study_default):
    study = study_default
    ids = [lab.id for lab in study.labs.labs]
    sizes = np.random.default_rng(9).integers(6, 45, len(ids))
    sizes[0] = 3  # a lab too small to show
    clean, _ = make_clean(study.codebook, lab_ids=ids, sizes=sizes, seed=5)
    # the model's scores are unbounded; a clean table's are means of 1–5 items, and the
    # stage checks the table against that contract when it reads it
    clean[study.codebook.scale_names] = clean[study.codebook.scale_names].clip(1, 5)
    out = tmp_path_factory.mktemp("out")
    write_parquet(clean, out / "clean" / "responses.parquet")
    ctx = StageContext(study=study, out=out, console=Console(stderr=True, quiet=True))
    # first with the worker process beside the stage's own, then all in one process
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(stage_module, "available_cores", lambda: 2)
        written = run_compare(ctx)
    first = {p.name: p.read_bytes() for p in written}
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(stage_module, "available_cores", lambda: 1)
        written2 = run_compare(ctx)
    second = {p.name: p.read_bytes() for p in written2}
    return study, out, written, first, second


def test_writes_every_table(run):
    _, out, written, _, _ = run
    assert [p.name for p in written] == FILES
    assert all((out / "compare" / f).exists() for f in FILES)


def test_deterministic_with_and_without_the_worker_process(run):
    *_, first, second = run
    assert first == second


def test_icc_columns_exact(run):
    _, out, *_ = run
    icc = pd.read_csv(out / "compare" / "icc.csv")
    assert list(icc.columns[:7]) == [
        "scale",
        "wave",
        "icc1",
        "icc2",
        "design_effect",
        "n_labs",
        "k_mean",
    ]
    assert len(icc) == 9 * 2


def test_results_index(run):
    study, out, *_ = run
    res = json.loads((out / "compare" / "results.json").read_text())
    assert res["min_cell"] == study.settings.min_cell
    assert set(res["tables"]) == set(TABLES)
    for name, meta in res["tables"].items():
        df = pd.read_csv(out / "compare" / meta["file"], keep_default_na=False, nrows=0)
        assert meta["columns"] == list(df.columns), name
        assert {"unit", "test", "correction", "min_cell", "n_rows", "keys"} <= set(meta)
        assert [f["name"] for f in meta["schema"]["fields"]] == meta["columns"], name
        assert meta["min_cell_rule"] and set(meta["counts"]) <= set(meta["columns"]), name


def test_every_table_honours_its_registered_contract(run):
    """Types and constraints of the registry hold for the written CSVs (as the report reads
    them), so the registry cannot drift from the builders."""
    study, out, *_ = run
    ctx = StageContext(study=study, out=out, console=Console(stderr=True, quiet=True))
    for name in TABLES:
        df = ctx.read_table(f"compare/{name}.csv", "compare")
        assert list(df.columns) == REGISTRY[name].columns


def test_every_table_respects_min_cell(run):
    study, out, *_ = run
    mc = study.settings.min_cell
    for name in TABLES:
        df = pd.read_csv(out / "compare" / f"{name}.csv")
        shown = df[~df["suppressed"].astype(bool)] if "suppressed" in df.columns else df
        for col in REGISTRY[name].counts:
            v = shown[col].dropna()
            assert ((v == 0) | (v >= mc)).all(), (name, col)
    sup = pd.read_csv(out / "compare" / "suppression.csv")
    assert set(sup["reason"]) <= {"primary", "complementary"}
    assert set(sup["table"]) <= set(TABLES)
    # the tiny lab is hidden everywhere it appears by name
    tiny = study.labs.labs[0].id
    bench = pd.read_csv(out / "compare" / "benchmark.csv")
    assert bench.loc[bench["lab"] == tiny, "raw_mean"].isna().all()
    posthoc = pd.read_csv(out / "compare" / "posthoc.csv")
    assert not (posthoc["group_a"].eq(tiny) | posthoc["group_b"].eq(tiny)).any()


def test_missing_clean_output_is_a_clear_error(tmp_path, study_default):
    ctx = StageContext(study=study_default, out=tmp_path, console=Console(stderr=True, quiet=True))
    with pytest.raises(MissingStageOutput, match="leerlab clean"):
        run_compare(ctx)
