"""Write a :class:`~.spec.Survey` as a LimeSurvey survey structure file (``.lss``).

The layout follows the files LimeSurvey 4–6 exports and its importer
(``XMLImportSurvey`` in ``application/helpers/admin/import_helper.php``) reads:
a ``<document>`` with ``LimeSurveyDocType`` = ``Survey``, ``DBVersion``,
``languages`` and the table sections ``answers``/``answer_l10ns``,
``groups``/``group_l10ns``, ``questions``, ``subquestions``, ``question_l10ns``,
``question_attributes``, ``surveys`` and ``surveys_languagesettings``; each
section is ``<fields><fieldname>…</fields><rows><row>…</row></rows>`` with values
in CDATA, as in LimeSurvey's own test surveys (``tests/data/surveys/*.lss``).

Question types: ``Y`` yes/no (consent), ``!`` drop-down list (lab), ``L`` list
(school type, role), ``M`` multiple choice (focus areas), ``F`` array (one per
scale; answer codes 1–5 and 9), ``T`` long free text, ``*`` equation with
``hidden`` = 1 for the hidden fields (lab, wave, codebook version). Every
page after the first, and every question after consent, is shown only when
consent is ``Y``.

Ids (survey, groups, questions, answers) are numbered from fixed starts and the
survey id is derived from the survey's content, so the same input gives the
same bytes; no timestamp is written.
"""

from __future__ import annotations

import hashlib
from typing import cast

from ..config.codebook import limesurvey_code
from .spec import Question, Survey

#: LimeSurvey 6 database version of the structure written here (4.x–6.x import it).
DB_VERSION = 640
_THEME = {
    "Y": "yesno",
    "!": "list_dropdown",
    "L": "listradio",
    "M": "multiplechoice",
    "F": "arrays/array",
    "T": "longfreetext",
    "*": "equation",
}
_TYPE = {"yesno": "Y", "dropdown": "!", "single": "L", "multi": "M", "matrix": "F", "text": "T"}

QUESTION_FIELDS = (
    "qid", "parent_qid", "sid", "gid", "type", "title", "preg", "other", "mandatory",
    "encrypted", "question_order", "scale_id", "same_default", "relevance",
    "question_theme_name", "modulename", "same_script",
)  # fmt: skip
SURVEY_FIELDS = (
    "sid", "gsid", "admin", "adminemail", "anonymized", "format", "savetimings", "template",
    "language", "additional_languages", "datestamp", "usecookie", "allowregister", "allowsave",
    "autonumber_start", "autoredirect", "allowprev", "printanswers", "ipaddr", "ipanonymize",
    "refurl", "publicstatistics", "publicgraphs", "listpublic", "htmlemail", "sendconfirmation",
    "tokenanswerspersistence", "assessments", "usecaptcha", "usetokens", "tokenlength",
    "showxquestions", "showgroupinfo", "shownoanswer", "showqnumcode", "showwelcome",
    "showprogress", "questionindex", "navigationdelay", "nokeyboard", "alloweditaftercompletion",
)  # fmt: skip
LANGUAGE_FIELDS = (
    "surveyls_survey_id", "surveyls_language", "surveyls_title", "surveyls_description",
    "surveyls_welcometext", "surveyls_endtext", "surveyls_dateformat", "surveyls_numberformat",
)  # fmt: skip
#: LimeSurvey's date format (5 = dd-mm-yyyy, 9 = yyyy-mm-dd) and decimal mark (1 = comma).
DATE_FORMAT = {"nl": 5, "en": 9}
NUMBER_FORMAT = {"nl": 1, "en": 0}
CONSENT_RELEVANCE = 'consent.NAOK == "Y"'


def survey_id(survey: Survey) -> int:
    """A six-digit survey id derived from the survey's identity (same survey, same id)."""
    key = f"{survey.name}|{survey.version}|{survey.lang}|{survey.lab or ''}|{survey.wave or ''}"
    return 100000 + int(hashlib.sha256(key.encode()).hexdigest(), 16) % 900000


def _cdata(value: object) -> str:
    text = str(value)
    if text == "":
        return ""
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def _section(name: str, fields: tuple[str, ...], rows: list[dict[str, object]]) -> list[str]:
    out = [f" <{name}>", "  <fields>"]
    out += [f"   <fieldname>{f}</fieldname>" for f in fields]
    out += ["  </fields>", "  <rows>"]
    for row in rows:
        out.append("   <row>")
        for f in fields:
            value = row.get(f)
            if value is None or value == "":
                out.append(f"    <{f}/>")
            else:
                out.append(f"    <{f}>{_cdata(value)}</{f}>")
        out.append("   </row>")
    out += ["  </rows>", f" </{name}>"]
    return out


def _code(q: Question) -> str:
    return limesurvey_code(q.name)


def to_lss(survey: Survey) -> bytes:
    """The ``.lss`` file (UTF-8 XML) of ``survey``."""
    sid = survey_id(survey)
    lang = survey.lang
    groups, group_l10ns, questions, subquestions, q_l10ns = [], [], [], [], []
    answers, answer_l10ns, attributes = [], [], []
    next_qid, next_aid = 1, 1

    def question(gid: int, order: int, qtype: str, title: str, text: str, **kw: object) -> int:
        nonlocal next_qid
        qid = next_qid
        next_qid += 1
        questions.append(
            {
                "qid": qid, "parent_qid": 0, "sid": sid, "gid": gid, "type": qtype,
                "title": title, "other": "N", "mandatory": kw.get("mandatory", "N"),
                "encrypted": "N", "question_order": order, "scale_id": 0, "same_default": 0,
                "relevance": kw.get("relevance", "1"), "question_theme_name": _THEME[qtype],
                "same_script": 0,
            }
        )  # fmt: skip
        q_l10ns.append(
            {"id": qid, "qid": qid, "question": text, "help": kw.get("help", ""), "language": lang}
        )
        attrs = cast(dict[str, object], kw.get("attributes", {}))
        for attribute, value in attrs.items():
            attributes.append({"qid": qid, "attribute": attribute, "value": value})
        return qid

    def answer(qid: int, order: int, code: str, text: str) -> None:
        nonlocal next_aid
        answers.append(
            {
                "aid": next_aid, "qid": qid, "code": code, "sortorder": order,
                "assessment_value": 0, "scale_id": 0,
            }
        )  # fmt: skip
        answer_l10ns.append({"id": next_aid, "aid": next_aid, "answer": text, "language": lang})
        next_aid += 1

    def subquestion(parent: int, gid: int, qtype: str, order: int, code: str, text: str) -> None:
        nonlocal next_qid
        qid = next_qid
        next_qid += 1
        subquestions.append(
            {
                "qid": qid, "parent_qid": parent, "sid": sid, "gid": gid, "type": qtype,
                "title": code, "other": "N", "mandatory": "N", "encrypted": "N",
                "question_order": order, "scale_id": 0, "same_default": 0, "relevance": "1",
                "question_theme_name": _THEME[qtype], "same_script": 0,
            }
        )  # fmt: skip
        q_l10ns.append({"id": qid, "qid": qid, "question": text, "help": "", "language": lang})

    for g, page in enumerate(survey.pages, start=1):
        gid = g
        relevance = "1" if g == 1 else CONSENT_RELEVANCE
        groups.append({"gid": gid, "sid": sid, "group_order": g, "grelevance": relevance})
        group_l10ns.append(
            {
                "id": gid, "gid": gid, "group_name": page.title, "description": "",
                "language": lang, "sid": sid, "group_order": g, "grelevance": relevance,
            }
        )  # fmt: skip
        order = 0
        if g == 1:
            # Hidden fields first, so that every response carries them (also without consent).
            for name, value in survey.hidden:
                order += 1
                question(
                    gid, order, "*", limesurvey_code(name), name,
                    attributes={"equation": f'"{value}"', "hidden": "1"},
                )  # fmt: skip
        for q in page.questions:
            order += 1
            qtype = _TYPE[q.kind]
            rel = "1" if (g > 1 or q.name == "consent") else CONSENT_RELEVANCE
            attrs = {"hide_tip": "1"} if qtype == "F" else {}
            qid = question(
                gid, order, qtype, _code(q), q.text, help=q.help, relevance=rel,
                mandatory="Y" if q.mandatory else "N", attributes=attrs,
            )  # fmt: skip
            if qtype in ("L", "!", "F"):
                for i, opt in enumerate(q.options):
                    answer(qid, i, opt.code, opt.text)
            if qtype == "M":
                for i, opt in enumerate(q.options, start=1):
                    code = opt.code.removeprefix(f"{q.name}_")
                    subquestion(qid, gid, qtype, i, code, opt.text)
            if qtype == "F":
                for i, row in enumerate(q.rows, start=1):
                    subquestion(qid, gid, qtype, i, f"SQ{i:03d}", row.text)

    surveys = [
        {
            "sid": sid, "gsid": 1, "admin": "inherit", "adminemail": "inherit",
            # Not anonymised: the access code (token) is the persistent respondent key
            # that links a person's waves; cleaning pseudonymises it right after reading.
            "anonymized": "N", "format": "G", "savetimings": "N", "template": "inherit",
            "language": lang, "additional_languages": "", "datestamp": "Y", "usecookie": "N",
            "allowregister": "N", "allowsave": "Y", "autonumber_start": 0, "autoredirect": "N",
            "allowprev": "Y", "printanswers": "N", "ipaddr": "N", "ipanonymize": "Y",
            "refurl": "N", "publicstatistics": "N", "publicgraphs": "N", "listpublic": "N",
            "htmlemail": "Y", "sendconfirmation": "N", "tokenanswerspersistence": "N",
            "assessments": "N", "usecaptcha": "N", "usetokens": "N", "tokenlength": 15,
            "showxquestions": "Y", "showgroupinfo": "B", "shownoanswer": "N",
            "showqnumcode": "X", "showwelcome": "Y", "showprogress": "Y", "questionindex": 0,
            "navigationdelay": 0, "nokeyboard": "N", "alloweditaftercompletion": "N",
        }
    ]  # fmt: skip
    settings = [
        {
            "surveyls_survey_id": sid, "surveyls_language": lang,
            "surveyls_title": survey.title, "surveyls_description": "",
            "surveyls_welcometext": survey.intro, "surveyls_endtext": survey.end,
            "surveyls_dateformat": DATE_FORMAT[lang], "surveyls_numberformat": NUMBER_FORMAT[lang],
        }
    ]  # fmt: skip
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        "<document>",
        " <LimeSurveyDocType>Survey</LimeSurveyDocType>",
        f" <DBVersion>{DB_VERSION}</DBVersion>",
        " <languages>",
        f"  <language>{lang}</language>",
        " </languages>",
    ]
    lines += _section(
        "answers", ("aid", "qid", "code", "sortorder", "assessment_value", "scale_id"), answers
    )
    lines += _section("answer_l10ns", ("id", "aid", "answer", "language"), answer_l10ns)
    lines += _section(
        "groups", ("gid", "sid", "group_order", "randomization_group", "grelevance"), groups
    )
    lines += _section(
        "group_l10ns",
        ("id", "gid", "group_name", "description", "language", "sid", "group_order",
         "randomization_group", "grelevance"),
        group_l10ns,
    )  # fmt: skip
    lines += _section("questions", QUESTION_FIELDS, questions)
    lines += _section("subquestions", QUESTION_FIELDS, subquestions)
    lines += _section(
        "question_l10ns", ("id", "qid", "question", "help", "script", "language"), q_l10ns
    )
    lines += _section("question_attributes", ("qid", "attribute", "value", "language"), attributes)
    lines += _section("surveys", SURVEY_FIELDS, surveys)
    lines += _section("surveys_languagesettings", LANGUAGE_FIELDS, settings)
    lines.append("</document>")
    return ("\n".join(lines) + "\n").encode("utf-8")
