"""LimeSurvey CSV exports: code, ExpressionScript, full-text and code+text headings."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from leerlab_research.io import detect_platform, read_export

CODE_ROWS = [
    [
        "id",
        "submitdate",
        "lastpage",
        "startlanguage",
        "seed",
        "token",
        "startdate",
        "datestamp",
        "ipaddr",
        "refurl",
        "Q1[SQ001]",
        "Q1[SQ002]",
        "Q3[other]",
        "open_goed",
    ],
    [
        "1",
        "2024-03-05 14:22:31",
        "3",
        "nl",
        "1234567",
        "tok1",
        "2024-03-05 14:10:02",
        "2024-03-05 14:22:31",
        "192.0.2.1",
        "",
        "A1",
        "A5",
        None,
        'Zei "prima"\ngoed',
    ],
    # incomplete response: submitdate NULL (unquoted empty), unanswered '' and NULL
    [
        "2",
        None,
        "1",
        "nl-informal",
        "7654321",
        "tok2",
        "2024-03-06 09:00:00",
        "2024-03-06 09:01:10",
        "192.0.2.2",
        "",
        "",
        None,
        None,
        None,
    ],
    [
        "3",
        "2024-03-07 10:00:00",
        "3",
        "nl",
        "1",
        "tok3",
        "2024-03-07 09:50:00",
        "2024-03-07 10:00:00",
        "192.0.2.3",
        "",
        "A9",
        "A2",
        "Joëlle",
        "",
    ],
]


def test_code_headings_bom_quoted_crlf(tmp_path, build):
    p = tmp_path / "survey_123.csv"
    raw = build.limesurvey_csv(CODE_ROWS)
    assert raw.startswith(b"\xef\xbb\xbf") and raw.endswith(b"\r\n\r\n")
    p.write_bytes(raw)

    r = read_export(p)

    assert r.platform == "limesurvey"
    assert r.detected["platform_reason"] == (
        "auto: columns id,submitdate,lastpage,startlanguage → limesurvey"
    )
    assert r.detected["encoding"] == "utf-8-sig" and r.detected["bom"] is True
    assert r.detected["delimiter"] == ","
    assert r.detected["header_rows"] == 1
    assert r.detected["decimal"] == "."
    assert r.detected["dayfirst"] is False
    assert r.detected["date_format"] == "%Y-%m-%d %H:%M:%S"
    assert r.detected["heading_mode"] == "code, Q[SQ] form"
    assert r.detected["warnings"] == []
    assert list(r.frame.columns) == CODE_ROWS[0]  # BOM gone from 'id'
    np.testing.assert_array_equal(r.source_rows, [2, 3, 4])  # extra CRLF adds no row
    assert r.system == {
        "response_id": "id",
        "submitted_at": "submitdate",
        "last_page": "lastpage",
        "language": "startlanguage",
        "token": "token",
        "started_at": "startdate",
        "ip": "ipaddr",
    }
    assert set(r.detected["system_columns"]) == set(CODE_ROWS[0][:10])
    assert set(r.detected["personal_columns"]) == {"token", "ipaddr"}
    f = r.frame
    # Everything stays text; '' and NULL both become NaN.
    assert f.loc[0, "Q1[SQ001]"] == "A1"
    assert f.loc[0, "lastpage"] == "3"
    assert pd.isna(f.loc[1, "submitdate"]) and pd.isna(f.loc[1, "Q1[SQ001]"])
    assert f.loc[0, "open_goed"] == 'Zei "prima"\ngoed'
    assert f.loc[2, "Q3[other]"] == "Joëlle"
    assert pd.isna(f["refurl"]).all()
    assert detect_platform(p) == ("limesurvey", r.detected["platform_reason"])


def test_expressionscript_headings_semicolon(tmp_path, build):
    rows = [[h.replace("[", "_").replace("]", "") for h in CODE_ROWS[0]]] + CODE_ROWS[1:]
    p = tmp_path / "em.csv"
    p.write_bytes(build.limesurvey_csv(rows, sep=";"))
    r = read_export(p)
    assert r.platform == "limesurvey"
    assert r.detected["delimiter"] == ";"
    assert "Q1_SQ001" in r.frame.columns
    assert r.detected["heading_mode"].startswith("code (ExpressionScript")
    assert r.frame["Q1_SQ002"].tolist()[::2] == ["A5", "A2"]


@pytest.mark.parametrize("underscores", [False, True])
def test_full_text_headings_long_answers(tmp_path, build, underscores):
    header = [
        "Response ID",
        "Date submitted",
        "Last page",
        "Start language",
        "Seed",
        "Date started",
        "Date last action",
        "Ik werk graag samen [met collega's]",
        "Ik werk graag samen [met leerlingen]",
    ]
    if underscores:  # the "convert spaces in question text to underscores" option
        header = [h.replace(" ", "_") for h in header]
    rows = [
        header,
        [
            "1",
            "2024-03-05 14:22:31",
            "2",
            "nl",
            "99",
            "2024-03-05 14:10:02",
            "2024-03-05 14:22:31",
            "Helemaal mee eens",
            "Weet niet / n.v.t.",
        ],
    ]
    p = tmp_path / "full.csv"
    p.write_bytes(build.limesurvey_csv(rows))
    r = read_export(p)
    assert r.platform == "limesurvey"
    assert r.detected["heading_mode"] == "full"
    assert r.system["response_id"] == header[0]
    assert r.system["submitted_at"] == header[1]
    assert r.system["started_at"] == header[5]
    assert r.header_text == {h: h.replace("_", " ") for h in header[7:]}
    assert r.frame.iloc[0, 7] == "Helemaal mee eens"


def test_codetext_headings(tmp_path, build):
    header = [
        "id. Response ID",
        "submitdate. Date submitted",
        "lastpage. Last page",
        "startlanguage. Start language",
        "seed. Seed",
        "AMB1. Wij hebben een ambitie",
    ]
    p = tmp_path / "codetext.csv"
    p.write_bytes(
        build.limesurvey_csv([header, ["5", "2024-01-01 10:00:00", "2", "nl", "1", "A4"]])
    )
    r = read_export(p)
    assert r.platform == "limesurvey"
    assert r.detected["heading_mode"] == "codetext"
    assert r.system["response_id"] == "id. Response ID"
    assert r.header_text == {"AMB1. Wij hebben een ambitie": "Wij hebben een ambitie"}
