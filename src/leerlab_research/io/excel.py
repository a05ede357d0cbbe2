"""Excel ``.xlsx`` workbooks (Microsoft Forms, or any sheet a lab saved).

openpyxl reads the cells; datetimes stay datetimes (they are real Excel dates,
so no day/month guessing is needed), every other value becomes its text. The
workbook is opened in normal (not read-only) mode because only then does
openpyxl expose ``ws.merged_cells``, which we need to refuse merged header cells
(pandas would silently give the second half of a merged header an empty name).
"""

from __future__ import annotations

import datetime as dt
import warnings as _warnings
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
from openpyxl.utils.exceptions import InvalidFileException

from ..errors import InputFileError
from ._common import clean_text

#: What openpyxl and the layers under it raise for a damaged workbook, found by
#: truncating real exports, changing their bytes at random and cutting, dropping or
#: altering the XML parts: a broken zip (``BadZipFile``, ``EOFError``), bad deflate
#: data (``zlib.error``), malformed XML (ElementTree's ``ParseError`` and lxml's
#: ``XMLSyntaxError`` are both ``SyntaxError``s), a missing part (``KeyError``) and
#: invalid values inside the parts (openpyxl's descriptors raise ``TypeError`` or
#: ``ValueError``, a missing style ``IndexError``, a huge number ``OverflowError``, an
#: unknown compression ``NotImplementedError``). Only openpyxl's own calls are inside
#: the ``try`` blocks that catch these, so that an error of ours is not taken for a
#: damaged file (it reaches the CLI as a bug, exit 3).
DAMAGED: tuple[type[Exception], ...] = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    SyntaxError,
    KeyError,
    TypeError,
    ValueError,
    IndexError,
    OverflowError,
    NotImplementedError,
)


def _load(path: Path, *, read_only: bool) -> openpyxl.Workbook:
    """Open a workbook, turning openpyxl/zipfile failures into :class:`InputFileError`."""
    try:
        with _warnings.catch_warnings():
            # openpyxl warns about unsupported extensions/styles; irrelevant here.
            _warnings.simplefilter("ignore")
            return openpyxl.load_workbook(path, read_only=read_only, data_only=True)
    except zipfile.BadZipFile as exc:
        raise InputFileError(
            path,
            "the Excel file is damaged or incomplete (truncated zip archive); "
            "download or copy it again",
        ) from exc
    except (InvalidFileException, KeyError) as exc:
        raise InputFileError(
            path,
            "this is a zip archive but not an Excel .xlsx workbook "
            f"({type(exc).__name__}: {exc}); open it in Excel and save it as .xlsx",
        ) from exc
    except DAMAGED as exc:
        raise _damaged(path, exc) from exc


def _rows(ws, path: Path) -> Iterator[tuple[object, ...]]:
    """The sheet's rows as values; read-only mode parses lazily, so damage shows up here."""
    rows = ws.iter_rows(values_only=True)
    while True:
        try:
            row = next(rows)
        except StopIteration:
            return
        except DAMAGED as exc:
            raise _damaged(path, exc) from exc
        yield row


def _damaged(path: Path, exc: Exception) -> InputFileError:
    return InputFileError(
        path,
        f"the Excel file is damaged and cannot be read ({type(exc).__name__}: {exc}); "
        "open it in Excel, save it again as .xlsx, or download it again",
    )


def _select(wb: openpyxl.Workbook, path: Path, sheet: str | int | None):
    names = wb.sheetnames
    if sheet is None:
        return wb.worksheets[0]
    if isinstance(sheet, int):
        if 0 <= sheet < len(names):
            return wb.worksheets[sheet]
        raise InputFileError(
            path, f"there is no sheet number {sheet} (0-based); sheets: {', '.join(names)}"
        )
    if sheet in names:
        return wb[sheet]
    raise InputFileError(path, f"there is no sheet named {sheet!r}; sheets: {', '.join(names)}")


def head_rows(path: Path, sheet: str | int | None = None, n: int = 3) -> list[list[object]]:
    """First ``n`` non-empty rows of a sheet (read-only mode: fast on big files)."""
    wb = _load(path, read_only=True)
    try:
        ws = _select(wb, path, sheet)
        out: list[list[object]] = []
        for row in _rows(ws, path):
            if any(clean_text(v) for v in row):
                out.append(list(row))
            if len(out) >= n:
                break
        return out
    finally:
        wb.close()


def read_table(
    path: Path, sheet: str | int | None = None
) -> tuple[pd.DataFrame, np.ndarray, dict[str, object], list[tuple[str, int, int, int]]]:
    """Read every row of one sheet.

    Returns
    -------
    frame : pandas.DataFrame
        Object columns with the raw cell values (header rows included), from the
        first non-empty row on.
    rows : numpy.ndarray
        The worksheet row number of each record.
    detected : dict
        ``sheet`` (its name) and ``sheets`` (all names).
    merged : list of (range, min_row, max_row, min_col)
        Merged cell ranges, e.g. ``("A1:C1", 1, 1, 1)``.
    """
    wb = _load(path, read_only=False)
    ws = _select(wb, path, sheet)
    values = list(ws.iter_rows(min_row=1, values_only=True))
    merged = [(str(r.coord), r.min_row, r.max_row, r.min_col) for r in ws.merged_cells.ranges]
    detected: dict[str, object] = {"sheet": ws.title, "sheets": list(wb.sheetnames)}
    wb.close()
    if not values:
        return pd.DataFrame(), np.array([], dtype=int), detected, merged
    frame = pd.DataFrame(values, dtype=object)
    rows = np.arange(1, len(frame) + 1)
    empty = frame.map(lambda v: v is None or (isinstance(v, str) and not v.strip())).all(axis=1)
    if empty.all():
        return frame.iloc[0:0], rows[:0], detected, merged
    first = int(np.argmax(~empty.to_numpy()))
    return frame.iloc[first:].reset_index(drop=True), rows[first:], detected, merged


def check_merged(
    path: Path, merged: list[tuple[str, int, int, int]], header_rows: np.ndarray, headers: list[str]
) -> list[str]:
    """Refuse merged cells in the header row(s); warn about merged data cells.

    Parameters
    ----------
    header_rows : numpy.ndarray
        Worksheet row numbers of the header rows.
    headers : list of str
        Cleaned headers, only used to name the column in the message.
    """
    warnings: list[str] = []
    lo, hi = int(header_rows.min()), int(header_rows.max())
    for coord, rmin, rmax, cmin in sorted(merged):
        if rmin <= hi and rmax >= lo:
            # Name the column by its header where we have one, else its letter.
            name = headers[cmin - 1] if 0 < cmin <= len(headers) else coord.split(":")[0]
            raise InputFileError(
                path,
                f"header cells {coord} are merged; unmerge them in Excel and give every "
                "column its own header in one row, then read the file again",
                row=rmin,
                column=name,
            )
        warnings.append(f"cells {coord} are merged; only the first cell holds the value")
    return warnings


def to_values(data: pd.DataFrame) -> pd.DataFrame:
    """Turn raw cell values into the RawExport convention.

    Columns whose non-empty cells are all datetimes become ``datetime64``; all
    other cells become their text (``3`` → ``"3"``, ``3.5`` → ``"3.5"``;
    a datetime inside a text column → ISO text) with empty cells as NaN.

    The cells of all columns are classified in one stacked column (a pandas call
    per column costs more than the cells of a survey's column do), and only the
    datetime columns are converted one by one. Loops over columns, never over rows.
    """
    n_rows, n_cols = data.shape
    # Column-major: cells j * n_rows … (j + 1) * n_rows - 1 are column j's.
    cells = pd.Series(data.to_numpy(dtype=object).ravel(order="F"), dtype=object)
    present = cells.map(_present).to_numpy(dtype=bool)
    is_dt = cells.map(lambda v: isinstance(v, dt.datetime | dt.date)).to_numpy(dtype=bool)
    by_col = present.reshape(n_cols, n_rows)
    dt_col = by_col.any(axis=1) & ~(by_col & ~is_dt.reshape(n_cols, n_rows)).any(axis=1)
    in_text_col = ~np.repeat(dt_col, n_rows)
    text = cells[in_text_col].map(_cell_text)
    shown = text.astype("str").where(present[in_text_col] & text.notna().to_numpy(dtype=bool))
    out = {}
    start = 0
    for j, col in enumerate(data.columns):
        if dt_col[j]:
            out[col] = pd.to_datetime(data.iloc[:, j].where(by_col[j], None))
            continue
        out[col] = pd.Series(shown.array[start : start + n_rows], index=data.index)
        start += n_rows
    return pd.DataFrame(out, index=data.index)


def _present(v: object) -> bool:
    """A cell that holds something (openpyxl gives None, or '' for an empty string cell)."""
    return v is not None and not (isinstance(v, str) and v == "")


def _cell_text(v: object) -> object:
    if v is None:
        return None
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"  # as Excel shows it
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, dt.datetime | dt.date | dt.time):
        return v.isoformat(sep=" ") if isinstance(v, dt.datetime) else v.isoformat()
    return str(v)
