"""Regressions from an adversarial review of the readers with messy real-world exports.

Every file is built here, laid out like the export it imitates.
"""

from __future__ import annotations

import numpy as np
import pytest

from leerlab_research.errors import InputFileError
from leerlab_research.io import detect_platform, read_export


def test_dutch_google_forms_dates_are_day_first(tmp_path, build):
    # Google Sheets in nl-NL writes 4-3-2024 9:09:00 (d-m-y with '-') in a ',' UTF-8 file.
    # No day is above 12, no decimal comma, no ';': it used to be read as 3 April.
    rows = [
        ["Tijdstempel", "E-mailadres", "Leerlab"],
        ["4-3-2024 9:09:00", "a@school.example", "Weert"],
        ["5-3-2024 11:30:00", "b@school.example", "Weert"],
    ]
    p = tmp_path / "google_nl.csv"
    p.write_bytes(build.plain_csv(rows))
    r = read_export(p)
    assert r.platform == "googleforms"
    assert r.detected["dayfirst"] is True
    assert r.detected["dayfirst_reason"].startswith("locale hint")
    assert "'-'" in r.detected["dayfirst_reason"]
    assert r.detected["date_format"] == "%d-%m-%Y %H:%M:%S"
    assert any("cannot be proven" in w for w in r.detected["warnings"])


def test_semicolon_utf8_excel_csv_is_day_first(tmp_path):
    # Excel "CSV UTF-8" on a Dutch machine: BOM + ';', whole numbers only (no decimal
    # comma to hint at the locale), dates with '/': the ';' alone says Dutch Excel.
    text = "id;datum;AMB1\r\n1;4/3/2024;4\r\n2;5/3/2024;2\r\n"
    p = tmp_path / "utf8_semicolon.csv"
    p.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    r = read_export(p)
    assert r.detected["delimiter"] == ";" and r.detected["decimal"] == "."
    assert r.detected["dayfirst"] is True
    assert "';' list separator" in r.detected["dayfirst_reason"]


def test_us_slash_dates_in_comma_file_stay_month_first_with_a_warning(tmp_path, build):
    rows = [["ID", "Start time", "x"], ["1", "3/4/24 9:05:00", "a"], ["2", "3/5/24 10:00:00", "b"]]
    p = tmp_path / "forms_us.csv"
    p.write_bytes(build.plain_csv(rows))
    r = read_export(p)
    assert r.detected["dayfirst"] is False
    assert r.detected["date_format"] == "%m/%d/%y %H:%M:%S"
    assert any("month-first" in w and "cannot be proven" in w for w in r.detected["warnings"])


def test_file_with_only_the_excel_sep_line(tmp_path):
    p = tmp_path / "sep_only.csv"
    p.write_bytes(b"sep=;\r\n")
    with pytest.raises(InputFileError) as err:
        read_export(p)
    msg = str(err.value)
    assert "sep_only.csv" in msg and "sep=" in msg and "no header" in msg
    with pytest.raises(InputFileError):
        detect_platform(p)


def test_pipe_separated_file_is_refused_with_a_clear_message(tmp_path):
    p = tmp_path / "database.csv"
    p.write_bytes(b"respondent_id|lab|AMB1\n1|Weert|4\n2|Weert|3\n")
    with pytest.raises(InputFileError) as err:
        read_export(p)
    msg = str(err.value)
    assert "database.csv" in msg and "'|' (pipe)" in msg and "row 1" in msg


def test_header_row_repeated_inside_the_data_is_skipped(tmp_path, build):
    # Two exports pasted into one file: the second header became a data row.
    header = ["respondent_id", "lab", "AMB1"]
    rows = [header, ["1", "Weert", "4"], ["2", "Weert", "3"], header, ["3", "Gorinchem", "2"]]
    p = tmp_path / "pasted.csv"
    p.write_bytes(build.plain_csv(rows))
    r = read_export(p)
    assert list(r.frame["respondent_id"]) == ["1", "2", "3"]
    np.testing.assert_array_equal(r.source_rows, [2, 3, 5])
    assert any("repeat the header row" in w and "[4]" in w for w in r.detected["warnings"])
    # Only repeated headers: no responses at all.
    p.write_bytes(build.plain_csv([header, header, header]))
    with pytest.raises(InputFileError, match="repeats the header"):
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
