"""Generic delimited text: Dutch Excel CSV (cp1252, ';', decimal comma, d-m-y dates)."""

from __future__ import annotations

import numpy as np
import pandas as pd

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
