"""Generic delimited text: Dutch Excel CSV (cp1252, ';', decimal comma, d-m-y dates)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from io_helpers import fails

from leerlab_research.errors import InputFileError
from leerlab_research.io import detect_platform, read_export

DUTCH = [
    ["Naam", "Lab", "Datum", "Score", "AMB1", "Opmerking"],
    ["Joëlle", "'s-Hertogenbosch", "03-02-2024", "3,5", "4", "Goed; echt"],
    ["Piet", "Amsterdam IJburg", "04-02-2024 10:15", "2,0", "9", ""],
    ["Ĳsbrand", "Zwolle", "05-02-2024", "", "", "café"],
]


def test_dutch_excel_csv(tmp_path, build):
    p = tmp_path / "excel_nl_T0.csv"
    raw = build.excel_nl_csv([[c.replace("Ĳ", "IJ") for c in r] for r in DUTCH])
    assert b"Jo\xeblle" in raw  # cp1252 ë
    p.write_bytes(raw)

    r = read_export(p)

    assert r.platform == "csv"
    assert r.detected["platform_reason"] == "auto: no platform signature columns → generic csv"
    assert r.detected["encoding"] == "cp1252" and r.detected["bom"] is False
    assert r.detected["delimiter"] == ";"
    assert r.detected["decimal"] == ","
    # 03-02-2024 alone is ambiguous: the ';' + cp1252 + decimal comma locale hint decides.
    assert r.detected["dayfirst"] is True
    assert r.detected["dayfirst_reason"].startswith("locale hint")
    assert r.detected["date_format"] == "%d-%m-%Y"
    np.testing.assert_array_equal(r.source_rows, [2, 3, 4])
    assert r.system == {}
    f = r.frame
    assert f.loc[0, "Naam"] == "Joëlle"
    assert f.loc[0, "Score"] == "3,5"  # text: nothing converted
    assert f.loc[0, "Opmerking"] == "Goed; echt"
    assert f.loc[0, "Lab"] == "'s-Hertogenbosch"
    assert f.loc[1, "AMB1"] == "9"
    assert pd.isna(f.loc[1, "Opmerking"]) and pd.isna(f.loc[2, "Score"])
    assert f.loc[2, "Opmerking"] == "café"


def test_dayfirst_proven_by_day_over_12(tmp_path, build):
    rows = [["id", "datum"], ["1", "03/02/2024"], ["2", "25/12/2023"]]
    p = tmp_path / "d.csv"
    p.write_bytes(build.plain_csv(rows))  # UTF-8 ',' file: no locale hint
    r = read_export(p)
    assert r.detected["encoding"] == "utf-8"
    assert r.detected["dayfirst"] is True
    assert r.detected["dayfirst_reason"] == "a date has a first field > 12"
    assert r.detected["date_format"] == "%d/%m/%Y"


def test_monthfirst_and_tab(tmp_path, build):
    rows = [
        ["id", "when", "x"],
        ["1", "9/25/2023 18:05:12", "1.5"],
        ["2", "9/9/2026 18:05:12", "2"],
    ]
    p = tmp_path / "t.tsv"
    p.write_bytes(build.plain_csv(rows, sep="\t"))
    r = read_export(p)
    assert r.detected["delimiter"] == "\t"
    assert r.detected["dayfirst"] is False
    assert r.detected["decimal"] == "."
    assert r.detected["date_format"] == "%m/%d/%Y %H:%M:%S"


def test_utf8_bom_dutch_and_nfd_header(tmp_path):
    # Excel "CSV UTF-8": BOM + ';'. A decomposed ë in a header becomes NFC.
    text = "Naam;Geëvalueerd;Score\r\nJoëlle;ja;3,5\r\n".replace("ë", "e\u0308", 2)
    p = tmp_path / "u.csv"
    p.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    r = read_export(p)
    assert r.detected["encoding"] == "utf-8-sig"
    assert list(r.frame.columns) == ["Naam", "Geëvalueerd", "Score"]
    assert r.detected["decimal"] == ","
    assert r.detected["dayfirst"] is True  # ';' + decimal comma hint


def test_duplicate_blank_headers_and_blank_rows(tmp_path, build):
    rows = [["id", "Q1", "Q1", ""], ["1", "a", "b", ""], ["", "", "", ""], ["2", "c", "d", ""]]
    p = tmp_path / "dup.csv"
    p.write_bytes(build.plain_csv(rows))
    r = read_export(p)
    assert list(r.frame.columns) == ["id", "Q1", "Q1__2"]
    assert r.detected["duplicate_headers"] == {"Q1__2": "Q1"}
    np.testing.assert_array_equal(r.source_rows, [2, 4])  # the blank row 3 is skipped
    warnings = " | ".join(r.detected["warnings"])
    assert "Q1__2" in warnings and "empty row" in warnings and "unnamed_D" in warnings
    assert detect_platform(p) == ("csv", "auto: no platform signature columns → generic csv")


def test_excel_sep_line_and_leading_blank_line(tmp_path):
    # Excel's "sep=;" directive is not a row; a blank line before the header is.
    p = tmp_path / "sep.csv"
    p.write_bytes(b"sep=;\r\n\r\nid;Q1\r\n1;3,5\r\n2;4\r\n")
    r = read_export(p)
    assert r.detected["delimiter"] == ";"
    assert r.detected["delimiter_method"] == "Excel 'sep=' line"
    assert list(r.frame.columns) == ["id", "Q1"]
    np.testing.assert_array_equal(r.source_rows, [3, 4])


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


def test_header_only_csv(tmp_path, build):
    p = tmp_path / "header.csv"
    p.write_bytes(build.limesurvey_csv([["id", "submitdate", "lastpage", "startlanguage"]]))
    fails(p, match="header but no responses")


@pytest.mark.parametrize(
    "encoding,bom",
    [("utf-16", True), ("utf-16-le", False), ("utf-16-be", False)],
)
def test_utf16_reported(tmp_path, encoding, bom):
    p = tmp_path / "unicode.csv"
    p.write_bytes("Naam\tScore\r\nJoëlle\t3,5\r\n".encode(encoding))
    assert p.read_bytes()[:2] in (b"\xff\xfe", b"\xfe\xff") or not bom
    fails(p, match="UTF-16.*save it again as 'CSV UTF-8")


def test_ragged_row_too_long(tmp_path, build):
    rows = [
        ["id", "submitdate", "lastpage", "startlanguage"],
        ["1", "2024-03-05 14:22:31", "3", "nl"],
        ["2", "2024-03-05 14:22:31", "3", "nl", "extra"],
    ]
    p = tmp_path / "ragged.csv"
    p.write_bytes(build.limesurvey_csv(rows))
    e = fails(p, match="has 5 fields but the header has 4")
    assert e.row == 3 and "row 3" in str(e)


def test_ragged_row_too_short(tmp_path, build):
    rows = [["Naam", "Lab", "Score"], ["Joëlle", "Zwolle", "3,5"], ["Piet", "Ede", "2"], ["Kees"]]
    p = tmp_path / "short.csv"
    p.write_bytes(b"\r\n" + build.excel_nl_csv(rows))  # a blank first line counts as a row
    e = fails(p, match="has 1 field but the header has 3; the row was probably cut off")
    assert e.row == 5


def test_unclosed_quote(tmp_path):
    p = tmp_path / "quote.csv"
    p.write_bytes(b'id,opmerking\r\n1,goed\r\n2,"te kort\r\n3,prima\r\n')
    e = fails(p, match="never closed")
    assert e.row == 3


def test_invalid_utf8_after_bom(tmp_path):
    p = tmp_path / "mixed.csv"
    p.write_bytes(b"\xef\xbb\xbfNaam,Score\r\nJo\xeblle,3\r\n")
    e = fails(p, match="not UTF-8")
    assert e.row == 2
