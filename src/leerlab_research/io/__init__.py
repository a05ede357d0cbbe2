"""Read survey exports from every platform the labs use into one raw form.

>>> from leerlab_research.io import read_export
>>> raw = read_export("data/demo/limesurvey_T0.csv")      # doctest: +SKIP
>>> raw.platform, raw.detected["platform_reason"]           # doctest: +SKIP
('limesurvey', 'auto: columns id,submitdate,lastpage,startlanguage → limesurvey')

:func:`read_export` returns a :class:`RawExport`: the table exactly as the file
holds it (strings, nothing converted), with the row numbers a spreadsheet would
show, the platform's system columns, question texts, SPSS labels and missing
codes, and a ``detected`` record of every guess (encoding, delimiter, decimal
comma, day-first dates, platform). Mapping to the codebook happens elsewhere.

Every failure is an :class:`~leerlab_research.errors.InputFileError` naming the
file (and row/column/value where there is one).
"""

from __future__ import annotations

from pathlib import Path
from typing import cast

import numpy as np
import pandas as pd

from ..errors import InputFileError
from . import delimited, detect, excel, googleforms, limesurvey, locales, msforms, qualtrics, spss
from ._common import (
    PLATFORMS,
    SYSTEM_KEYS,
    Interpretation,
    RawExport,
    clean_text,
    make_headers,
)

__all__ = ["PLATFORMS", "SYSTEM_KEYS", "RawExport", "detect_platform", "read_export"]


def detect_platform(path: str | Path) -> tuple[str, str]:
    """Recognise the platform of an export from a sample of it.

    Parameters
    ----------
    path : str or Path
        The export.

    Returns
    -------
    platform : str
        One of ``limesurvey, msforms, qualtrics, googleforms, spss, csv, xlsx``.
    reason : str
        Why, e.g. ``"auto: columns id,submitdate,lastpage,startlanguage → limesurvey"``.

    Raises
    ------
    InputFileError
        When the file is missing, empty, binary or otherwise unreadable.
    """
    path = Path(path)
    head = detect.check_file(path)
    kind = detect.container(path, head)
    if kind == "sav":
        return "spss", "auto: SPSS system file signature ($FL2) → spss"
    if kind == "xlsx":
        return detect.from_records(excel.head_rows(path), "xlsx")
    with path.open("rb") as fh:
        raw = fh.read(delimited.SAMPLE_BYTES)
    # Trim a multi-byte character cut in half by the sample boundary.
    for cut in range(4):
        try:
            raw[: len(raw) - cut].decode("utf-8")
            raw = raw[: len(raw) - cut]
            break
        except UnicodeDecodeError:
            continue
    info = delimited.sniff(path, raw)
    return detect.from_records(delimited.head_records(info), "csv")


def read_export(
    path: str | Path, platform: str = "auto", *, sheet: str | int | None = None
) -> RawExport:
    """Read one survey export.

    Parameters
    ----------
    path : str or Path
        A ``.csv``/``.tsv``/``.txt`` (any delimited text), ``.xlsx`` or ``.sav`` file.
    platform : str, default "auto"
        ``auto`` or one of :data:`PLATFORMS`. ``auto`` recognises the platform
        from signature bytes and columns and records why in
        ``detected["platform_reason"]``.
    sheet : str or int, optional
        Worksheet name or 0-based index for ``.xlsx`` (default: the first sheet).

    Returns
    -------
    RawExport

    Raises
    ------
    InputFileError
        Missing, empty, header-only, binary or renamed file; UTF-16 text; ragged
        row; merged Excel header cells; truncated workbook; damaged Qualtrics
        ImportId row. The message names the file and, where known, the row,
        column and value.
    """
    path = Path(path)
    if platform != "auto" and platform not in PLATFORMS:
        raise InputFileError(
            path, f"unknown platform {platform!r}; use auto or one of {', '.join(PLATFORMS)}"
        )
    head = detect.check_file(path)
    kind = detect.container(path, head)
    _check_platform_fits(path, platform, kind)
    warnings: list[str] = []

    if kind == "sav":
        result = spss.read(path)
        _add_origin_system(result)
        if path.suffix.lower() not in detect.SPSS_EXT:
            cast(list[str], result.detected["warnings"]).append(
                f"read as SPSS by its content although it is named '{path.suffix}'"
            )
        result.detected.update(
            platform="spss",
            platform_reason=(
                "auto: SPSS system file signature ($FL2) → spss"
                if platform == "auto"
                else "given: spss"
            ),
        )
        return result

    detected: dict[str, object] = {}
    merged: list[tuple[str, int, int, int]] = []
    if kind == "xlsx":
        table, rows, xl_detected, merged = excel.read_table(path, sheet)
        detected.update(
            encoding=None, bom=False, delimiter=None, delimiter_method=None, **xl_detected
        )
    else:
        with path.open("rb") as fh:
            raw = fh.read()
        info = delimited.sniff(path, raw)
        table, rows, read_warnings = delimited.read_table(path, info)
        warnings += read_warnings
        detected.update(
            encoding=info.encoding,
            bom=info.bom,
            delimiter=info.delimiter,
            delimiter_method=info.delimiter_method,
            sheet=None,
        )
        if sheet is not None:
            warnings.append(f"sheet={sheet!r} ignored: '{path.name}' is not a workbook")

    # Blank records (blank lines, ';;;;' rows, empty Excel rows) carry no data.
    empty = table.isna().all(axis=1).to_numpy()
    if kind == "xlsx":
        # Excel also keeps cells that hold only spaces; openpyxl gives them as text.
        blank_text = table.map(lambda v: v is None or (isinstance(v, str) and not v.strip()))
        empty = empty | blank_text.all(axis=1).to_numpy()
    keep = ~empty
    if not keep.any():
        where = f"sheet '{detected['sheet']}'" if kind == "xlsx" else "the file"
        raise InputFileError(path, f"{where} contains no data (not even a header row)")
    _skip_title_rows(table, keep, rows, warnings)
    records = table[keep].head(3).to_numpy().tolist()

    fallback = "xlsx" if kind == "xlsx" else "csv"
    if platform == "auto":
        platform, reason = detect.from_records(records, fallback)
    else:
        reason = f"given: {platform}"
    headers, duplicates, header_warnings = make_headers(records[0])
    warnings += header_warnings
    interp = _interpret(platform, records, path, headers)
    warnings += interp.warnings

    # Header rows are the first `header_rows` non-blank records.
    nonblank = np.flatnonzero(keep)
    header_positions = nonblank[: interp.header_rows]
    if kind == "xlsx" and merged:
        warnings += excel.check_merged(path, merged, rows[header_positions], headers)
    body = keep.copy()
    body[: header_positions[-1] + 1] = False
    interior_blank = np.flatnonzero(empty[header_positions[-1] + 1 : _last_true(keep) + 1])
    if len(interior_blank):
        first_rows = rows[interior_blank + header_positions[-1] + 1][:5].tolist()
        warnings.append(
            f"{len(interior_blank)} empty row(s) skipped (spreadsheet rows {first_rows}"
            f"{' …' if len(interior_blank) > 5 else ''})"
        )
    data = table[body]
    source_rows = rows[body].astype(int)
    if data.empty:
        where = f"sheet '{detected['sheet']}'" if kind == "xlsx" else "the file"
        raise InputFileError(
            path, f"{where} has a header but no responses (no data rows below the header)"
        )
    data = data.reset_index(drop=True)
    data.columns = headers
    data, source_rows = _drop_repeated_headers(data, source_rows, records[0], warnings)
    if data.empty:
        raise InputFileError(
            path, "every row below the header repeats the header; the file holds no responses"
        )
    if kind == "xlsx":
        data = excel.to_values(data)

    # A trailing delimiter on every line (legacy Qualtrics) adds a column with
    # neither header nor data: drop it instead of reporting an 'unnamed' column.
    dropped = [c for c in data.columns if c.startswith("unnamed_") and data[c].isna().all()]
    data = data.drop(columns=dropped)
    if dropped:
        warnings.append(f"dropped column(s) without header and without data: {', '.join(dropped)}")
        warnings[:] = [w for w in warnings if not any(f"'{d}'" in w for d in dropped)]

    locale, locale_warnings = locales.detect_locale(
        data,
        delimiter=cast(str | None, detected.get("delimiter")),
        encoding=cast(str | None, detected.get("encoding")),
    )
    warnings += locale_warnings
    detected.update(locale)
    if kind == "xlsx" and not locale["date_columns"]:
        detected["dayfirst_reason"] = "Excel dates are real dates; no day/month order to guess"

    header_text = {h: t for h, t in interp.header_text.items() if h in data.columns}
    detected.update(
        header_rows=int(interp.header_rows),
        platform=platform,
        platform_reason=reason,
        duplicate_headers=duplicates,
        system_columns=[c for c in interp.system_columns if c in data.columns],
        personal_columns=[c for c in interp.personal_columns if c in data.columns],
        **interp.extra,
    )
    detected["warnings"] = warnings
    return RawExport(
        path=path,
        platform=platform,
        frame=data,
        source_rows=np.asarray(source_rows, dtype=int),
        header_text=header_text,
        value_labels={},
        missing_values={},
        system={k: v for k, v in interp.system.items() if v in data.columns},
        detected=detected,
    )


def _check_platform_fits(path: Path, platform: str, kind: str) -> None:
    """An explicit platform must match the file's container."""
    if platform == "auto":
        return
    if platform == "spss" and kind != "sav":
        raise InputFileError(path, "platform 'spss' was given, but this is not an SPSS .sav file")
    if kind == "sav" and platform != "spss":
        raise InputFileError(
            path, f"platform {platform!r} was given, but this is an SPSS .sav file"
        )
    if platform == "xlsx" and kind != "xlsx":
        raise InputFileError(path, "platform 'xlsx' was given, but this is not an .xlsx workbook")
    if platform == "csv" and kind != "text":
        raise InputFileError(path, "platform 'csv' was given, but this is not a text (CSV) file")


def _interpret(
    platform: str, records: list[list[object]], path: Path, headers: list[str]
) -> Interpretation:
    first = [headers]  # platform modules see the cleaned, unique headers in row 1
    if platform == "qualtrics":
        return qualtrics.interpret(records, path, headers)
    if platform == "limesurvey":
        return limesurvey.interpret(first)
    if platform == "msforms":
        return msforms.interpret(first)
    if platform == "googleforms":
        return googleforms.interpret(first)
    return Interpretation(header_rows=1)


def _add_origin_system(result: RawExport) -> None:
    """A .sav converted from another platform keeps that platform's system columns."""
    headers = list(result.frame.columns)
    origin, reason = detect.from_records([headers], "spss")
    if origin in ("spss", "qualtrics"):
        return
    interp = _interpret(origin, [headers], result.path, headers)
    result.system = interp.system
    result.detected.update(
        origin_platform=origin,
        origin_reason=reason,
        system_columns=interp.system_columns,
        personal_columns=interp.personal_columns,
    )


def _filled(values: list[object]) -> int:
    return sum(1 for v in values if clean_text(v))


def _skip_title_rows(
    table: pd.DataFrame, keep: np.ndarray, rows: np.ndarray, warnings: list[str]
) -> None:
    """Skip title lines above the header ("Resultaten enquête …" in A1), in place.

    A first record with a single filled cell, followed by a record with several,
    is a title a person typed above the table, never a header: a survey export
    has at least a key, a lab and items. The title text is not repeated in the
    warning (it may name a school or a person).
    """
    if table.shape[1] < 2:
        return
    for _ in range(5):
        nonblank = np.flatnonzero(keep)
        if len(nonblank) < 2:
            return
        first = table.iloc[nonblank[0]].tolist()
        nxt = table.iloc[nonblank[1]].tolist()
        if _filled(first) != 1 or _filled(nxt) < 2:
            return
        keep[nonblank[0]] = False
        warnings.append(
            f"row {int(rows[nonblank[0]])} holds a single cell above the table; "
            "skipped it as a title (the header is the next filled row)"
        )


def _drop_repeated_headers(
    data: pd.DataFrame, source_rows: np.ndarray, header: list[object], warnings: list[str]
) -> tuple[pd.DataFrame, np.ndarray]:
    """Drop data rows that repeat the header row (two exports pasted into one file).

    Such a row holds no response. Vectorised: only rows whose first cell equals
    the first header are compared further.
    """
    want = [clean_text(h) for h in header]
    if not data.shape[1] or not want[0]:
        return data, source_rows
    first = data.iloc[:, 0].astype("string").str.strip()
    same = first.eq(want[0]).fillna(False).to_numpy(dtype=bool)
    if not same.any():
        return data, source_rows
    for i, text in enumerate(want[1:], start=1):
        if i >= data.shape[1]:
            break
        col = data.iloc[:, i]
        if text:
            hit = col.astype("string").str.strip().eq(text).fillna(False)
        else:
            hit = col.isna() | col.astype("string").str.strip().eq("").fillna(True)
        same &= hit.to_numpy(dtype=bool)
    if not same.any():
        return data, source_rows
    where = source_rows[same][:5].tolist()
    warnings.append(
        f"{int(same.sum())} row(s) repeat the header row and were skipped (spreadsheet rows "
        f"{where}{' …' if same.sum() > 5 else ''}); were two exports pasted into one file?"
    )
    return data[~same].reset_index(drop=True), source_rows[~same]


def _last_true(mask: np.ndarray) -> int:
    return int(np.flatnonzero(mask)[-1])
