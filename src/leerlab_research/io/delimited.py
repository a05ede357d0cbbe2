"""Delimited text (CSV/TSV/``;``) from any platform: encoding and dialect.

Exports reach us from LimeSurvey (UTF-8 + BOM, everything quoted, CRLF),
Qualtrics and Google Forms (UTF-8, comma) and from Dutch Excel ("CSV
(gescheiden door lijstscheidingsteken)": cp1252, ``;``, decimal comma,
``dd-mm-jjjj`` dates). This module finds out which, reads every cell as a string
(so nothing is silently converted) and records what it found. The locale of
the cells (decimal comma, day-first dates) is found by :mod:`.locales`, for
workbooks as well.

Detection runs on a sample only; the full file is parsed once by pandas' C
engine. The one hand-written piece is :func:`field_counts`, a vectorised
(numpy, no per-row Python loop) quote-aware field counter: pandas silently pads
rows that are too *short* with NaN, which would hide a cut-off row.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import charset_normalizer
import numpy as np
import pandas as pd

from ..errors import InputFileError

#: Bytes used for encoding and dialect detection.
SAMPLE_BYTES = 128 * 1024

_UTF16_ADVICE = (
    "this file is saved as UTF-16 (Excel's 'Unicode text' or some survey exports); "
    "open it and save it again as 'CSV UTF-8 (comma delimited)', then read it again"
)


@dataclass
class DelimitedInfo:
    """Encoding and dialect of a delimited text file."""

    encoding: str
    bom: bool
    delimiter: str
    delimiter_method: str
    text: str = field(repr=False, default="")
    raw: bytes = field(repr=False, default=b"")


# --------------------------------------------------------------------------- encoding


def _line_of(raw: bytes, pos: int) -> int:
    """1-based line number of byte offset ``pos``."""
    return raw.count(b"\n", 0, pos) + 1


def check_utf16(path: Path, head: bytes) -> None:
    """Raise :class:`InputFileError` for UTF-16/32 text (BOM or NUL-byte pattern).

    UTF-16 is reported rather than guessed: a wrong guess would give a plausible
    but garbled table, and a re-save as UTF-8 is a one-minute fix for the user.
    """
    boms = (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
    if head.startswith(boms):
        raise InputFileError(path, _UTF16_ADVICE)
    sample = head[:4096]
    if len(sample) >= 4:
        even_nuls = sample[0::2].count(0)
        odd_nuls = sample[1::2].count(0)
        half = len(sample) // 2
        # ASCII text in UTF-16 has a NUL in (nearly) every other byte.
        if max(even_nuls, odd_nuls) > 0.4 * half and min(even_nuls, odd_nuls) < 0.1 * half:
            raise InputFileError(path, _UTF16_ADVICE)


def decode(path: Path, raw: bytes) -> tuple[str, str, bool]:
    """Decode the whole file.

    Order: UTF-8 BOM → strict UTF-8 → charset-normalizer restricted to the
    Western single-byte code pages a Dutch Windows machine writes (cp1252 and
    its Latin-1/Latin-9 relatives).

    Returns
    -------
    text, encoding, bom
    """
    check_utf16(path, raw)
    if b"\x00" in raw[:SAMPLE_BYTES]:
        raise InputFileError(
            path, "this is not a text file (it contains NUL bytes); is it a binary file renamed?"
        )
    if raw.startswith(codecs.BOM_UTF8):
        try:
            return raw[3:].decode("utf-8"), "utf-8-sig", True
        except UnicodeDecodeError as exc:
            raise InputFileError(
                path,
                "the file starts with a UTF-8 byte-order mark but contains bytes that are "
                "not UTF-8; save it again as 'CSV UTF-8'",
                row=_line_of(raw, exc.start + 3),
            ) from exc
    try:
        return raw.decode("utf-8"), "utf-8", False
    except UnicodeDecodeError as exc:
        first_bad = exc.start
    # Not UTF-8: ask charset-normalizer whether this is plausible Western text.
    # It also rejects binary garbage that happens to decode as cp1252.
    best = charset_normalizer.from_bytes(
        raw[:SAMPLE_BYTES], cp_isolation=["cp1252", "latin_1", "iso8859_15"]
    ).best()
    if best is None:
        raise InputFileError(
            path,
            "the text encoding could not be recognised (not UTF-8 and not Windows-1252); "
            "save the file again as 'CSV UTF-8'",
            row=_line_of(raw, first_bad),
        )
    for encoding in ("cp1252", "latin_1"):
        # cp1252 first: it is what Excel writes, and it has €, ’ and “ ” where
        # Latin-1 has control codes. Latin-1 decodes any byte, so it is the fallback.
        try:
            return raw.decode(encoding), encoding, False
        except UnicodeDecodeError:
            continue
    raise AssertionError("latin_1 decodes every byte")  # pragma: no cover


# --------------------------------------------------------------------------- dialect


def _sample_lines(text: str, max_chars: int = 64 * 1024, max_lines: int = 60) -> str:
    """First complete lines of ``text`` (never a half line at the end)."""
    sample = text[:max_chars]
    lines = sample.splitlines(keepends=True)
    if len(text) > len(sample) and len(lines) > 1:
        lines = lines[:-1]
    return "".join(lines[:max_lines])


def _consistency(sample: str, delimiter: str) -> tuple[float, int]:
    """Share of sampled records whose field count equals the header's, and that count."""
    try:
        rows = [r for r in csv.reader(io.StringIO(sample, newline=None), delimiter=delimiter) if r]
    except csv.Error:
        return 0.0, 0
    if not rows:
        return 0.0, 0
    # The last sampled record may be cut inside a quoted value; ignore it.
    if len(rows) > 2:
        rows = rows[:-1]
    n = len(rows[0])
    return sum(len(r) == n for r in rows) / len(rows), n


def detect_delimiter(text: str) -> tuple[str, str]:
    """Find the delimiter among ``,``, ``;`` and tab.

    ``csv.Sniffer`` is tried first; its answer is kept only when it splits the
    header into more than one field and the sampled rows agree on the field
    count. Otherwise the delimiter that gives the most consistent, widest rows
    wins (Sniffer is easily misled by commas inside quoted Dutch text).

    Returns
    -------
    delimiter, method
    """
    sample = _sample_lines(text)
    try:
        sniffed = csv.Sniffer().sniff(sample, delimiters=",;\t").delimiter
    except csv.Error:
        sniffed = None
    if sniffed is not None:
        share, width = _consistency(sample, sniffed)
        if share >= 0.9 and width > 1:
            return sniffed, "csv.Sniffer"
    scored = []
    for delimiter in (",", ";", "\t"):
        share, width = _consistency(sample, delimiter)
        scored.append((share >= 0.9 and width > 1, width * share, delimiter))
    ok, _, best = max(scored)
    if not ok:
        return ",", "default (single column: no ',' ';' or tab separates the header)"
    return best, "field counting"


def sniff(path: Path, raw: bytes) -> DelimitedInfo:
    """Decode ``raw`` and detect its delimiter."""
    text, encoding, bom = decode(path, raw)
    if not text.strip():
        raise InputFileError(path, "the file contains no data (only blank lines or spaces)")
    directive = _SEP_LINE.match(text)
    if directive:
        # Excel's "sep=;" first line names the delimiter and is not shown as a
        # row, so drop it from both the text and the bytes the counter reads.
        delimiter, method = directive.group(1), "Excel 'sep=' line"
        text = text[directive.end() :]
        start = 3 if bom else 0
        raw = raw[:start] + raw[raw.index(b"\n", start) + 1 :]
        if not text.strip():
            raise InputFileError(
                path,
                "the file holds only Excel's 'sep=' line and no header or data; export it again",
            )
    else:
        delimiter, method = detect_delimiter(text)
        if method.startswith("default"):
            _refuse_other_separator(path, text)
    return DelimitedInfo(encoding, bom, delimiter, method, text=text, raw=raw)


#: Separators we do not read, but recognise to say so (database and ERP exports).
_OTHER_SEPARATORS = {"|": "'|' (pipe)", "^": "'^'", "~": "'~'"}


def _refuse_other_separator(path: Path, text: str) -> None:
    """A header split only by an unsupported separator would read as one giant column."""
    first = next((ln for ln in text.splitlines() if ln.strip()), "")
    for sep, name in _OTHER_SEPARATORS.items():
        if first.count(sep) >= 2:
            raise InputFileError(
                path,
                f"the columns are separated by {name}, which is not supported; save the file "
                "as CSV with ',' or ';' (or tab) between the columns and read it again",
                row=1,
            )


_LEADING_BLANK = re.compile(r"(?:\r?\n)+")
_SEP_LINE = re.compile(r"sep=([,;\t|])\r?\n")


def head_records(info: DelimitedInfo, n: int = 3) -> list[list[str]]:
    """First ``n`` non-blank records, parsed with the stdlib ``csv`` module."""
    # newline=None: universal newlines, so old-Mac "\r" line ends parse too.
    reader = csv.reader(
        io.StringIO(_sample_lines(info.text, max_lines=400), newline=None),
        delimiter=info.delimiter,
    )
    out: list[list[str]] = []
    try:
        for row in reader:
            if any(c.strip() for c in row):
                out.append(row)
            if len(out) >= n:
                break
    except csv.Error:
        pass
    return out


# --------------------------------------------------------------------------- reading


def field_counts(raw: bytes, delimiter: str) -> tuple[np.ndarray, np.ndarray]:
    """Fields per record and blank-record mask, quote-aware, without a row loop.

    Works on the undecoded bytes: UTF-8 and cp1252 share ASCII, so quote,
    delimiter and newline bytes mean the same in both. A delimiter or newline
    counts only outside double quotes (quote parity via a wrapping uint8
    cumulative sum; a doubled ``""`` flips the parity twice, as it should).

    Returns
    -------
    counts : numpy.ndarray
        Number of fields of each record (a blank line counts 1).
    blank : numpy.ndarray of bool
        Records that are empty lines.
    """
    b = np.frombuffer(raw, dtype=np.uint8)
    if raw.startswith(codecs.BOM_UTF8):
        b = b[3:]
    parity = np.cumsum(b == ord('"'), dtype=np.uint8) & 1
    outside = parity == 0
    # Records end in "\n" (LF or CRLF); only old-Mac files use a bare "\r".
    newline = ord("\n") if b"\n" in raw or b"\r" not in raw else ord("\r")
    ends = np.flatnonzero((b == newline) & outside)
    if len(b) and (len(ends) == 0 or ends[-1] != len(b) - 1):
        ends = np.append(ends, len(b))  # last record without a final newline
    starts = np.concatenate(([0], ends[:-1] + 1))
    delims = np.flatnonzero((b == ord(delimiter)) & outside)
    record_of = np.searchsorted(ends, delims)
    counts = np.bincount(record_of, minlength=len(ends))[: len(ends)] + 1
    length = ends - starts
    # CRLF: a blank line is "\r\n", i.e. one byte before the "\n".
    has_cr = np.zeros(len(ends), dtype=bool)
    nonempty = length > 0
    has_cr[nonempty] = (b[np.minimum(ends[nonempty] - 1, len(b) - 1)] == ord("\r")) & (
        newline == ord("\n")
    )
    blank = (length == 0) | ((length == 1) & has_cr)
    return counts, blank


def _ragged_error(
    path: Path,
    info: DelimitedInfo,
    counts: np.ndarray,
    expected: int,
    bad: np.ndarray,
    offset: int,
) -> InputFileError:
    """The error for the first record in ``bad`` (``offset`` = leading blank lines cut)."""
    first = int(bad[0])
    more = f" ({len(bad) - 1} more row(s) like this)" if len(bad) > 1 else ""
    delim = {"\t": "tab"}.get(info.delimiter, info.delimiter)
    n, expected = int(counts[first]), int(expected)
    cause = (
        f"a value probably contains an unquoted '{delim}'"
        if n > expected
        else "the row was probably cut off or a value holds an unquoted line break"
    )
    return InputFileError(
        path,
        f"this row has {n} field{'s' if n != 1 else ''} but the header has {expected}{more}; "
        f"{cause}. Fix the row in the file (or export it again) and read it again",
        row=first + 1 + offset,
    )


def read_table(path: Path, info: DelimitedInfo) -> tuple[pd.DataFrame, np.ndarray, list[str]]:
    """Parse every record (header rows included) as strings.

    Returns
    -------
    frame : pandas.DataFrame
        Integer column labels; every record of the file, blank lines included,
        so that position ``i`` is spreadsheet row ``i + 1``. Empty cells are NaN.
    rows : numpy.ndarray
        Spreadsheet row of each record.
    warnings : list of str
    """
    warnings: list[str] = []
    counts, blank = field_counts(info.raw, info.delimiter)
    # pandas cannot start on a blank line (EmptyDataError), so leading blank
    # lines are cut off here and only counted for the row numbers.
    lead = _LEADING_BLANK.match(info.text)
    n_lead = lead.group(0).count("\n") if lead else 0
    text = info.text[lead.end() :] if lead else info.text
    counts, blank = counts[n_lead:], blank[n_lead:]
    expected = counts[0]
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            sep=info.delimiter,
            header=None,
            dtype=str,
            keep_default_na=False,
            na_values=[""],
            skip_blank_lines=False,
            quotechar='"',
            doublequote=True,
            engine="c",
        )
    except pd.errors.EmptyDataError as exc:
        raise InputFileError(path, "the file contains no data") from exc
    except pd.errors.ParserError as exc:
        bad = np.flatnonzero((counts != expected) & ~blank)
        if len(bad):
            raise _ragged_error(path, info, counts, expected, bad, n_lead) from exc
        eof = re.search(r"EOF inside string starting at row (\d+)", str(exc))
        if eof:
            # pandas counts records from 0 here; a spreadsheet counts from 1.
            raise InputFileError(
                path,
                'a quoted value starting in this row is never closed (a stray " '
                "character); fix the quote or export the file again",
                row=int(eof.group(1)) + 1 + n_lead,
            ) from exc
        match = re.search(r"line (\d+), saw (\d+)", str(exc))
        row = int(match.group(1)) + n_lead if match else None
        raise InputFileError(
            path,
            f"the file could not be parsed as '{info.delimiter}'-separated text ({exc}); "
            "a row probably has more fields than the header",
            row=row,
        ) from exc
    if len(counts) == len(frame):
        bad = np.flatnonzero((counts != expected) & ~blank)
        if len(bad):
            raise _ragged_error(path, info, counts, expected, bad, n_lead)
    else:
        # A stray quote inside an unquoted value makes the byte counter and
        # pandas disagree; pandas' reading is then the better one.
        warnings.append(
            "could not check that every row has as many fields as the header "
            "(a quote character appears inside an unquoted value)"
        )
    return frame, np.arange(n_lead + 1, n_lead + len(frame) + 1), warnings
