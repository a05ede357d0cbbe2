"""Map export values to codebook codes, vectorised over the distinct values of a column.

Every parser works on ``pandas.factorize`` of one column: it resolves each
*distinct* value once (a handful per column) and broadcasts the result back, so
the cost does not grow with a Python loop over respondents. Anything that
cannot be resolved is returned as a failure (never a silent NaN).

Items
    label text in Dutch or English (codebook ``labels`` and ``aliases``,
    normalised), numeric strings (``"4"``, ``"4,0"``), numbers (SPSS floats), code
    plus label when both agree (``"4 - Mee eens"``, ``"Mee eens (4)"``),
    LimeSurvey answer codes ``A1``/``AO01``; missing codes (``9``, "Weet niet",
    "n.v.t.") keep their code and get the codebook's reason; SPSS user-missing
    codes outside the codebook get reason ``user_missing``; blanks get ``blank``.
Categories
    ``school_type``, ``role``, ``consent``: the enum values, the codebook
    ``value_labels`` (nl and en), SPSS value labels, and yes/no spellings for
    consent (``Ja/Nee``, ``Y/N``, ``1/0``, ``Yes/No``).
Labs
    :meth:`leerlab_research.config.labs.Labs.resolve` (aliases after normalisation).
Booleans
    ``Y``/``Ja``/``1``/``true`` and ``N``/``Nee``/``0``/``false``; blank → NA.
Dates
    see :mod:`leerlab_research.cleaning.timestamps` (time zones → local time).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..config.codebook import Codebook, ValueSet
from ..config.labs import Labs
from ..normalise import normalise_label
from .audit import CleaningLog, Failures
from .mapping import ColumnMap

_NUMBER = re.compile(r"^[+-]?\d+(?:[.,]\d+)?$")
_LIME_ANSWER = re.compile(r"^A[O]?0*(\d+)$", re.IGNORECASE)

TRUE_WORDS = {"y", "yes", "ja", "j", "1", "true", "waar", "x", "checked", "selected", "aangevinkt"}
FALSE_WORDS = {"n", "no", "nee", "0", "false", "onwaar", "not selected", "niet aangevinkt"}
CONSENT_WORDS = {
    "ja": TRUE_WORDS
    | {"akkoord", "ik ga akkoord", "ik geef toestemming", "toestemming", "agree", "i agree"},
    "nee": FALSE_WORDS | {"niet akkoord", "ik ga niet akkoord", "geen toestemming", "disagree"},
}

BLANK = "blank"
USER_MISSING = "user_missing"

#: A platform's own "no answer" written out as text (LimeSurvey's "No answer" option in
#: long-answer exports, in English or Dutch). In code exports LimeSurvey writes an empty
#: cell for the same thing, so the text counts as blank (reason ``blank``), not as a failure.
NO_ANSWER_TEXTS = frozenset({"no answer", "geen antwoord"})
#: Qualtrics' seen-but-unanswered recode (``seenUnansweredRecode``, survey-formats §1c).
QUALTRICS_SEEN_UNANSWERED = -99.0


@dataclass
class Parsed:
    """The result of parsing one column.

    ``values`` holds the parsed values; ``reason`` (items only) the missing
    reason per cell or ``None``; ``bad`` marks cells that failed, with ``why``
    the message per failing cell's distinct value.
    """

    values: np.ndarray
    bad: np.ndarray
    messages: np.ndarray
    reason: np.ndarray | None = None


#: Excel's error values as openpyxl and CSV re-saves give them. "#N/A" would otherwise
#: normalise to "n a" and be taken for the "N/A" (don't know) answer.
EXCEL_ERRORS = frozenset(
    {"#N/A", "#VALUE!", "#REF!", "#DIV/0!", "#NAME?", "#NUM!", "#NULL!", "#SPILL!", "#CALC!"}
)
_EXCEL_ERROR_MESSAGE = "an Excel error value: the cell holds a formula that failed in Excel"


def excel_error(value: object) -> bool:
    """Whether a cell holds one of Excel's error values (``#N/A``, ``#VALUE!`` …)."""
    return isinstance(value, str) and value.strip().upper() in EXCEL_ERRORS


def is_blank(value: object) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float) and np.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def as_number(value: object) -> float | None:
    """A number from a float/int or a numeric string (decimal point or comma), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float, np.integer, np.floating)):
        return float(value)
    if isinstance(value, str):
        t = value.strip()
        if _NUMBER.match(t):
            return float(t.replace(",", "."))
    return None


def _factorize_apply(
    series: pd.Series,
    resolve: Callable[[object], tuple[object, str | None, str | None]],
    fill: object,
) -> Parsed:
    """Resolve each distinct value once; ``resolve(v) -> (value, reason, error)``."""
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    n = len(uniques)
    vals = np.empty(n + 1, dtype=object)
    reasons = np.empty(n + 1, dtype=object)
    errors = np.empty(n + 1, dtype=object)
    for i, u in enumerate(uniques):
        vals[i], reasons[i], errors[i] = resolve(u)
    vals[n], reasons[n], errors[n] = resolve(None)
    out_vals = vals[codes]
    err = errors[codes]
    bad = np.array([e is not None for e in errors])[codes]
    if bad.any():
        out_vals = out_vals.copy()
        out_vals[bad] = fill
    return Parsed(values=out_vals, bad=bad, messages=err, reason=reasons[codes])


_CODE_LABEL = re.compile(r"^\s*(\d+)\s*[-–=:.)]\s*(\S.*?)\s*$")
_LABEL_CODE = re.compile(r"^\s*(\S.*?)\s*\(\s*(\d+)\s*\)\s*$")


def _code_and_label(text: str) -> tuple[int, str] | None:
    """``"4 - Mee eens"``, ``"4. Mee eens"``, ``"4 = Mee eens"`` or ``"Mee eens (4)"`` → (4, "Mee eens").

    Self-built forms often show the code with the label; the answer is accepted
    only when code and label agree.
    """
    m = _CODE_LABEL.match(text)
    if m:
        return int(m.group(1)), m.group(2)
    m = _LABEL_CODE.match(text)
    if m:
        return int(m.group(2)), m.group(1)
    return None


def item_lookup(vs: ValueSet) -> dict[str, tuple[int, str | None]]:
    """Normalised label/alias/missing text → (code, missing reason or None)."""
    table: dict[str, tuple[int, str | None]] = {}
    for code, lab in vs.labels.items():
        for t in (lab.nl, lab.en):
            if t:
                table[normalise_label(t)] = (code, None)
    for code, aliases in vs.aliases.items():
        for t in aliases:
            table.setdefault(normalise_label(t), (code, None))
    for code, miss in vs.missing.items():
        for t in (miss.label.nl, miss.label.en, *miss.aliases):
            if t:
                table.setdefault(normalise_label(t), (code, miss.reason))
    return table


def parse_item(
    series: pd.Series,
    vs: ValueSet,
    *,
    user_missing: list[float] | None = None,
    value_labels: dict[float, str] | None = None,
    no_answer_codes: list[float] | None = None,
) -> Parsed:
    """Parse one item column into codes (float; missing codes kept) and missing reasons.

    Parameters
    ----------
    series
        The raw column (strings, or floats for SPSS).
    vs
        The item's value set from the codebook.
    user_missing
        SPSS user-missing codes of this column (``RawExport.missing_values``).
    value_labels
        SPSS value labels of this column (used to name the reason of a user-missing code).
    no_answer_codes
        Codes the platform writes for "shown but not answered" (Qualtrics' ``-99``):
        NaN with reason ``blank``, like an empty cell. The texts in
        :data:`NO_ANSWER_TEXTS` ("No answer", "Geen antwoord") count as blank too.
    """
    lookup = item_lookup(vs)
    lo, hi = vs.min, vs.max
    if lo is None or hi is None:
        valid = set(vs.valid_codes)
    else:
        valid = set(range(lo, hi + 1))
    umiss = {float(x) for x in (user_missing or [])}
    no_answer = {float(x) for x in (no_answer_codes or [])}
    labels = value_labels or {}
    rng = f"{lo}-{hi}" if lo is not None else ", ".join(map(str, sorted(valid)))

    def from_code(x: float) -> tuple[object, str | None, str | None]:
        if not float(x).is_integer():
            return np.nan, None, f"not a whole number (allowed: {rng} or a missing code)"
        c = int(x)
        if float(c) in no_answer and c not in valid and c not in vs.missing:
            return np.nan, BLANK, None
        if c in valid:
            return float(c), None, None
        if c in vs.missing:
            return float(c), vs.missing[c].reason, None
        if float(c) in umiss:
            lab = labels.get(float(c))
            hit = lookup.get(normalise_label(lab)) if lab else None
            return float(c), (hit[1] if hit and hit[1] else USER_MISSING), None
        return np.nan, None, f"out of range (allowed: {rng} or a missing code)"

    def resolve(u: object) -> tuple[object, str | None, str | None]:
        if is_blank(u):
            return np.nan, BLANK, None
        if excel_error(u):
            return np.nan, None, _EXCEL_ERROR_MESSAGE
        x = as_number(u)
        if x is not None:
            return from_code(x)
        if isinstance(u, str):
            key = normalise_label(u)
            hit = lookup.get(key)
            if hit is not None:
                return float(hit[0]), hit[1], None
            if key in NO_ANSWER_TEXTS:
                return np.nan, BLANK, None
            both = _code_and_label(u)
            if both is not None:
                number, text = both
                hit = lookup.get(normalise_label(text))
                if hit is not None and hit[0] == number:
                    return float(hit[0]), hit[1], None
                if hit is not None:
                    return (
                        np.nan,
                        None,
                        f"code {number} and label {text!r} disagree (the label means {hit[0]})",
                    )
            m = _LIME_ANSWER.match(u.strip())
            if m:
                return from_code(float(m.group(1)))
        return np.nan, None, "not a known answer label or code of the item's value set"

    parsed = _factorize_apply(series, resolve, np.nan)
    parsed.values = parsed.values.astype(float)
    return parsed


def category_lookup(codebook: Codebook, var: str) -> dict[str, str]:
    """Normalised spellings → enum value for a nominal respondent variable."""
    v = codebook.variables[var]
    table: dict[str, str] = {}
    for value in v.enum or []:
        table[normalise_label(value)] = value
    for value, lab in (v.value_labels or {}).items():
        for t in (lab.nl, lab.en):
            if t:
                table.setdefault(normalise_label(t), value)
    if var == "consent":
        for value, words in CONSENT_WORDS.items():
            for w in words:
                table.setdefault(normalise_label(w), value)
    if var == "school_type":
        table.setdefault("other", "anders")
        table.setdefault("overig", "anders")
    if var == "role":
        table.setdefault("other", "anders")
        table.setdefault("overig", "anders")
    return table


def parse_category(
    series: pd.Series, codebook: Codebook, var: str, *, value_labels: dict[float, str] | None = None
) -> Parsed:
    """Parse a nominal variable (school type, role, consent, wave) to its enum value.

    A variable without allowed values (the wave when the study declares no waves)
    keeps each value as written, stripped.
    """
    v = codebook.variables[var]
    if not v.enum and not v.value_labels:

        def keep(u: object) -> tuple[object, str | None, str | None]:
            return (None, None, None) if is_blank(u) else (str(u).strip(), None, None)

        return _factorize_apply(series, keep, None)
    table = category_lookup(codebook, var)
    labels = value_labels or {}
    allowed = ", ".join(codebook.variables[var].enum or [])

    def resolve(u: object) -> tuple[object, str | None, str | None]:
        if is_blank(u):
            return None, None, None
        if excel_error(u):
            return None, None, _EXCEL_ERROR_MESSAGE
        x = as_number(u)
        candidates: list[object] = []
        if x is not None and x in labels:  # SPSS code → its value label
            candidates.append(labels[x])
        if x is not None and float(x).is_integer():
            candidates.append(str(int(x)))
        candidates.append(u)
        for cand in candidates:
            hit = table.get(normalise_label(cand))
            if hit is not None:
                return hit, None, None
        return None, None, f"not a known value (allowed: {allowed})"

    return _factorize_apply(series, resolve, None)


def parse_lab(series: pd.Series, labs: Labs) -> Parsed:
    """Lab names as written → lab ids (labs.yaml names and aliases after normalisation)."""

    def resolve(u: object) -> tuple[object, str | None, str | None]:
        if is_blank(u):
            return None, None, None
        hit = labs.resolve(u)
        if hit is None:
            return None, None, "unknown lab name (not an id, name or alias in labs.yaml)"
        return hit, None, None

    return _factorize_apply(series, resolve, None)


def parse_boolean(series: pd.Series) -> Parsed:
    """Checkbox-like answers to True/False; blank → NA."""

    def resolve(u: object) -> tuple[object, str | None, str | None]:
        if is_blank(u):
            return None, None, None
        x = as_number(u)
        key = str(int(x)) if x is not None and float(x).is_integer() else normalise_label(u)
        if key in TRUE_WORDS:
            return True, None, None
        if key in FALSE_WORDS:
            return False, None, None
        return None, None, "not a yes/no value (Y/N, Ja/Nee, 1/0, true/false)"

    return _factorize_apply(series, resolve, None)


def parse_number(series: pd.Series) -> Parsed:
    """Numbers (decimal point or comma); blank → NaN."""

    def resolve(u: object) -> tuple[object, str | None, str | None]:
        if is_blank(u):
            return np.nan, None, None
        x = as_number(u)
        if x is None:
            return np.nan, None, "not a number"
        return x, None, None

    parsed = _factorize_apply(series, resolve, np.nan)
    parsed.values = parsed.values.astype(float)
    return parsed


def num_text(u: object) -> str:
    """A value as text, whole numbers without a trailing ``.0`` (SPSS floats)."""
    x = as_number(u)
    if x is not None and float(x).is_integer():
        return str(int(x))
    return str(u)


def recode_columns(
    frame: pd.DataFrame,
    values: dict[str, dict[str, str | int]],
    cmap: ColumnMap,
    label: str,
    n: int,
    failures: Failures,
    log: CleaningLog,
    *,
    what: str = "study values",
) -> pd.DataFrame:
    """Recode exported values per codebook code (``sources[].values``, instrument codes), logged.

    Values are compared after stripping spaces, with whole numbers written without
    a trailing ``.0`` (SPSS floats), once per distinct value (no loop over rows).
    A study recode for a column the export lacks is a warning; answer codes of a
    generated survey whose question is hidden (a prefilled lab) are not.
    """
    if not values:
        return frame
    frame = frame.copy()
    for code, mapping in values.items():
        header = cmap.header(code)
        if header is None:
            if what == "study values":
                failures.add(
                    label,
                    "recode_without_column",
                    f"the study recodes values of {code!r}, but this export has no column for it",
                    column=code,
                    severity="warning",
                )
            continue
        table = {str(k).strip(): v for k, v in mapping.items()}
        codes, uniques = pd.factorize(frame[header], use_na_sentinel=True)
        keys = [num_text(u).strip() for u in uniques]
        hit = np.array([k in table for k in keys], dtype=bool)
        if not hit.any():
            log.add("recode", f"{what} for {code}", label, n, n, "no value matched")
            continue
        replaced = np.array(
            [table[k] if h else u for k, h, u in zip(keys, hit, uniques, strict=True)], dtype=object
        )
        column = frame[header].to_numpy(dtype=object).copy()
        rows = codes >= 0
        column[rows] = replaced[codes[rows]]
        frame[header] = column
        n_changed = int(hit[codes[rows]].sum())
        log.add(
            "recode",
            f"{what} for {code} (column {header!r})",
            label,
            n,
            n,
            f"{n_changed} cells recoded: "
            + ", ".join(f"{k!r} → {table[k]!r}" for k in sorted(k for k in keys if k in table)),
        )
    return frame
