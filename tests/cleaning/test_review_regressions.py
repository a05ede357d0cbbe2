"""Regressions from an adversarial review of validate/clean with messy real-world exports.

Every export is built here, in the test, laid out like the platform writes it.
"""

from __future__ import annotations

import pandas as pd
import pyreadstat
from cleaning_helpers import (
    CODEBOOK,
    dutch_frame,
    item_codes,
    run_cli,
    write_dutch_csv,
    write_study,
)

from leerlab_research.cleaning.mapping import map_columns
from leerlab_research.cleaning.values import parse_item
from leerlab_research.config.codebook import load_codebook


def test_unreadable_file_is_named_once_in_the_message(tmp_path):
    (tmp_path / "leeg.csv").write_bytes(b"")
    study = write_study(tmp_path, [{"path": "leeg.csv", "wave": "T0"}])
    result = run_cli("validate", "--study", str(study))
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "file 'leeg.csv': the file is empty" in result.output
    assert "file 'leeg.csv': file 'leeg.csv'" not in result.output
    val = pd.read_csv(tmp_path / "out" / "clean" / "validation.csv")
    assert val.loc[0, "message"].startswith("the file is empty")


def test_duplicate_headers_are_reported_as_duplicates_and_personal_copies_dropped(tmp_path):
    df = dutch_frame(12)
    text = df.to_csv(sep=";", index=False, lineterminator="\r\n")
    header, body = text.split("\r\n", 1)
    # Columns D..: 'Leerlab' and a second 'Naam' (an export that repeats a column).
    header = header.replace("Leerlab", "Naam", 1).replace("Schooltype", "Leerlab", 1)
    header += ";AMB1"
    body = "\r\n".join(ln + ";4" for ln in body.strip().split("\r\n")) + "\r\n"
    (tmp_path / "dup_T0.csv").write_bytes((header + "\r\n" + body).encode("cp1252"))
    study = write_study(tmp_path, [{"path": "dup_T0.csv", "platform": "csv", "wave": "T0"}])
    result = run_cli("validate", "--study", str(study))
    assert result.exit_code == 1 and "Traceback" not in result.output
    val = pd.read_csv(tmp_path / "out" / "clean" / "validation.csv")
    dup = val[val["rule"] == "duplicate_column"]
    assert list(dup["column"]) == ["AMB1__2"]
    assert "header 'AMB1' occurs more than once" in dup["message"].iloc[0]
    # The second 'Naam' is an identifier like the first, not an "unknown column".
    assert "Naam__2" not in set(val["column"])


def test_limesurvey_spss_syntax_labels_map_to_items(tmp_path):
    # LimeSurvey writes no .sav: its SPSS syntax names variables V1..Vn and labels them
    # "[statement] question" (survey-formats §1a); SPSS/PSPP then saves the .sav.
    cb = load_codebook(CODEBOOK)
    headers = [f"V{i}" for i in range(len(cb.item_codes))]
    text = {
        h: f"[{cb.items[c].text.nl}] Stellingen"
        for h, c in zip(headers, cb.item_codes, strict=True)
    }
    cmap = map_columns(headers, cb, header_text=text)
    assert cmap.unknown == []
    assert all(cmap.header(c) == h for h, c in zip(headers, cb.item_codes, strict=True))
    assert set(cmap.how[c] for c in cb.item_codes) == {"label"}


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


def test_zero_padded_keys_link_t0_csv_and_t1_workbook(tmp_path):
    t0 = dutch_frame(10, seed=1)
    t0["Respondentnummer"] = [f"{i:05d}" for i in range(1, 11)]
    write_dutch_csv(t0, tmp_path / "x_T0.csv")
    t1 = dutch_frame(10, seed=2, wave_day="2024-11-04")
    t1["Respondentnummer"] = list(range(1, 11))  # Excel turned 00001 into the number 1
    t1.to_excel(tmp_path / "x_T1.xlsx", index=False)
    study = write_study(
        tmp_path,
        [{"path": "x_T0.csv", "wave": "T0"}, {"path": "x_T1.xlsx", "wave": "T1"}],
    )
    result = run_cli("clean", "--study", str(study))
    assert result.exit_code == 0, result.output
    r = pd.read_parquet(tmp_path / "out" / "clean" / "responses.parquet")
    assert (r.groupby("respondent_id")["wave"].nunique() == 2).sum() == 10


def test_email_and_ip_typed_into_an_answer_are_hidden_in_failures(tmp_path, dutch_study):
    df = dutch_frame(12)
    df.loc[3, "Rol"] = "Anders: IB'er, mail jan.jansen@school.example"
    df.loc[4, "Rol"] = "IB'er (192.0.2.199)"
    study = dutch_study({"rol_T0.csv": df})
    result = run_cli("validate", "--study", str(study))
    assert result.exit_code == 1 and "Traceback" not in result.output
    out = tmp_path / "out"
    texts = [result.output] + [f.read_text(encoding="utf-8") for f in out.rglob("*.csv")]
    for text in texts:
        assert "jan.jansen@school.example" not in text and "192.0.2.199" not in text
    assert "<e-mail>" in result.output and "<ip>" in result.output
    val = pd.read_csv(out / "clean" / "validation.csv")
    assert set(val.loc[val["rule"] == "invalid_role", "source_row"]) == {5, 6}


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
