"""Registry entries of the tables published for the reports (issue 12).

The report layer reads no row-level data; these tables give it what it used to
count itself. See :mod:`.published` (how they are built) and :mod:`.publication`
(who a lab's figures describe).
"""

from __future__ import annotations

from .table_spec import HIDDEN, WAVE, CompareTable, _f

#: Answer categories of the instrument's items (1–5).
CATEGORIES = range(1, 6)

_LAB = _f(
    "lab",
    "string",
    "lab id (its school members); `all` = the programme; `buiten_scholen` = respondents of "
    "neither school",
    required=True,
)

ITEMS = CompareTable(
    name="items",
    fields=(
        _f("item", "string", "item code (codebook order)", required=True),
        _f("scale", "string", "scale of the item"),
        _f("wave", "string", "wave; `all` = every wave (programme row only)", required=True),
        _LAB,
        _f("n", "integer", "substantive answers (1–5)", minimum=0),
        *(
            _f(f"n_{c}", "integer", f"answers {c} as answered (reverse keying undone)", minimum=0)
            for c in CATEGORIES
        ),
        _f("pct_agree", "number", "% answers ≥ 4 in the keyed direction", minimum=0, maximum=100),
        _f("n_dont_know", "integer", "'weet niet' answers (programme row of wave `all`)"),
        *HIDDEN,
    ),
    unit="item × wave × lab (school members; `all` = programme; buiten_scholen = respondents of "
    "neither school); programme row of wave `all` with 'weet niet' counts",
    test="none (answer counts as answered, n_1…n_5; pct_agree = % answers ≥ 4 in the keyed "
    "direction)",
    correction="none",
    keys=("item", "wave", "lab"),
    counts=("n",),
    min_cell_rule="a row with 0 < n < min_cell is blanked (primary); complementary suppression "
    "keeps each wave's programme row the sum of its parts; a row inherits the suppression of "
    "its lab's scale total in descriptives",
)

RESPONSES = CompareTable(
    name="responses",
    fields=(
        _f("wave", "string", "wave; `all` = every wave", required=True),
        _LAB,
        _f("n", "integer", "questionnaires", minimum=0),
        _f("n_people", "integer", "distinct respondents (programme rows)", minimum=0),
        _f("first_submitted", "date", "first submission day of the wave (programme rows)"),
        _f("last_submitted", "date", "last submission day of the wave (programme rows)"),
        *HIDDEN,
    ),
    unit="lab × wave (school members), programme per wave and overall (n_people = distinct "
    "respondents; first/last submission day = the wave's fieldwork, programme rows only)",
    test="none (counts of questionnaires)",
    correction="none",
    keys=("wave", "lab"),
    counts=("n",),
)

FOCUS = CompareTable(
    name="focus",
    fields=(
        _f("area", "string", "focus area (curriculum, leerling, docent)", required=True),
        _f("wave", "string", "wave", required=True),
        _LAB,
        _f("n", "integer", "questionnaires that answered the focus question", minimum=0),
        _f("n_named", "integer", "questionnaires naming the area", minimum=0),
        _f("pct_named", "number", "% of n naming the area", minimum=0, maximum=100),
        *HIDDEN,
    ),
    unit="focus area × wave × lab (school members; `all` = programme; buiten_scholen = "
    "respondents of neither school)",
    test="none (counts of questionnaires naming the area)",
    correction="none",
    keys=("area", "wave", "lab"),
    counts=("n",),
    min_cell_rule="a lab × wave hidden in responses.csv is hidden here with the same reason; "
    "a row with 0 < n < min_cell is blanked (primary); complementary suppression keeps each "
    "wave's programme row the sum of its labs",
)

SCREENING = CompareTable(
    name="screening",
    fields=(
        _f(
            "what",
            "string",
            "read, kept, people, excluded, source_kept, source_excluded, careless_flag, "
            "careless_index",
            required=True,
        ),
        _f("key", "string", "exclusion reason, source file or careless index"),
        _f("n", "integer", "questionnaires", minimum=0),
    ),
    unit="programme: questionnaires read, kept, excluded per reason and per source file, flagged "
    "per careless-responding index",
    test="none",
    correction="none",
    min_cell_rule="counts of questionnaires, not groups described by statistics; not subject "
    "to min_cell",
)

MERGES = CompareTable(
    name="merges",
    fields=(
        _f("lab", "string", "lab id", required=True),
        WAVE,
        _f("dimension", "string", "breakdown (role = level)", required=True),
        _f("group", "string", "the small residual group", required=True),
        _f("merged_into", "string", "the named neighbour it is counted with", required=True),
    ),
    unit="lab × wave × dimension: a small residual group merged into a named neighbour",
    test="none (publication design, see compare/publication.py)",
    correction="none",
    min_cell_rule="no counts",
)
