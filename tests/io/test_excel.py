"""Microsoft Forms workbooks and generic .xlsx, built with openpyxl."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
import yaml
from io_helpers import fails
from typer.testing import CliRunner

from leerlab_research.cli import app
from leerlab_research.errors import InputFileError
from leerlab_research.io import detect_platform, excel, read_export

REPO = Path(__file__).resolve().parents[2]

MSFORMS_HEADER = [
    "ID",
    "Start time",
    "Completion time",
    "Email",
    "Name",
    "Last modified time",
    "Ik werk graag samen met collega's",
    "Welke onderwerpen?",
    "Wat ging goed?",
]


def msforms_workbook(path, rows):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    ws.append(MSFORMS_HEADER)
    for r in rows:
        ws.append(r)
    wb.save(path)


def test_msforms_xlsx(tmp_path):
    t0 = dt.datetime(2025, 8, 20, 12, 51, 45)
    rows = [
        [
            1,
            t0,
            t0 + dt.timedelta(minutes=4),
            "anonymous",
            None,
            None,
            "Mee eens",
            "A;B;C;",
            "Alles",
        ],
        [
            2,
            t0,
            t0 + dt.timedelta(minutes=9),
            "j.jansen@school.nl",
            "Joëlle Jansen",
            None,
            "Helemaal mee eens",
            "B;",
            None,
        ],
        [3, t0, t0 + dt.timedelta(minutes=2), "anonymous", "Anonymous", None, 4, None, 3.5],
    ]
    p = tmp_path / "msforms_T0.xlsx"
    msforms_workbook(p, rows)

    r = read_export(p)

    assert r.platform == "msforms"
    assert r.detected["platform_reason"] == "auto: columns ID,Start time,Completion time → msforms"
    assert r.detected["sheet"] == "Sheet1"
    assert r.detected["header_rows"] == 1
    assert r.detected["encoding"] is None and r.detected["delimiter"] is None
    np.testing.assert_array_equal(r.source_rows, [2, 3, 4])
    assert r.system == {
        "response_id": "ID",
        "started_at": "Start time",
        "submitted_at": "Completion time",
        "email": "Email",
        "name": "Name",
    }
    assert r.detected["personal_columns"] == ["Email", "Name"]
    assert "Last modified time" in r.detected["system_columns"]
    f = r.frame
    # Real Excel datetimes stay Timestamps; everything else is text.
    assert pd.api.types.is_datetime64_any_dtype(f["Start time"])
    assert f.loc[0, "Completion time"] == pd.Timestamp("2025-08-20 12:55:45")
    assert f.loc[0, "ID"] == "1"
    assert f.loc[0, "Welke onderwerpen?"] == "A;B;C;"  # multi-select left as is
    assert f.loc[2, "Ik werk graag samen met collega's"] == "4"
    assert f.loc[2, "Wat ging goed?"] == "3.5"
    assert pd.isna(f.loc[1, "Wat ging goed?"])
    assert pd.isna(f["Last modified time"]).all()
    assert r.header_text["Welke onderwerpen?"] == "Welke onderwerpen?"
    assert detect_platform(p)[0] == "msforms"


def test_generic_xlsx_sheet_choice(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Toelichting"
    ws.append(["Deze sheet is uitleg"])
    ws2 = wb.create_sheet("Data")
    ws2.append([None])  # the table starts on row 2
    ws2.append(["respondent", "lab", "AMB1", "datum"])
    ws2.append(["r1", "Zwolle", 4, dt.datetime(2024, 2, 3)])
    ws2.append(["r2", "'s-Hertogenbosch", 9, dt.datetime(2024, 2, 4)])
    p = tmp_path / "labs.xlsx"
    wb.save(p)

    r = read_export(p, sheet="Data")
    assert r.platform == "xlsx"
    assert r.detected["sheet"] == "Data"
    np.testing.assert_array_equal(r.source_rows, [3, 4])
    assert r.frame["AMB1"].tolist() == ["4", "9"]
    assert r.frame.loc[1, "datum"] == pd.Timestamp("2024-02-04")
    assert read_export(p, sheet=1).detected["sheet"] == "Data"
    # The default first sheet holds only a note: a clear header-only error.
    with pytest.raises(InputFileError, match="sheet 'Toelichting' has a header but no responses"):
        read_export(p)


def test_title_row_above_the_header_in_a_workbook_is_skipped(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["Resultaten enquête leerlab Weert, maart 2024"])
    ws.append([])
    ws.append(["respondent_id", "lab", "AMB1"])
    ws.append([1, "Weert", 4])
    ws.append([2, "Weert", 3])
    wb.save(tmp_path / "titled.xlsx")
    r = read_export(tmp_path / "titled.xlsx")
    assert list(r.frame.columns) == ["respondent_id", "lab", "AMB1"]
    np.testing.assert_array_equal(r.source_rows, [4, 5])
    warning = next(w for w in r.detected["warnings"] if "title" in w)
    assert warning.startswith("row 1 ") and "Resultaten" not in warning


def test_text_named_xlsx(tmp_path, build):
    p = tmp_path / "export.xlsx"
    p.write_bytes(build.excel_nl_csv([["a", "b"], ["1", "2"]]))
    fails(p, match=r"named '\.xlsx' but is text")


def test_zip_that_is_not_a_workbook(tmp_path):
    p = tmp_path / "export.xlsx"
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("hello.txt", "hi")
    e = fails(p, match="not an Excel .xlsx workbook")
    assert e.__cause__ is not None


def test_merged_header_cells(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["ID", "Samenwerking", None, "Score"])
    ws.append([1, "ja", "nee", 3])
    ws.merge_cells("B1:C1")
    p = tmp_path / "merged.xlsx"
    wb.save(p)
    e = fails(p, match=r"header cells B1:C1 are merged")
    assert e.row == 1 and e.column == "Samenwerking"


def test_truncated_xlsx(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.append(["ID", "Start time"])
    wb.active.append([1, 2])
    full = tmp_path / "full.xlsx"
    wb.save(full)
    p = tmp_path / "truncated.xlsx"
    p.write_bytes(full.read_bytes()[:1500])
    e = fails(p, match="damaged or incomplete")
    assert e.__cause__ is not None


def test_damaged_sheet_xml(tmp_path):
    # A valid zip whose worksheet XML is cut in half: openpyxl raises an XML
    # ParseError, which must come out as an InputFileError.
    wb = openpyxl.Workbook()
    wb.active.append(["ID", "Start time"])
    wb.active.append([1, 2])
    good = tmp_path / "good.xlsx"
    wb.save(good)
    p = tmp_path / "damaged.xlsx"
    with zipfile.ZipFile(good) as zin, zipfile.ZipFile(p, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data[: len(data) // 2]
            zout.writestr(item, data)
    e = fails(p, match="damaged and cannot be read")
    assert e.__cause__ is not None
    with pytest.raises(InputFileError, match="damaged"):
        detect_platform(p)


def test_a_bug_while_reading_a_workbook_is_no_damaged_file(tmp_path, monkeypatch):
    # Only openpyxl's own calls sit inside the handlers that turn its errors into
    # "damaged" (exit 1); an error of ours reaches the CLI as a bug (exit 3).
    wb = openpyxl.Workbook()
    wb.active.append(["ID", "Start time"])
    wb.active.append([1, 2])
    wb.save(tmp_path / "export.xlsx")
    study = tmp_path / "study.yaml"
    study.write_text(
        yaml.safe_dump(
            {
                "name": "t",
                "codebook": str(REPO / "data" / "codebook" / "reflectie.yaml"),
                "labs": str(REPO / "data" / "codebook" / "labs.yaml"),
                "sources": [{"path": "export.xlsx", "wave": "T0"}],
                "settings": {"demo_key": True},
            }
        ),
        encoding="utf-8",
    )

    def broken(*args: object, **kwargs: object) -> object:
        raise AttributeError("a bug")

    # An error that no damaged file produces, where openpyxl is called
    monkeypatch.setattr(excel.openpyxl, "load_workbook", broken)
    result = CliRunner().invoke(app, ["validate", "--study", str(study)], env={"COLUMNS": "200"})
    assert result.exit_code == 3, result.output
    assert "internal error: AttributeError: a bug" in result.output
    assert "damaged" not in result.output
    monkeypatch.undo()
    # and in our own code between openpyxl's calls (the platform sniffing of head rows)
    monkeypatch.setattr(excel, "clean_text", broken)
    with pytest.raises(AttributeError, match="a bug"):
        detect_platform(tmp_path / "export.xlsx")


def test_old_xls(tmp_path):
    p = tmp_path / "old.xls"
    p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512)
    fails(p, match=r"Excel 97-2003")


def test_unknown_sheet(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.title = "Form1"
    p = tmp_path / "f.xlsx"
    wb.save(p)
    fails(p, match="no sheet named 'Data'; sheets: Form1", sheet="Data")


def test_to_values_keeps_every_column_its_own_cells():
    # The cells of all columns are converted in one stacked column; a datetime
    # column in between (converted on its own) must not shift the text columns after it.
    t0 = dt.datetime(2024, 2, 3, 10, 15)
    raw = pd.DataFrame(
        {
            "a": [1, True, None],
            "start": [t0, None, dt.date(2024, 2, 4)],
            "b": ["x", "", 3.5],
            "leeg": [None, None, ""],
            "c": [2.0, dt.time(9, 30), t0],
        },
        dtype=object,
        index=[4, 7, 9],
    )
    out = excel.to_values(raw)
    assert list(out.columns) == ["a", "start", "b", "leeg", "c"]
    assert list(out.index) == [4, 7, 9]
    assert pd.api.types.is_datetime64_any_dtype(out["start"])
    assert out["start"].tolist()[0] == pd.Timestamp(t0) and pd.isna(out["start"].tolist()[1])
    assert out["start"].tolist()[2] == pd.Timestamp("2024-02-04")
    as_text = {c: [None if pd.isna(v) else v for v in out[c]] for c in ("a", "b", "leeg", "c")}
    assert as_text == {
        "a": ["1", "TRUE", None],
        "b": ["x", None, "3.5"],
        "leeg": [None, None, None],
        "c": ["2", "09:30:00", "2024-02-03 10:15:00"],
    }
    assert all(pd.api.types.is_string_dtype(out[c]) for c in as_text)
