"""Keys that really protect (issue 11 §3): demo key, weak keys, changed keys, masked values.

Every situation is built as a user meets it and run through the CLI where it is
CLI behaviour: message, exit code, no traceback.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest
from cleaning_helpers import REPO, dutch_frame, runner, write_dutch_csv, write_study

from leerlab_research.cleaning.audit import Failures, looks_like_name
from leerlab_research.cli import app
from leerlab_research.config.keys import (
    DEMO_PSEUDONYM_KEY,
    key_fingerprint,
    non_secret_env_problem,
    resolve_key,
)

GOOD_KEY = "a-secret-key-of-32-bytes-for-tests"


def _cli(*args: str, key: str | None = None):
    return runner.invoke(app, list(args), env={"COLUMNS": "200", "LEERLAB_PSEUDONYM_KEY": key})


def _study(tmp_path, settings: dict | None = None):
    write_dutch_csv(dutch_frame(12), tmp_path / "lab_T0.csv")
    return write_study(
        tmp_path, [{"path": "lab_T0.csv", "platform": "csv", "wave": "T0"}], settings
    )


@pytest.mark.parametrize("env", ["HOME", "PATH", "USER", "PWD", "SHELL", "LANG", "LC_ALL", "home"])
def test_non_secret_key_variable_refused_at_load_with_yaml_path(tmp_path, env):
    study = _study(tmp_path, {"pseudonym_key_env": env})
    res = _cli("validate", "--study", str(study), key=GOOD_KEY)
    assert res.exit_code == 2 and "Traceback" not in res.output
    assert "settings.pseudonym_key_env" in res.output
    assert "no secret" in res.output
    assert not (tmp_path / "out" / "clean").exists()


def test_own_key_variable_accepted():
    assert non_secret_env_problem("LEERLAB_PSEUDONYM_KEY") is None
    assert non_secret_env_problem("MY_PROJECT_KEY") is None


def test_empty_key_variable_is_an_error_not_the_demo_key(tmp_path):
    study = _study(tmp_path)  # demo_key: true, yet an empty variable is a mistake
    res = _cli("clean", "--study", str(study), key="")
    assert res.exit_code == 2 and "Traceback" not in res.output
    assert "LEERLAB_PSEUDONYM_KEY is set but empty" in res.output
    assert not (tmp_path / "out" / "clean" / "responses.parquet").exists()


def test_short_key_refused(tmp_path):
    study = _study(tmp_path)
    res = _cli("clean", "--study", str(study), key="s3cret-15-bytes")
    assert res.exit_code == 2 and "Traceback" not in res.output
    assert "is 15 bytes" in res.output and "at least 16 bytes" in res.output


def test_unset_key_without_demo_key_refused(tmp_path):
    study = _study(tmp_path, {"demo_key": False})
    res = _cli("clean", "--study", str(study), key=None)
    assert res.exit_code == 2 and "Traceback" not in res.output
    assert "LEERLAB_PSEUDONYM_KEY is not set" in res.output


def test_demo_key_on_real_data_warns_everywhere(tmp_path):
    study = _study(tmp_path)
    res = _cli("clean", "--study", str(study), key=None)
    assert res.exit_code == 0, res.output
    assert "Traceback" not in res.output
    # stdout (CliRunner keeps stdout apart from stderr)
    assert "WARNING: the public demo key" in res.stdout and "lab_T0.csv" in res.stdout
    log = pd.read_csv(tmp_path / "out" / "clean" / "cleaning_log.csv")
    assert log["detail"].str.contains("WARNING: the public demo key").any()
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["pseudonym_key"]["demo_key"] is True
    assert manifest["pseudonym_key"]["non_demo_sources"] == ["lab_T0.csv"]
    assert "public demo key" in manifest["pseudonym_key"]["warning"]
    assert DEMO_PSEUDONYM_KEY not in json.dumps(manifest)


def test_demo_key_is_silent_on_the_bundled_demo_exports(tmp_path):
    data = tmp_path / "data"
    res = _cli("demo", "--seed", "3", "--out", str(data))
    assert res.exit_code == 0, res.output
    sources = [(f"x/{p.name}", p) for p in sorted(data.glob("*_T0.*"))]
    info = resolve_key("study.yaml", "LEERLAB_TEST_UNSET_KEY", True, sources)
    assert info.demo and info.non_demo_sources == () and info.warning is None
    # one changed byte and the file is no longer the demo's
    target = data / "excel_nl_T0.csv"
    target.write_bytes(target.read_bytes() + b"\r\n")
    info = resolve_key("study.yaml", "LEERLAB_TEST_UNSET_KEY", True, sources)
    assert info.non_demo_sources == ("x/excel_nl_T0.csv",)
    assert "x/excel_nl_T0.csv" in info.warning


def test_demo_key_in_the_variable_counts_as_the_demo_key(tmp_path, monkeypatch):
    monkeypatch.setenv("LEERLAB_TEST_KEY_VAR", DEMO_PSEUDONYM_KEY)
    info = resolve_key("s.yaml", "LEERLAB_TEST_KEY_VAR", False, [("a.csv", tmp_path / "a.csv")])
    assert info.demo and info.warning is not None


def test_fingerprint_is_an_hmac_not_the_key():
    fp = key_fingerprint(GOOD_KEY.encode())
    assert len(fp) == 16 and GOOD_KEY not in fp
    assert fp == key_fingerprint(GOOD_KEY.encode()) != key_fingerprint(b"another-key-of-16-bytes")


def test_rerun_with_another_key_refused(tmp_path):
    study = _study(tmp_path)
    res = _cli("clean", "--study", str(study), key=GOOD_KEY)
    assert res.exit_code == 0, res.output
    before = (tmp_path / "out" / "clean" / "responses.parquet").read_bytes()
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["pseudonym_key"]["fingerprint"] == key_fingerprint(GOOD_KEY.encode())
    assert GOOD_KEY not in json.dumps(manifest)
    res = _cli("clean", "--study", str(study), key="another-secret-key-of-some-length")
    assert res.exit_code == 2 and "Traceback" not in res.output
    assert "another pseudonym key" in res.output and "waves could no longer be linked" in res.output
    assert (tmp_path / "out" / "clean" / "responses.parquet").read_bytes() == before
    # the same key again is fine
    res = _cli("clean", "--study", str(study), key=GOOD_KEY)
    assert res.exit_code == 0, res.output


# ------------------------------------------------------------------ validation.csv
@pytest.mark.parametrize(
    "text, expected",
    [
        ("Jan de Vries", True),
        ("Fatima El Amrani", True),
        ("Anne-Marie van 't Hof", True),
        ("docent", False),
        ("Docent", False),
        ("mee eens", False),
        ("HAVO 4", False),
        ("7", False),
    ],
)
def test_looks_like_name(text, expected):
    assert looks_like_name(text) is expected


def test_failure_values_masked_in_personal_columns_and_when_name_or_phone():
    f = Failures()
    f.personal["x.csv"] = {"Naam", "open_goed"}
    f.add("x.csv", "r", "bad value 'Piet'", row=2, column="Naam", value="Piet")
    f.add("x.csv", "r", "too long", row=3, column="open_goed", value="goed werk, groet Kees")
    f.add(
        "x.csv",
        "unknown_role",
        "unknown role 'Jan de Vries'",
        row=4,
        column="Rol",
        value="Jan de Vries",
    )
    f.add("x.csv", "unknown_role", "unknown role", row=5, column="Rol", value="bel mij 06-12345678")
    f.add("x.csv", "unknown_role", "unknown role", row=6, column="Rol", value="conciërge")
    df = f.frame()
    assert list(df["value"]) == [
        "<persoonlijk>",
        "<persoonlijk>",
        "<naam?>",
        "bel mij <telefoon>",
        "conciërge",
    ]
    text = df.to_csv()
    for secret in ("Piet", "Kees", "Jan de Vries", "12345678"):
        assert secret not in text


def test_validation_csv_masks_names_phones_and_free_text(tmp_path):
    df = dutch_frame(12)
    df.loc[2, "Rol"] = "Jan de Vries"
    df.loc[3, "Rol"] = "06-12345678"
    df.loc[4, "Leerlab"] = "mail piet@school.example"
    study_path = write_study(tmp_path, [{"path": "lab_T0.csv", "platform": "csv", "wave": "T0"}])
    write_dutch_csv(df, tmp_path / "lab_T0.csv")
    res = _cli("validate", "--study", str(study_path), key=GOOD_KEY)
    assert res.exit_code == 1 and "Traceback" not in res.output
    text = (tmp_path / "out" / "clean" / "validation.csv").read_text(encoding="utf-8")
    for secret in ("Jan de Vries", "12345678", "piet@school.example"):
        assert secret not in text and secret not in res.output
    val = pd.read_csv(tmp_path / "out" / "clean" / "validation.csv")
    assert {"<naam?>", "<telefoon>"} <= set(val["value"].dropna())


def test_methods_report_warns_on_its_first_page(tmp_path):
    from leerlab_research.config.study import load_study
    from leerlab_research.report.context import ReportData

    study = _study(tmp_path)
    res = _cli("clean", "--study", str(study), key=None)
    assert res.exit_code == 0, res.output
    data = ReportData(study=load_study(study), out=tmp_path / "out", lang="nl")
    text = data.key_warning()
    assert text.startswith("**WAARSCHUWING") and "`lab_T0.csv`" in text
    assert "public demo key" in ReportData(study=data.study, out=data.out, lang="en").key_warning()
    template = (REPO / "reports" / "methods-report.qmd").read_text(encoding="utf-8")
    first_output = template.index("print(", template.index("ReportData.load"))
    assert template[first_output:].startswith("print(R.key_warning())")
    # a secret key: no warning
    other = tmp_path / "second"
    other.mkdir()
    study2 = _study(other)
    assert _cli("clean", "--study", str(study2), key=GOOD_KEY).exit_code == 0
    assert ReportData(study=load_study(study2), out=other / "out", lang="nl").key_warning() == ""
