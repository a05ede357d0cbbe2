"""`leerlab instrument`: structure of the .lss and .qsf files, determinism, bad input.

The .lss checks follow what LimeSurvey's importer (``XMLImportSurvey``) reads:
``LimeSurveyDocType`` = Survey, ``DBVersion``, ``languages`` and the table
sections with ``fields``/``rows``; question codes obey LimeSurvey's rules
(a letter first, letters/digits, at most 20 characters) and answer codes its
5-character limit. The .qsf checks follow the elements Qualtrics writes.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from typer.testing import CliRunner

from leerlab_research.cleaning.mapping import map_columns
from leerlab_research.cli import app
from leerlab_research.config.codebook import VERSION_FIELD
from leerlab_research.instrument import build_survey, write_instrument
from leerlab_research.instrument.lss import to_lss
from leerlab_research.instrument.qsf import to_qsf
from leerlab_research.io.limesurvey import SYSTEM as LS_SYSTEM

REPO = Path(__file__).resolve().parents[2]
runner = CliRunner()
LSS_SECTIONS = (
    "answers", "answer_l10ns", "groups", "group_l10ns", "questions", "subquestions",
    "question_l10ns", "question_attributes", "surveys", "surveys_languagesettings",
)  # fmt: skip
LS_CODE = re.compile(r"^[A-Za-z][A-Za-z0-9]{0,19}$")


def _rows(root: ET.Element, section: str) -> list[dict[str, str]]:
    node = root.find(section)
    fields = [f.text for f in node.find("fields")]
    rows = []
    for row in node.find("rows"):
        tags = [c.tag for c in row]
        assert set(tags) <= set(fields), (section, set(tags) - set(fields))
        rows.append({c.tag: c.text or "" for c in row})
    return rows


def _lss_headers(root: ET.Element) -> list[str]:
    """The CSV code headings LimeSurvey derives from the structure (group, question, subquestion order)."""
    groups = {g["gid"]: int(g["group_order"]) for g in _rows(root, "groups")}
    subs: dict[str, list[dict[str, str]]] = {}
    for s in _rows(root, "subquestions"):
        subs.setdefault(s["parent_qid"], []).append(s)
    out = [code for _, code, _ in LS_SYSTEM[:8]]  # dates saved; no IP address, no referrer
    for q in sorted(
        _rows(root, "questions"), key=lambda q: (groups[q["gid"]], int(q["question_order"]))
    ):
        children = sorted(subs.get(q["qid"], []), key=lambda s: int(s["question_order"]))
        out += [f"{q['title']}[{s['title']}]" for s in children] if children else [q["title"]]
    return out


@pytest.mark.parametrize("lab,wave", [(None, None), ("Den Bosch", "T1")])
def test_lss_has_the_structure_limesurveys_importer_reads(codebook, labs, lab, wave):
    root = ET.fromstring(to_lss(build_survey(codebook, labs, lab=lab, wave=wave)))
    assert root.tag == "document"
    assert root.findtext("LimeSurveyDocType") == "Survey"
    assert int(root.findtext("DBVersion")) >= 400  # the l10n-table layout of LimeSurvey 4+
    assert [x.text for x in root.find("languages")] == ["nl"]
    for section in LSS_SECTIONS:
        assert root.find(section) is not None, section
        _rows(root, section)
    questions, subquestions = _rows(root, "questions"), _rows(root, "subquestions")
    qids = {q["qid"] for q in questions}
    gids = {g["gid"] for g in _rows(root, "groups")}
    for q in questions + subquestions:
        assert LS_CODE.match(q["title"]), q["title"]
        assert q["gid"] in gids
    assert all(s["parent_qid"] in qids for s in subquestions)
    titles = [q["title"] for q in questions]
    assert len(titles) == len(set(titles))
    texts = {x["qid"] for x in _rows(root, "question_l10ns")}
    assert qids | {s["qid"] for s in subquestions} <= texts
    for a in _rows(root, "answers"):
        assert a["qid"] in qids and 1 <= len(a["code"]) <= 5 and a["code"].isalnum()
    # Item order and wording come from the codebook: subquestions of the arrays in order.
    text = {x["qid"]: x["question"] for x in _rows(root, "question_l10ns")}
    array_items = [text[s["qid"]] for s in subquestions if s["type"] == "F"]
    assert array_items == [codebook.items[c].text.nl for c in codebook.item_codes]
    hidden = {q["title"] for q in questions if q["type"] == "*"}
    assert hidden == {"codebookversion"} | ({"lab", "wave"} if lab else set())
    assert ("lab" in {q["title"] for q in questions if q["type"] == "!"}) is (lab is None)
    survey = _rows(root, "surveys")[0]
    assert survey["anonymized"] == "N" and survey["ipaddr"] == "N"
    settings = _rows(root, "surveys_languagesettings")[0]
    assert codebook.version in settings["surveyls_title"]


def test_lss_export_headings_map_to_the_codebook_without_columns(codebook, labs):
    root = ET.fromstring(to_lss(build_survey(codebook, labs, wave="T0")))
    headers = _lss_headers(root)
    cmap = map_columns(headers, codebook, known_system=headers[:8])
    assert not cmap.unknown and not cmap.conflicts
    assert all(code in cmap.to_code for code in codebook.item_codes)
    assert {"lab", "school_type", "role", "consent", "wave"} <= set(cmap.to_code)
    assert cmap.to_code["AMB1"] == "AMB[SQ001]" and cmap.to_code["INH4"] == "INH[SQ004]"
    assert set(cmap.personal) == {"opengoed", "openbeter", "token"}
    assert cmap.system[VERSION_FIELD] == "codebookversion"


def test_qsf_has_qualtrics_elements_and_codebook_export_tags(codebook, labs):
    doc = json.loads(to_qsf(build_survey(codebook, labs, lang="en", wave="T0"), codebook))
    entry = doc["SurveyEntry"]
    assert entry["SurveyID"].startswith("SV_") and codebook.version in entry["SurveyName"]
    kinds = [e["Element"] for e in doc["SurveyElements"]]
    assert {"BL", "FL", "SO", "SQ", "RS"} <= set(kinds)
    questions = {
        e["PrimaryAttribute"]: e["Payload"] for e in doc["SurveyElements"] if e["Element"] == "SQ"
    }
    blocks = next(e for e in doc["SurveyElements"] if e["Element"] == "BL")["Payload"]
    in_blocks = [b["QuestionID"] for block in blocks for b in block["BlockElements"]]
    assert sorted(in_blocks) == sorted(questions)
    flow = next(e for e in doc["SurveyElements"] if e["Element"] == "FL")["Payload"]["Flow"]
    assert {f["ID"] for f in flow if "ID" in f} == {b["ID"] for b in blocks}
    embedded = {
        d["Field"]: d["Value"]
        for f in flow
        if f["Type"] == "EmbeddedData"
        for d in f["EmbeddedData"]
    }
    assert embedded == {"wave": "T0", VERSION_FIELD: codebook.version}
    tags = [p["DataExportTag"] for p in questions.values()]
    assert len(tags) == len(set(tags))
    export = []
    for qid in in_blocks:
        p = questions[qid]
        if p["QuestionType"] == "Matrix":
            export += [p["ChoiceDataExportTags"][c] for c in p["ChoiceOrder"]]
        elif p["QuestionType"] != "DB":
            export.append(p["DataExportTag"])
    items = [c for c in export if c in codebook.items]
    assert items == codebook.item_codes
    likert = next(p for p in questions.values() if p["DataExportTag"] == "AMB")
    assert likert["RecodeValues"] == {c: c for c in ["1", "2", "3", "4", "5", "9"]}
    assert likert["Choices"]["1"]["Display"] == codebook.items["AMB1"].text.en
    role = next(p for p in questions.values() if p["DataExportTag"] == "role")
    assert {
        role["Choices"][c]["Display"]: int(role["RecodeValues"][c]) for c in role["Choices"]
    } == {
        codebook.variables["role"].value_labels[v].en: n
        for v, n in codebook.variables["role"].codes.items()
    }
    # Text iQ adds "<tag> - Topics" to free-text questions (ropensci/qualtRics sample.csv).
    headers = ["StartDate", "EndDate", "Finished", "ResponseId", *export, "open_goed - Topics"]
    headers += list(embedded)
    cmap = map_columns(headers, codebook, known_system=headers[:4])
    assert not cmap.unknown and all(c in cmap.to_code for c in codebook.item_codes)
    assert set(cmap.personal) == {"open_goed", "open_beter", "open_goed - Topics"}


def test_same_input_gives_byte_identical_files(tmp_path, codebook, labs):
    for fmt in ("lss", "qsf"):
        a = write_instrument(codebook, labs, fmt, tmp_path / "a", lab="weert", wave="T0")
        b = write_instrument(codebook, labs, fmt, tmp_path / "b", lab="weert", wave="T0")
        assert a[0].read_bytes() == b[0].read_bytes()
        assert a[0].name == f"reflectie-{codebook.version}-nl-weert-T0.{fmt}"
    other = to_lss(build_survey(codebook, labs, lab="helmond", wave="T0"))
    assert other != (tmp_path / "a" / f"reflectie-{codebook.version}-nl-weert-T0.lss").read_bytes()


@pytest.mark.parametrize(
    "args,message",
    [
        (["--format", "docx"], "unknown format 'docx'"),
        (["--format", "lss", "--lab", "Atlantis"], "unknown lab 'Atlantis'"),
        (["--format", "qsf", "--wave", "T7"], "unknown wave 'T7'"),
        (["--format", "lss", "--lang", "de"], "unknown language 'de'"),
    ],
)
def test_bad_options_exit_2_with_a_clear_message(tmp_path, args, message):
    result = runner.invoke(
        app,
        [
            "instrument",
            *args,
            "--study",
            str(REPO / "analyses/demo/study.yaml"),
            "--out",
            str(tmp_path),
        ],
    )
    assert result.exit_code == 2, result.output
    assert message in result.output and "Traceback" not in result.output
    assert not list(tmp_path.iterdir())


def test_cli_writes_lss_and_qsf(tmp_path):
    study = str(REPO / "analyses/demo/study.yaml")
    for fmt in ("lss", "qsf"):
        result = runner.invoke(
            app, ["instrument", "--format", fmt, "--study", study, "--out", str(tmp_path)]
        )
        assert result.exit_code == 0, result.output
    assert sorted(p.suffix for p in tmp_path.iterdir()) == [".lss", ".qsf"]


def test_printable_questionnaire_renders_html_and_pdf(tmp_path):
    study = str(REPO / "analyses/demo/study.yaml")
    result = runner.invoke(
        app,
        ["instrument", "--format", "print", "--lang", "en", "--lab", "weert", "--wave", "T1",
         "--study", study, "--out", str(tmp_path)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    html = (tmp_path / "reflectie-1.0.0-en-weert-T1.html").read_text(encoding="utf-8")
    assert "It is unclear to me where the leerlab wants to be a year from now." in html
    assert "Don’t know / not applicable (9)" in html or "Don't know / not applicable (9)" in html
    assert "Wave: T1" in html and "Leerlab: Weert" in html
    pdf = (tmp_path / "reflectie-1.0.0-en-weert-T1.pdf").read_bytes()
    assert pdf[:4] == b"%PDF"
    # no clock in the PDF: its dates are fixed (SOURCE_DATE_EPOCH, else 1980-01-01)
    assert b"D:19800101" in pdf or b"1980-01-01" in pdf
