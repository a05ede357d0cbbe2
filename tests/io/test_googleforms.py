"""Google Forms CSV exports."""

from __future__ import annotations

import numpy as np

from leerlab_research.io import detect_platform, read_export


def test_google_forms_csv(tmp_path, build):
    rows = [
        [
            "Timestamp",
            "Email Address",
            "Ik werk graag samen [met collega's]",
            "Ik werk graag samen [met leerlingen]",
            "Welke onderwerpen?",
            "Score",
        ],
        [
            "2026/09/27 3:00:00 PM GMT+3",
            "a@school.nl",
            "Mee eens",
            "Neutraal",
            "Curriculum, Leerling",
            "4 / 5",
        ],
        ["2026/09/27 3:05:10 PM GMT+3", "b@school.nl", "Helemaal mee eens", "", "Docent", "5 / 5"],
    ]
    p = tmp_path / "Reflectie (Responses) - Form Responses 1.csv"
    p.write_bytes(build.plain_csv(rows))
    r = read_export(p)
    assert r.platform == "googleforms"
    assert r.detected["platform_reason"] == "auto: first column 'Timestamp' → googleforms"
    assert r.detected["delimiter"] == "," and r.detected["encoding"] == "utf-8"
    assert r.detected["date_format"] == "%Y/%m/%d %I:%M:%S %p"
    np.testing.assert_array_equal(r.source_rows, [2, 3])
    assert r.system == {"submitted_at": "Timestamp", "email": "Email Address"}
    assert r.detected["personal_columns"] == ["Email Address"]
    assert "Score" in r.detected["system_columns"]
    assert r.frame.loc[0, "Welke onderwerpen?"] == "Curriculum, Leerling"
    assert r.header_text["Ik werk graag samen [met leerlingen]"] == (
        "Ik werk graag samen [met leerlingen]"
    )
    assert detect_platform(p)[0] == "googleforms"


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
