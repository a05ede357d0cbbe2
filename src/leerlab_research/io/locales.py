"""The locale a table's text was written in: decimal comma, day-first dates, date formats.

Every reader of text cells (delimited text, and the text cells of a workbook)
ends with :func:`detect_locale`. It classifies the cells of a sample of rows with
a handful of regular expressions. The cells are stacked into one column and the
expressions run once on its distinct values, not once per column: a survey
export repeats the same few answers ("1" … "5", "ja", the lab names) in dozens
of columns, so there are far fewer distinct values than cells, and one pandas
call per expression replaces one per expression and column. Counts are then
taken per cell (a value that occurs three times counts three times), and the
per-column questions ("are all of this column's cells dates?") are answered
with ``numpy.bincount`` over the cells' column numbers.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

#: Data rows inspected for decimal comma and date order.
LOCALE_SAMPLE_ROWS = 1000

_COMMA_DECIMAL = re.compile(r"^[+-]?\d+,\d+$")
_DOT_DECIMAL = re.compile(r"^[+-]?\d+\.\d+$")
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+$")
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[ T](\d{1,2}:\d{2})(:\d{2})?)?")
_YMD_SLASH_AMPM = re.compile(r"^\d{4}/\d{1,2}/\d{1,2} \d{1,2}:\d{2}:\d{2} [AP]M")
_DMY = re.compile(r"^(\d{1,2})([-/.])(\d{1,2})\2(\d{2}|\d{4})(?: (\d{1,2}:\d{2})(:\d{2})?)?$")

#: Date kinds in the order they are tried; a column is of the first kind all its cells match.
_DATE_KINDS = (("iso", _ISO), ("ymd_ampm", _YMD_SLASH_AMPM), ("dmy", _DMY))


class _Cells:
    """The sampled text cells of a table's string columns, stacked into one column.

    A cell counts when it is a string that is not blank once stripped (pandas'
    ``str.strip``). ``values`` holds the distinct
    stripped values in order of first appearance; ``code`` is each cell's index
    into it and ``column`` its column's position in ``names``. Cells are in
    column order, and within a column in row order.
    """

    def __init__(self, sample: pd.DataFrame) -> None:
        self.names: list[str] = []
        parts: list[pd.Series] = []
        for j in range(sample.shape[1]):
            s = sample.iloc[:, j]
            if pd.api.types.is_string_dtype(s) or s.dtype == object:
                self.names.append(str(sample.columns[j]))
                parts.append(s)
        self.code = np.zeros(0, dtype=np.intp)
        self.column = np.zeros(0, dtype=np.intp)
        self.values = pd.Series([], dtype=str)
        if not parts or not len(sample):
            return
        stacked = pd.concat(parts, ignore_index=True)
        column = np.repeat(np.arange(len(parts)), len(sample))
        keep = stacked.notna().to_numpy(dtype=bool)
        if not isinstance(stacked.dtype, pd.StringDtype):
            # An object column (a workbook's mixed cells) may hold numbers or
            # datetimes; only text is classified.
            keep = keep & stacked.map(lambda v: isinstance(v, str)).to_numpy(dtype=bool)
        text = stacked[keep].astype(str).str.strip()
        filled = (text != "").to_numpy(dtype=bool)
        codes, uniques = pd.factorize(text[filled])
        self.code = np.asarray(codes, dtype=np.intp)
        self.column = column[keep][filled]
        self.values = pd.Series(uniques.array)

    def count(self, pattern: re.Pattern[str]) -> int:
        """Cells matching ``pattern`` (``str.match``), each occurrence counted."""
        return int(self.matches(pattern)[self.code].sum())

    def matches(self, pattern: re.Pattern[str]) -> np.ndarray:
        """For each distinct value: does it match ``pattern``?"""
        if self.values.empty:
            return np.zeros(0, dtype=bool)
        return self.values.str.match(pattern.pattern).to_numpy(dtype=bool)

    def per_column(self, cell_mask: np.ndarray) -> np.ndarray:
        """Number of cells in ``cell_mask`` in each column."""
        return np.bincount(self.column[cell_mask], minlength=len(self.names))

    def date_columns(self) -> dict[str, tuple[str, str, int]]:
        """Column name → (date kind, first cell, position) for the columns of dates.

        A column is ``iso`` when every cell matches the ISO pattern, else
        ``ymd_ampm``, else ``dmy`` in the same way; a column with one cell that is
        no date of the kind is not that kind.
        """
        n_cells = self.per_column(np.ones(len(self.code), dtype=bool))
        kind = np.full(len(self.names), "", dtype=object)
        for name, pattern in _DATE_KINDS:
            undecided = (kind == "") & (n_cells > 0)
            if not undecided.any():
                break
            all_match = self.per_column(self.matches(pattern)[self.code]) == n_cells
            kind[undecided & all_match] = name
        # Cells are ordered by column, so a column's first cell is where its number starts.
        first = np.searchsorted(self.column, np.arange(len(self.names)))
        out: dict[str, tuple[str, str, int]] = {}
        for j, name in enumerate(self.names):
            if kind[j]:
                out[name] = (str(kind[j]), str(self.values.iloc[self.code[first[j]]]), j)
        return out

    def dmy_fields(self, columns: list[int]) -> tuple[bool, set[str], bool, bool]:
        """What the cells of the d-m-y ``columns`` (positions) show.

        Returns whether they hold any cell, their separators, and whether some
        cell has a first, and some a second, field above 12.
        """
        in_cols = np.isin(self.column, columns)
        if not in_cols.any():
            return False, set(), False, False
        # Every cell of these columns matches the pattern, so each distinct value has its fields.
        parts = self.values.iloc[np.unique(self.code[in_cols])].str.extract(_DMY.pattern)
        return (
            True,
            set(parts[1].unique().tolist()),
            bool((parts[0].astype(int) > 12).any()),
            bool((parts[2].astype(int) > 12).any()),
        )


def detect_locale(
    data: pd.DataFrame, *, delimiter: str | None, encoding: str | None
) -> tuple[dict[str, object], list[str]]:
    """Detect decimal separator, day-first dates and a date-format hint.

    Looks at the first :data:`LOCALE_SAMPLE_ROWS` data rows of the string columns.

    Decimal comma: cells like ``3,5``. In a ``;`` or tab file they win unless
    dot-decimals outnumber them; in a comma file they can only be quoted, so
    they count only when no ``1,234``-style thousands appear.

    Day first: a ``d-m-y`` date whose first field is > 12 proves day-first, one
    whose second field is > 12 proves month-first; otherwise the locale hint
    decides: a decimal comma, a ``;`` delimiter, or d-m-y dates written with
    ``-``/``.`` mean Dutch/European (day-first); ``/`` dates in a ``,`` file
    without a decimal comma are read month-first. An unproven order is warned about.

    Returns
    -------
    detected : dict
        ``decimal``, ``dayfirst``, ``dayfirst_reason``, ``date_format`` (hint for
        the first date column, or None) and ``date_columns`` (column → hint).
    warnings : list of str
    """
    warnings: list[str] = []
    cells = _Cells(data.head(LOCALE_SAMPLE_ROWS))
    n_comma = cells.count(_COMMA_DECIMAL)
    n_dot = cells.count(_DOT_DECIMAL)
    n_thousands = cells.count(_THOUSANDS)
    date_cols = cells.date_columns()

    if delimiter in (";", "\t"):
        decimal = "," if n_comma > n_dot else "."
    else:
        decimal = "," if n_comma > 0 and n_dot == 0 and n_thousands == 0 else "."
    if n_comma and n_dot:
        warnings.append(
            f"both decimal commas ({n_comma} cells like '3,5') and decimal points "
            f"({n_dot} cells like '3.5') occur; assumed decimal '{decimal}'"
        )

    any_dmy, dmy_seps, dmy_first, dmy_second = cells.dmy_fields(
        [j for kind, _, j in date_cols.values() if kind == "dmy"]
    )
    # European/Dutch locale: a decimal comma, Excel's ';' list separator (an
    # en-US Excel never writes ';'), or d-m-y dates written with '-' or '.'
    # (nl-NL short dates are 4-3-2024; US short dates use '/').
    hints = []
    if decimal == ",":
        hints.append("decimal comma")
    if delimiter == ";":
        hints.append("';' list separator" + (" with cp1252" if encoding == "cp1252" else ""))
    if dmy_seps & {"-", "."}:
        hints.append("dates written d-m-y with '-' or '.'")
    hint = bool(hints)
    if dmy_first and not dmy_second:
        dayfirst, reason = True, "a date has a first field > 12"
    elif dmy_second and not dmy_first:
        dayfirst, reason = False, "a date has a second field > 12"
    elif dmy_first and dmy_second:
        dayfirst, reason = bool(hint), "dates disagree on day/month order; used the locale hint"
        warnings.append("some dates look day-first and others month-first; check the date columns")
    else:
        dayfirst = hint
        reason = (
            f"locale hint: {', '.join(hints)} (Dutch/European Excel)"
            if hint
            else "no evidence for day-first dates"
        )
        if any_dmy:
            warnings.append(
                "no date has a day above 12, so the day/month order cannot be proven; read them "
                f"as {'day-first (d-m-y)' if dayfirst else 'month-first (m/d/y)'} ({reason}); "
                "check the date columns"
            )

    formats = {
        col: _date_format(kind, first, dayfirst) for col, (kind, first, _) in date_cols.items()
    }
    detected: dict[str, object] = {
        "decimal": decimal,
        "dayfirst": dayfirst,
        "dayfirst_reason": reason,
        "date_format": next(iter(formats.values()), None),
        "date_columns": formats,
    }
    return detected, warnings


def _date_format(kind: str, first: str, dayfirst: bool) -> str:
    """strftime-style hint for a date column of ``kind`` from its first cell."""
    if kind == "iso":
        m = _ISO.match(first)
        fmt = "%Y-%m-%d"
        if m and m.group(1):
            fmt += " %H:%M" + (":%S" if m.group(2) else "")
        return fmt
    if kind == "ymd_ampm":
        return "%Y/%m/%d %I:%M:%S %p"
    dmy = _DMY.match(first)
    assert dmy is not None
    sep = dmy.group(2)
    year = "%Y" if len(dmy.group(4)) == 4 else "%y"
    fmt = sep.join(["%d", "%m", year] if dayfirst else ["%m", "%d", year])
    if dmy.group(5):
        fmt += " %H:%M" + (":%S" if dmy.group(6) else "")
    return fmt
