"""Exports of a generated survey, as LimeSurvey and Qualtrics would write them.

Given a survey file (``.lss`` or ``.qsf`` from ``leerlab instrument``) and the
simulated respondents of the demo, these functions play the platform: they read
the survey file the way the platform does (question order, question codes,
subquestion codes, answer codes, recode values, export tags, hidden fields) and
write the CSV export a coordinator downloads. Respondents answer by *text*: a
respondent who is a teacher picks the option whose text is the codebook's label
for ``docent``, and the platform stores that option's code. So a wrong code in a
generated survey shows up as a wrong value after cleaning, which the round-trip
test would catch.

LimeSurvey: "CSV, code headings, answer codes" (survey-formats.md §1a): UTF-8
BOM, every non-null value quoted, NULL (not shown) as an unquoted empty field,
CRLF. Qualtrics: numeric-values CSV with three header rows (§1c).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..config.codebook import Codebook
from ..config.labs import Labs
from ..io.limesurvey import SYSTEM as LS_SYSTEM
from ..normalise import normalise_label
from .exports import _ls_field, _ls_time
from .simulate import BLANK, NOT_SHOWN

_TAG = re.compile(r"<[^>]+>")


def _plain(html: str) -> str:
    return re.sub(r"\s+", " ", _TAG.sub(" ", html or "")).strip()


@dataclass
class _Intent:
    """What the simulated respondents mean, in codebook terms, for matching by text."""

    codebook: Codebook
    labs: Labs
    lang: str
    texts: dict[str, str] = field(default_factory=dict)  # normalised question text → variable

    def __post_init__(self) -> None:
        for name, var in self.codebook.variables.items():
            for lang in ("nl", "en"):
                self.texts.setdefault(normalise_label(var.question_text(lang)), name)
        if self.codebook.survey is not None:
            for lang in ("nl", "en"):
                self.texts.setdefault(
                    normalise_label(self.codebook.survey.focus.get(lang)), "focus"
                )
        self.items = {
            normalise_label(item.text.get(self.lang)): code
            for code, item in self.codebook.items.items()
        }

    def variable(self, text: str) -> str | None:
        # The question text may be preceded by an explanation (consent): match the last part.
        for part in (text, *re.split(r"<br\s*/?>\s*<br\s*/?>", text or "")[::-1]):
            hit = self.texts.get(normalise_label(_plain(part)))
            if hit:
                return hit
        return None

    def value_text(self, var: str, value: object) -> str:
        """The option text a respondent picks for ``value`` of ``var``."""
        if var == "lab":
            return self.labs.name_of(str(value))
        labels = self.codebook.variables[var].value_labels or {}
        return labels[value].get(self.lang) if value in labels else str(value)

    def answer_text(self, item: str, code: int) -> str:
        vs = self.codebook.value_set_of(item)
        if code in vs.labels:
            return vs.labels[code].get(self.lang)
        return vs.missing[code].label.get(self.lang)


def _pick(options: dict[str, str], text: str) -> str:
    """The code of the option whose text is ``text`` (as the respondent reads it)."""
    key = normalise_label(text)
    for code, shown in options.items():
        if normalise_label(_plain(shown)) == key:
            return code
    raise ValueError(f"no answer option reads {text!r} (options: {list(options.values())})")


def _respondent_values(rows: pd.DataFrame) -> dict[str, np.ndarray]:
    return {
        "lab": rows["lab"].to_numpy(dtype=object),
        "school_type": rows["school_type"].to_numpy(dtype=object),
        "role": rows["role"].to_numpy(dtype=object),
        "consent": np.where(rows["consent"], "ja", "nee"),
    }


# ----------------------------------------------------------------------------- LimeSurvey
def _lss_table(root: ET.Element, section: str) -> list[dict[str, str]]:
    node = root.find(section)
    if node is None:
        return []
    return [{c.tag: (c.text or "") for c in row} for row in node.iter("row")]


def limesurvey_export(
    lss: bytes, rows: pd.DataFrame, codes: np.ndarray, codebook: Codebook, labs: Labs
) -> bytes:
    """The LimeSurvey response export of ``rows`` answering the survey in ``lss``.

    Parameters
    ----------
    lss
        The survey structure file.
    rows, codes
        Simulated LimeSurvey rows (``demo.simulate``) and their item codes.
    """
    root = ET.fromstring(lss)
    lang = root.findtext("languages/language") or "nl"
    intent = _Intent(codebook, labs, lang)
    groups = {g["gid"]: int(g["group_order"]) for g in _lss_table(root, "groups")}
    l10n = {q["qid"]: q.get("question", "") for q in _lss_table(root, "question_l10ns")}
    attrs: dict[str, dict[str, str]] = {}
    for a in _lss_table(root, "question_attributes"):
        attrs.setdefault(a["qid"], {})[a["attribute"]] = a.get("value", "")
    answer_text = {a["aid"]: a["answer"] for a in _lss_table(root, "answer_l10ns")}
    answers: dict[str, dict[str, str]] = {}
    for a in sorted(_lss_table(root, "answers"), key=lambda a: int(a["sortorder"])):
        answers.setdefault(a["qid"], {})[a["code"]] = answer_text[a["aid"]]
    subs: dict[str, list[dict[str, str]]] = {}
    for s in sorted(_lss_table(root, "subquestions"), key=lambda s: int(s["question_order"])):
        subs.setdefault(s["parent_qid"], []).append(s)
    questions = sorted(
        _lss_table(root, "questions"),
        key=lambda q: (groups[q["gid"]], int(q["question_order"])),
    )

    n = len(rows)
    values = _respondent_values(rows)
    consent = rows["consent"].to_numpy(dtype=bool)
    submitted = rows["submit"].notna().to_numpy()
    lastpage = rows["lastpage"].to_numpy(dtype=int)
    item_pos = {code: j for j, code in enumerate(codebook.item_codes)}
    # The system columns of a survey that saves dates but no IP address or referrer.
    header = [code for _, code, _ in LS_SYSTEM[:8]]
    cols: list[list[str | None]] = [
        [str(i) for i in range(1, n + 1)],
        _ls_time(rows["submit"]),
        rows["lastpage"].astype(str).tolist(),
        [lang] * n,
        rows["ls_seed"].astype(str).tolist(),
        rows["key"].tolist(),
        _ls_time(rows["start"]),
        _ls_time(rows["last_action"]),
    ]
    for q in questions:
        qid, qtype, title = q["qid"], q["type"], q["title"]
        page = groups[q["gid"]]
        # Shown: page reached (all pages when submitted), and consent given for
        # everything but the consent question and the hidden fields of page 1.
        reached = submitted | (page <= lastpage)
        gated = q.get("relevance", "1") not in ("", "1")
        shown = reached & (consent | (not gated and page == 1))
        if qtype == "*":
            value = attrs.get(qid, {}).get("equation", "").strip().strip("'\"")
            header.append(title)
            cols.append([value] * n)
            continue
        var = intent.variable(l10n[qid])
        if qtype == "Y":
            header.append(title)
            cols.append(
                [("Y" if c else "N") if s else None for c, s in zip(consent, shown, strict=True)]
            )
        elif qtype in ("L", "!"):
            if var is None:
                raise ValueError(f"LimeSurvey question {title}: text matches no codebook variable")
            opts = answers[qid]
            cells: list[str | None] = []
            for v, s in zip(values[var], shown, strict=True):
                if not s:
                    cells.append(None)
                elif not v:
                    cells.append("")  # a test row without a lab: left empty
                else:
                    cells.append(_pick(opts, intent.value_text(var, v)))
            header.append(title)
            cols.append(cells)
        elif qtype == "M":
            focus_shown = rows["focus_shown"].to_numpy(dtype=bool) & shown
            for sq in subs[qid]:
                fvar = intent.texts.get(normalise_label(l10n[sq["qid"]]))
                if fvar is None or fvar not in rows:
                    raise ValueError(f"LimeSurvey subquestion {sq['title']}: unknown focus area")
                ticked = rows[fvar].to_numpy(dtype=bool)
                header.append(f"{title}[{sq['title']}]")
                cols.append(
                    [
                        ("Y" if t else "") if s else None
                        for t, s in zip(ticked, focus_shown, strict=True)
                    ]
                )
        elif qtype == "F":
            opts = answers[qid]
            for sq in subs[qid]:
                item = intent.items.get(normalise_label(l10n[sq["qid"]]))
                if item is None:
                    raise ValueError(f"LimeSurvey subquestion {title}[{sq['title']}]: unknown item")
                label = {
                    k: _pick(opts, intent.answer_text(item, k))
                    for k in (*codebook.value_set_of(item).valid_codes,
                              *codebook.value_set_of(item).missing)
                }  # fmt: skip
                col = codes[:, item_pos[item]]
                header.append(f"{title}[{sq['title']}]")
                cols.append(
                    [None if (c == NOT_SHOWN or not s) else ("" if c == BLANK else label[int(c)])
                     for c, s in zip(col, shown, strict=True)]
                )  # fmt: skip
        elif qtype == "T":
            text = rows[var].to_numpy(dtype=object) if var in rows else np.full(n, "")
            header.append(title)
            cols.append(
                [(t or "") if (s and sub) else None
                 for t, s, sub in zip(text, shown, submitted, strict=True)]
            )  # fmt: skip
        else:
            raise ValueError(f"LimeSurvey question type {qtype!r} is not simulated")
    records = [",".join(_ls_field(h) for h in header)]
    records += [",".join(_ls_field(v) for v in record) for record in zip(*cols, strict=True)]
    return ("\ufeff" + "\r\n".join(records) + "\r\n\r\n").encode("utf-8")


# ----------------------------------------------------------------------------- Qualtrics
#: Qualtrics' own columns: (export tag, question-text row, ImportId row), in export order.
QUALTRICS_SYSTEM = (
    ("StartDate", "Start Date", "startDate"),
    ("EndDate", "End Date", "endDate"),
    ("Status", "Response Type", "status"),
    ("IPAddress", "IP Address", "ipAddress"),
    ("Progress", "Progress", "progress"),
    ("Duration (in seconds)", "Duration (in seconds)", "duration"),
    ("Finished", "Finished", "finished"),
    ("RecordedDate", "Recorded Date", "recordedDate"),
    ("ResponseId", "Response ID", "_recordId"),
    ("RecipientLastName", "Recipient Last Name", "recipientLastName"),
    ("RecipientFirstName", "Recipient First Name", "recipientFirstName"),
    ("RecipientEmail", "Recipient Email", "recipientEmail"),
    ("ExternalReference", "External Data Reference", "externalDataReference"),
    ("LocationLatitude", "Location Latitude", "locationLatitude"),
    ("LocationLongitude", "Location Longitude", "locationLongitude"),
    ("DistributionChannel", "Distribution Channel", "distributionChannel"),
    ("UserLanguage", "User Language", "userLanguage"),
)


def _import_id(value: str) -> str:
    return json.dumps({"ImportId": value}, separators=(",", ":"))


#: What :func:`hidden_fields` raises for a file that is not a survey of ours: XML that
#: does not parse (``ParseError``), JSON that does not (``JSONDecodeError`` and
#: ``UnicodeDecodeError`` are ``ValueError``s), and a parsed file without the
#: structure read here (a missing element or key, a value of another type, a
#: Qualtrics file without a survey flow).
NOT_A_SURVEY: tuple[type[Exception], ...] = (
    ET.ParseError,
    ValueError,
    KeyError,
    TypeError,
    StopIteration,
)


def hidden_fields(data: bytes) -> dict[str, str]:
    """The hidden fields of a survey file (LimeSurvey equations or Qualtrics embedded data)."""
    text = data.lstrip()
    if text.startswith(b"<"):
        root = ET.fromstring(data)
        attrs: dict[str, dict[str, str]] = {}
        for a in _lss_table(root, "question_attributes"):
            attrs.setdefault(a["qid"], {})[a["attribute"]] = a.get("value", "")
        return {
            q["title"]: attrs.get(q["qid"], {}).get("equation", "").strip().strip("'\"")
            for q in _lss_table(root, "questions")
            if q["type"] == "*"
        }
    doc = json.loads(data)
    flow = next(e for e in doc["SurveyElements"] if e["Element"] == "FL")["Payload"]["Flow"]
    return {
        d["Field"]: str(d.get("Value", ""))
        for f in flow
        if f["Type"] == "EmbeddedData"
        for d in f["EmbeddedData"]
    }


def _q_time(values: pd.Series) -> list[str]:
    return ["" if pd.isna(v) else v.strftime("%Y-%m-%d %H:%M:%S") for v in values]


def qualtrics_export(
    qsf: bytes, rows: pd.DataFrame, codes: np.ndarray, codebook: Codebook, labs: Labs
) -> bytes:
    """The Qualtrics CSV export (numeric values, three header rows) of ``rows``.

    The respondent key is the contact's e-mail address (``RecipientEmail``;
    ``<key>@leerlab.example``). Respondents without consent reach the end of
    survey (later questions blank, ``Finished`` = 1); incomplete ones have
    ``Finished`` = 0 and the share of questions answered as ``Progress``.
    """
    doc = json.loads(qsf)
    elements = doc["SurveyElements"]
    lang = str(doc["SurveyEntry"].get("SurveyLanguage", "NL")).lower()
    intent = _Intent(codebook, labs, lang)
    payloads = {e["PrimaryAttribute"]: e["Payload"] for e in elements if e["Element"] == "SQ"}
    blocks = {b["ID"]: b for b in next(e for e in elements if e["Element"] == "BL")["Payload"]}
    flow = next(e for e in elements if e["Element"] == "FL")["Payload"]["Flow"]
    embedded = [
        (d["Field"], str(d.get("Value", "")))
        for f in flow
        if f["Type"] == "EmbeddedData"
        for d in f["EmbeddedData"]
    ]
    order = [
        q["QuestionID"]
        for f in flow
        if f["Type"] in ("Block", "Standard")
        for q in blocks[f["ID"]]["BlockElements"]
        if q["Type"] == "Question"
    ]
    n = len(rows)
    values = _respondent_values(rows)
    consent = rows["consent"].to_numpy(dtype=bool)
    submitted = rows["submit"].notna().to_numpy()
    item_pos = {code: j for j, code in enumerate(codebook.item_codes)}
    keys = rows["key"].astype(str).tolist()
    answered_share = np.where(codes > 0, 1.0, 0.0).mean(axis=1)
    progress = np.where(submitted, 100, np.floor(10 + 80 * answered_share)).astype(int)
    end = rows["submit"].where(rows["submit"].notna(), rows["last_action"])
    duration = ((end - rows["start"]).dt.total_seconds()).round().astype("Int64")
    tags, texts = [t for t, _, _ in QUALTRICS_SYSTEM], [x for _, x, _ in QUALTRICS_SYSTEM]
    imports = [_import_id(i) for _, _, i in QUALTRICS_SYSTEM]
    cols: list[list[str]] = [
        _q_time(rows["start"]),
        _q_time(end),
        ["0"] * n,
        rows["ipaddr"].astype(str).tolist(),
        [str(p) for p in progress],
        [str(d) for d in duration],
        ["1" if s else "0" for s in submitted],
        _q_time(end),
        ["R_" + hashlib.sha256(f"{k}|{i}".encode()).hexdigest()[:15] for i, k in enumerate(keys)],
        [""] * n,
        [""] * n,
        [f"{k}@leerlab.example" for k in keys],
        [""] * n,
        [""] * n,
        [""] * n,
        ["email"] * n,
        [lang.upper()] * n,
    ]
    for qid in order:
        p = payloads[qid]
        qtype = p["QuestionType"]
        if qtype == "DB":
            continue
        text = _plain(p["QuestionText"])
        tag = p["DataExportTag"]
        var = intent.variable(p["QuestionText"])
        recode = p.get("RecodeValues", {})
        shown = consent | (var == "consent")
        if qtype == "MC":
            opts = {cid: c["Display"] for cid, c in p["Choices"].items()}
            cells = []
            for i in range(n):
                v = values[var][i] if var in values else None
                if not shown[i] or not v or var is None:
                    cells.append("")
                    continue
                cid = _pick(opts, intent.value_text(var, v))
                cells.append(recode.get(cid, cid))
            tags.append(tag)
            texts.append(text)
            imports.append(_import_id(qid))
            cols.append(cells)
        elif qtype == "Matrix":
            opts = {aid: a["Display"] for aid, a in p["Answers"].items()}
            export_tags = p.get("ChoiceDataExportTags") or {}
            for cid in p["ChoiceOrder"]:
                statement = p["Choices"][cid]["Display"]
                column = export_tags.get(cid, f"{tag}_{cid}")
                item = intent.items.get(normalise_label(statement))
                if item is not None:
                    col = codes[:, item_pos[item]]
                    pick = {
                        k: recode.get(a, a)
                        for k in (*codebook.value_set_of(item).valid_codes,
                                  *codebook.value_set_of(item).missing)
                        for a in [_pick(opts, intent.answer_text(item, k))]
                    }  # fmt: skip
                    cells = ["" if (c in (BLANK, NOT_SHOWN) or not s) else pick[int(c)]
                             for c, s in zip(col, shown, strict=True)]  # fmt: skip
                else:
                    fvar = intent.texts.get(normalise_label(statement))
                    if fvar is None or fvar not in rows:
                        raise ValueError(f"Qualtrics matrix {tag}: statement {statement!r} unknown")
                    yes = recode.get(_pick(opts, intent.value_text("consent", "ja")))
                    no = recode.get(_pick(opts, intent.value_text("consent", "nee")))
                    ticked = rows[fvar].to_numpy(dtype=bool)
                    fshown = rows["focus_shown"].to_numpy(dtype=bool) & shown
                    cells = [
                        (yes if t else no) if s else "" for t, s in zip(ticked, fshown, strict=True)
                    ]
                tags.append(column)
                texts.append(f"{text} - {_plain(statement)}")
                imports.append(_import_id(f"{qid}_{cid}"))
                cols.append(cells)
        elif qtype == "TE":
            answers = rows[var].to_numpy(dtype=object) if var in rows else np.full(n, "")
            tags.append(tag)
            texts.append(text)
            imports.append(_import_id(f"{qid}_TEXT"))
            cols.append([(a or "") if (s and sub) else "" for a, s, sub in
                         zip(answers, shown, submitted, strict=True)])  # fmt: skip
        else:
            raise ValueError(f"Qualtrics question type {qtype!r} is not simulated")
    for name, value in embedded:
        tags.append(name)
        texts.append(name)
        imports.append(_import_id(name))
        cols.append([value] * n)
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(tags)
    writer.writerow(texts)
    writer.writerow(imports)
    writer.writerows(zip(*cols, strict=True))
    return buffer.getvalue().encode("utf-8")
