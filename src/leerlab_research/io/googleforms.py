"""Google Forms response exports (CSV downloaded from Forms or from the linked Sheet).

Layout (survey-formats.md §1d): ``Timestamp``, ``Email Address`` (when e-mail
collection is on), then one column per question headed by its text; grids are
``Question [Row]``; quizzes add ``Score`` (``4 / 5``). Checkbox answers are
joined with ``", "`` and left as they are.
"""

from __future__ import annotations

from ._common import Interpretation, clean_text, map_system

#: (canonical key, header spellings). "Tijdstempel"/"E-mailadres" are the Dutch
#: interface's headers as far as we know (not verified against a real export).
SYSTEM: tuple[tuple[str | None, tuple[str, ...]], ...] = (
    ("submitted_at", ("Timestamp", "Tijdstempel")),
    ("email", ("Email Address", "Email address", "E-mailadres")),
    (None, ("Score",)),
)
SIGNATURE_FIRST = ("Timestamp", "Tijdstempel")
PERSONAL = ("email",)


def interpret(records: list[list[str]]) -> Interpretation:
    """Interpret the header row of a Google Forms export."""
    headers = [clean_text(h) for h in records[0]]
    result = Interpretation(header_rows=1)
    result.system, result.system_columns = map_system(headers, SYSTEM)
    result.personal_columns = [result.system[k] for k in PERSONAL if k in result.system]
    system_set = set(result.system_columns)
    result.header_text = {h: h for h in headers if h and h not in system_set}
    return result
