"""Locale detection on the stacked cells: counts per cell, date kinds and hints per column.

``detect_locale`` classifies the distinct values of all columns at once; these
tables are built so that a shortcut in that bookkeeping (counting distinct
values instead of cells, judging a column by values that occur in another one,
taking a format from another column's cell) changes the decision.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from leerlab_research.io import read_export
from leerlab_research.io.locales import detect_locale


def _text(**columns: list[str | None]) -> pd.DataFrame:
    return pd.DataFrame({k: pd.Series(v, dtype=str) for k, v in columns.items()})


def test_decimal_cells_are_counted_per_cell_not_per_distinct_value():
    # Three cells hold the same '3,5' (in two columns), two cells hold different
    # dot decimals: 3 > 2 decides for the comma; counting values would say 1 < 2.
    data = _text(a=["3,5", "3,5", "1.5"], b=["3,5", "2.5", None])
    detected, warnings = detect_locale(data, delimiter=";", encoding="utf-8")
    assert detected["decimal"] == ","
    assert warnings == [
        "both decimal commas (3 cells like '3,5') and decimal points "
        "(2 cells like '3.5') occur; assumed decimal ','"
    ]


def test_padded_and_blank_cells():
    # Spaces around a value do not hide it; a cell of spaces is no cell.
    data = _text(score=["  3,5 ", "   ", None], datum=["   ", " 03-02-2024", "04-02-2024 "])
    detected, warnings = detect_locale(data, delimiter=",", encoding="utf-8")
    assert detected["decimal"] == ","
    assert detected["date_columns"] == {"datum": "%d-%m-%Y"}
    assert warnings[0].startswith("no date has a day above 12")


def test_only_a_column_of_nothing_but_dates_is_a_date_column():
    # 'peildatum' would prove day-first (13-02-2024), but one of its cells is no
    # date, so it is not a date column; 'datum' proves month-first on its own.
    data = _text(
        peildatum=["13-02-2024", "onbekend", "01-02-2024"],
        datum=["02-13-2024", "02-14-2024", "02-01-2024"],
    )
    detected, warnings = detect_locale(data, delimiter=",", encoding="utf-8")
    assert detected["date_columns"] == {"datum": "%m-%d-%Y"}
    assert detected["dayfirst"] is False
    assert detected["dayfirst_reason"] == "a date has a second field > 12"
    assert warnings == []


def test_date_separators_hint_only_from_date_columns():
    # '3-2-2024' in a column that is not all dates gives no d-m-y hint, so the
    # '/' dates of a ',' file without decimal comma are read month-first.
    data = _text(
        opmerking=["3-2-2024", "geen idee", None],
        datum=["3/2/2024", "4/2/2024", "5/2/2024"],
    )
    detected, warnings = detect_locale(data, delimiter=",", encoding="utf-8")
    assert detected["dayfirst"] is False
    assert detected["dayfirst_reason"] == "no evidence for day-first dates"
    assert detected["date_columns"] == {"datum": "%m/%d/%Y"}
    assert len(warnings) == 1 and "month-first (m/d/y)" in warnings[0]


def test_each_date_column_takes_its_format_from_its_own_first_cell():
    # 'gestart' holds '2024-03-06 10:00' first; 'klaar' holds the same value only
    # in its second row, after a blank and a date without time.
    data = _text(
        gestart=["2024-03-06 10:00", "2024-03-07 11:00", "2024-03-08 09:30"],
        klaar=["  ", "2024-03-05", "2024-03-06 10:00"],
        stempel=["2024/3/5 1:02:03 PM", "2024/3/6 11:02:03 AM", None],
        mix=["2024-03-05", "05-03-2024", None],
    )
    detected, _ = detect_locale(data, delimiter=",", encoding="utf-8")
    assert detected["date_columns"] == {
        "gestart": "%Y-%m-%d %H:%M",
        "klaar": "%Y-%m-%d",
        "stempel": "%Y/%m/%d %I:%M:%S %p",
    }
    assert detected["date_format"] == "%Y-%m-%d %H:%M"


def test_disagreeing_dates_fall_back_to_the_locale_hint():
    data = _text(a=["13-02-2024", "01-02-2024"], b=["02-13-2024", None])
    detected, warnings = detect_locale(data, delimiter=";", encoding="cp1252")
    assert detected["dayfirst"] is True
    assert detected["dayfirst_reason"] == "dates disagree on day/month order; used the locale hint"
    assert warnings == ["some dates look day-first and others month-first; check the date columns"]


def test_workbook_cells_that_are_not_text_are_not_classified():
    # An object column of a workbook: the number and the datetime are skipped,
    # the one text cell makes it a d-m-y column.
    data = pd.DataFrame(
        {
            "datum": pd.Series([3.5, "14-02-2024", dt.datetime(2024, 2, 3)], dtype=object),
            "aantal": pd.Series([1.0, 2.0, 3.0]),
        }
    )
    detected, warnings = detect_locale(data, delimiter=None, encoding=None)
    assert detected["decimal"] == "."
    assert detected["date_columns"] == {"datum": "%d-%m-%Y"}
    assert detected["dayfirst_reason"] == "a date has a first field > 12"
    assert warnings == []


def test_no_text_columns():
    data = pd.DataFrame({"x": [1.0, 2.0]})
    detected, warnings = detect_locale(data, delimiter=",", encoding="utf-8")
    assert detected == {
        "decimal": ".",
        "dayfirst": False,
        "dayfirst_reason": "no evidence for day-first dates",
        "date_format": None,
        "date_columns": {},
    }
    assert warnings == []


def test_only_the_sampled_rows_count(tmp_path, build):
    # The 1,001st data row would prove day-first; the sample (1,000 rows) stops before it.
    rows = [["id", "datum"]] + [[str(i), "3/2/2024"] for i in range(1000)] + [["x", "25/2/2024"]]
    p = tmp_path / "d.csv"
    p.write_bytes(build.plain_csv(rows))
    r = read_export(p)
    assert r.detected["dayfirst"] is False
    assert r.detected["date_columns"] == {"datum": "%m/%d/%Y"}
