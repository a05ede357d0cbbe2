"""Turn one read export into a harmonised frame in codebook terms.

This is step 1 of the cleaning stage plus the value mapping that validation
needs: map columns, derive the non-personal facts that identifiers carry
(is this a test row?), hash the respondent key, **drop every direct identifier**,
and parse every mapped column to codebook values, recording each failure.

The harmonised frame has one row per export row, in file order, with columns

* ``respondent_id`` (pseudonym), ``lab``, ``school_type``, ``role``, ``wave``,
  ``consent``, ``started_at``, ``submitted_at``, ``focus_*``;
* one float column per item with the *raw code* (missing codes such as 9 kept,
  NaN for blank or unparseable) and, in :attr:`Harmonised.reasons`, the missing
  reason of every item cell (``blank``, ``dont_know``, ``user_missing``,
  ``not_in_export``) or ``None`` for a substantive answer;
* provenance ``source_file``, ``source_row`` and internal ``_``-prefixed columns
  used by the exclusion rules (``_test``, ``_submitted``, ``_answered`` …).

No name, e-mail address, IP address, raw key or free text survives this step.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..config.codebook import VERSION_FIELD, Codebook
from ..config.labs import Labs
from ..config.settings import CleaningSettings
from ..config.study import Source
from ..normalise import normalise_label
from .audit import CleaningLog, Failures
from .mapping import ColumnMap, map_columns
from .open_answers import RawOpen, collect
from .pseudonymise import pseudonymise
from .timestamps import parse_datetime
from .values import (
    QUALTRICS_SEEN_UNANSWERED,
    TRUE_WORDS,
    as_number,
    is_blank,
    num_text,
    parse_boolean,
    parse_category,
    parse_item,
    parse_lab,
    parse_number,
    recode_columns,
)
from .versions import instrument_codes

NOT_IN_EXPORT = "not_in_export"

#: A raw value that marks a test/preview row: lab "TEST", name "Test Persoon", test@…,
#: test.account@…, tokens TEST2 / TESTRESPONS. A word must *be* test(+digits or a usual
#: suffix) so that surnames like "Testers" or domains like "contest.nl" do not match.
_TEST_WORD = re.compile(
    r"(?:^|[^0-9a-z])(?:test|preview)(?:\d*|respons|response|account|persoon|er)(?:[^a-z]|$)",
    re.IGNORECASE,
)
#: Qualtrics Status values of previews and tests (text and numeric export) [reference notes §1c].
_TEST_STATUS = {"survey preview", "survey test", "preview", "test", "1", "2"}
_FALSE_FINISHED = {"false", "0", "onwaar", "nee", "no", "n"}


@dataclass
class Harmonised:
    """One source after step 1 and value mapping (see the module docstring)."""

    source: Source
    index: int
    label: str
    frame: pd.DataFrame
    reasons: np.ndarray  # n × k object: missing reason per item cell
    cmap: ColumnMap
    detected: dict[str, Any] = field(default_factory=dict)
    open_raw: RawOpen | None = None  # free text + identifying values, memory only

    @property
    def n_rows(self) -> int:
        return len(self.frame)


def _test_mask(
    raw: pd.DataFrame, headers: list[tuple[str | None, str]], status_header: str | None
) -> tuple[np.ndarray, np.ndarray]:
    """Rows marked as test/preview, with the reason text (no personal value in it).

    The regex runs on the raw text, vectorised by pandas (no Python loop over
    rows): a word starting with *test* or *preview* (``TEST``, ``Test Persoon``,
    ``test.account@…``, ``TESTRESPONS``).
    """
    n = len(raw)
    mask = np.zeros(n, dtype=bool)
    why = np.full(n, "", dtype=object)
    for header, label in headers:
        if header is None or header not in raw:
            continue
        text = raw[header].astype("string")
        hit = (
            text.str.contains(_TEST_WORD.pattern, case=False, regex=True)
            .fillna(False)
            .to_numpy(dtype=bool)
        )
        why[hit & ~mask] = f"{label} marks a test response"
        mask |= hit
    if status_header is not None and status_header in raw:
        codes, uniques = pd.factorize(raw[status_header], use_na_sentinel=True)
        hit_u = np.array(
            [normalise_label(num_text(u)) in _TEST_STATUS for u in uniques] + [False], dtype=bool
        )
        hit = hit_u[codes]
        why[hit & ~mask] = "platform status is preview/test"
        mask |= hit
    return mask, why


def harmonise(
    raw: Any,
    source: Source,
    index: int,
    codebook: Codebook,
    labs: Labs,
    settings: CleaningSettings,
    secret: bytes,
    failures: Failures,
    log: CleaningLog,
) -> Harmonised:
    """Map, pseudonymise, drop identifiers and parse one export (lazy: failures collected).

    Parameters
    ----------
    raw
        A :class:`leerlab_research.io.RawExport`.
    source
        The study's source entry (path as written, wave, explicit ``columns``).
    index
        Position of the source in the study (tie-break for duplicates).
    codebook, labs, settings
        The study's codebook, labs and ``settings.cleaning``.
    secret
        HMAC key.
    failures, log
        Collectors shared by all sources.
    """
    label = source.path
    frame: pd.DataFrame = raw.frame
    n = len(frame)
    rows = np.asarray(raw.source_rows, dtype=np.int64)
    headers = [str(h) for h in frame.columns]
    detected = dict(getattr(raw, "detected", {}) or {})
    dups = {str(k): str(v) for k, v in (detected.get("duplicate_headers") or {}).items()}
    cmap = map_columns(
        headers,
        codebook,
        explicit=source.columns,
        system=getattr(raw, "system", {}) or {},
        header_text=getattr(raw, "header_text", {}) or {},
        ignore=settings.ignore_columns,
        known_system=[str(h) for h in detected.get("system_columns", []) or []],
        known_personal=[str(h) for h in detected.get("personal_columns", []) or []],
        duplicates=dups,
    )
    # Values of identifying and free-text columns never reach validation.csv.
    failures.personal[label] = {
        *cmap.personal,
        *(h for h in (cmap.system.get("name"), cmap.system.get("email")) if h),
        *(h for h in [cmap.header(codebook.key_variable)] if h),
    }
    # ---- reader facts in the log (the reader decides; we record what it decided)
    det = ", ".join(
        f"{k}={detected[k]!r}"
        for k in (
            "platform",
            "platform_reason",
            "encoding",
            "delimiter",
            "decimal",
            "dayfirst",
            "header_rows",
        )
        if k in detected
    )
    warn = "; ".join(map(str, detected.get("warnings", []) or []))
    log.add("read", "read_export", label, None, n, det + (f"; warnings: {warn}" if warn else ""))
    how_counts: dict[str, int] = {}
    for how in cmap.how.values():
        how_counts[how] = how_counts.get(how, 0) + 1
    items_mapped = sum(1 for c in codebook.item_codes if c in cmap.to_code)
    log.add(
        "map_columns",
        "study columns > codebook codes > LimeSurvey/Qualtrics codes > item text/labels (nl, en)",
        label,
        n,
        n,
        f"{items_mapped}/{len(codebook.item_codes)} items, "
        f"{sum(1 for v in codebook.variables if v in cmap.to_code)} variables mapped "
        f"({', '.join(f'{k}: {v}' for k, v in sorted(how_counts.items()))}); "
        f"system columns: {', '.join(sorted(h for h in cmap.system.values() if h not in cmap.personal)) or '-'}; "
        f"ignored: {', '.join(cmap.ignored) or '-'}; unknown: {', '.join(cmap.unknown) or '-'}",
    )

    # ---- column-level failures
    severity = "error" if settings.unknown_columns == "error" else "warning"
    for header in cmap.unknown:
        failures.add(
            label,
            "unknown_column",
            "column matches no codebook item or variable and is not a known system or personal "
            "column; map it in the study's sources[].columns or list it in "
            "settings.cleaning.ignore_columns",
            column=header,
            severity=severity,
        )
    for header, code, other in cmap.conflicts:
        if header in dups:
            message = (
                f"header {dups[header]!r} occurs more than once in the file (this copy was "
                f"renamed {header!r}); both columns would give {code!r}: remove or rename one"
            )
        else:
            message = f"column maps to {code!r}, which column {other!r} already provides"
        failures.add(label, "duplicate_column", message, column=header, value=code)
    for name, spec in codebook.variables.items():
        if not spec.required or spec.personal or name in cmap.to_code:
            continue
        if name == "wave" and source.wave is not None:
            continue
        message = (
            f"required codebook variable {name!r} ({spec.label.nl}) has no column in this export"
        )
        if name == "wave":
            message += f"; set the wave of this export in the study file: sources[{index}].wave"
            if spec.enum:  # the study's declared waves
                message += f" (one of {', '.join(spec.enum)})"
        failures.add(label, "missing_column", message, column=name)
    for code in codebook.item_codes:
        if code not in cmap.to_code:
            failures.add(
                label,
                "missing_item_column",
                f"item {code} has no column in this export; its answers count as missing "
                f"({NOT_IN_EXPORT})",
                column=code,
                severity="warning",
            )
    if n == 0:
        failures.add(label, "no_data_rows", "the export has a header but no responses")

    # ---- step 1: facts from identifiers, pseudonym, then drop every identifier
    key_var = codebook.key_variable
    key_header = cmap.header(key_var)
    test_sources = [
        (cmap.header("lab"), "lab"),
        (key_header, "respondent key"),
        (cmap.system.get("name"), "name"),
        (cmap.system.get("email"), "e-mail"),
    ]
    h: str | None  # a column's header in the export, None when the export lacks it
    for h in cmap.personal:  # 'Naam', 'E-mail' found by personal_columns rather than the reader
        if h not in {x for x, _ in test_sources}:
            test_sources.append((h, "identifier"))
    is_test, test_why = _test_mask(frame, test_sources, cmap.system.get("status"))
    if key_header is not None:
        pseudonym = pseudonymise(frame[key_header], secret)
        key_missing = pseudonym.isna().to_numpy(dtype=bool)  # normalise_key gave None
    else:
        key_missing = np.ones(n, dtype=bool)
        pseudonym = pd.Series(pd.NA, index=frame.index, dtype="string")
    # Open answers and the names to scrub from them, taken before identifiers go.
    open_raw = collect(frame, cmap, is_test)
    dropped = sorted(set(cmap.personal))
    keep = [h for h in headers if h not in set(dropped)]
    frame = frame[keep]  # identifiers gone from here on
    log.add(
        "pseudonymise",
        f"HMAC-SHA256 of the normalised key (strip, NFC, case-folded e-mail) → {16}-hex pseudonym; "
        "direct identifiers dropped",
        label,
        n,
        n,
        f"key column: {key_header or '-'} ({cmap.how.get(key_var, 'none')}); "
        f"dropped {len(dropped)} columns: {', '.join(dropped) or '-'}",
    )

    frame = recode_columns(frame, source.values, cmap, label, n, failures, log)
    version_header = cmap.system.get(VERSION_FIELD)
    if version_header is not None:
        # A survey built by `leerlab instrument`: its answer codes are the codebook's.
        frame = recode_columns(
            frame,
            instrument_codes(codebook, labs),
            cmap,
            label,
            n,
            failures,
            log,
            what="answer codes of the generated survey",
        )

    out = pd.DataFrame(index=pd.RangeIndex(n))
    out["respondent_id"] = pseudonym.reset_index(drop=True)
    value_labels = getattr(raw, "value_labels", {}) or {}
    missing_values = getattr(raw, "missing_values", {}) or {}

    def cells(parsed: Any, header: str, rule: str, message: str) -> None:
        if parsed.bad.any():
            pos = np.flatnonzero(parsed.bad)
            vals = frame[header].to_numpy(dtype=object)
            for p in pos.tolist():
                failures.add(
                    label,
                    rule,
                    str(parsed.messages[p] or message),
                    row=int(rows[p]),
                    column=header,
                    value=vals[p],
                    pos=p,
                )

    # lab
    h = cmap.header("lab")
    if h is not None:
        parsed = parse_lab(frame[h], labs)
        cells(parsed, h, "unknown_lab", "unknown lab")
        out["lab"] = pd.array(parsed.values, dtype="string")
        out["_bad_lab"] = parsed.bad
    else:
        out["lab"] = pd.array([pd.NA] * n, dtype="string")
        # The missing_column failure speaks for every row: no per-row "blank" failures.
        out["_bad_lab"] = np.ones(n, dtype=bool)
    # nominal variables
    for var in ("school_type", "role", "consent"):
        h = cmap.header(var)
        if h is None:
            out[var] = pd.array([pd.NA] * n, dtype="string")
            out[f"_bad_{var}"] = np.full(n, codebook.variables[var].required)
            continue
        parsed = parse_category(
            frame[h], codebook, var, value_labels=_float_keys(value_labels.get(h))
        )
        cells(parsed, h, f"invalid_{var}", "invalid value")
        out[var] = pd.array(parsed.values, dtype="string")
        out[f"_bad_{var}"] = parsed.bad
    # wave: the source's wave wins; else a wave column
    h = cmap.header("wave")
    if source.wave is not None:
        out["wave"] = pd.array([source.wave] * n, dtype="string")
        out["_bad_wave"] = np.zeros(n, bool)
    elif h is not None:
        parsed = parse_category(frame[h], codebook, "wave")
        cells(parsed, h, "invalid_wave", "invalid wave")
        out["wave"] = pd.array(parsed.values, dtype="string")
        out["_bad_wave"] = parsed.bad
    else:
        out["wave"] = pd.array([pd.NA] * n, dtype="string")
        out["_bad_wave"] = np.ones(n, bool)  # one missing_column failure names the fix
    # dates
    dayfirst = bool(detected.get("dayfirst", False))
    time_zones = {str(k): str(v) for k, v in (detected.get("time_zones") or {}).items()}
    for var in ("started_at", "submitted_at"):
        h = cmap.header(var)
        if h is None:
            out[var] = pd.Series(pd.NaT, index=out.index, dtype="datetime64[ns]")
            out[f"_bad_{var}"] = np.zeros(n, bool)
            continue
        parsed = parse_datetime(
            frame[h],
            dayfirst=dayfirst,
            zone=settings.time_zone,
            source_zone=time_zones.get(h),
        )
        cells(parsed, h, "invalid_datetime", "not a date/time")
        out[var] = parsed.values
        out[f"_bad_{var}"] = parsed.bad
    # booleans
    for var, v in codebook.variables.items():
        if v.type != "boolean":
            continue
        h = cmap.header(var)
        if h is None:
            out[var] = pd.array([pd.NA] * n, dtype="boolean")
            continue
        parsed = parse_boolean(frame[h])
        cells(parsed, h, "invalid_boolean", "not yes/no")
        out[var] = pd.array(parsed.values, dtype="boolean")
    # Multiple choice (LimeSurvey 'focus[...]' = Y or empty): in a row where any option
    # of the group is ticked, an empty option means "not ticked", not "unknown".
    groups: dict[str, list[str]] = {}
    for var, v in codebook.variables.items():
        if v.type == "boolean" and "_" in var and cmap.header(var) is not None:
            groups.setdefault(var.rsplit("_", 1)[0], []).append(var)
    for members in groups.values():
        if len(members) < 2:
            continue
        ticked = np.column_stack([out[m].fillna(False).to_numpy(dtype=bool) for m in members]).any(
            axis=1
        )
        for m in members:
            out[m] = out[m].mask(out[m].isna() & ticked, False)
    # items: raw codes and missing reasons
    k = len(codebook.item_codes)
    items = np.full((n, k), np.nan)
    reasons = np.full((n, k), NOT_IN_EXPORT, dtype=object)
    answered = np.zeros(n, dtype=np.int64)
    # Qualtrics writes -99 for "seen but unanswered" (survey-formats §1c): a blank.
    platform = str(getattr(raw, "platform", "") or "")
    no_answer = (
        [QUALTRICS_SEEN_UNANSWERED]
        if "qualtrics" in (platform, detected.get("origin_platform"))
        else None
    )
    for j, code in enumerate(codebook.item_codes):
        h = cmap.header(code)
        if h is None:
            continue
        parsed = parse_item(
            frame[h],
            codebook.value_set_of(code),
            user_missing=missing_values.get(h),
            value_labels=_float_keys(value_labels.get(h)),
            no_answer_codes=no_answer,
        )
        cells(parsed, h, "invalid_item_value", "invalid answer")
        items[:, j] = parsed.values
        reasons[:, j] = parsed.reason
        reasons[parsed.bad, j] = None  # an unparseable answer is an answer (and a failure)
        answered += (parsed.reason != "blank") | parsed.bad
    for j, code in enumerate(codebook.item_codes):
        out[code] = items[:, j]
    # completion signals: submit date, Finished / Progress
    sub_h = cmap.header("submitted_at")
    submitted = np.full(n, np.nan)  # 1 submitted, 0 not, NaN unknown
    if sub_h is not None:
        submitted = np.where(
            out["submitted_at"].isna().to_numpy() & ~out["_bad_submitted_at"].to_numpy(), 0.0, 1.0
        )
    fin_h = cmap.system.get("finished")
    if fin_h is not None and fin_h in frame:
        fin = frame[fin_h].map(
            lambda v: (
                np.nan
                if is_blank(v)
                else (0.0 if normalise_label(num_text(v)) in _FALSE_FINISHED else 1.0)
            )
        )
        fin = fin.to_numpy(dtype=float)
        submitted = np.where(
            np.isnan(submitted), fin, np.fmin(submitted, np.nan_to_num(fin, nan=1.0))
        )
    prog_h = cmap.system.get("progress")
    if prog_h is not None and prog_h in frame:
        prog = parse_number(frame[prog_h]).values
        submitted = np.where(prog < 100, 0.0, submitted)
    # seconds from start to submit, else the export's duration column
    dur = (out["submitted_at"] - out["started_at"]).dt.total_seconds().to_numpy(dtype=float)
    dur_h = cmap.system.get("duration")
    if dur_h is not None and dur_h in frame:
        alt = parse_number(frame[dur_h]).values * (cmap.duration_unit or 1.0)
        dur = np.where(np.isnan(dur), alt, dur)
    out["_duration_s"] = dur
    out["_submitted"] = submitted
    out["_answered"] = answered
    out["_test"] = is_test
    out["_test_why"] = test_why
    out["_key_missing"] = key_missing
    out["_pos"] = np.arange(n)
    out["_source_index"] = index
    out[VERSION_FIELD] = (
        frame[version_header].astype("string").str.strip().replace("", pd.NA)
        if version_header is not None
        else pd.array([pd.NA] * n, dtype="string")
    )
    out["source_file"] = pd.array([label] * n, dtype="string")
    out["source_row"] = rows
    return Harmonised(
        source=source,
        index=index,
        label=label,
        frame=out,
        reasons=reasons,
        cmap=cmap,
        detected=detected,
        open_raw=open_raw,
    )


def _float_keys(labels: dict | None) -> dict[float, str] | None:
    """SPSS value labels with float keys (pyreadstat gives floats; be lenient)."""
    if not labels:
        return None
    out: dict[float, str] = {}
    for k, v in labels.items():
        x = as_number(k)
        if x is not None:
            out[x] = str(v)
    return out


__all__ = ["Harmonised", "harmonise", "NOT_IN_EXPORT", "TRUE_WORDS"]
