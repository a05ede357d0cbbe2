"""Table contracts: one field list → a Frictionless Table Schema and a pandera schema.

A :class:`Contract` names a table (``clean/responses.parquet``, ``compare/icc.csv``)
and lists its :class:`Field`\\ s in Frictionless Table Schema vocabulary (``type``
``string|integer|number|boolean|date|datetime`` and the constraints ``required``,
``enum``, ``pattern``, ``minimum``, ``maximum``). From that one list come

* :meth:`Contract.table_schema`, the ``tableschema.json`` that ``leerlab codebook
  --format frictionless`` writes and ``results.json`` carries per table, and
* :meth:`Contract.pandera`, a :class:`pandera.pandas.DataFrameSchema` with the same
  columns, types and constraints, which :func:`read_table` applies when a stage
  reads an earlier stage's output.

A table that breaks its contract (a missing or unknown column, a value of the wrong
type or outside its constraints) fails at the boundary with a :class:`DataError`
that names the table, every offending column and the first offending values, all
collected at once (pandera's lazy validation) rather than as a traceback deep in
an estimator.

Two reading modes: a Parquet table (or a frame in memory) keeps its dtypes, so a
field's type is checked on the column's dtype (an ``integer`` field needs an integer
dtype, nullable ``Int64`` included); a CSV table carries text, so a field's type is
checked on the values (``"3.5"`` is not an integer). A column with no values at all
passes the type check in both modes: it has no value of a wrong type.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..errors import DataError

if TYPE_CHECKING:
    import pandera.pandas as pa

#: Frictionless field types the contracts use.
TYPES = ("string", "integer", "number", "boolean", "date", "datetime")
#: Failing values shown per column and check in an error message.
SHOW_VALUES = 3


@dataclass(frozen=True)
class Field:
    """One column of a table contract (Frictionless Table Schema field).

    Parameters
    ----------
    name, type
        Column name and Frictionless type (one of :data:`TYPES`).
    title, description
        Human-readable label and meaning (written to the Table Schema).
    required
        No missing values.
    enum, pattern, minimum, maximum
        Frictionless constraints on the values.
    """

    name: str
    type: str
    title: str | None = None
    description: str | None = None
    required: bool = False
    enum: tuple[Any, ...] | None = None
    pattern: str | None = None
    minimum: float | None = None
    maximum: float | None = None

    def __post_init__(self) -> None:
        if self.type not in TYPES:
            raise ValueError(f"field {self.name!r}: unknown type {self.type!r}")

    def frictionless(self) -> dict[str, Any]:
        """The field as a Frictionless Table Schema ``fields[]`` entry."""
        out: dict[str, Any] = {"name": self.name, "type": self.type}
        if self.title is not None:
            out["title"] = self.title
        if self.description is not None:
            out["description"] = self.description
        constraints: dict[str, Any] = {}
        if self.required:
            constraints["required"] = True
        if self.pattern is not None:
            constraints["pattern"] = self.pattern
        if self.enum is not None:
            constraints["enum"] = list(self.enum)
        if self.minimum is not None:
            constraints["minimum"] = self.minimum
        if self.maximum is not None:
            constraints["maximum"] = self.maximum
        if constraints:
            out["constraints"] = constraints
        return out

    @classmethod
    def from_frictionless(cls, spec: dict[str, Any]) -> Field:
        """The inverse of :meth:`frictionless` (for a schema read back from JSON)."""
        c = spec.get("constraints", {})
        enum = c.get("enum")
        return cls(
            name=spec["name"],
            type=spec["type"],
            title=spec.get("title"),
            description=spec.get("description"),
            required=bool(c.get("required", False)),
            enum=tuple(enum) if enum is not None else None,
            pattern=c.get("pattern"),
            minimum=c.get("minimum"),
            maximum=c.get("maximum"),
        )

    def check_functions(self, *, text: bool) -> list[tuple[str, Callable[[pd.Series], Any]]]:
        """``(name, function)`` per check of the field's type and constraints (not
        ``required``): a function returns one bool for the column or one per value."""
        type_ok: Callable[[pd.Series], Any] = (
            _VALUE_CHECKS[self.type] if text else _dtype_check(self.type)
        )
        out: list[tuple[str, Callable[[pd.Series], Any]]] = [("type", type_ok)]
        if self.enum is not None:
            allowed = [str(a) for a in self.enum]
            out.append(("enum", functools.partial(_isin, allowed=allowed)))
        if self.pattern is not None:
            # Frictionless patterns match the whole value, anchored or not
            p = self.pattern.removeprefix("^").removesuffix("$")
            out.append(("pattern", functools.partial(_fullmatch, pattern=p)))
        if self.minimum is not None:
            lo = self.minimum
            out.append(("minimum", functools.partial(_at_least, bound=lo)))
        if self.maximum is not None:
            hi = self.maximum
            out.append(("maximum", functools.partial(_at_most, bound=hi)))
        return out

    def checks(self, *, text: bool) -> list[pa.Check]:
        """pandera checks of the field's type and constraints (not ``required``)."""
        import pandera.pandas as pa  # slow import (~1 s): only when a table is checked

        # ``error`` is the check's key in pandera's failure cases (see _problems)
        return [pa.Check(fn, error=name) for name, fn in self.check_functions(text=text)]

    def passes(self, s: pd.Series, *, text: bool) -> bool:
        """Whether the column passes every check (missing values pass unless required).

        As strict as pandera's checks of :meth:`checks` or stricter (a check value
        that is itself missing counts as a failure), so a column that passes here
        passes there.
        """
        missing = s.isna().to_numpy(dtype=bool)
        if self.required and missing.any():
            return False
        for _, fn in self.check_functions(text=text):
            r = fn(s)
            if isinstance(r, pd.Series):
                ok = r.astype("boolean").fillna(False).to_numpy(dtype=bool) | missing
                if not ok.all():
                    return False
            elif not bool(r):
                return False
        return True


def _number(s: pd.Series) -> pd.Series:
    """Values as float (text → number; a value that is no number compares False)."""
    if pd.api.types.is_bool_dtype(s):
        return s.astype(float)
    return pd.to_numeric(s, errors="coerce").astype(float)


def _isin(s: pd.Series, allowed: list[str]) -> pd.Series:
    return s.astype(str).isin(allowed)


def _fullmatch(s: pd.Series, pattern: str) -> pd.Series:
    return s.astype(str).str.fullmatch(pattern)


def _at_least(s: pd.Series, bound: float) -> pd.Series:
    return _number(s) >= bound


def _at_most(s: pd.Series, bound: float) -> pd.Series:
    return _number(s) <= bound


def _all_missing(s: pd.Series) -> bool:
    return bool(s.isna().all())


def _dtype_check(kind: str) -> Callable[[pd.Series], bool]:
    """A check of a column's dtype for a Frictionless type (Parquet, frames in memory)."""
    api = pd.api.types
    tests: dict[str, Callable[[pd.Series], bool]] = {
        "string": lambda s: api.is_string_dtype(s) or api.is_object_dtype(s),
        "integer": lambda s: api.is_integer_dtype(s) and not api.is_bool_dtype(s),
        "number": lambda s: api.is_numeric_dtype(s) and not api.is_bool_dtype(s),
        "boolean": lambda s: api.is_bool_dtype(s),
        "date": lambda s: api.is_datetime64_any_dtype(s) or api.is_object_dtype(s),
        "datetime": lambda s: api.is_datetime64_any_dtype(s),
    }
    test = tests[kind]
    if kind == "string":
        # an object column must hold text, not numbers that happen to sit in it
        return lambda s: _all_missing(s) or (test(s) and bool(s.dropna().map(type).eq(str).all()))
    return lambda s: _all_missing(s) or test(s)


def _integral(s: pd.Series) -> pd.Series:
    v = _number(s)
    return v.notna() & np.isclose(v, np.round(v))


_BOOL_TEXT = {"true", "false", "1", "0", "1.0", "0.0"}

#: element-wise type checks on values read from text (CSV); missing values pass
_VALUE_CHECKS: dict[str, Callable[[pd.Series], pd.Series]] = {
    "string": lambda s: pd.Series(True, index=s.index),
    "integer": _integral,
    "number": lambda s: _number(s).notna(),
    "boolean": lambda s: s.astype(str).str.lower().isin(_BOOL_TEXT),
    "date": lambda s: pd.to_datetime(s, errors="coerce").notna(),
    "datetime": lambda s: pd.to_datetime(s, errors="coerce", format="mixed").notna(),
}


@dataclass(frozen=True)
class Contract:
    """The columns of one table, and the checks that follow from them.

    Parameters
    ----------
    table
        The table's path under the output root (``clean/responses.parquet``); named
        in every error.
    fields
        The columns, in order.
    primary_key
        Columns that identify a row (written to the Table Schema).
    stage
        The command that writes the table (named in errors: run it again).
    """

    table: str
    fields: tuple[Field, ...]
    primary_key: tuple[str, ...] = ()
    stage: str = ""
    missing_values: tuple[str, ...] = field(default=("",))

    @property
    def columns(self) -> list[str]:
        return [f.name for f in self.fields]

    def table_schema(self) -> dict[str, Any]:
        """The Frictionless Table Schema of the table."""
        out: dict[str, Any] = {
            "fields": [f.frictionless() for f in self.fields],
            "missingValues": list(self.missing_values),
        }
        if self.primary_key:
            out["primaryKey"] = list(self.primary_key)
        return out

    @classmethod
    def from_table_schema(cls, table: str, schema: dict[str, Any], stage: str = "") -> Contract:
        """A contract from a Table Schema (e.g. the one ``results.json`` carries)."""
        return cls(
            table=table,
            fields=tuple(Field.from_frictionless(f) for f in schema["fields"]),
            primary_key=tuple(schema.get("primaryKey", ())),
            stage=stage,
            missing_values=tuple(schema.get("missingValues", ("",))),
        )

    def pandera(self, *, text: bool = False) -> pa.DataFrameSchema:
        """The pandera schema: every field present, no other column, types, constraints.

        ``text=True`` checks values read from text (CSV) instead of dtypes.
        """
        import pandera.pandas as pa  # slow import (~1 s): only when a table is checked

        return pa.DataFrameSchema(
            {
                f.name: pa.Column(checks=f.checks(text=text), nullable=not f.required)
                for f in self.fields
            },
            strict=True,
            name=self.table,
        )

    def passes(self, df: pd.DataFrame, *, text: bool = False) -> bool:
        """Whether ``df`` meets the contract, checked without pandera (see :meth:`Field.passes`)."""
        return (
            df.columns.is_unique
            and set(df.columns) == set(self.columns)
            and all(f.passes(df[f.name], text=text) for f in self.fields)
        )

    def validate(self, df: pd.DataFrame, *, text: bool = False, where: str | None = None) -> None:
        """Raise :class:`DataError` listing every way ``df`` breaks the contract.

        Parameters
        ----------
        df
            The table.
        text
            The table was read from text (CSV): check values, not dtypes.
        where
            How to name the table in the error (default: :attr:`table`).
        """
        # the same checks without pandera first (importing pandera and setting up its
        # lazy validation cost ~1 s of the compare stage); pandera runs only for a
        # table that fails, to collect every failure with its rows
        if self.passes(df, text=text):
            return
        import pandera.errors as pe  # slow import: only when a table is checked

        try:
            self.pandera(text=text).validate(df, lazy=True)
        except pe.SchemaErrors as exc:
            rerun = f"; run `leerlab {self.stage}` again" if self.stage else ""
            raise DataError(
                f"{where or self.table} does not match its contract{rerun}",
                _problems(exc.failure_cases, df, text=text, fields=self.fields),
            ) from None


def _problems(
    cases: pd.DataFrame, df: pd.DataFrame, *, text: bool, fields: Sequence[Field]
) -> list[str]:
    """One line per column and failed check, with the first failing values."""
    by_name = {f.name: f for f in fields}
    out: list[str] = []
    offset = 2 if text else 1  # CSV: header is row 1; Parquet: first data row is row 1
    for (col, check), grp in cases.groupby(
        [cases["column"].astype(str), cases["check"].astype(str)], sort=False
    ):
        if check == "column_in_dataframe":
            for name in grp["failure_case"]:
                f = by_name.get(str(name))
                kind = f" ({f.type})" if f is not None else ""
                out.append(f"column '{name}'{kind} is missing")
            continue
        if check == "column_in_schema":
            for name in grp["failure_case"]:
                out.append(f"column '{name}' is not part of the contract")
            continue
        f = by_name.get(col)
        if check == "type" and not text and col in df.columns:
            out.append(
                f"column '{col}': expected {f.type if f else '?'}, found dtype {df[col].dtype}"
            )
            continue
        what = "missing values (required)" if check == "not_nullable" else None
        if what is None and f is not None:
            what = _expectation(f, check)
        rows = grp.dropna(subset=["index"]).head(SHOW_VALUES)
        shown = ", ".join(
            f"row {int(i) + offset}: {v!r}"
            for i, v in zip(rows["index"], rows["failure_case"], strict=True)
        )
        more = f" (and {len(grp) - len(rows)} more)" if len(grp) > len(rows) else ""
        out.append(f"column '{col}': {len(grp)} value(s) {what or check}: {shown}{more}")
    return out


def _expectation(f: Field, check: str) -> str:
    if check == "type":
        return f"not of type {f.type}"
    if check == "enum":
        return f"not in {list(f.enum or ())}"
    if check == "pattern":
        return f"not matching {f.pattern}"
    if check == "minimum":
        return f"below the minimum {f.minimum}"
    if check == "maximum":
        return f"above the maximum {f.maximum}"
    return check


def read_table(path: Path, contract: Contract, *, where: str | None = None) -> pd.DataFrame:
    """Read a Parquet or CSV table and check it against its contract.

    Parameters
    ----------
    path
        ``.parquet`` (dtypes checked) or ``.csv`` (values checked; read as pandas
        reads it by default, so callers see the same frame as before).
    contract
        The table's contract.
    where
        How to name the table in errors (default: ``path``).

    Raises
    ------
    DataError
        The file cannot be read, or the table breaks its contract.
    """
    text = path.suffix.lower() == ".csv"
    try:
        df = pd.read_csv(path) if text else pd.read_parquet(path)
    except (OSError, ValueError) as exc:
        raise DataError(f"{where or path}: cannot be read ({type(exc).__name__}: {exc})") from None
    contract.validate(df, text=text, where=where or str(path))
    return df
