"""Small helpers the report sections share: Markdown tables and safe number reading."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from ..config.table_labels import ALL, OUTSIDE

__all__ = ["ALL", "OUTSIDE", "col", "int_text", "md_table", "num_or_nan"]


def md_table(df: pd.DataFrame) -> str:
    """A pipe table (pandoc and Quarto both render it in HTML, DOCX and PDF)."""
    if df.empty:
        return ""
    return df.to_markdown(index=False, disable_numparse=True) + "\n"


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
