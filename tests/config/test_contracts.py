"""Table contracts: one field list gives the Frictionless Table Schema and the pandera
schema, both agree on what they accept, and a broken table fails at the stage
boundary naming the table and every offending column (exit 1, no traceback)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import frictionless
import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from leerlab_research.cli import app
from leerlab_research.compare.registry import REGISTRY, results_tables
from leerlab_research.config.contracts import Contract, Field, read_table
from leerlab_research.config.schema import clean_contract, table_schema
from leerlab_research.errors import DataError
from leerlab_research.outputs import write_csv, write_json, write_parquet

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "compare"))
from synth import make_clean  # noqa: E402

from conftest import write_study  # noqa: E402

TOY = Contract(
    table="toy/table.csv",
    fields=(
        Field("id", "string", required=True, pattern="^[a-f]{2}$"),
        Field("kind", "string", enum=("a", "b")),
        Field("count", "integer", minimum=0),
        Field("score", "number", minimum=1, maximum=5),
        Field("flag", "boolean"),
    ),
    stage="toy",
)


def _good() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": ["ab", "cd", "ef"],
            "kind": ["a", "b", None],
            "count": pd.array([0, 3, None], dtype="Int64"),
            "score": [1.0, 4.5, np.nan],
            "flag": [True, False, True],
        }
    )


def test_table_schema_round_trips_through_json():
    schema = TOY.table_schema()
    back = Contract.from_table_schema(TOY.table, json.loads(json.dumps(schema)), stage="toy")
    assert back == TOY


def test_clean_contract_is_the_table_schema(codebook, labs):
    contract = clean_contract(codebook, labs)
    assert contract.table_schema() == table_schema(codebook, labs)
    assert contract.columns == [f["name"] for f in table_schema(codebook)["fields"]]


def test_a_good_frame_passes():
    TOY.validate(_good())


#: (corruption of the good frame, words of the error that names it)
BREAKS = [
    (lambda d: d.drop(columns=["kind"]), "column 'kind' (string) is missing"),
    (lambda d: d.assign(extra=1), "column 'extra' is not part of the contract"),
    (lambda d: d.assign(count=[0.5, 1.0, 2.0]), "column 'count': expected integer"),
    (lambda d: d.assign(score=["1", "2", "3"]), "column 'score': expected number"),
    (lambda d: d.assign(kind=["a", "c", None]), "column 'kind': 1 value(s) not in"),
    (lambda d: d.assign(score=[1.0, 6.0, 0.5]), "column 'score': 1 value(s) above the maximum"),
    (lambda d: d.assign(id=["ab", None, "ef"]), "column 'id': 1 value(s) missing values"),
    (lambda d: d.assign(id=["ab", "XY", "ef"]), "row 2: 'XY'"),
]


@pytest.mark.parametrize(("corrupt", "expected"), BREAKS)
def test_each_break_is_named(corrupt, expected):
    with pytest.raises(DataError) as err:
        TOY.validate(corrupt(_good()))
    assert "toy/table.csv does not match its contract; run `leerlab toy` again" in str(err.value)
    assert expected in str(err.value)


@pytest.mark.parametrize(("corrupt", "_expected"), BREAKS)
def test_the_check_without_pandera_agrees_with_pandera(corrupt, _expected):
    """Contract.passes (the fast path of validate) fails wherever pandera fails."""
    import pandera.errors as pe

    for frame, ok in ((_good(), True), (corrupt(_good()), False)):
        assert TOY.passes(frame) is ok
        if ok:
            TOY.pandera().validate(frame, lazy=True)
        else:
            with pytest.raises(pe.SchemaErrors):
                TOY.pandera().validate(frame, lazy=True)


def test_all_breaks_are_collected_at_once():
    bad = _good().drop(columns=["flag"]).assign(kind=["z", "a", "b"], score=[9.0, 1.0, 2.0])
    with pytest.raises(DataError) as err:
        TOY.validate(bad)
    assert len(err.value.problems) == 3


def _csv(tmp_path: Path, rows: list[dict]) -> Path:
    path = tmp_path / "table.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def _frictionless_ok(path: Path, contract: Contract) -> bool:
    resource = frictionless.Resource(
        path=path.name,
        basepath=str(path.parent),
        schema=frictionless.Schema.from_descriptor(contract.table_schema()),
    )
    return bool(resource.validate().valid)


@pytest.mark.parametrize(
    ("change", "valid"),
    [
        ({}, True),
        ({"count": "2.5"}, False),
        ({"count": "x"}, False),
        ({"score": "5.5"}, False),
        ({"kind": "q"}, False),
        ({"flag": "maybe"}, False),
        ({"id": "abc"}, False),
        ({"score": ""}, True),
    ],
)
def test_csv_verdict_agrees_with_frictionless(tmp_path, change, valid):
    """Read from CSV, the pandera schema accepts exactly what frictionless accepts."""
    row = {"id": "ab", "kind": "a", "count": "3", "score": "4.5", "flag": "true"} | change
    path = _csv(tmp_path, [row, {"id": "cd", "kind": "b", "count": "0", "score": "1", "flag": ""}])
    assert _frictionless_ok(path, TOY) is valid
    assert TOY.passes(pd.read_csv(path), text=True) is valid
    if valid:
        read_table(path, TOY)
    else:
        with pytest.raises(DataError, match="does not match its contract"):
            read_table(path, TOY)


def test_unreadable_file_is_a_data_error(tmp_path):
    path = tmp_path / "table.parquet"
    path.write_bytes(b"not parquet")
    with pytest.raises(DataError, match="cannot be read"):
        read_table(path, TOY)


# ----------------------------------------------------------------- through the CLI
runner = CliRunner()


@pytest.fixture(scope="module")
def clean_out(tmp_path_factory):
    """A study and a clean table that honours its contract."""
    from leerlab_research.config.study import load_study

    tmp = tmp_path_factory.mktemp("contract")
    study_path = write_study(tmp)
    (tmp / "nowhere.csv").write_text("respondent_id\n", encoding="utf-8")  # never read here
    study = load_study(study_path, check_sources=False)
    ids = [lab.id for lab in study.labs.labs][:4]
    clean, _ = make_clean(study.codebook, lab_ids=ids, sizes=[8, 9, 10, 11], seed=3)
    scales = study.codebook.scale_names
    clean[scales] = clean[scales].clip(1, 5)
    clean_contract(study.codebook, study.labs).validate(clean)
    return study_path, clean


def _recorded(study_path, out: Path, stage: str, write) -> None:
    """Write hand-made outputs as ``stage``'s, recorded in the manifest (so later stages read them)."""
    from leerlab_research.config.study import load_study
    from leerlab_research.pipeline import run_stage
    from leerlab_research.runtime import StageContext

    ctx = StageContext(study=load_study(study_path, check_sources=False), out=out)
    run_stage(stage, ctx, lambda _ctx: write())


@pytest.mark.parametrize("command", ["compare", "measurement"])
def test_corrupt_clean_table_stops_the_next_stage(tmp_path, clean_out, command):
    study_path, clean = clean_out
    bad = clean.copy()
    bad["AMB2"] = bad["AMB2"].astype(str)  # item answers as text
    bad = bad.drop(columns=["wave"])
    out = tmp_path / "out"
    _recorded(
        study_path, out, "clean", lambda: [write_parquet(bad, out / "clean" / "responses.parquet")]
    )
    result = runner.invoke(app, [command, "--study", str(study_path), "--out", str(out)])
    assert result.exit_code == 1, result.output
    text = " ".join(result.output.split())
    assert "clean/responses.parquet does not match its contract" in text
    assert "column 'wave' (string) is missing" in text
    assert "column 'AMB2': expected integer, found dtype" in text
    assert "Traceback" not in result.output
    assert not (out / command).exists() or not any((out / command).iterdir())


def test_corrupt_compare_table_stops_the_report(tmp_path, clean_out):
    """A comparison table with a wrong column fails when the report stage reads it."""
    study_path, clean = clean_out
    out = tmp_path / "out"
    _recorded(
        study_path,
        out,
        "clean",
        lambda: [write_parquet(clean, out / "clean" / "responses.parquet")],
    )
    _recorded(study_path, out, "measurement", list)

    tables = {name: pd.DataFrame(columns=t.columns) for name, t in REGISTRY.items()}
    tables["icc"] = pd.DataFrame(
        {c: ["ambitie" if c == "scale" else "T0" if c == "wave" else "1"] for c in tables["icc"]}
    ).assign(n_labs="twelve")

    def write_compare() -> list[Path]:
        paths = [write_csv(df, out / "compare" / f"{name}.csv") for name, df in tables.items()]
        index = {"tables": results_tables(tables, 5)}
        return [*paths, write_json(index, out / "compare" / "results.json")]

    _recorded(study_path, out, "compare", write_compare)
    result = runner.invoke(
        app, ["report", "--study", str(study_path), "--out", str(out), "--format", "html"]
    )
    assert result.exit_code == 1, result.output
    text = " ".join(result.output.split())
    assert "compare/icc.csv does not match its contract; run `leerlab compare` again" in text
    assert "column 'n_labs': 1 value(s) not of type integer: row 2: 'twelve'" in text
    assert "Traceback" not in result.output
