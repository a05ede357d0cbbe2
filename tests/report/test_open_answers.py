"""Report sections on the open answers, from published tables only."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from leerlab_research.coding.matcher import propose
from leerlab_research.compare.open_themes import open_tables
from leerlab_research.config.study import load_study
from leerlab_research.report.context import ReportData

REPO = Path(__file__).resolve().parents[2]
TEXTS = [
    "Meer tijd in het rooster. Verder prima.",
    "Minder vergaderen, meer doen.",
    "Het budget is op.",
]


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    out = tmp_path_factory.mktemp("open_report")
    study = load_study(REPO / "analyses" / "demo" / "study.yaml", check_sources=False)
    resp, ans = [], []
    for lab, n in {"weert": 12, "helmond": 9, "gorinchem": 3, "stadskanaal": 6}.items():
        for i in range(n):
            rid = f"{lab[:3]}{i:013d}"
            resp.append((rid, lab, "T0", "vmbo"))
            ans.append((f"{rid}-T0-beter", rid, lab, "T0", "docent", "vmbo", "beter", TEXTS[i % 3]))
    responses = pd.DataFrame(resp, columns=["respondent_id", "lab", "wave", "school_type"])
    answers = pd.DataFrame(
        ans,
        columns=[
            "answer_id",
            "respondent_id",
            "lab",
            "wave",
            "role",
            "school_type",
            "question",
            "text",
        ],
    )
    codes = propose(answers, study.codebook.coding_frame)
    themes, quotes = open_tables(responses, (answers, codes), study.codebook, min_cell=5)
    (out / "compare").mkdir()
    themes.to_csv(out / "compare" / "open_themes.csv", index=False)
    quotes.to_csv(out / "compare" / "open_quotes.csv", index=False)
    index = {"tables": {n: {"file": f"{n}.csv"} for n in ("open_themes", "open_quotes")}}
    (out / "compare" / "results.json").write_text(json.dumps(index), encoding="utf-8")
    (out / "clean").mkdir()
    pd.DataFrame(
        {"source_file": ["a.csv"] * 3, "kind": ["answers", "naam", "telefoon"], "n": [30, 4, 1]}
    ).to_csv(out / "clean" / "deidentification.csv", index=False)
    return study, out


def test_lab_section_themes_quotes_and_conditions(data):
    study, out = data
    r = ReportData(study=study, out=out, lang="nl")
    text = r.lab_open_section("weert")
    assert "| Tijd en roosters | Faciliteren (tijd, middelen, ruimte) | 4 / 12" in " ".join(
        text.split()
    )
    # quotes on a condition's theme stand with that condition, not repeated here (#14 §3)
    assert "“Meer tijd in het rooster.”" not in text
    assert "**Tijd en roosters** · *Faciliteren (tijd, middelen, ruimte)*" not in text
    assert "Wat gaat goed?" in text and "Te weinig antwoorden" in text  # no 'goed' answers here
    for word in ("docent", "vmbo", "bestuur"):
        assert word not in text.split("|")[-1]


def test_small_labs_show_no_quotes(data):
    study, out = data
    r = ReportData(study=study, out=out, lang="nl")
    # gorinchem (3 answers): primary suppression; stadskanaal (6): complementary, so that
    # gorinchem's 3 cannot be worked out from the programme total; each says its own reason
    for lab, reason in (("gorinchem", "Te weinig antwoorden"), ("stadskanaal", "verborgen om")):
        text = r.lab_open_section(lab)
        assert "> " not in text and reason in text and " / " not in text
    assert "Te weinig" not in r.lab_open_section("stadskanaal")
    assert "verborgen" not in r.lab_open_section("gorinchem")


def test_english_programme_and_methods(data):
    study, out = data
    r = ReportData(study=study, out=out, lang="en")
    prog = r.programme_open_section()
    assert ": Themes for ‘What could be better?’, Anchoring {#tbl-open-beter-verankering}" in prog
    assert "Time and timetables" in prog
    assert "What could be better?" in prog or "Wat kan beter?" in prog
    assert "Coding frame" not in prog
    frame = r.coding_frame_table()
    assert "Knowing each other" in frame and "version 1.0.0" in frame
    assert ": The coding frame {#tbl-coding-frame}" in frame
    deid = r.deidentification_text()
    assert "the 30 open answers" in deid and "| [naam]" in deid
    assert "No coding sheets have been imported" in r.agreement_text()
    assert "on 0 codes by coders and 30 codes" in r.coding_sources_text()


def test_quotes_are_literal_markdown():
    from leerlab_research.report.open_answers import escape_md

    assert escape_md("<script>x</script> *a* [naam] | b") == (
        r"\<script\>x\</script\> \*a\* \[naam\] \| b"
    )
    assert escape_md("- lijstje") == r"\- lijstje" and escape_md("1. punt") == r"1\. punt"
    assert escape_md("Gewoon een zin, met komma's.") == "Gewoon een zin, met komma's."


def test_condition_quotes_for_the_condition_section(data):
    study, out = data
    r = ReportData(study=study, out=out, lang="nl")
    text = r.condition_quotes("weert", "faciliteren")
    assert "In hun eigen woorden" in text and "“Meer tijd in het rooster.”" in text
    assert "Verder prima" not in text  # trimmed to a sentence
    assert "Tijd en roosters: genoemd in 4 van de 12 antwoorden." in " ".join(text.split())
    for word in ("docent", "vmbo", "bestuur"):  # never attributed to a role or school type
        assert word not in text
    assert r.condition_quotes("weert", "relaties") == ""
    assert r.condition_quotes("gorinchem", "faciliteren") == ""  # suppressed lab


def test_programme_counts_labs_not_the_outsiders_group(tmp_path):
    """buiten_scholen (respondents of neither school) is a row of open_themes, not a lab: the
    programme table's number of labs mentioning a theme leaves it out."""
    study = load_study(REPO / "analyses" / "demo" / "study.yaml", check_sources=False)
    rows = [("weert", "vmbo", i) for i in range(6)] + [("weert", "anders", i) for i in range(6)]
    answers = pd.DataFrame(
        {
            "answer_id": [f"{s}{i:02d}-T0-beter" for _, s, i in rows],
            "respondent_id": [f"{s}{i:02d}" for _, s, i in rows],
            "lab": [lab for lab, _, _ in rows],
            "wave": "T0",
            "role": "docent",
            "school_type": [s for _, s, _ in rows],
            "question": "beter",
            "text": "Meer tijd in het rooster.",
        }
    )
    responses = answers[["respondent_id", "lab", "wave", "school_type"]]
    codes = propose(answers, study.codebook.coding_frame)
    themes, quotes = open_tables(responses, (answers, codes), study.codebook, min_cell=5)
    assert "buiten_scholen" in set(themes["lab"])  # shown: six outsiders
    (tmp_path / "compare").mkdir()
    themes.to_csv(tmp_path / "compare" / "open_themes.csv", index=False)
    quotes.to_csv(tmp_path / "compare" / "open_quotes.csv", index=False)
    index = {"tables": {n: {"file": f"{n}.csv"} for n in ("open_themes", "open_quotes")}}
    (tmp_path / "compare" / "results.json").write_text(json.dumps(index), encoding="utf-8")
    text = ReportData(study=study, out=tmp_path).programme_open_section("T0")
    line = next(x for x in text.splitlines() if "tijd" in x.lower() and "|" in x)
    assert line.rstrip(" |").endswith("1"), line  # one lab (Weert), not two


def test_condition_sections_carry_their_quotes(data):
    """#14 §3: quotes sit next to the condition they belong to, before its questions."""
    study, out = data
    r = ReportData(study=study, out=out, lang="nl", figure_dir=out / "figures")
    text = r.scale_sections("weert")
    section = text.split("### Faciliteren (tijd, middelen, ruimte)")[1].split("### ")[0]
    assert "“Meer tijd in het rooster.”" in section
    assert section.index("“Meer tijd") < section.index("Gespreksvragen")
    others = text.replace(section, "")
    assert "“Meer tijd in het rooster.”" not in others
