"""Bad input through the CLI: a clear message naming file/row/column/value, exit 1 or 2,
no traceback, and no clean table written.

Every broken file is built here, in the test.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from cleaning_helpers import dutch_frame, run_cli, write_dutch_csv, write_study


def _assert_failed(result, out: Path, *needles: str) -> None:
    text = result.output
    assert result.exit_code in (1, 2), text
    assert "Traceback" not in text
    for needle in needles:
        assert needle in text, f"{needle!r} not in output:\n{text}"
    assert not (out / "clean" / "responses.csv").exists()
    assert not (out / "clean" / "responses.parquet").exists()


def _study_with_file(tmp_path: Path, name: str, data: bytes, platform: str = "auto") -> Path:
    (tmp_path / name).write_bytes(data)
    return write_study(tmp_path, [{"path": name, "platform": platform, "wave": "T0"}])


def _xlsx_bytes(df: pd.DataFrame) -> bytes:
    buf = io.BytesIO()
    df.to_excel(buf, index=False)
    return buf.getvalue()


HEADER_ONLY = ";".join(dutch_frame(1).columns).encode("cp1252") + b"\r\n"


@pytest.mark.parametrize(
    ("name", "data", "platform"),
    [
        ("empty.csv", b"", "auto"),
        ("header_only.csv", HEADER_ONLY, "auto"),
        ("binary.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4, "auto"),
        ("renamed_zip.csv", b"PK\x03\x04" + b"\x00" * 200, "auto"),
        ("not_spss.sav", b"Respondentnummer;Leerlab\r\n1;Weert\r\n", "spss"),
    ],
    ids=["empty", "header-only", "binary", "renamed-zip", "text-as-sav"],
)
def test_unreadable_files(tmp_path, name, data, platform):
    study = _study_with_file(tmp_path, name, data, platform)
    for cmd in ("clean", "validate") if name == "empty.csv" else ("clean",):
        result = run_cli(cmd, "--study", str(study))
        _assert_failed(result, tmp_path / "out", name)


def test_utf16_export(tmp_path):
    df = dutch_frame(5)
    write_dutch_csv(df, tmp_path / "utf16.csv", encoding="utf-16")
    study = write_study(tmp_path, [{"path": "utf16.csv", "platform": "csv", "wave": "T0"}])
    result = run_cli("clean", "--study", str(study))
    _assert_failed(result, tmp_path / "out", "utf16.csv", "UTF-16")


def test_merged_header_cells_in_excel(tmp_path):
    from openpyxl import Workbook

    df = dutch_frame(5)
    wb = Workbook()
    ws = wb.active
    ws.append(list(df.columns))
    for rec in df.itertuples(index=False):
        ws.append(list(rec))
    ws.merge_cells("D1:E1")  # 'Leerlab' spans the 'Schooltype' column
    wb.save(tmp_path / "merged.xlsx")
    study = write_study(tmp_path, [{"path": "merged.xlsx", "platform": "auto", "wave": "T0"}])
    result = run_cli("clean", "--study", str(study))
    _assert_failed(result, tmp_path / "out", "merged.xlsx")


def test_truncated_xlsx(tmp_path):
    data = _xlsx_bytes(dutch_frame(20))
    study = _study_with_file(tmp_path, "cut.xlsx", data[: len(data) // 2])
    result = run_cli("clean", "--study", str(study))
    _assert_failed(result, tmp_path / "out", "cut.xlsx")


def test_unknown_column_is_reported_by_name(tmp_path, dutch_study):
    df = dutch_frame(20)
    df["Lievelingskleur"] = "blauw"
    study = dutch_study({"x_T0.csv": df})
    result = run_cli("clean", "--study", str(study))
    _assert_failed(result, tmp_path / "out", "x_T0.csv", "Lievelingskleur", "unknown_column")
    # ... and the study can say to ignore it.
    study = dutch_study(
        {"x_T0.csv": df}, settings={"cleaning": {"ignore_columns": ["Lievelingskleur"]}}
    )
    ok = run_cli("clean", "--study", str(study))
    assert ok.exit_code == 0, ok.output


def test_unknown_lab_names_file_row_column_value(tmp_path, dutch_study):
    df = dutch_frame(20)
    df.loc[6, "Leerlab"] = "Atlantis"
    study = dutch_study({"lab_T0.csv": df})
    result = run_cli("clean", "--study", str(study))
    # data row 6 is spreadsheet row 8 (header = row 1, first data row = 2)
    _assert_failed(
        result, tmp_path / "out", "lab_T0.csv", "row 8", "column 'Leerlab'", "'Atlantis'"
    )


def test_out_of_range_value(tmp_path, dutch_study):
    df = dutch_frame(20)
    df.loc[2, "BEL2"] = "7"
    study = dutch_study({"r_T0.csv": df})
    result = run_cli("clean", "--study", str(study))
    _assert_failed(
        result, tmp_path / "out", "r_T0.csv", "row 4", "column 'BEL2'", "'7'", "out of range"
    )


def test_unknown_answer_label_is_not_a_silent_nan(tmp_path, dutch_study):
    df = dutch_frame(20)
    df.loc[0, "INH1"] = "Soms"
    study = dutch_study({"l_T0.csv": df})
    result = run_cli("clean", "--study", str(study))
    _assert_failed(result, tmp_path / "out", "l_T0.csv", "row 2", "column 'INH1'", "'Soms'")


def test_duplicate_ids_across_files(tmp_path, dutch_study):
    a = dutch_frame(20, seed=1)
    b = dutch_frame(20, seed=2, first_id=10015)  # ids 10015-10019 also in a
    study = dutch_study({"a_T0.csv": a, "b_T0.csv": b})
    result = run_cli("clean", "--study", str(study))
    _assert_failed(result, tmp_path / "out", "b_T0.csv", "a_T0.csv", "duplicate_id_across_files")
    # Never the raw respondent number in the message: only the pseudonym.
    assert "10015" not in result.output


def test_missing_required_column(tmp_path, dutch_study):
    df = dutch_frame(10).drop(columns=["Rol"])
    study = dutch_study({"m_T0.csv": df})
    result = run_cli("clean", "--study", str(study))
    _assert_failed(result, tmp_path / "out", "m_T0.csv", "role", "missing_column")


def test_validate_is_lazy_across_files(tmp_path, dutch_study):
    """Every failure in every file is collected before stopping, and validation.csv lists them."""
    a = dutch_frame(20, seed=1)
    a.loc[1, "Leerlab"] = "Atlantis"
    a.loc[2, "AMB1"] = "6"
    b = dutch_frame(20, seed=2, first_id=20001)
    b.loc[3, "Schooltype"] = "havo"
    b["Extra vraag"] = "x"
    study = dutch_study({"a_T0.csv": a, "b_T1.csv": b})
    result = run_cli("validate", "--study", str(study))
    assert result.exit_code == 1, result.output
    table = pd.read_csv(tmp_path / "out" / "clean" / "validation.csv")
    errors = table[table["severity"] == "error"]
    got = set(zip(errors["source_file"], errors["rule"], strict=True))
    assert got == {
        ("a_T0.csv", "unknown_lab"),
        ("a_T0.csv", "invalid_item_value"),
        ("b_T1.csv", "invalid_school_type"),
        ("b_T1.csv", "unknown_column"),
    }
    assert list(table.columns[:6]) == [
        "source_file",
        "source_row",
        "column",
        "value",
        "rule",
        "message",
    ]
    assert not (tmp_path / "out" / "clean" / "responses.csv").exists()


def test_failure_in_a_test_row_does_not_block(tmp_path, dutch_study):
    """A test row with lab 'TEST' is excluded as test before lab validation."""
    df = dutch_frame(20)
    df.loc[4, ["Leerlab", "Naam"]] = ["TEST", "Test"]
    df.loc[5, ["Leerlab", "Toestemming"]] = ["Atlantis", "Nee"]  # excluded for no consent anyway
    study = dutch_study({"t_T0.csv": df})
    result = run_cli("clean", "--study", str(study))
    assert result.exit_code == 0, result.output
    excl = pd.read_csv(tmp_path / "out" / "clean" / "exclusions.csv")
    assert dict(zip(excl["source_row"], excl["reason"], strict=True)) == {
        6: "test",
        7: "no_consent",
    }
    val = pd.read_csv(tmp_path / "out" / "clean" / "validation.csv")
    assert set(val["severity"]) == {"excluded"}


def test_failed_clean_keeps_previous_outputs(tmp_path, dutch_study):
    """A failed run leaves the previous good outputs untouched (and writes nothing new)."""
    good = dutch_frame(20)
    study = dutch_study({"g_T0.csv": good})
    assert run_cli("clean", "--study", str(study)).exit_code == 0
    clean = tmp_path / "out" / "clean"
    before = {p.name: p.read_bytes() for p in clean.iterdir()}
    bad = good.copy()
    bad.loc[0, "AMB1"] = "8"
    write_dutch_csv(bad, tmp_path / "g_T0.csv")
    result = run_cli("clean", "--study", str(study))
    assert result.exit_code == 1
    after = {p.name: p.read_bytes() for p in clean.iterdir()}
    assert after == before


def test_zip_not_xlsx_named_xlsx(tmp_path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("hello.txt", "not a workbook")
    study = _study_with_file(tmp_path, "fake.xlsx", buf.getvalue())
    result = run_cli("clean", "--study", str(study))
    _assert_failed(result, tmp_path / "out", "fake.xlsx")
