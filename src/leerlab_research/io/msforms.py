"""Microsoft Forms response workbooks (``.xlsx``, sometimes re-saved as CSV).

Layout (survey-formats.md §1b): ``ID, Start time, Completion time, Email, Name``,
``Last modified time`` in newer exports, then one column per question headed by
its text. Quizzes add ``Total points, Quiz feedback, Points - <q>, Feedback - <q>``.
Multi-select answers (``A;B;C;``, with the trailing ``;``) are left as they are;
splitting them is the mapping step's job.
"""

from __future__ import annotations

from ._common import Interpretation, clean_text, map_system

#: (canonical key, header spellings). The Dutch spellings are what a Dutch
#: Microsoft 365 tenant is believed to write; they are not verified against a
#: real export, so they are only extra candidates next to the English ones.
SYSTEM: tuple[tuple[str | None, tuple[str, ...]], ...] = (
    ("response_id", ("ID", "Id")),
    ("started_at", ("Start time", "Begintijd")),
    ("submitted_at", ("Completion time", "Tijd van voltooien")),
    ("email", ("Email", "E-mail")),
    ("name", ("Name", "Naam")),
    (None, ("Last modified time", "Tijdstip van laatste wijziging")),
    (None, ("Total points", "Totaal aantal punten")),
    (None, ("Quiz feedback", "Feedback van test")),
)
SIGNATURE = ("ID", "Start time", "Completion time")
SIGNATURE_NL = ("ID", "Begintijd", "Tijd van voltooien")
PERSONAL = ("email", "name")


def interpret(records: list[list[str]]) -> Interpretation:
    """Interpret the header row of a Microsoft Forms export."""
    headers = [clean_text(h) for h in records[0]]
    result = Interpretation(header_rows=1)
    result.system, result.system_columns = map_system(headers, SYSTEM)
    # Quiz columns are per question: "Points - <q>" and "Feedback - <q>".
    quiz = [h for h in headers if h.startswith(("Points - ", "Feedback - "))]
    result.system_columns += [h for h in quiz if h not in result.system_columns]
    result.personal_columns = [result.system[k] for k in PERSONAL if k in result.system]
    system_set = set(result.system_columns)
    # The headers of the question columns are the question texts themselves.
    result.header_text = {h: h for h in headers if h and h not in system_set}
    return result
