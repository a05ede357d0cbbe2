"""Recognise what a file is: container (by its bytes) and platform (by its columns).

Container signatures are magic bytes, never the file name alone, so a renamed
file is caught with a message that says what it really is. Platform signatures
are the system columns each platform writes (see survey-formats.md §1).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..errors import InputFileError
from . import googleforms, limesurvey, msforms, qualtrics
from ._common import clean_text, fold

#: Magic bytes of files people mistake for (or rename to) survey exports.
_FOREIGN: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"%PDF", "a PDF document"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
    (b"Rar!", "a RAR archive"),
    (b"\xd0\xcf\x11\xe0", "an old Excel 97-2003 (.xls) or other Office file; save it as .xlsx"),
    (b"PAR1", "a Parquet file"),
    (b"SQLite format 3", "an SQLite database"),
)
SPSS_MAGIC = (b"$FL2", b"$FL3")
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
EXCEL_EXT = (".xlsx", ".xlsm")
SPSS_EXT = (".sav", ".zsav")


def check_file(path: Path) -> bytes:
    """Fail clearly on a missing/empty file; return its first bytes."""
    if not path.exists():
        raise InputFileError(path, "the file does not exist (check the path in the study file)")
    if not path.is_file():
        raise InputFileError(path, "this is a folder, not a file")
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            head = fh.read(64)
    except OSError as exc:
        raise InputFileError(path, f"the file cannot be opened: {exc.strerror or exc}") from exc
    if size == 0:
        raise InputFileError(path, "the file is empty (0 bytes); export it again")
    return head


def container(path: Path, head: bytes) -> str:
    """``"sav"``, ``"xlsx"`` or ``"text"``, from the first bytes (and the extension).

    Raises
    ------
    InputFileError
        For a known foreign format, or when content and extension disagree.
    """
    ext = path.suffix.lower()
    for magic, what in _FOREIGN:
        if head.startswith(magic):
            raise InputFileError(path, f"this is not a survey export: the file is {what}")
    if head.startswith(SPSS_MAGIC):
        return "sav"
    if head.startswith(ZIP_MAGIC):
        if ext in EXCEL_EXT or ext == "":
            return "xlsx"
        raise InputFileError(
            path,
            f"this file is named '{ext}' but is a zip archive (an Excel .xlsx workbook is one); "
            "if it is a workbook, give it the .xlsx extension",
        )
    if ext in SPSS_EXT:
        raise InputFileError(
            path, "this file is named .sav but is not an SPSS system file (no $FL2 signature)"
        )
    if ext in EXCEL_EXT:
        looks = "text (probably a CSV file)" if _texty(head) else "not a zip archive"
        raise InputFileError(
            path, f"this file is named '{ext}' but is {looks}; an .xlsx workbook is a zip archive"
        )
    return "text"


def _texty(head: bytes) -> bool:
    try:
        head.decode("utf-8")
        return True
    except UnicodeDecodeError:
        return all(b >= 9 for b in head)


def _has(headers: list[str], names: tuple[str, ...]) -> bool:
    folded = {fold(h) for h in headers}
    return all(fold(n) in folded for n in names)


def from_records(records: Sequence[Sequence[Any]], fallback: str) -> tuple[str, str]:
    """Platform from the first records of a table.

    Parameters
    ----------
    records : list of list
        First (up to three) non-blank records.
    fallback : str
        ``"csv"`` or ``"xlsx"``: what to call a table no platform signature matches.

    Returns
    -------
    platform, reason
    """
    if not records:
        return fallback, f"auto: no header row → generic {fallback}"
    headers = [clean_text(h) for h in records[0]]
    if qualtrics.is_legacy(records):
        return "qualtrics", "auto: row 1 V1,V2,… with ResponseID in row 2 → qualtrics (legacy)"
    if qualtrics.has_import_row(records):
        return "qualtrics", 'auto: row 3 holds {"ImportId": …} cells → qualtrics'
    if _has(headers, qualtrics.SIGNATURE):
        return "qualtrics", f"auto: columns {','.join(qualtrics.SIGNATURE)} → qualtrics"
    for sig in (limesurvey.SIGNATURE_CODES, limesurvey.SIGNATURE_FULL):
        if _has(headers, sig):
            return "limesurvey", f"auto: columns {','.join(sig)} → limesurvey"
    if limesurvey._codetext_separator(headers) is not None and any(
        fold(h).startswith("submitdate") for h in headers
    ):
        return "limesurvey", "auto: code+text headings 'id…Response ID', 'submitdate…' → limesurvey"
    ms_sig: tuple[str, ...]
    for ms_sig in (msforms.SIGNATURE, msforms.SIGNATURE_NL):
        if _has(headers, ms_sig):
            return "msforms", f"auto: columns {','.join(ms_sig)} → msforms"
    if headers and fold(headers[0]) in {fold(s) for s in googleforms.SIGNATURE_FIRST}:
        return "googleforms", f"auto: first column '{headers[0]}' → googleforms"
    return fallback, f"auto: no platform signature columns → generic {fallback}"
