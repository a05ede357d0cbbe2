"""An out folder that cannot lie (issue 11 §2): lock, provenance, stale outputs, scope, demo.

Small Dutch exports built in the test and the real CLI; the rendering parts
(Ctrl-C, byte-identical DOCX/PDF) are in ``tests/test_end_to_end.py``.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pandas as pd
import yaml
from cleaning_helpers import dutch_frame, run_cli, write_dutch_csv, write_study

from leerlab_research.manifest import sha256_file


def _study(tmp_path, n_files: int = 2):
    sources = []
    for i in range(n_files):
        name = f"lab_T{i}.csv"
        write_dutch_csv(dutch_frame(12, seed=i, first_id=10001), tmp_path / name)
        sources.append({"path": name, "platform": "csv", "wave": f"T{i}"})
    return write_study(tmp_path, sources, {"open_answers": False})


def _manifest(tmp_path) -> dict:
    return json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))


def _drop_last_source(study) -> None:
    data = yaml.safe_load(study.read_text(encoding="utf-8"))
    data["sources"] = data["sources"][:-1]
    study.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


HOLD_LOCK = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from leerlab_research.outlock import out_lock
    with out_lock(Path(sys.argv[1]), "leerlab clean"):
        print("locked", flush=True)
        time.sleep(120)
    """
)


def test_second_run_on_the_same_out_folder_refuses(tmp_path):
    study = _study(tmp_path)
    out = tmp_path / "out"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(out)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        res = run_cli("clean", "--study", str(study))
        assert res.exit_code == 2 and "Traceback" not in res.output
        assert f"is in use by another leerlab run (pid {holder.pid}, `leerlab clean`)" in res.output
        assert not (out / "clean").exists()
    finally:
        holder.kill()
        holder.wait()
    # The holder died without releasing anything: its lock file is left behind,
    # but the operating system dropped the lock, so the next run goes ahead.
    assert f"pid {holder.pid}" in (out / ".leerlab.lock").read_text()
    res = run_cli("clean", "--study", str(study))
    assert res.exit_code == 0, res.output
    assert _manifest(tmp_path)["status"] == "complete"


def test_manifest_records_what_each_stage_read(tmp_path):
    study = _study(tmp_path)
    assert run_cli("clean", "--study", str(study)).exit_code == 0
    assert run_cli("code", "--study", str(study)).exit_code == 0
    m = _manifest(tmp_path)
    clean = m["stages"]["clean"]
    assert clean["study_sha256"] == sha256_file(study)
    assert clean["config"]["codebook"] == m["codebook"]["sha256"]
    assert clean["config"]["labs"] == m["labs"]["sha256"]
    assert m["inputs"]["lab_T0.csv"]["sha256"] == sha256_file(tmp_path / "lab_T0.csv")
    out = tmp_path / "out"
    assert clean["writes"]["clean/responses.parquet"] == sha256_file(
        out / "clean" / "responses.parquet"
    )
    # `code` read the clean stage's files: their hashes are in its record
    assert m["stages"]["code"]["reads"]["clean"] == clean["writes"]
    assert m["stale"] == {} and m["status"] == "complete"


def test_stage_after_a_changed_study_refuses_and_names_the_stage(tmp_path):
    study = _study(tmp_path)
    assert run_cli("clean", "--study", str(study)).exit_code == 0
    _drop_last_source(study)
    res = run_cli("report", "--study", str(study))
    assert res.exit_code == 2 and "Traceback" not in res.output
    assert "clean: the study's sources or the export files changed since it ran" in res.output
    assert "run `leerlab clean --study" in res.output
    res = run_cli("code", "--study", str(study))
    assert res.exit_code == 2 and "run `leerlab clean" in res.output
    # an export that changed on disk is just as stale
    assert run_cli("clean", "--study", str(study)).exit_code == 0
    write_dutch_csv(dutch_frame(10, seed=5), tmp_path / "lab_T0.csv")
    res = run_cli("code", "--study", str(study))
    assert res.exit_code == 2 and "export files changed" in res.output


def test_manifest_lists_no_stale_or_foreign_files(tmp_path):
    study = _study(tmp_path)
    assert run_cli("clean", "--study", str(study)).exit_code == 0
    out = tmp_path / "out"
    (out / "my-notes.txt").write_text("mine", encoding="utf-8")
    (out / "clean" / "extra.csv").write_text("a\n1\n", encoding="utf-8")
    _drop_last_source(study)
    # validate succeeds with the changed study and rewrites the manifest
    assert run_cli("validate", "--study", str(study)).exit_code == 0
    m = _manifest(tmp_path)
    assert "clean" in m["stale"] and "sources" in m["stale"]["clean"]
    assert "my-notes.txt" not in m["outputs"] and "clean/extra.csv" not in m["outputs"]
    assert "clean/responses.parquet" not in m["outputs"]
    assert set(m["outputs"]) == {"clean/validation.csv"}
    # a file edited after it was written is no longer listed either
    assert run_cli("clean", "--study", str(study)).exit_code == 0
    with open(out / "clean" / "exclusions.csv", "a", encoding="utf-8") as fh:
        fh.write("x\n")
    assert run_cli("validate", "--study", str(study)).exit_code == 0
    m = _manifest(tmp_path)
    assert "clean/exclusions.csv" not in m["outputs"]
    assert "exclusions.csv was changed or removed" in m["stale"]["clean"]


def test_interrupted_stage_is_marked_incomplete(tmp_path, monkeypatch):
    study = _study(tmp_path)
    assert run_cli("clean", "--study", str(study)).exit_code == 0

    def interrupted(ctx):
        (ctx.out / "clean" / "responses.csv").write_text("half", encoding="utf-8")
        raise KeyboardInterrupt

    monkeypatch.setattr("leerlab_research.cleaning.stage.run_clean", interrupted)
    res = run_cli("clean", "--study", str(study))
    assert res.exit_code == 130 and "Traceback" not in res.output
    assert "interrupted" in res.output
    m = _manifest(tmp_path)
    assert m["status"] == "incomplete" and m["running"] == "clean"
    assert "clean" not in m["stages"] and not any(k.startswith("clean/") for k in m["outputs"])
    monkeypatch.undo()
    res = run_cli("code", "--study", str(study))
    assert res.exit_code == 2 and "the last `leerlab clean` was interrupted" in res.output
    assert run_cli("clean", "--study", str(study)).exit_code == 0
    assert _manifest(tmp_path)["status"] == "complete"


def test_failed_validation_keeps_the_previous_record(tmp_path):
    study = _study(tmp_path)
    assert run_cli("clean", "--study", str(study)).exit_code == 0
    df = dutch_frame(12, seed=0)
    df.loc[1, "AMB1"] = "77"
    write_dutch_csv(df, tmp_path / "lab_T0.csv")
    res = run_cli("clean", "--study", str(study))
    assert res.exit_code == 1 and "Traceback" not in res.output
    m = _manifest(tmp_path)
    assert m["status"] == "complete" and m["running"] is None
    assert "clean" in m["stale"]  # the export changed: the old tables are no longer current


def test_demo_refuses_to_overwrite_files_it_did_not_write(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    mine = data / "limesurvey_T0.csv"
    mine.write_text("my real export\n", encoding="utf-8")
    res = run_cli("demo", "--seed", "3", "--out", str(data))
    assert res.exit_code == 2 and "Traceback" not in res.output
    assert (
        "did not write" in res.output
        and "limesurvey_T0.csv" in res.output
        and "--force" in res.output
    )
    assert mine.read_text(encoding="utf-8") == "my real export\n"
    assert not (data / "msforms_T0.xlsx").exists()  # nothing half-written either
    # its own files it may replace (a rerun), foreign ones only with --force
    res = run_cli("demo", "--seed", "3", "--out", str(data), "--force")
    assert res.exit_code == 0, res.output
    assert mine.read_text(encoding="utf-8") != "my real export\n"
    assert run_cli("demo", "--seed", "3", "--out", str(data)).exit_code == 0
    record = json.loads((data / "truth" / "demo_files.json").read_text())
    assert record["files"]["limesurvey_T0.csv"] == sha256_file(mine)
    assert [p.name for p in data.iterdir() if p.name.startswith(".leerlab-demo-")] == []


def test_out_naming_a_file_is_a_usage_error(tmp_path):
    study = _study(tmp_path)
    target = tmp_path / "afile"
    target.write_text("x", encoding="utf-8")
    res = run_cli("clean", "--study", str(study), "--out", str(target))
    assert res.exit_code == 2 and "Traceback" not in res.output
    assert "is a file, not a folder" in res.output


def test_lock_is_released_after_a_run(tmp_path):
    # the lock file and manifest never enter a stage's tables
    study = _study(tmp_path, n_files=1)
    assert run_cli("clean", "--study", str(study)).exit_code == 0
    val = pd.read_csv(tmp_path / "out" / "clean" / "validation.csv")
    assert not val["source_file"].astype(str).str.contains("leerlab.lock").any()
    assert (tmp_path / "out" / ".leerlab.lock").read_text() == ""  # released and cleared
