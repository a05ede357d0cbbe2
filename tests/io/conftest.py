"""Byte-level builders for export files laid out like the real platforms' exports.

Every builder follows the layouts in ``/work/shared/reference/survey-formats.md``
(§1), not any writer of this project, so the readers are tested against what the
platforms really write.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from types import SimpleNamespace

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # io_helpers.py, shared by the tests here

Row = Sequence[str | None]


def limesurvey_csv(rows: Sequence[Row], sep: str = ",") -> bytes:
    """LimeSurvey ``CsvWriter``: UTF-8 + BOM, every non-null value double-quoted
    (quotes doubled), NULL as an unquoted empty field, CRLF records and one
    extra CRLF at the end of the file."""

    def cell(v: str | None) -> str:
        return "" if v is None else '"' + v.replace('"', '""') + '"'

    body = "".join(sep.join(cell(v) for v in r) + "\r\n" for r in rows) + "\r\n"
    return b"\xef\xbb\xbf" + body.encode("utf-8")


def excel_nl_csv(rows: Sequence[Row], encoding: str = "cp1252") -> bytes:
    """Dutch Excel "CSV (gescheiden door lijstscheidingsteken)": cp1252, ``;``,
    quotes only where a value needs them, CRLF."""

    def cell(v: str | None) -> str:
        v = "" if v is None else v
        if any(c in v for c in ';"\r\n'):
            return '"' + v.replace('"', '""') + '"'
        return v

    return "".join(";".join(cell(v) for v in r) + "\r\n" for r in rows).encode(encoding)


def plain_csv(rows: Sequence[Row], sep: str = ",", newline: str = "\n") -> bytes:
    """Minimal-quoting UTF-8 CSV (Google Forms/Qualtrics style, no BOM)."""

    def cell(v: str | None) -> str:
        v = "" if v is None else v
        if any(c in v for c in sep + '"\r\n'):
            return '"' + v.replace('"', '""') + '"'
        return v

    return "".join(sep.join(cell(v) for v in r) + newline for r in rows).encode("utf-8")


# Qualtrics: ropensci/qualtRics tests/testthat/files/sample.csv, byte for byte
# (LF line ends, minimal quoting, ImportId cells CSV-escaped).
QUALTRICS_SAMPLE = (
    "StartDate,EndDate,Status,IPAddress,Progress,Duration (in seconds),Finished,RecordedDate,"
    "ResponseId,RecipientLastName,RecipientFirstName,RecipientEmail,ExternalReference,"
    "LocationLatitude,LocationLongitude,DistributionChannel,UserLanguage,Q1,Q2,Q2 - Topics\n"
    "Anfangsdatum,Enddatum,Antworttyp,IP-Adresse,Aktueller Stand,Dauer (in Sekunden),Beendet,"
    "Erfassungsdatum,Antwort-ID,Nachname des Empfängers,Vorname des Empfängers,"
    "E-Mail des Empfängers,Externe Datenreferenz,Breitengrad des Standorts,"
    "Längengrad des Standorts,Verteilungskanal,Benutzersprache,"
    "This is a multiple choice question.,This is a free text question.,Q2 - Topics\n"
    + ",".join(
        '"{""ImportId"":""' + i + '""}"'
        for i in (
            "startDate endDate status ipAddress progress duration finished recordedDate "
            "_recordId recipientLastName recipientFirstName recipientEmail "
            "externalDataReference locationLatitude locationLongitude distributionChannel "
            "userLanguage QID1 QID2_TEXT QID2_TEXT_eae5a8d0e7fd4bd183e983e5Topics"
        ).split()
    )
    + "\n"
    "2017-07-18 08:28:09,2017-07-18 08:28:48,0,130.92.34.66,100,38,1,2017-07-18 08:28:48,"
    "R_2YPOQ602ER1jkf1,,,,,47.115097045898,7.2315979003906,anonymous,DE,2,Hello World!,\n"
).encode("utf-8")

# ropensci/qualtRics tests/testthat/files/sample_legacy.csv (note the trailing commas).
QUALTRICS_LEGACY = (
    b"V1,V2,V3,V4,V5,V6,V7,V8,V9,V10,Q1,Q2,LocationLatitude,LocationLongitude,LocationAccuracy,\n"
    b"ResponseID,ResponseSet,Name,ExternalDataReference,EmailAddress,IPAddress,Status,StartDate,"
    b"EndDate,Finished,This is a multiple choice question.,This is a free text question.,"
    b"LocationLatitude,LocationLongitude,LocationAccuracy,\n"
    b"R_2YPOQ602ER1jkf1,Standard-Antwortsatz,Anonym,,,130.92.34.66,0,2017-07-18 08:28:09,"
    b"2017-07-18 08:28:48,1,2,Hello World!,47.115097045898,7.2315979003906,-1,\n"
)


@pytest.fixture(scope="session")
def build() -> SimpleNamespace:
    """The builders above, as a fixture: with ``--import-mode=importlib`` test
    modules cannot import this conftest by name."""
    return SimpleNamespace(
        limesurvey_csv=limesurvey_csv,
        excel_nl_csv=excel_nl_csv,
        plain_csv=plain_csv,
        QUALTRICS_SAMPLE=QUALTRICS_SAMPLE,
        QUALTRICS_LEGACY=QUALTRICS_LEGACY,
    )
