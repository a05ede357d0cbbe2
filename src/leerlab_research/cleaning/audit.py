"""The audit trail of the cleaning stage: validation failures and the cleaning log.

Validation is *lazy*: every reader, mapper and parser appends failures to a
:class:`Failures` collector instead of raising, so one run reports every problem
in every source file (the failure-case model of pandera's ``SchemaErrors``:
one row per failing cell with its place and the check that failed).

Each failure has a *severity*:

``error``
    blocks cleaning (``leerlab validate`` / ``leerlab clean`` exit with code 1);
``excluded``
    the row is excluded anyway (test row, no consent, incomplete, duplicate) by a
    rule whose own inputs parsed cleanly, so the failure is shown but does not block;
``warning``
    reported, never blocking (e.g. an unknown column when the study says ``warn``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .deidentify import _PHONE

#: Columns of ``validation.csv`` (the contract's six, plus ``severity``).
VALIDATION_COLUMNS = ["source_file", "source_row", "column", "value", "rule", "message", "severity"]

#: Columns of ``cleaning_log.csv``.
LOG_COLUMNS = ["step", "rule", "source_file", "n_in", "n_out", "detail"]

#: Failures shown in an error message before "… and N more".
MAX_SHOWN = 25


#: Direct identifiers that people type into answer cells ("Anders: IB'er, mail
#: jan@school.nl"): hidden in failure values, which reach validation.csv and the console.
_EMAIL = re.compile(r"[^\s@<>()\[\],;:\"']+@[^\s@<>()\[\],;:\"']+\.[A-Za-z]{2,}")
_IPV4 = re.compile(r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.])")
_IPV6 = re.compile(r"(?<![0-9A-Fa-f:])(?:[0-9A-Fa-f]{1,4}:){3,7}[0-9A-Fa-f]{1,4}(?![0-9A-Fa-f:])")


def mask_identifiers(text: str) -> str:
    """Replace e-mail and IP addresses inside a value by ``<e-mail>`` / ``<ip>``.

    >>> mask_identifiers("Anders: IB'er, jan.jansen@school.nl (192.0.2.7)")
    "Anders: IB'er, <e-mail> (<ip>)"
    """
    if "@" in text:
        text = _EMAIL.sub("<e-mail>", text)
    if "." in text:
        text = _IPV4.sub("<ip>", text)
    if ":" in text:
        text = _IPV6.sub("<ip>", text)
    return text


#: Shown instead of a value from a personal or free-text column (names, e-mail, open answers).
MASK_PERSONAL = "<persoonlijk>"
#: Shown instead of a value that looks like a person's name or a phone number.
MASK_NAME = "<naam?>"
MASK_PHONE = "<telefoon>"
#: Lower-case words that join the parts of a Dutch (or Arabic, French) name.
_NAME_PARTICLES = {"de", "den", "der", "van", "het", "ter", "ten", "te", "'t", "la", "le", "el", "al", "di", "da", "von"}  # fmt: skip


def looks_like_name(text: str) -> bool:
    """Two to five words of letters, at least two of them capitalised, the rest name particles.

    ``Jan de Vries``, ``Fatima El Amrani`` and ``Test Persoon`` look like names;
    ``docent``, ``Docent``, ``HAVO 4`` and ``mee eens`` do not. Capitalised place
    names (``Den Bosch``) are masked too: a failure value is shown to find the
    cell, and ``source_file``/``source_row`` still do that.
    """
    words = text.split()
    if not 2 <= len(words) <= 5:
        return False
    capitalised = 0
    for w in words:
        if w.lower() in _NAME_PARTICLES and not w[:1].isupper():
            continue
        core = w.replace("-", "").replace("'", "").replace("’", "")
        if not (core.isalpha() and w[:1].isupper() and (len(w) == 1 or not w[1:].isupper())):
            return False
        capitalised += 1
    return capitalised >= 2


def _show(value: Any, personal: bool = False) -> str:
    """A failing value as text for the table and messages, personal data hidden.

    Values of personal and free-text columns are replaced whole; elsewhere
    e-mail and IP addresses and phone numbers inside a value are replaced, and a
    value that looks like a name (:func:`looks_like_name`) is replaced whole.
    """
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if personal:
        return MASK_PERSONAL
    text = mask_identifiers(str(value))
    if looks_like_name(text):
        return MASK_NAME
    return _PHONE.sub(MASK_PHONE, text)


@dataclass
class Failures:
    """Lazy collector of validation failures for one run (all sources)."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    #: Per source file, the headers whose values are personal or free text (never shown).
    personal: dict[str, set[str]] = field(default_factory=dict)

    def add(
        self,
        source_file: str,
        rule: str,
        message: str,
        *,
        row: int | None = None,
        column: str | None = None,
        value: Any = None,
        severity: str = "error",
        pos: int | None = None,
    ) -> None:
        """Record one failure. ``pos`` is the row position in the source frame (internal)."""
        shown = _show(value, personal=bool(column) and column in self.personal.get(source_file, ()))
        raw = "" if value is None else str(value).strip()
        if raw and shown != raw and raw in message:
            message = message.replace(raw, shown)  # parsers quote the value in their message
        self.rows.append(
            {
                "source_file": source_file,
                "source_row": row,
                "column": column or "",
                "value": shown,
                "rule": rule,
                "message": message,
                "severity": severity,
                "_pos": pos,
            }
        )

    def add_cells(
        self,
        source_file: str,
        rule: str,
        column: str,
        positions: np.ndarray,
        source_rows: np.ndarray,
        values: np.ndarray,
        message: str,
    ) -> None:
        """Record one failure per failing cell of a column (vectorised callers)."""
        for pos in positions.tolist():
            value = values[pos]
            personal = column in self.personal.get(source_file, ())
            self.add(
                source_file,
                rule,
                message.format(value=_show(value, personal)),
                row=int(source_rows[pos]),
                column=column,
                value=value,
                pos=pos,
            )

    def downgrade_rows(
        self, source_file: str, positions: set[int], severity: str = "excluded"
    ) -> None:
        """Make row failures of rows that are excluded anyway non-blocking."""
        for rec in self.rows:
            if (
                rec["source_file"] == source_file
                and rec["_pos"] in positions
                and rec["severity"] == "error"
            ):
                rec["severity"] = severity

    @property
    def blocking(self) -> list[dict[str, Any]]:
        return [r for r in self.rows if r["severity"] == "error"]

    def frame(self) -> pd.DataFrame:
        """The failures as the ``validation.csv`` table, sorted deterministically."""
        df = pd.DataFrame(self.rows, columns=[*VALIDATION_COLUMNS, "_pos"]).drop(columns="_pos")
        df["source_row"] = df["source_row"].astype("Int64")
        if len(df):
            df = df.sort_values(
                ["source_file", "source_row", "column", "rule", "value"],
                na_position="first",
                kind="stable",
            ).reset_index(drop=True)
        return df

    def message_lines(self, only_blocking: bool = True) -> list[str]:
        """One line per failure naming file, row, column and value (for error messages)."""
        recs = self.blocking if only_blocking else self.rows
        df = pd.DataFrame(recs, columns=[*VALIDATION_COLUMNS, "_pos"])
        if len(df):
            df = df.sort_values(
                ["source_file", "source_row", "column"], na_position="first", kind="stable"
            )
        lines = []
        for rec in df.head(MAX_SHOWN).to_dict("records"):
            where = [f"file '{rec['source_file']}'"]
            if rec["source_row"] is not None and not pd.isna(rec["source_row"]):
                where.append(f"row {int(rec['source_row'])}")
            if rec["column"]:
                where.append(f"column '{rec['column']}'")
            if rec["value"] != "":
                where.append(f"value {rec['value']!r}")
            lines.append(f"{', '.join(where)}: {rec['message']} (rule {rec['rule']})")
        if len(df) > MAX_SHOWN:
            lines.append(
                f"… and {len(df) - MAX_SHOWN} more (see clean/validation.csv from `leerlab validate`)"
            )
        return lines


@dataclass
class CleaningLog:
    """Ordered log of every step: ``step, rule, source_file, n_in, n_out, detail``."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    #: Per source file, the headers whose values are personal or free text (never shown).
    personal: dict[str, set[str]] = field(default_factory=dict)

    def add(
        self,
        step: str,
        rule: str,
        source_file: str,
        n_in: int | None,
        n_out: int | None,
        detail: str = "",
    ) -> None:
        self.rows.append(
            {
                "step": step,
                "rule": rule,
                "source_file": source_file,
                "n_in": n_in,
                "n_out": n_out,
                "detail": detail,
            }
        )

    def frame(self) -> pd.DataFrame:
        df = pd.DataFrame(self.rows, columns=LOG_COLUMNS)
        df["n_in"] = df["n_in"].astype("Int64")
        df["n_out"] = df["n_out"].astype("Int64")
        return df
