"""LimeSurvey response exports (CSV, or the same table in .xlsx).

Layout (LimeSurvey ``CsvWriter``/``SurveyObj``, see survey-formats.md §1a):
system columns first, in the order ``id, submitdate, lastpage, startlanguage,
seed, [token], [startdate, datestamp], [ipaddr], [refurl]``, then one column per
(sub)question. Headings come in four modes:

* ``code``: ``Q1[SQ001]``; with "ExpressionScript codes" ``Q1_SQ001``;
* ``full``: ``Question text [Subquestion text]``; system columns read
  ``Response ID, Date submitted, ...``;
* ``abbreviated``: full text cut to 15 characters (treated like ``full``);
* ``codetext``: code + separator + text, e.g. ``Q1[SQ001]. Question text``.

Answers (short codes or long labels) are left as they are.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ._common import Interpretation, clean_text, fold, map_system

#: (canonical key, code heading, full-text heading), in export order.
SYSTEM: tuple[tuple[str | None, str, str], ...] = (
    ("response_id", "id", "Response ID"),
    ("submitted_at", "submitdate", "Date submitted"),
    ("last_page", "lastpage", "Last page"),
    ("language", "startlanguage", "Start language"),
    (None, "seed", "Seed"),
    ("token", "token", "Access code"),
    ("started_at", "startdate", "Date started"),
    (None, "datestamp", "Date last action"),
    ("ip", "ipaddr", "IP address"),
    (None, "refurl", "Referrer URL"),
)
#: The columns whose presence identifies a LimeSurvey export.
SIGNATURE_CODES = ("id", "submitdate", "lastpage", "startlanguage")
SIGNATURE_FULL = ("Response ID", "Date submitted", "Last page", "Start language")
PERSONAL = ("token", "ip")

_CODE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*(\[[^\]]*\])*$")


def _codetext_separator(headers: Sequence[str]) -> str | None:
    """The separator of ``codetext`` headings, learnt from ``id<sep>Response ID``."""
    for h in headers:
        if h.startswith("id") and h.endswith("Response ID") and len(h) > len("idResponse ID"):
            return h[2 : -len("Response ID")]
    return None


def interpret(records: list[list[str]]) -> Interpretation:
    """Interpret the header row of a LimeSurvey export.

    Parameters
    ----------
    records : list of list of str
        The first records of the table; ``records[0]`` holds the cleaned headers.
    """
    headers = [clean_text(h) for h in records[0]]
    folded = {fold(h) for h in headers}
    result = Interpretation(header_rows=1)
    sep = _codetext_separator(headers)
    table: list[tuple[str | None, tuple[str, ...]]]
    if sep is not None:
        mode = "codetext"
        table = [(key, (f"{code}{sep}{full}", code, full)) for key, code, full in SYSTEM]
    elif all(fold(c) in folded for c in SIGNATURE_FULL[:2]) and "id" not in headers:
        mode = "full"
        table = [(key, (full, code)) for key, code, full in SYSTEM]
    else:
        mode = "code"
        table = [(key, (code, full)) for key, code, full in SYSTEM]
    result.system, result.system_columns = map_system(headers, table)
    result.personal_columns = [result.system[k] for k in PERSONAL if k in result.system]
    system_set = set(result.system_columns)
    questions = [h for h in headers if h and h not in system_set]
    if mode == "full":
        # Full-text headings *are* the question text (undo the optional
        # "spaces → underscores" export setting, recognisable on 'Response_ID').
        underscored = "_" in result.system.get("response_id", "")
        result.header_text = {h: h.replace("_", " ") if underscored else h for h in questions}
    elif mode == "codetext" and sep:
        for h in questions:
            code, found, text = h.partition(sep)
            if found and text:
                result.header_text[h] = text.strip()
    if mode == "code":
        bracket = any("[" in h for h in questions)
        mode_detail = (
            "code, Q[SQ] form" if bracket else "code (ExpressionScript Q_SQ form or plain)"
        )
        odd = [h for h in questions if not _CODE.match(h)]
        if odd:
            result.warnings.append(
                "LimeSurvey code headings expected, but these look different: "
                + ", ".join(odd[:5])
                + (" ..." if len(odd) > 5 else "")
            )
    else:
        mode_detail = mode
    result.extra["heading_mode"] = mode_detail
    if sep is not None:
        result.extra["codetext_separator"] = sep
    return result
