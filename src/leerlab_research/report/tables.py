"""Small helpers the report sections share: Markdown tables and safe number reading."""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from typing import Any, TypeVar

import pandas as pd

from ..config.table_labels import ALL, OUTSIDE

__all__ = [
    "ALL",
    "OUTSIDE",
    "TYPST_FLOAT_CLOSE",
    "TYPST_FLOAT_OPEN",
    "col",
    "column_weights",
    "int_text",
    "md_table",
    "memoised",
    "num_or_nan",
]


F = TypeVar("F", bound=Callable[..., Any])


def memoised(method: F) -> F:
    """Keep a section helper's result per arguments (and language) for its report.

    A lab report asks for the same derived table many times (``lab_benchmark`` six
    times, ``lab_waves`` seventeen), each time filtering whole published tables
    again. The published tables do not change while a report runs, so the first
    result is kept on the object (one ``ReportData`` per report) and every call gets
    its own copy of it (a caller may change its table or list).
    """
    name = method.__name__

    @functools.wraps(method)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        cache = self.__dict__.setdefault("_memoised", {})
        key = (name, self.lang, args, tuple(sorted(kwargs.items())))
        if key not in cache:
            cache[key] = method(self, *args, **kwargs)
        return _own_copy(cache[key])

    return wrapper  # type: ignore[return-value]


def _own_copy(value: Any) -> Any:
    """A copy of a kept result that its caller may change (tables, lists, tuples of them)."""
    if isinstance(value, pd.DataFrame):
        return value.copy()
    if isinstance(value, list):
        return [_own_copy(v) for v in value]
    if isinstance(value, tuple):
        return tuple(_own_copy(v) for v in value)
    return value


#: Raw Typst around figures that may float in the PDF: to the foot of the page where they
#: fit, else of the next, with the text after them filling the page above (HTML and DOCX
#: drop raw Typst; both engines pass it through). At the foot, not the top: a figure at
#: the top of a page stood above the heading and sentence that introduce it.
TYPST_FLOAT_OPEN = "```{=typst}\n#[\n#set figure(placement: bottom)\n```"
TYPST_FLOAT_CLOSE = "```{=typst}\n]\n```"

#: Characters a table spans at full text width (A4, 2.5 cm margins, the PDF's table font).
TABLE_CHARS = 84
#: Characters the row label may take beyond ``TABLE_CHARS``: the PDF's table holds about
#: 95 characters of its font (digits and Dutch text), so this is room to spare, not an overprint.
LABEL_ROOM = 8


def column_weights(df: pd.DataFrame, width: int = TABLE_CHARS) -> list[int]:
    """Relative column widths that give every column room for its longest word.

    pandoc sizes the columns of a wide pipe table by the dashes of its separator
    line. Table cells are not hyphenated, so a column narrower than its longest
    word (``Programmagemiddelde``) would be overprinted by the next one. Each
    column gets its longest word first; what is left of ``width`` goes to the
    columns with longer text, in proportion to their longest cell.
    """
    cells = [[str(c), *df[c].astype(str).tolist()] for c in df.columns]
    words = [
        max((len(w) for v in col for w in v.replace("**", "").split()), default=1) for col in cells
    ]
    longest = [max(len(v.replace("**", "")) for v in col) for col in cells]
    base = [w + 3 for w in words]
    spare = max(0, width - sum(base))
    extra = [max(0, n - b) for n, b in zip(longest, base, strict=True)]
    total = sum(extra)
    weights = [
        max(3, b + (round(spare * e / total) if total else 0))
        for b, e in zip(base, extra, strict=True)
    ]
    # The row label (first column) beside narrow numbers wrapped to three or four
    # lines ("Commitment (bestuur, management, docenten)"): it gets room for its
    # longest label on two lines, out of the room TABLE_CHARS keeps spare.
    two_lines = -(-longest[0] // 2) + 3
    room = max(0, width + LABEL_ROOM - sum(weights))
    weights[0] = max(weights[0], min(two_lines, weights[0] + room))
    return weights


def md_table(df: pd.DataFrame) -> str:
    """A pipe table (pandoc and Quarto both render it in HTML, DOCX and PDF).

    The separator line carries :func:`column_weights`, and is always longer than
    pandoc's 72 columns, so the widths are used in DOCX and PDF alike.
    """
    if df.empty:
        return ""
    weights = column_weights(df)
    if sum(weights) + len(weights) + 1 <= 72:
        # pandoc uses relative widths only for a table wider than its --columns
        weights = [w * 73 // sum(weights) + 1 for w in weights]

    def cell(value: object) -> str:
        return str(value).replace("|", "\\|").replace("\n", " ")

    header = "| " + " | ".join(cell(c) for c in df.columns) + " |"
    rule = "|" + "|".join(":" + "-" * (w - 1) for w in weights) + "|"
    body = ["| " + " | ".join(cell(v) for v in row) + " |" for row in df.itertuples(index=False)]
    return "\n".join([header, rule, *body]) + "\n"


def num_or_nan(x: Any) -> float:
    """``float(x)``, or NaN for a blank, missing or non-numeric value."""
    try:
        return float(x)
    except (TypeError, ValueError):
        return math.nan


def int_text(x: Any) -> str:
    """A count as text; blank when missing."""
    v = num_or_nan(x)
    return "" if math.isnan(v) else str(int(v))


def col(row: pd.Series, name: str) -> float:
    """A numeric column of a row that may be absent (an earlier stage could not estimate it)."""
    return num_or_nan(row.get(name)) if name in row.index else math.nan
