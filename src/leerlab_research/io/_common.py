"""Shared pieces of the readers: the :class:`RawExport` result and header helpers.

Kept apart from ``__init__`` so that the per-platform modules can import these
without a circular import through the package's public API.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

#: Every value ``RawExport.platform`` can take.
PLATFORMS: tuple[str, ...] = (
    "limesurvey",
    "msforms",
    "qualtrics",
    "googleforms",
    "spss",
    "csv",
    "xlsx",
)

#: Canonical meanings allowed as keys of ``RawExport.system``.
SYSTEM_KEYS: tuple[str, ...] = (
    "response_id",
    "started_at",
    "submitted_at",
    "last_page",
    "finished",
    "status",
    "progress",
    "language",
    "ip",
    "email",
    "name",
    "token",
)


@dataclass
class RawExport:
    """One survey export as read from disk, before any mapping to the codebook.

    Attributes
    ----------
    path : Path
        The file that was read.
    platform : str
        ``limesurvey``, ``msforms``, ``qualtrics``, ``googleforms``, ``spss``,
        ``csv`` or ``xlsx``.
    frame : pandas.DataFrame
        One row per data record. Columns are the export's headers (NFC, stripped,
        BOM removed, duplicates made unique). Values are strings with empty cells
        as NaN, except ``.xlsx`` datetimes (pandas Timestamps) and ``.sav``
        numeric columns (float codes; user-missing codes such as 9 are kept).
    source_rows : numpy.ndarray
        Row number of each record as a spreadsheet shows it (header = row 1).
    header_text : dict
        Header → question text, where the export carries it.
    value_labels : dict
        SPSS value labels per column (float keys).
    missing_values : dict
        SPSS user-missing codes per column (ranges expanded to codes).
    system : dict
        Canonical meaning (see :data:`SYSTEM_KEYS`) → header of the platform's
        system column.
    detected : dict
        What the reader detected: encoding, bom, delimiter, decimal, dayfirst,
        date_format, header_rows, platform, platform_reason, sheet, warnings and
        a few platform extras (``system_columns``, ``personal_columns``...).
    """

    path: Path
    platform: str
    frame: pd.DataFrame
    source_rows: np.ndarray
    header_text: dict[str, str] = field(default_factory=dict)
    value_labels: dict[str, dict[object, str]] = field(default_factory=dict)
    missing_values: dict[str, list[float]] = field(default_factory=dict)
    system: dict[str, str] = field(default_factory=dict)
    detected: dict[str, object] = field(default_factory=dict)


@dataclass
class Interpretation:
    """What a platform module makes of the header rows of a table.

    Attributes
    ----------
    header_rows : int
        How many leading records are headers (1, or 2–3 for Qualtrics).
    header_text : dict
        Header → question text, keyed by the *cleaned* first-row header.
    system : dict
        Canonical key → header.
    system_columns : list
        Every header the platform itself adds (mapped or not), so that a later
        mapping step can tell "known system column" from "unknown column".
    personal_columns : list
        Headers that hold direct identifiers (names, e-mail, IP, location...).
    extra : dict
        Platform-specific additions to ``detected``.
    warnings : list
        Messages for ``detected["warnings"]``.
    """

    header_rows: int = 1
    header_text: dict[str, str] = field(default_factory=dict)
    system: dict[str, str] = field(default_factory=dict)
    system_columns: list[str] = field(default_factory=list)
    personal_columns: list[str] = field(default_factory=list)
    extra: dict[str, object] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def clean_text(value: object) -> str:
    """Return a header cell as clean text: BOM removed, NFC, stripped.

    ``None``/NaN give ``""``.
    """
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    text = str(value).replace("\ufeff", "")
    return unicodedata.normalize("NFC", text).strip()


def column_letter(index: int) -> str:
    """Spreadsheet column letter for a 0-based column index (0 → ``A``, 26 → ``AA``)."""
    letters = ""
    n = index + 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def make_headers(raw: Sequence[object]) -> tuple[list[str], dict[str, str], list[str]]:
    """Clean header cells and make them unique.

    Parameters
    ----------
    raw : sequence
        The header cells as read.

    Returns
    -------
    headers : list of str
        Cleaned, unique headers. A blank header becomes ``unnamed_<letter>``
        (the spreadsheet column letter, so a researcher can find it).
    duplicates : dict
        New name → original header, for every header that had to be renamed.
    warnings : list of str
        One message per renamed or blank header.
    """
    headers: list[str] = []
    duplicates: dict[str, str] = {}
    warnings: list[str] = []
    seen: set[str] = set()
    cleaned = [clean_text(v) for v in raw]
    taken = set(cleaned)
    for i, name in enumerate(cleaned):
        if not name:
            name = f"unnamed_{column_letter(i)}"
            warnings.append(f"column {column_letter(i)} has no header; named it '{name}'")
        if name in seen:
            k = 2
            while f"{name}__{k}" in seen or f"{name}__{k}" in taken:
                k += 1
            new = f"{name}__{k}"
            duplicates[new] = name
            warnings.append(
                f"header '{name}' occurs more than once; column {column_letter(i)} renamed to '{new}'"
            )
            name = new
        seen.add(name)
        headers.append(name)
    return headers, duplicates, warnings


def fold(text: str) -> str:
    """Case-, space- and underscore-insensitive key for comparing header names.

    Underscores count as spaces because LimeSurvey can export full-text headings
    with spaces turned into ``_`` (``Response_ID``).
    """
    return " ".join(clean_text(text).casefold().replace("_", " ").split())


def map_system(
    headers: Iterable[str],
    table: Sequence[tuple[str | None, Sequence[str]]],
) -> tuple[dict[str, str], list[str]]:
    """Find a platform's system columns among ``headers``.

    Parameters
    ----------
    headers : iterable of str
        Cleaned headers.
    table : sequence of (key, names)
        For each system column: its canonical key (one of :data:`SYSTEM_KEYS`,
        or ``None`` for a system column without a canonical meaning) and the
        header spellings the platform uses.

    Returns
    -------
    system : dict
        Canonical key → header (first match wins).
    system_columns : list
        Every header recognised as a system column, in file order.
    """
    by_fold: dict[str, str] = {}
    for h in headers:
        by_fold.setdefault(fold(h), h)
    system: dict[str, str] = {}
    found: set[str] = set()
    for key, names in table:
        for name in names:
            header = by_fold.get(fold(name))
            if header is None:
                continue
            found.add(header)
            if key is not None and key not in system:
                system[key] = header
            break
    ordered = [h for h in headers if h in found]
    return system, ordered
