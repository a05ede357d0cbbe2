"""coding/sheets.py: a damaged coding sheet is a clear error, a bug is not disguised as one."""

from __future__ import annotations

import zipfile

import openpyxl
import pandas as pd
import pytest

from leerlab_research.coding import sheets
from leerlab_research.errors import InputFileError


def _sheet(path):
    wb = openpyxl.Workbook()
    wb.active.title = "goed"
    wb.active.append(["answer_id", "antwoord"])
    wb.save(path)
    return path


def _read(path, codebook):
    return sheets.read_sheet(
        path, pd.DataFrame({"answer_id": [], "text": [], "question": []}), codebook.coding_frame
    )


def test_truncated_sheet(tmp_path, codebook):
    good = _sheet(tmp_path / "good.xlsx")
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(good.read_bytes()[:1500])
    with pytest.raises(InputFileError, match="cannot be read as an .xlsx coding sheet"):
        _read(bad, codebook)


def test_damaged_worksheet_xml(tmp_path, codebook):
    # The sheet's rows are parsed when the workbook is opened, inside the handler
    # (read-only mode parsed them later, where a ParseError became exit 3).
    good = _sheet(tmp_path / "good.xlsx")
    bad = tmp_path / "bad.xlsx"
    with zipfile.ZipFile(good) as zin, zipfile.ZipFile(bad, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data[: len(data) // 2]
            zout.writestr(item, data)
    with pytest.raises(InputFileError, match="cannot be read as an .xlsx coding sheet"):
        _read(bad, codebook)


def test_a_bug_is_not_reported_as_a_bad_sheet(tmp_path, codebook, monkeypatch):
    def broken(*args, **kwargs):
        raise AttributeError("a bug")

    monkeypatch.setattr(sheets, "load_workbook", broken)
    with pytest.raises(AttributeError, match="a bug"):
        _read(_sheet(tmp_path / "good.xlsx"), codebook)
