"""SPSS system files (``.sav``/``.zsav``) via pyreadstat.

Read with ``user_missing=True``: without it pyreadstat turns user-missing codes
(9 = "Weet niet / n.v.t.") silently into NaN, and the cleaning step must be able
to say *why* an answer is missing. Value labels come back with float keys and
numeric columns as float64; both are kept as pyreadstat gives them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat

from ..errors import InputFileError
from ._common import RawExport, make_headers

#: A user-missing *range* wider than this is kept as its two end points only.
MAX_EXPANDED_RANGE = 1000


def expand_missing(ranges: Sequence[object]) -> tuple[list[float], bool]:
    """Expand pyreadstat's ``[{'lo': 7.0, 'hi': 9.0}]`` into codes ``[7.0, 8.0, 9.0]``.

    Returns
    -------
    codes : list of float
    truncated : bool
        True when a range was too wide to expand (only its ends are listed).
    """
    codes: list[float] = []
    truncated = False
    for r in ranges:
        if not isinstance(r, dict):
            continue  # a single user-missing value, not a range: pyreadstat lists ranges
        lo, hi = r.get("lo"), r.get("hi")
        if not isinstance(lo, int | float) or not isinstance(hi, int | float):
            continue  # string user-missing values: not codes
        lo, hi = float(lo), float(hi)
        if lo == hi:
            codes.append(lo)
        elif math.isfinite(lo) and math.isfinite(hi) and hi - lo <= MAX_EXPANDED_RANGE:
            codes.extend(float(c) for c in range(math.ceil(lo), math.floor(hi) + 1))
        else:
            codes.extend([lo, hi])
            truncated = True
    return sorted(set(codes)), truncated


def read(path: Path) -> RawExport:
    """Read an SPSS system file into a :class:`RawExport`."""
    try:
        df, meta = pyreadstat.read_sav(str(path), user_missing=True)
    except (pyreadstat.ReadstatError, pyreadstat.PyreadstatError) as exc:
        raise InputFileError(
            path, f"this is not a readable SPSS .sav file ({exc}); export it from SPSS again"
        ) from exc
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise InputFileError(path, f"the SPSS file could not be read: {exc}") from exc
    warnings: list[str] = []
    original = list(df.columns)
    headers, duplicates, header_warnings = make_headers(original)
    warnings += header_warnings
    rename = dict(zip(original, headers, strict=True))
    df.columns = headers

    for col in headers:
        s = df[col]
        if pd.api.types.is_numeric_dtype(s):
            continue
        values = s.dropna()
        if values.map(lambda v: isinstance(v, str)).all():
            # String variables: SPSS pads/empties rather than storing missing;
            # '' becomes NaN like in every other reader.
            text = s.astype("str")
            df[col] = text.mask(text.fillna("").str.strip() == "")
        elif _all_dates(s):
            df[col] = pd.to_datetime(s, errors="coerce")

    labels = {rename.get(k, k): v for k, v in (meta.column_names_to_labels or {}).items() if v}
    value_labels: dict[str, dict[object, str]] = {
        rename.get(k, k): {code: label for code, label in v.items()}
        for k, v in (meta.variable_value_labels or {}).items()
    }
    missing: dict[str, list[float]] = {}
    for k, ranges in (meta.missing_ranges or {}).items():
        codes, truncated = expand_missing(ranges)
        if codes:
            missing[rename.get(k, k)] = codes
        if truncated:
            warnings.append(f"user-missing range of '{k}' is too wide to list; kept its end points")
    if df.empty:
        raise InputFileError(path, "the SPSS file has variables but no cases (no data rows)")
    detected: dict[str, object] = {
        "encoding": meta.file_encoding,
        "bom": False,
        "delimiter": None,
        "decimal": ".",
        "dayfirst": False,
        "date_format": None,
        "header_rows": 1,
        "sheet": None,
        "variable_measure": {rename.get(k, k): v for k, v in (meta.variable_measure or {}).items()},
        "original_variable_types": {
            rename.get(k, k): v for k, v in (meta.original_variable_types or {}).items()
        },
        "duplicate_headers": duplicates,
        "warnings": warnings,
    }
    return RawExport(
        path=path,
        platform="spss",
        frame=df,
        # SPSS shows case numbers from 1; we keep the project-wide convention
        # (header = row 1, first record = row 2) so source_row means one thing.
        source_rows=np.arange(2, len(df) + 2),
        header_text=labels,
        value_labels=value_labels,
        missing_values=missing,
        system={},
        detected=detected,
    )


def _all_dates(s: pd.Series) -> bool:
    import datetime as dt

    return bool(s.dropna().map(lambda v: isinstance(v, dt.date | dt.datetime)).all())
