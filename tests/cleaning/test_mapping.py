"""Mapping export headers to codebook codes (cleaning/mapping.py, the duplicate and
unknown-column rules of cleaning/harmonise.py): platform code forms, question texts,
conflicts, and the messages the CLI gives for unknown or missing columns.
"""

from __future__ import annotations

import pandas as pd
from cleaning_helpers import (
    CODEBOOK,
    assert_failed,
    dutch_frame,
    run_cli,
    write_study,
)

from leerlab_research.cleaning.mapping import map_columns
from leerlab_research.config.codebook import load_codebook


# ------------------------------------------------------------------ mapping
def test_limesurvey_codes_both_forms(codebook):
    headers = ["id", "submitdate", "token", "lab", "schooltype", "rol", "consent",
               "focus[curriculum]", "AMB[SQ001]", "AMB_SQ004", "FAC[SQ003]", "ipaddr"]  # fmt: skip
    cmap = map_columns(headers, codebook, explicit={"token": "respondent_id"})
    assert cmap.to_code["AMB1"] == "AMB[SQ001]"
    assert cmap.to_code["AMB4"] == "AMB_SQ004"
    assert cmap.to_code["FAC3"] == "FAC[SQ003]"
    assert cmap.to_code["school_type"] == "schooltype" and cmap.to_code["role"] == "rol"
    assert cmap.to_code["focus_curriculum"] == "focus[curriculum]"
    assert cmap.how["respondent_id"] == "study"
    assert {"token", "ipaddr"} <= set(cmap.personal)
    assert cmap.unknown == []


def test_item_text_headers_nl_en_and_platform_wrappers(codebook):
    amb1 = codebook.items["AMB1"].text
    headers = [
        amb1.nl.upper() + "  ",  # case and spacing
        "Over het leerlab - " + codebook.items["AMB2"].text.nl,  # Qualtrics 'question - statement'
        f"Stellingen [{codebook.items['AMB3'].text.en}]",  # LimeSurvey full heading, English
        "Leerlab", "Schooltype", "Rol", "Toestemming", "Begonnen op",
        "Wat is je lievelingskleur?",
    ]  # fmt: skip
    cmap = map_columns(headers, codebook)
    assert cmap.to_code["AMB1"] == headers[0] and cmap.how["AMB1"] == "text"
    assert cmap.to_code["AMB2"] == headers[1]
    assert cmap.to_code["AMB3"] == headers[2]
    assert cmap.to_code["lab"] == "Leerlab" and cmap.to_code["started_at"] == "Begonnen op"
    assert cmap.unknown == ["Wat is je lievelingskleur?"]


def test_header_text_for_qualtrics_tags_and_spss_labels(codebook):
    headers = ["Q5_1", "Q5_2", "v_lab"]
    header_text = {
        "Q5_1": "Hoe kijk je naar het leerlab? - " + codebook.items["REL1"].text.nl,
        "Q5_2": codebook.items["REL2"].text.en,
        "v_lab": "Leerlab",
    }
    cmap = map_columns(headers, codebook, header_text=header_text)
    assert cmap.to_code["REL1"] == "Q5_1" and cmap.how["REL1"] == "label"
    assert cmap.to_code["REL2"] == "Q5_2"
    assert cmap.to_code["lab"] == "v_lab"


def test_two_columns_for_one_item_is_a_conflict(codebook):
    cmap = map_columns(["AMB1", "AMB[SQ001]"], codebook)
    assert cmap.conflicts == [("AMB[SQ001]", "AMB1", "AMB1")]


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


def test_unknown_column_is_reported_by_name(tmp_path, dutch_study):
    df = dutch_frame(20)
    df["Lievelingskleur"] = "blauw"
    study = dutch_study({"x_T0.csv": df})
    result = run_cli("clean", "--study", str(study))
    assert_failed(result, tmp_path / "out", "x_T0.csv", "Lievelingskleur", "unknown_column")
    # ... and the study can say to ignore it.
    study = dutch_study(
        {"x_T0.csv": df}, settings={"cleaning": {"ignore_columns": ["Lievelingskleur"]}}
    )
    ok = run_cli("clean", "--study", str(study))
    assert ok.exit_code == 0, ok.output


def test_missing_required_column(tmp_path, dutch_study):
    df = dutch_frame(10).drop(columns=["Rol"])
    study = dutch_study({"m_T0.csv": df})
    result = run_cli("clean", "--study", str(study))
    assert_failed(result, tmp_path / "out", "m_T0.csv", "role", "missing_column")
