"""The clean and validate stages through the CLI (cleaning/stage.py): an unreadable
export is named once with exit 1 and no traceback, validation is lazy across files,
and a failed run writes nothing and keeps the previous outputs.

Every broken file is built here, in the test.
"""

from __future__ import annotations

import io
import zipfile

import pandas as pd
import pytest
from cleaning_helpers import (
    HEADER_ONLY,
    assert_failed,
    dutch_frame,
    run_cli,
    study_with_file,
    write_dutch_csv,
    write_study,
    xlsx_bytes,
)


def test_unreadable_file_is_named_once_in_the_message(tmp_path):
    (tmp_path / "leeg.csv").write_bytes(b"")
    study = write_study(tmp_path, [{"path": "leeg.csv", "wave": "T0"}])
    result = run_cli("validate", "--study", str(study))
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "file 'leeg.csv': the file is empty" in result.output
    assert "file 'leeg.csv': file 'leeg.csv'" not in result.output
    val = pd.read_csv(tmp_path / "out" / "clean" / "validation.csv")
    assert val.loc[0, "message"].startswith("the file is empty")


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
    study = study_with_file(tmp_path, name, data, platform)
    for cmd in ("clean", "validate") if name == "empty.csv" else ("clean",):
        result = run_cli(cmd, "--study", str(study))
        assert_failed(result, tmp_path / "out", name)


def test_utf16_export(tmp_path):
    df = dutch_frame(5)
    write_dutch_csv(df, tmp_path / "utf16.csv", encoding="utf-16")
    study = write_study(tmp_path, [{"path": "utf16.csv", "platform": "csv", "wave": "T0"}])
    result = run_cli("clean", "--study", str(study))
    assert_failed(result, tmp_path / "out", "utf16.csv", "UTF-16")


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
    assert_failed(result, tmp_path / "out", "merged.xlsx")


def test_truncated_xlsx(tmp_path):
    data = xlsx_bytes(dutch_frame(20))
    study = study_with_file(tmp_path, "cut.xlsx", data[: len(data) // 2])
    result = run_cli("clean", "--study", str(study))
    assert_failed(result, tmp_path / "out", "cut.xlsx")


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
    study = study_with_file(tmp_path, "fake.xlsx", buf.getvalue())
    result = run_cli("clean", "--study", str(study))
    assert_failed(result, tmp_path / "out", "fake.xlsx")
