"""Parsing answers against the codebook (cleaning/values.py): labels, numbers, missing
and no-answer codes, SPSS labels, day-first dates, and the failures the CLI names by
file, row, column and value.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyreadstat
from cleaning_helpers import (
    CODEBOOK,
    assert_failed,
    dutch_frame,
    item_codes,
    run_cli,
    write_study,
)

from leerlab_research.cleaning.timestamps import parse_datetime
from leerlab_research.cleaning.values import parse_category, parse_item
from leerlab_research.config.codebook import load_codebook


# ------------------------------------------------------------------ values
def test_item_values_labels_numbers_missing(codebook):
    vs = codebook.value_set_of("AMB1")
    s = pd.Series(["Helemaal mee eens", "Strongly disagree", "Niet eens, niet oneens", "4,0", " 2 ",
                   "9", "Weet niet", "n.v.t.", np.nan, "", "A3", "7", "3,5", "Soms"])  # fmt: skip
    p = parse_item(s, vs)
    np.testing.assert_array_equal(p.values[:8], [5, 1, 3, 4, 2, 9, 9, 9])
    assert list(p.reason[5:10]) == ["dont_know"] * 3 + ["blank", "blank"]
    assert p.values[10] == 3
    assert list(p.bad) == [False] * 11 + [True, True, True]
    assert "out of range" in p.messages[11]


def test_spss_user_missing_and_labels(codebook):
    vs = codebook.value_set_of("AMB1")
    s = pd.Series([1.0, 5.0, 9.0, 8.0, np.nan])
    p = parse_item(
        s,
        vs,
        user_missing=[8.0, 9.0],
        value_labels={8.0: "Geen antwoord", 9.0: "Weet niet / n.v.t."},
    )
    assert list(p.values[:4]) == [1, 5, 9, 8]
    assert list(p.reason) == [None, None, "dont_know", "user_missing", "blank"]
    assert not p.bad.any()


def test_categories_with_spss_labels_and_yes_no(codebook):
    st = parse_category(pd.Series([1.0, 2.0, 3.0]), codebook, "school_type",
                        value_labels={1.0: "vmbo", 2.0: "mbo", 3.0: "anders"})  # fmt: skip
    assert list(st.values) == ["vmbo", "mbo", "anders"]
    c = parse_category(
        pd.Series(["Y", "N", "Ja", "nee", "1", 0.0, "Yes", "misschien"]), codebook, "consent"
    )
    assert list(c.values[:7]) == ["ja", "nee", "ja", "nee", "ja", "nee", "ja"]
    assert c.bad.tolist() == [False] * 7 + [True]
    role = parse_category(pd.Series(["Docent", "teacher", "Process facilitator"]), codebook, "role")
    assert list(role.values) == ["docent", "docent", "procesbegeleider"]


def test_dates_dayfirst():
    p = parse_datetime(
        pd.Series(["03-02-2024 10:00", "", "31-12-2024 23:59", "gisteren"]), dayfirst=True
    )
    assert pd.Timestamp(p.values[0]) == pd.Timestamp("2024-02-03 10:00")
    assert pd.isna(p.values[1]) and not p.bad[1]
    assert pd.Timestamp(p.values[2]) == pd.Timestamp("2024-12-31 23:59")
    assert p.bad.tolist() == [False, False, False, True]


def test_platform_no_answer_counts_as_blank_not_as_a_failure():
    vs = load_codebook(CODEBOOK).value_set_of("AMB1")
    s = pd.Series(["Geen antwoord", "No answer", "-99", "4"])
    qualtrics = parse_item(s, vs, no_answer_codes=[-99.0])
    assert not qualtrics.bad.any()
    assert list(qualtrics.reason) == ["blank", "blank", "blank", None]
    assert qualtrics.values[3] == 4.0
    # -99 is only Qualtrics' code: elsewhere it stays an out-of-range failure.
    other = parse_item(s, vs)
    assert list(other.bad) == [False, False, True, False]


def test_code_plus_label_answers_accepted_only_when_they_agree():
    vs = load_codebook(CODEBOOK).value_set_of("AMB1")
    s = pd.Series(
        ["4 - Mee eens", "Mee eens (4)", "1. Helemaal mee oneens", "9 = Weet niet", "2 - Mee eens"]
    )
    p = parse_item(s, vs)
    assert list(p.values[:4]) == [4.0, 4.0, 1.0, 9.0]
    assert p.reason[3] == "dont_know"
    assert list(p.bad) == [False, False, False, False, True]
    assert "disagree" in p.messages[4]


def test_qualtrics_seen_unanswered_through_the_cli(tmp_path):
    items = item_codes()
    tags = ["StartDate", "EndDate", "Status", "Progress", "Finished", "ResponseId", "ExternalReference",
            "leerlab", "schooltype", "rol", "toestemming", *items]  # fmt: skip
    rows = [tags, tags, [f'{{"ImportId":"{t}"}}' for t in tags]]
    for i in range(8):
        answers = [str(1 + (i + j) % 5) for j in range(len(items))]
        if i == 2:
            answers[0] = "-99"
        rows.append(["2024-03-04 09:00:00", "2024-03-04 09:10:00", "0", "100", "1", f"R_a{i}b",
                     f"K{i}", "Weert", "mbo", "docent", "ja", *answers])  # fmt: skip
    pd.DataFrame(rows).to_csv(tmp_path / "q_T0.csv", header=False, index=False)
    study = write_study(
        tmp_path,
        [{"path": "q_T0.csv", "wave": "T0", "columns": {"ExternalReference": "respondent_id"}}],
    )
    result = run_cli("clean", "--study", str(study))
    assert result.exit_code == 0, result.output
    miss = pd.read_csv(tmp_path / "out" / "clean" / "item_missing.csv")
    assert miss.to_dict("records")[0] | {"share": 0} == {
        "item": "AMB1", "scale": "ambitie", "reason": "blank", "n": 1, "n_rows": 8, "share": 0,
    }  # fmt: skip


def test_dutch_google_forms_timestamps_are_day_first_end_to_end(tmp_path):
    cb = load_codebook(CODEBOOK)
    header = ["Tijdstempel", "E-mailadres", "Leerlab", "Schooltype", "Rol", "Toestemming"]
    header += [f"Stellingen [{cb.items[c].text.nl}]" for c in cb.item_codes]
    rows = [
        [f"4-3-2024 {9 + i}:05:00", f"p{i}@school.example", "Weert", "mbo", "Docent", "Ja"]
        + ["Mee eens"] * len(cb.item_codes)
        for i in range(6)
    ]
    pd.DataFrame(rows, columns=header).to_csv(tmp_path / "g_T0.csv", index=False)
    study = write_study(tmp_path, [{"path": "g_T0.csv", "wave": "T0"}])
    result = run_cli("clean", "--study", str(study))
    assert result.exit_code == 0, result.output
    r = pd.read_parquet(tmp_path / "out" / "clean" / "responses.parquet")
    assert (r["submitted_at"].dt.month == 3).all() and (r["submitted_at"].dt.day == 4).all()


def test_spss_item_stored_as_text_labels(tmp_path):
    # A .sav whose item variables are strings (a CSV imported into SPSS as text).
    df = dutch_frame(10).drop(
        columns=["Naam", "E-mail", "Begonnen op", "Verstuurd op", "Duur (min)"]
    )
    df = df.rename(columns={"Respondentnummer": "respnr"})
    df.loc[1, "AMB1"] = "Mee eens"
    df.loc[2, "AMB2"] = "Weet niet"
    pyreadstat.write_sav(df, tmp_path / "s_T0.sav")
    study = write_study(
        tmp_path,
        [{"path": "s_T0.sav", "wave": "T0", "columns": {"respnr": "respondent_id"}}],
        {"cleaning": {"require_submitted": False}},
    )
    result = run_cli("clean", "--study", str(study))
    assert result.exit_code == 0, result.output
    r = pd.read_parquet(tmp_path / "out" / "clean" / "responses.parquet")
    assert len(r) == 10
    miss = pd.read_csv(tmp_path / "out" / "clean" / "item_missing.csv")
    assert ("AMB2", "dont_know") in set(zip(miss["item"], miss["reason"], strict=True))


def test_excel_error_values_are_failures_not_dont_know(tmp_path, dutch_study):
    # '#N/A' normalises like the 'N/A' (don't know) alias; it is a failed formula.
    vs = load_codebook(CODEBOOK).value_set_of("AMB1")
    p = parse_item(pd.Series(["#N/A", "N/A", "#VALUE!"]), vs)
    assert list(p.bad) == [True, False, True]
    assert p.reason[1] == "dont_know"
    df = dutch_frame(12)
    df.loc[2, "AMB2"] = "#N/A"
    df.loc[3, "Rol"] = "#REF!"
    study = dutch_study({"err_T0.csv": df})
    result = run_cli("validate", "--study", str(study))
    assert result.exit_code == 1 and "Traceback" not in result.output
    val = pd.read_csv(tmp_path / "out" / "clean" / "validation.csv", keep_default_na=False)
    got = set(zip(val["source_row"], val["column"], val["value"], strict=True))
    assert got == {(4, "AMB2", "#N/A"), (5, "Rol", "#REF!")}


def test_unknown_lab_names_file_row_column_value(tmp_path, dutch_study):
    df = dutch_frame(20)
    df.loc[6, "Leerlab"] = "Atlantis"
    study = dutch_study({"lab_T0.csv": df})
    result = run_cli("clean", "--study", str(study))
    # data row 6 is spreadsheet row 8 (header = row 1, first data row = 2)
    assert_failed(result, tmp_path / "out", "lab_T0.csv", "row 8", "column 'Leerlab'", "'Atlantis'")


def test_out_of_range_value(tmp_path, dutch_study):
    df = dutch_frame(20)
    df.loc[2, "BEL2"] = "7"
    study = dutch_study({"r_T0.csv": df})
    result = run_cli("clean", "--study", str(study))
    assert_failed(
        result, tmp_path / "out", "r_T0.csv", "row 4", "column 'BEL2'", "'7'", "out of range"
    )


def test_unknown_answer_label_is_not_a_silent_nan(tmp_path, dutch_study):
    df = dutch_frame(20)
    df.loc[0, "INH1"] = "Soms"
    study = dutch_study({"l_T0.csv": df})
    result = run_cli("clean", "--study", str(study))
    assert_failed(result, tmp_path / "out", "l_T0.csv", "row 2", "column 'INH1'", "'Soms'")
