"""Timestamps as Google Forms, Microsoft Forms and Qualtrics write them (issue 11 §1).

Expected values are worked out by hand: Europe/Amsterdam is UTC+1 in winter (CET)
and UTC+2 from 29 March 2026 02:00 (CEST); America/Denver is UTC-7 (MST) in winter
and UTC-6 (MDT) from 8 March 2026.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest
from cleaning_helpers import CODEBOOK, item_codes, run_cli, write_study

from leerlab_research.cleaning.timestamps import parse_datetime
from leerlab_research.config.codebook import load_codebook

T = pd.Timestamp


@pytest.mark.parametrize(
    ("written", "local"),
    [
        # Google Forms, direct CSV download: the form's zone as abbreviation or GMT offset.
        ("2026/03/09 11:29:57 AM CET", "2026-03-09 11:29:57"),
        ("2026/03/09 11:29:57 PM CET", "2026-03-09 23:29:57"),
        ("2026/04/09 11:29:57 PM CEST", "2026-04-09 23:29:57"),
        ("2026/03/09 11:29:57 AM GMT+1", "2026-03-09 11:29:57"),
        ("2026/04/09 11:29:57 AM GMT+2", "2026-04-09 11:29:57"),
        ("2026/03/09 11:29:57 AM GMT+01:00", "2026-03-09 11:29:57"),
        ("2026/03/09 10:29:57 AM GMT", "2026-03-09 11:29:57"),
        ("2026/03/09 10:29:57 AM UTC", "2026-03-09 11:29:57"),
        ("2026/09/27 3:00:00 PM GMT+3", "2026-09-27 14:00:00"),  # 12:00 UTC, CEST
        ("2026/03/09 4:59:57 PM GMT+5:30", "2026-03-09 12:29:57"),
        ("2026/07/09 11:29:57 AM GMT-4", "2026-07-09 17:29:57"),
        ("2026/03/09 10:29:57 AM WET", "2026-03-09 11:29:57"),
        ("2026/07/09 10:29:57 AM BST", "2026-07-09 11:29:57"),
        # Google Sheets download: sheet-locale text without zone = local already.
        ("2026/03/09 11:29:57 AM", "2026-03-09 11:29:57"),
        # Microsoft Forms via Power Automate / Graph: ISO 8601, UTC, 7 fraction digits.
        ("2026-03-09T10:29:57.1234567Z", "2026-03-09 11:29:57.1234567"),
        ("2026-07-09T09:29:57Z", "2026-07-09 11:29:57"),
        ("2026-03-09T11:29:57+01:00", "2026-03-09 11:29:57"),
        ("2026-03-09 12:29:57 +0200", "2026-03-09 11:29:57"),
        # Qualtrics API (JSON/ISO) export.
        ("2026-03-09T10:29:57Z", "2026-03-09 11:29:57"),
    ],
)
def test_written_zones_become_local_time(written, local):
    p = parse_datetime(pd.Series([written]), dayfirst=False)
    assert not p.bad[0], p.messages[0]
    assert T(p.values[0]) == T(local)


def test_year_first_dates_are_never_read_day_first():
    # A Dutch sheet locale (dayfirst) must not turn 2026/03/09 into 3 September.
    p = parse_datetime(pd.Series(["2026/03/09 11:29:57 AM CET", "4-3-2026 9:05"]), dayfirst=True)
    assert [T(v) for v in p.values] == [T("2026-03-09 11:29:57"), T("2026-03-04 09:05")]


def test_ambiguous_or_unknown_zone_is_a_failure_naming_it():
    p = parse_datetime(
        pd.Series(["2026/03/09 11:29:57 AM IST", "2026/03/09 11:29:57 AM GMT+17", "", None]),
        dayfirst=False,
    )
    assert p.bad.tolist() == [True, True, False, False]
    assert "'IST' is unknown or ambiguous" in p.messages[0]
    assert "out of range" in p.messages[1]


def test_qualtrics_declared_zone_converts_zone_free_text():
    text = pd.Series(["2026-03-09 03:29:57", "2026-07-09 03:29:57", "2026-03-09T10:29:57Z"])
    p = parse_datetime(text, dayfirst=False, source_zone="America/Denver")
    assert [T(v) for v in p.values] == [
        T("2026-03-09 10:29:57"),  # MDT (UTC-6) since 8 March → CET
        T("2026-07-09 11:29:57"),  # MDT → CEST
        T("2026-03-09 11:29:57"),  # a value's own zone wins over the column's
    ]
    utc = parse_datetime(text[:1], dayfirst=False, source_zone="Z")
    assert T(utc.values[0]) == T("2026-03-09 04:29:57")


def test_excel_datetimes_stay_local_unless_the_export_names_a_zone():
    cells = pd.Series(pd.to_datetime(["2026-03-09 11:29:57", None]))
    assert T(parse_datetime(cells, dayfirst=False).values[0]) == T("2026-03-09 11:29:57")
    aware = cells.dt.tz_localize("UTC")
    assert T(parse_datetime(aware, dayfirst=False).values[0]) == T("2026-03-09 12:29:57")


def test_dst_change_ambiguous_hour_reads_as_summer_time():
    # 25 October 2026 02:30 happens twice in Amsterdam; Denver 19:30 MDT is 01:30 UTC.
    p = parse_datetime(
        pd.Series(["2026-10-24 19:30:00"]), dayfirst=False, source_zone="America/Denver"
    )
    assert T(p.values[0]) == T("2026-10-25 02:30:00")


def _google_export(tmp_path, stamps):
    cb = load_codebook(CODEBOOK)
    header = ["Timestamp", "Email Address", "Leerlab", "Schooltype", "Rol", "Toestemming"]
    header += [f"Stellingen [{cb.items[c].text.nl}]" for c in cb.item_codes]
    rows = [
        [s, f"p{i}@school.example", "Weert", "mbo", "Docent", "Ja"]
        + [str(1 + (i + j) % 5) for j in range(len(cb.item_codes))]
        for i, s in enumerate(stamps)
    ]
    pd.DataFrame(rows, columns=header).to_csv(tmp_path / "g_T0.csv", index=False)


GOOGLE = [
    "2026/03/09 11:29:57 AM CET",
    "2026/04/09 3:29:57 PM CEST",
    "2026/03/09 11:29:57 AM GMT+1",
    "2026/03/10 9:01:02 AM GMT",
]


def test_google_forms_timestamps_end_to_end(tmp_path):
    _google_export(tmp_path, GOOGLE)
    study = write_study(tmp_path, [{"path": "g_T0.csv", "wave": "T0"}])
    result = run_cli("clean", "--study", str(study))
    assert result.exit_code == 0, result.output
    r = pd.read_parquet(tmp_path / "out" / "clean" / "responses.parquet")
    got = sorted(r["submitted_at"].tolist())
    assert got == [
        T("2026-03-09 11:29:57"),
        T("2026-03-09 11:29:57"),
        T("2026-03-10 10:01:02"),
        T("2026-04-09 15:29:57"),
    ]
    assert str(r["submitted_at"].dtype) == "datetime64[ns]"


def test_ignore_columns_timestamp_is_really_ignored(tmp_path):
    _google_export(tmp_path, ["9 maart, kwart over elf"] * 3)  # unparseable on purpose
    study = write_study(
        tmp_path,
        [{"path": "g_T0.csv", "wave": "T0"}],
        {"cleaning": {"ignore_columns": ["Timestamp"]}},
    )
    result = run_cli("clean", "--study", str(study))
    assert result.exit_code == 0, result.output
    r = pd.read_parquet(tmp_path / "out" / "clean" / "responses.parquet")
    assert len(r) == 3 and r["submitted_at"].isna().all()
    log = pd.read_csv(tmp_path / "out" / "clean" / "cleaning_log.csv")
    assert "ignored: Timestamp" in log.loc[log["step"] == "map_columns", "detail"].iloc[0]


def test_unknown_zone_through_the_cli_names_row_and_value(tmp_path):
    _google_export(tmp_path, ["2026/03/09 11:29:57 AM CET", "2026/03/09 11:29:57 AM IST"])
    study = write_study(tmp_path, [{"path": "g_T0.csv", "wave": "T0"}])
    result = run_cli("validate", "--study", str(study))
    assert result.exit_code == 1 and "Traceback" not in result.output
    val = pd.read_csv(tmp_path / "out" / "clean" / "validation.csv")
    bad = val[val["rule"] == "invalid_datetime"]
    assert bad[["source_row", "column", "value"]].values.tolist() == [
        [3, "Timestamp", "2026/03/09 11:29:57 AM IST"]
    ]
    assert "'IST' is unknown or ambiguous" in bad["message"].iloc[0]


def test_qualtrics_time_zone_row_through_the_cli(tmp_path):
    items = item_codes()
    tags = ["StartDate", "EndDate", "Status", "Progress", "Finished", "ResponseId",
            "ExternalReference", "leerlab", "schooltype", "rol", "toestemming", *items]  # fmt: skip
    ids = []
    for t in tags:
        cell = {"ImportId": t[0].lower() + t[1:]}
        if t in ("StartDate", "EndDate"):
            cell["timeZone"] = "America/Denver"
        ids.append(json.dumps(cell, separators=(",", ":")))
    rows = [tags, tags, ids]
    for i in range(6):
        rows.append(["2026-03-09 03:20:00", "2026-03-09 03:29:57", "0", "100", "1", f"R_a{i}b",
                     f"K{i}", "Weert", "mbo", "docent", "ja",
                     *[str(1 + (i + j) % 5) for j in range(len(items))]])  # fmt: skip
    pd.DataFrame(rows).to_csv(tmp_path / "q_T0.csv", header=False, index=False)
    study = write_study(
        tmp_path,
        [{"path": "q_T0.csv", "wave": "T0", "columns": {"ExternalReference": "respondent_id"}}],
        {"cleaning": {"time_zone": "Europe/Amsterdam"}},
    )
    result = run_cli("clean", "--study", str(study))
    assert result.exit_code == 0, result.output
    r = pd.read_parquet(tmp_path / "out" / "clean" / "responses.parquet")
    assert set(r["submitted_at"]) == {T("2026-03-09 10:29:57")}
    assert set(r["started_at"]) == {T("2026-03-09 10:20:00")}


def test_unknown_study_time_zone_is_a_config_error(tmp_path):
    _google_export(tmp_path, GOOGLE)
    study = write_study(
        tmp_path, [{"path": "g_T0.csv", "wave": "T0"}], {"cleaning": {"time_zone": "CET+1"}}
    )
    result = run_cli("validate", "--study", str(study))
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "settings.cleaning.time_zone" in result.output
    assert "unknown time zone 'CET+1'" in result.output
