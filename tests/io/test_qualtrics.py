"""Qualtrics CSV exports laid out like ropensci/qualtRics' test fixtures."""

from __future__ import annotations

import numpy as np
import pytest
from io_helpers import fails

from leerlab_research.errors import InputFileError
from leerlab_research.io import detect_platform, read_export


def test_three_header_rows(tmp_path, build):
    p = tmp_path / "sample.csv"
    p.write_bytes(build.QUALTRICS_SAMPLE)
    r = read_export(p)
    assert r.platform == "qualtrics"
    assert "ImportId" in r.detected["platform_reason"]
    assert r.detected["header_rows"] == 3
    assert r.detected["encoding"] == "utf-8" and r.detected["delimiter"] == ","
    np.testing.assert_array_equal(r.source_rows, [4])
    assert r.system == {
        "started_at": "StartDate",
        "submitted_at": "EndDate",
        "status": "Status",
        "ip": "IPAddress",
        "progress": "Progress",
        "finished": "Finished",
        "response_id": "ResponseId",
        "name": "RecipientLastName",
        "email": "RecipientEmail",
        "language": "UserLanguage",
    }
    assert {"RecipientFirstName", "LocationLatitude", "IPAddress"} <= set(
        r.detected["personal_columns"]
    )
    assert r.header_text["Q1"] == "This is a multiple choice question."
    assert r.header_text["RecipientLastName"] == "Nachname des Empfängers"
    assert r.detected["import_ids"]["Q2"] == "QID2_TEXT"
    row = r.frame.iloc[0]
    assert row["ResponseId"] == "R_2YPOQ602ER1jkf1"
    assert row["Status"] == "0" and row["Finished"] == "1" and row["Q1"] == "2"
    assert row["Q2"] == "Hello World!"
    assert row["LocationLatitude"] == "47.115097045898"  # text, not float
    assert r.detected["date_format"] == "%Y-%m-%d %H:%M:%S"
    assert detect_platform(p)[0] == "qualtrics"


def test_timezone_import_ids_and_multiline_question(tmp_path, build):
    rows = [
        ["StartDate", "EndDate", "Status", "Finished", "ResponseId", "Q5_1", "Q5_2"],
        [
            "Start Date",
            "End Date",
            "Response Type",
            "Finished",
            "Response ID",
            "Hoe kijk je terug?\nGeef aan - Ambitie",
            "Hoe kijk je terug?\nGeef aan - Inhoud",
        ],
        [
            '{"ImportId":"startDate","timeZone":"Europe/Amsterdam"}',
            '{"ImportId":"endDate","timeZone":"Europe/Amsterdam"}',
            '{"ImportId":"status"}',
            '{"ImportId":"finished"}',
            '{"ImportId":"_recordId"}',
            '{"ImportId":"QID5_1"}',
            '{"ImportId":"QID5_2"}',
        ],
        ["2024-03-05 10:00:00", "2024-03-05 10:05:00", "IP Address", "True", "R_abc1", "4", "5"],
        [
            "2024-03-05 11:00:00",
            "2024-03-05 11:05:00",
            "Survey Preview",
            "False",
            "R_abc2",
            "",
            "-99",
        ],
    ]
    p = tmp_path / "q.csv"
    p.write_bytes(build.plain_csv(rows, newline="\r\n"))
    r = read_export(p)
    assert r.platform == "qualtrics" and r.detected["header_rows"] == 3
    np.testing.assert_array_equal(r.source_rows, [4, 5])  # spreadsheet rows, not lines
    assert r.header_text["Q5_2"] == "Hoe kijk je terug?\nGeef aan - Inhoud"
    assert r.detected["import_ids"]["Q5_1"] == "QID5_1"
    assert r.frame["Q5_2"].tolist() == ["5", "-99"]


def test_legacy_two_rows(tmp_path, build):
    p = tmp_path / "legacy.csv"
    p.write_bytes(build.QUALTRICS_LEGACY)
    r = read_export(p)
    assert r.platform == "qualtrics"
    assert r.detected["header_rows"] == 2
    np.testing.assert_array_equal(r.source_rows, [3])
    assert r.system["response_id"] == "V1"
    assert r.system["status"] == "V7" and r.system["finished"] == "V10"
    assert r.system["started_at"] == "V8" and r.system["ip"] == "V6"
    assert r.header_text["Q1"] == "This is a multiple choice question."
    assert "unnamed_P" not in r.frame.columns  # trailing comma column dropped
    assert r.frame.loc[0, "V1"] == "R_2YPOQ602ER1jkf1"


def test_broken_import_id_row(tmp_path, build):
    text = build.QUALTRICS_SAMPLE.decode()
    # Excel round trip: one cell lost its JSON quoting.
    broken = text.replace('"{""ImportId"":""QID1""}"', "{ImportId:QID1}", 1)
    p = tmp_path / "broken.csv"
    p.write_text(broken, encoding="utf-8")
    with pytest.raises(InputFileError) as info:
        read_export(p)
    e = info.value
    assert e.row == 3 and e.column == "Q1" and e.value == "{ImportId:QID1}"
    assert str(p) in str(e) and "ImportId" in str(e)
    assert e.__cause__ is not None


def test_header_only_qualtrics(tmp_path, build):
    p = tmp_path / "q.csv"
    p.write_bytes(build.QUALTRICS_SAMPLE.rsplit(b"\n", 2)[0] + b"\n")  # drop the data row
    fails(p, match="header but no responses")
