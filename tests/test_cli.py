"""The CLI spine: codebook views, exit codes, no tracebacks."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from leerlab_research.cli import app

DEMO_STUDY = Path(__file__).resolve().parents[1] / "analyses" / "demo" / "study.yaml"

runner = CliRunner()


def test_codebook_table_lists_all_items():
    result = runner.invoke(app, ["codebook", "--study", str(DEMO_STUDY)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    for code in ["AMB1", "AMB4", "BEL3", "ORG2", "PRO3", "COM4", "FAC3", "EVA3", "INH4"]:
        assert code in result.output
    assert "34 items, 9 scales" in " ".join(result.output.split())


def test_codebook_markdown_and_json():
    md = runner.invoke(app, ["codebook", "--study", str(DEMO_STUDY), "--format", "markdown"])
    assert md.exit_code == 0
    rows = [line for line in md.output.splitlines() if line.startswith("| ") and "code" not in line]
    assert len(rows) == 34
    js = runner.invoke(
        app, ["codebook", "--study", str(DEMO_STUDY), "--format", "json", "--lang", "en"]
    )
    data = json.loads(js.output)
    assert len(data["items"]) == 34 and len(data["scales"]) == 9


def test_codebook_frictionless_schema_validates_a_table(tmp_path, codebook):
    """The emitted Table Schema is valid for frictionless and catches an out-of-range item."""
    import frictionless

    out = tmp_path / "tableschema.json"
    result = runner.invoke(
        app,
        ["codebook", "--study", str(DEMO_STUDY), "--format", "frictionless", "--output", str(out)],
    )
    assert result.exit_code == 0, result.output
    schema_dict = json.loads(out.read_text())
    schema = frictionless.Schema.from_descriptor(schema_dict)
    names = [f.name for f in schema.fields]
    assert names[:2] == ["respondent_id", "lab"] and names[-2:] == ["source_file", "source_row"]
    assert "open_goed" not in names and "AMB1" in names and "ambitie" in names

    def row(amb1: str) -> dict:
        values = {n: "" for n in names}
        values.update(
            respondent_id="0123456789abcdef",
            lab="weert",
            school_type="vmbo",
            role="docent",
            wave="T0",
            consent="ja",
            AMB1=amb1,
            source_file="x.csv",
            source_row="2",
        )
        for n in names:
            if n.startswith("n_items_"):
                values[n] = "0"
        return values

    good = tmp_path / "good.csv"
    bad = tmp_path / "bad.csv"
    for path, amb1 in ((good, "4"), (bad, "7")):
        r = row(amb1)
        path.write_text(",".join(names) + "\n" + ",".join(r[n] for n in names) + "\n")
    ok = frictionless.Resource(path="good.csv", schema=schema, basepath=str(tmp_path)).validate()
    assert ok.valid, ok.flatten(["type", "note"])
    report = frictionless.Resource(path="bad.csv", schema=schema, basepath=str(tmp_path)).validate()
    assert not report.valid
    errors = report.flatten(["fieldName", "type"])
    assert ["AMB1", "constraint-error"] in errors


def test_unknown_command_is_usage_error():
    result = runner.invoke(app, ["frobnicate"])
    assert result.exit_code == 2


def test_missing_study_file_exit_2_no_traceback(tmp_path):
    result = runner.invoke(app, ["codebook", "--study", str(tmp_path / "nope.yaml")])
    assert result.exit_code == 2
    assert "does not exist" in result.output
    assert "Traceback" not in result.output


def test_the_command_freezes_the_heap_only_after_the_app(monkeypatch):
    # `leerlab` exits without the collector's last walk over pandas/scipy (≈ 0.3 s);
    # the app's exit code and exit handlers are untouched.
    import tomllib

    import pytest

    from leerlab_research import cli

    calls: list[str] = []

    def fake_app() -> None:
        calls.append("app")
        raise SystemExit(3)

    monkeypatch.setattr(cli, "app", fake_app)
    monkeypatch.setattr(cli.gc, "freeze", lambda: calls.append("freeze"))
    with pytest.raises(SystemExit) as exc:
        cli.entry()
    assert exc.value.code == 3
    assert calls == ["app", "freeze"]
    project = tomllib.loads((DEMO_STUDY.parents[2] / "pyproject.toml").read_text("utf-8"))
    assert project["project"]["scripts"]["leerlab"] == "leerlab_research.cli:entry"
