"""Write a :class:`~.spec.Survey` as a Qualtrics survey file (``.qsf``, JSON).

Structure as Qualtrics writes it (and as public ``.qsf`` files show): a
``SurveyEntry`` object and a ``SurveyElements`` list with the blocks (``BL``),
the survey flow (``FL``), survey options (``SO``), scoring (``SCO``), project
(``PROJ``), statistics (``STAT``), question count (``QC``), one ``SQ`` element
per question and the response set (``RS``).

Export names: each question's ``DataExportTag`` is the codebook variable;
matrix statements carry ``ChoiceDataExportTags`` equal to the item codes
(``AMB1``), so the CSV export's first header row holds codebook codes.
``RecodeValues`` equal the codebook's codes (items 1–5 and 9; school type and
role as in ``variables.<name>.codes``; labs as in labs.yaml; consent and the
focus areas 1 = ja, 0 = nee). Hidden fields (lab, wave, codebook version) are
embedded data set at the start of the flow; a branch ends the survey when
consent is *nee*.

Ids are numbered in question order and timestamps are Qualtrics' empty
``0000-00-00 00:00:00``, so the same input gives the same bytes.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from ..config.codebook import Codebook
from .spec import Question, Survey

NO_TIME = "0000-00-00 00:00:00"
YES_NO = (("1", "1"), ("2", "0"))  # choice id → recode (1 = ja, 0 = nee)


def _ids(survey: Survey) -> str:
    key = f"{survey.name}|{survey.version}|{survey.lang}|{survey.lab or ''}|{survey.wave or ''}"
    return hashlib.sha256(key.encode()).hexdigest()[:15]


def _choices(pairs: list[tuple[str, str]]) -> dict[str, dict[str, str]]:
    return {cid: {"Display": text} for cid, text in pairs}


def _question_text(q: Question) -> str:
    """The text shown: a matrix is headed by its scale label, consent preceded by its explanation."""
    if not q.help:
        return q.text
    if q.kind == "matrix":
        return f"<strong>{q.help}</strong><br>{q.text}"
    return f"{q.help}<br><br>{q.text}"


def _payload(q: Question, qid: str, yes_no: tuple[str, str]) -> dict[str, Any]:
    base: dict[str, Any] = {
        "QuestionText": _question_text(q),
        "DataExportTag": q.name,
        "QuestionID": qid,
        "QuestionDescription": q.text,
        "Configuration": {"QuestionDescriptionOption": "UseText"},
        "Language": [],
        "DataVisibility": {"Private": False, "Hidden": False},
        "Validation": {
            "Settings": {
                "ForceResponse": "ON" if q.mandatory else "OFF",
                "ForceResponseType": "ON",
                "Type": "None",
            }
        },
    }
    if q.kind in ("yesno", "single", "dropdown"):
        if q.kind == "yesno":
            pairs = [("1", q.options[0].text), ("2", q.options[1].text)]
            recodes = dict(YES_NO)
        else:
            # The choice id is the answer code itself, so the recode is the identity.
            pairs = [(o.code, o.text) for o in q.options]
            recodes = {o.code: o.code for o in q.options}
        base.update(
            QuestionType="MC",
            Selector="DL" if q.kind == "dropdown" else "SAVR",
            SubSelector="TX",
            Choices=_choices(pairs),
            ChoiceOrder=[c for c, _ in pairs],
            RecodeValues=recodes,
            NextChoiceId=len(pairs) + 1,
            NextAnswerId=1,
        )
    elif q.kind in ("multi", "matrix"):
        if q.kind == "multi":
            rows = [(o.code, o.text) for o in q.options]
            answers = [("1", yes_no[0]), ("2", yes_no[1])]
            recodes = dict(YES_NO)
        else:
            rows = [(o.code, o.text) for o in q.rows]
            answers = [(o.code, o.text) for o in q.options]
            recodes = {o.code: o.code for o in q.options}
        ids = [str(i) for i in range(1, len(rows) + 1)]
        base["Configuration"].update(
            {"TextPosition": "inline", "ChoiceColumnWidth": 40, "RepeatHeaders": "none",
             "WhiteSpace": "OFF", "MobileFirst": True}
        )  # fmt: skip
        base.update(
            QuestionType="Matrix",
            Selector="Likert",
            SubSelector="SingleAnswer",
            Choices=_choices([(i, text) for i, (_, text) in zip(ids, rows, strict=True)]),
            ChoiceOrder=ids,
            ChoiceDataExportTags={i: code for i, (code, _) in zip(ids, rows, strict=True)},
            Answers=_choices(answers),
            AnswerOrder=[a for a, _ in answers],
            RecodeValues=recodes,
            NextChoiceId=len(rows) + 1,
            NextAnswerId=max(int(a) for a, _ in answers) + 1,
        )
    else:  # free text
        base.update(QuestionType="TE", Selector="ML", SubSelector=None, DefaultChoices=False)
    return base


def to_qsf(survey: Survey, codebook: Codebook) -> bytes:
    """The ``.qsf`` file (UTF-8 JSON) of ``survey``."""
    tag = _ids(survey)
    sid = f"SV_{tag}"
    consent = codebook.variables["consent"].value_labels or {}
    yes_no = (
        consent["ja"].get(survey.lang) if "ja" in consent else "ja",
        consent["nee"].get(survey.lang) if "nee" in consent else "nee",
    )
    elements: list[dict[str, Any]] = []
    questions: list[dict[str, Any]] = []
    blocks: list[dict[str, Any]] = []
    qids: dict[str, str] = {}
    n = 0

    def add(payload: dict[str, Any]) -> str:
        questions.append(
            {
                "SurveyID": sid,
                "Element": "SQ",
                "PrimaryAttribute": payload["QuestionID"],
                "SecondaryAttribute": payload["QuestionDescription"][:100],
                "TertiaryAttribute": None,
                "Payload": payload,
            }
        )
        return payload["QuestionID"]

    for b, page in enumerate(survey.pages, start=1):
        block_qids = []
        if b == 1:
            n += 1
            block_qids.append(
                add(
                    {
                        "QuestionText": survey.intro,
                        "DataExportTag": "intro",
                        "QuestionID": f"QID{n}",
                        "QuestionType": "DB",
                        "Selector": "TB",
                        "QuestionDescription": survey.intro,
                        "Configuration": {"QuestionDescriptionOption": "UseText"},
                        "Language": [],
                    }
                )
            )
        for q in page.questions:
            n += 1
            qids[q.name] = add(_payload(q, f"QID{n}", yes_no))
            block_qids.append(qids[q.name])
        blocks.append(
            {
                "Type": "Default" if b == 1 else "Standard",
                "SubType": "",
                "Description": page.title,
                "ID": f"BL_{tag}{b:02d}",
                "BlockElements": [{"Type": "Question", "QuestionID": q} for q in block_qids],
            }
        )
    flow: list[dict[str, Any]] = []
    fid = 1
    if survey.hidden:
        fid += 1
        flow.append(
            {
                "Type": "EmbeddedData",
                "FlowID": f"FL_{fid}",
                "EmbeddedData": [
                    {"Description": name, "Type": "Custom", "Field": name,
                     "VariableType": "String", "DataVisibility": [], "AnalyzeText": False,
                     "Value": value}
                    for name, value in survey.hidden
                ],
            }
        )  # fmt: skip
    for b, block in enumerate(blocks, start=1):
        fid += 1
        flow.append(
            {"ID": block["ID"], "Type": "Block" if b == 1 else "Standard", "FlowID": f"FL_{fid}"}
        )
        if b == 1 and "consent" in qids:
            consent_qid = qids["consent"]
            locator = f"q://{consent_qid}/SelectableChoice/2"
            fid += 1
            branch_id = fid
            fid += 1
            flow.append(
                {
                    "Type": "Branch",
                    "FlowID": f"FL_{branch_id}",
                    "Description": "Geen toestemming: einde",
                    "BranchLogic": {
                        "0": {
                            "0": {
                                "LogicType": "Question", "QuestionID": consent_qid,
                                "QuestionIsInLoop": "no", "ChoiceLocator": locator,
                                "Operator": "Selected", "QuestionIDFromLocator": consent_qid,
                                "LeftOperand": locator, "Type": "Expression",
                                "Description": "consent = nee",
                            },
                            "Type": "If",
                        },
                        "Type": "BooleanExpression",
                    },
                    "Flow": [{"Type": "EndSurvey", "FlowID": f"FL_{fid}"}],
                }
            )  # fmt: skip
    elements.append(
        {"SurveyID": sid, "Element": "BL", "PrimaryAttribute": "Survey Blocks",
         "SecondaryAttribute": None, "TertiaryAttribute": None, "Payload": blocks}
    )  # fmt: skip
    elements.append(
        {
            "SurveyID": sid, "Element": "FL", "PrimaryAttribute": "Survey Flow",
            "SecondaryAttribute": None, "TertiaryAttribute": None,
            "Payload": {"Flow": flow, "Properties": {"Count": fid}, "FlowID": "FL_1", "Type": "Root"},
        }
    )  # fmt: skip
    elements.append(
        {
            "SurveyID": sid, "Element": "SO", "PrimaryAttribute": "Survey Options",
            "SecondaryAttribute": None, "TertiaryAttribute": None,
            "Payload": {
                "BackButton": "true", "SaveAndContinue": "true", "SurveyProtection": "PublicSurvey",
                "BallotBoxStuffingPrevention": "false", "NoIndex": "Yes",
                "SecureResponseFiles": "true", "SurveyExpiration": "None",
                "SurveyTermination": "DefaultMessage", "Header": "", "Footer": "",
                "ProgressBarDisplay": "Text", "PartialData": "+1 week",
                "EOSMessage": survey.end, "SurveyTitle": survey.title,
                "SurveyMetaDescription": survey.title, "NextButton": " → ",
                "PreviousButton": " ← ", "SurveyLanguage": survey.lang.upper(),
            },
        }
    )  # fmt: skip
    elements.append(
        {
            "SurveyID": sid, "Element": "SCO", "PrimaryAttribute": "Scoring",
            "SecondaryAttribute": None, "TertiaryAttribute": None,
            "Payload": {"ScoringCategories": [], "ScoringCategoryGroups": [],
                        "ScoringSummaryCategory": None, "ScoringSummaryAfterQuestions": 0,
                        "ScoringSummaryAfterSurvey": 0, "DefaultScoringCategory": None,
                        "AutoScoringCategory": None},
        }
    )  # fmt: skip
    elements.append(
        {"SurveyID": sid, "Element": "PROJ", "PrimaryAttribute": "CORE",
         "SecondaryAttribute": None, "TertiaryAttribute": "1.1.0",
         "Payload": {"ProjectCategory": "CORE", "SchemaVersion": "1.1.0"}}
    )  # fmt: skip
    elements.append(
        {"SurveyID": sid, "Element": "STAT", "PrimaryAttribute": "Survey Statistics",
         "SecondaryAttribute": None, "TertiaryAttribute": None,
         "Payload": {"MobileCompatible": True, "ID": "Survey Statistics"}}
    )  # fmt: skip
    elements.append(
        {"SurveyID": sid, "Element": "QC", "PrimaryAttribute": "Survey Question Count",
         "SecondaryAttribute": str(len(questions)), "TertiaryAttribute": None, "Payload": None}
    )  # fmt: skip
    elements.extend(questions)
    elements.append(
        {"SurveyID": sid, "Element": "RS", "PrimaryAttribute": f"RS_{tag}",
         "SecondaryAttribute": "Default Response Set", "TertiaryAttribute": None, "Payload": None}
    )  # fmt: skip
    entry = {
        "SurveyID": sid,
        "SurveyName": survey.title,
        "SurveyDescription": None,
        "SurveyOwnerID": "UR_leerlab",
        "SurveyBrandID": "leerlab",
        "DivisionID": None,
        "SurveyLanguage": survey.lang.upper(),
        "SurveyActiveResponseSet": f"RS_{tag}",
        "SurveyStatus": "Inactive",
        "SurveyStartDate": NO_TIME,
        "SurveyExpirationDate": NO_TIME,
        "SurveyCreationDate": NO_TIME,
        "CreatorID": "UR_leerlab",
        "LastModified": NO_TIME,
        "LastAccessed": NO_TIME,
        "LastActivated": NO_TIME,
        "Deleted": None,
    }
    text = json.dumps(
        {"SurveyEntry": entry, "SurveyElements": elements}, ensure_ascii=False, indent=2
    )
    return (text + "\n").encode("utf-8")
