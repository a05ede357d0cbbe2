"""Qualtrics response exports (CSV; the layout of ropensci/qualtRics' fixtures).

Current layout: three header rows (survey-formats.md §1c):

1. export tags (``StartDate, EndDate, Status, ..., ResponseId, ..., Q1, Q5_1``);
2. question text in the respondent's language (``What is your age? - Age``);
3. ``{"ImportId":"QID2_1"}`` per column (newer exports add ``"timeZone"``).

Legacy layout: two header rows, ``V1 … V10`` then ``Q1 …`` in row 1 and the
field names/question text in row 2 (``ResponseID, ResponseSet, Name, ...``).

The ImportId row is checked strictly: when it is present but damaged (typically
after a round trip through Excel), the data cannot be matched to questions
reliably, so the reader stops with the cell that is wrong.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..errors import InputFileError
from ._common import Interpretation, clean_text, column_letter, fold, map_system

#: (canonical key, export tags) for the current layout.
SYSTEM: tuple[tuple[str | None, tuple[str, ...]], ...] = (
    ("started_at", ("StartDate",)),
    ("submitted_at", ("EndDate",)),
    ("status", ("Status",)),
    ("ip", ("IPAddress",)),
    ("progress", ("Progress",)),
    (None, ("Duration (in seconds)",)),
    ("finished", ("Finished",)),
    (None, ("RecordedDate",)),
    ("response_id", ("ResponseId", "ResponseID")),
    ("name", ("RecipientLastName",)),
    (None, ("RecipientFirstName",)),
    ("email", ("RecipientEmail",)),
    (None, ("ExternalReference", "ExternalDataReference")),
    (None, ("LocationLatitude",)),
    (None, ("LocationLongitude",)),
    (None, ("LocationAccuracy",)),
    (None, ("DistributionChannel",)),
    ("language", ("UserLanguage",)),
    (None, ("ResponseSet",)),
    ("name", ("Name",)),
    ("email", ("EmailAddress",)),
)
#: Direct identifiers among the system columns (by export tag / legacy row-2 name).
PERSONAL_TAGS = (
    "IPAddress",
    "RecipientLastName",
    "RecipientFirstName",
    "RecipientEmail",
    "ExternalReference",
    "ExternalDataReference",
    "LocationLatitude",
    "LocationLongitude",
    "Name",
    "EmailAddress",
)
#: Export tags whose presence in row 1 identifies a (current) Qualtrics export.
SIGNATURE = ("StartDate", "EndDate", "ResponseId", "Finished")

_IMPORT_ID = re.compile(r'^\s*\{.*"ImportId"', re.S)
_RESPONSE_ID = re.compile(r"^R_[A-Za-z0-9]+$")


def is_legacy(records: Sequence[Sequence[Any]]) -> bool:
    """``V1, V2, …`` in row 1 and ``ResponseID`` in row 2."""
    if len(records) < 2:
        return False
    row1 = [clean_text(c) for c in records[0]]
    row2 = [fold(c) for c in records[1]]
    return row1[:2] == ["V1", "V2"] and "responseid" in row2


def has_import_row(records: Sequence[Sequence[Any]]) -> bool:
    """Whether row 3 looks like the ImportId row (at least one ``{"ImportId"`` cell)."""
    return len(records) >= 3 and any(_IMPORT_ID.match(clean_text(c)) for c in records[2])


def _check_import_row(
    path: Path, headers: list[str], row3: list[object]
) -> tuple[dict[str, str], dict[str, str]]:
    """Parse every ImportId cell; raise on the first damaged one.

    Returns the ImportId per header and the ``timeZone`` that newer exports add to
    their date columns (``"America/Denver"``, ``"Z"``): the zone of the column's
    zone-free timestamps, converted to local time in cleaning.
    """
    import_ids: dict[str, str] = {}
    time_zones: dict[str, str] = {}
    for i, (header, cell) in enumerate(zip(headers, row3, strict=False)):
        text = clean_text(cell)
        if not text and header.startswith("unnamed_"):
            continue  # a trailing delimiter, not a question
        try:
            parsed = json.loads(text)
            import_id = parsed["ImportId"]
        except (json.JSONDecodeError, TypeError, KeyError) as exc:
            raise InputFileError(
                path,
                "the Qualtrics ImportId row (row 3) is damaged: every cell should look like "
                '{"ImportId":"QID1"}. The file was probably edited and re-saved in Excel; '
                "download the export from Qualtrics again",
                row=3,
                column=header or column_letter(i),
                value=text,
            ) from exc
        import_ids[header] = str(import_id)
        if isinstance(parsed.get("timeZone"), str) and parsed["timeZone"].strip():
            time_zones[header] = parsed["timeZone"].strip()
    return import_ids, time_zones


def interpret(records: list[list[object]], path: Path, headers: list[str]) -> Interpretation:
    """Interpret the header rows of a Qualtrics export.

    Parameters
    ----------
    records : list of list
        The first three records of the table, as read.
    path : Path
        For error messages.
    headers : list of str
        The cleaned, unique headers made from ``records[0]``.
    """
    result = Interpretation()
    if is_legacy(records):
        # Legacy: row 2 names the V-columns (ResponseID, Status, ...) and holds
        # question text for the Q-columns. Map system columns through row 2.
        result.header_rows = 2
        row2 = [clean_text(c) for c in records[1]]
        by_name: dict[str, str] = {}
        for header, name in zip(headers, row2, strict=False):
            by_name.setdefault(name, header)
        system, system_names = map_system(row2, SYSTEM)
        result.system = {k: by_name[v] for k, v in system.items()}
        result.system_columns = [by_name[n] for n in system_names]
        result.personal_columns = [by_name[n] for n in system_names if n in PERSONAL_TAGS]
        result.header_text = {h: t for h, t in zip(headers, row2, strict=False) if t}
        result.extra["qualtrics_layout"] = "legacy (2 header rows)"
        return result

    result.system, result.system_columns = map_system(headers, SYSTEM)
    result.personal_columns = [h for h in result.system_columns if h in PERSONAL_TAGS]
    if has_import_row(records):
        result.header_rows = 3
        import_ids, time_zones = _check_import_row(path, headers, records[2])
        result.extra["import_ids"] = import_ids
        if time_zones:
            result.extra["time_zones"] = time_zones
        result.extra["qualtrics_layout"] = "3 header rows (tags, question text, ImportId)"
    else:
        # No ImportId row. If row 2 is question text (its ResponseId cell is not
        # an R_… id), it is a two-row export or the ImportId row was deleted.
        rid = result.system.get("response_id")
        row2 = [clean_text(c) for c in records[1]] if len(records) > 1 else []
        idx = headers.index(rid) if rid in headers else None
        if row2 and idx is not None and idx < len(row2) and not _RESPONSE_ID.match(row2[idx]):
            result.header_rows = 2
            result.warnings.append(
                "the Qualtrics ImportId row (row 3) is missing; read rows 1-2 as headers"
            )
            result.extra["qualtrics_layout"] = "2 header rows (tags, question text)"
        else:
            result.header_rows = 1
            result.warnings.append("only the export-tag header row is present (no question text)")
            result.extra["qualtrics_layout"] = "1 header row (tags)"
            return result
    row2 = [clean_text(c) for c in records[1]]
    result.header_text = {h: t for h, t in zip(headers, row2, strict=False) if t}
    return result
