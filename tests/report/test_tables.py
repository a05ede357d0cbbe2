"""Markdown tables: column widths that neither overprint nor squeeze the row label."""

from __future__ import annotations

import pandas as pd

from leerlab_research.report.tables import (
    LABEL_ROOM,
    TABLE_CHARS,
    column_weights,
    md_table,
    memoised,
)

LABELS = [
    "Gedeelde ambitie",
    "Commitment (bestuur, management, docenten)",
    "Faciliteren (tijd, middelen, ruimte)",
]


def _profile() -> pd.DataFrame:
    """The lab report's profile table: a long row label beside five narrow columns."""
    return pd.DataFrame(
        {
            "Voorwaarde": LABELS,
            "Aantal": ["17", "17", "16"],
            "Gemeten gemiddelde": ["3,61", "3,24", "3,21"],
            "Geschat labgemiddelde (95%-interval)": ["3,62 [3,33; 3,91]"] * 3,
            "Programma": ["3,64", "3,33", "3,24"],
            "Vergelijking": ["geen verschil aantoonbaar", "hoger", "lager"],
        }
    )


def test_every_column_has_room_for_its_longest_word():
    df = _profile()
    weights = column_weights(df)
    for name, width in zip(df.columns, weights, strict=True):
        words = " ".join([name, *df[name]]).split()
        assert width >= max(len(w) for w in words) + 3, name


def test_row_label_fits_on_two_lines_within_the_spare_room():
    """The condition column wrapped 'Commitment (bestuur, management, docenten)' to four lines."""
    weights = column_weights(_profile())
    # the two halves of the longest label, split at a space, each fit in the column
    assert weights[0] - 3 >= len("Commitment (bestuur,")
    assert weights[0] - 3 >= len("management, docenten)")
    assert sum(weights) <= TABLE_CHARS + LABEL_ROOM


def test_narrow_table_is_unchanged_and_rule_is_wide_enough_for_pandoc():
    df = pd.DataFrame({"Voorwaarde": ["Passend proces"], "n": ["12"]})
    weights = column_weights(df)
    assert weights[0] >= len("Passend proces") // 2 + 3
    rule = md_table(df).splitlines()[1]
    # pandoc takes relative widths only from a separator line wider than 72 columns
    assert len(rule) > 72


class _Counting:
    """A stand-in for ReportData: counts how often each helper really runs."""

    def __init__(self, lang: str = "nl") -> None:
        self.lang = lang
        self.runs: list[tuple[str, ...]] = []

    @memoised
    def table(self, lab: str, wave: str | None = None) -> pd.DataFrame:
        self.runs.append(("table", lab, str(wave)))
        return pd.DataFrame({"lab": [lab], "wave": [wave]})

    @memoised
    def pair(self, lab: str) -> tuple[pd.DataFrame, list[str]]:
        self.runs.append(("pair", lab))
        return pd.DataFrame({"x": [1]}), [lab]


def test_a_memoised_helper_runs_once_per_arguments_and_language():
    r = _Counting()
    for _ in range(3):
        r.table("weert")
        r.table("weert", wave="T1")
    r.table("venlo")
    assert r.runs == [
        ("table", "weert", "None"),
        ("table", "weert", "T1"),
        ("table", "venlo", "None"),
    ]
    r.lang = "en"  # texts in the result may depend on the language
    r.table("weert")
    assert len(r.runs) == 4
    assert _Counting().table("weert").equals(r.table("weert"))  # not shared between objects


def test_every_call_of_a_memoised_helper_gets_its_own_copy():
    r = _Counting()
    first = r.table("weert")
    first.loc[0, "lab"] = "changed"
    assert r.table("weert").loc[0, "lab"] == "weert"
    frame, labs = r.pair("weert")
    frame.loc[0, "x"] = 99
    labs.append("venlo")
    again, labs_again = r.pair("weert")
    assert again.loc[0, "x"] == 1 and labs_again == ["weert"]
    assert r.runs.count(("pair", "weert")) == 1
