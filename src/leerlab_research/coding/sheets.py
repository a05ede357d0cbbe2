"""Coding sheets: an .xlsx for human coders, and reading filled-in sheets back.

The sheet (``coding/codeerblad.xlsx``) has

``instructie``  how to code, and cell B3 for the coder's initials or letter;
``kader``       the coding frame: theme, question, condition or domain, label,
                description and examples (Dutch);
``goed``, ``beter``  one row per answer (``answer_id``, ``antwoord``), one column
                per theme of that question plus ``geen_thema``, each cell a
                drop-down ``ja``/``nee``.

The sheet starts empty: coders code blind to the automatic proposal, so that
the agreement between a coder and the proposal means something.

Reading back (:func:`read_sheets`) validates everything and names the cell of
every problem: an unknown theme in a header, an answer text that was edited, an
unknown or repeated ``answer_id``, a value other than ``ja``/``nee``/``x``/``1``/
``0``/blank, ``geen_thema`` together with a theme, two sheets of one coder. A
row counts as coded when any of its cells is filled; ``nee`` and blank both
mean "not this theme".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pandas as pd
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from ..config.coding_frame import NONE_COLUMN, QUESTIONS, CodingFrame
from ..errors import DataError, InputFileError
from ..io.excel import DAMAGED
from ..outputs import workbook_bytes, write_with

_YES = {"ja", "x", "1", "yes", "j"}
_NO = {"nee", "0", "no", "n", ""}
#: The document time of every coding sheet (the same answers give the same bytes).
FIXED_TIME = datetime(2025, 1, 1)


def _col(i: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(i)


def write_sheet(answers: pd.DataFrame, frame: CodingFrame, path: Path) -> Path:
    """Write the coding sheet for ``answers`` (``clean/open_answers.parquet``) atomically."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    info = wb.active
    info.title = "instructie"
    lines = [
        "Codeerblad open antwoorden",
        "Vul hieronder uw initialen of een letter in (B3), en codeer daarna de tabbladen "
        "'goed' en 'beter': kies 'ja' bij elk thema dat in het antwoord voorkomt, of 'ja' "
        "bij geen_thema. Pas de antwoorden zelf niet aan. Het tabblad 'kader' beschrijft de "
        "thema's.",
        None,
    ]
    for r, text in enumerate(lines, start=1):
        info.cell(r, 1, text)
    info["A1"].font = Font(bold=True)
    info["A3"], info["B3"] = "Codeur:", ""
    kader = wb.create_sheet("kader")
    kader.append(["thema", "vraag", "conditie of domein", "label", "beschrijving", "voorbeelden"])
    for t in frame.themes.values():
        kader.append(
            [
                t.name,
                t.question,
                t.condition or t.domain,
                t.label.nl,
                t.description.nl,
                " | ".join(t.examples.nl),
            ]
        )
    for q in QUESTIONS:
        ws = wb.create_sheet(q)
        themes = [t.name for t in frame.for_question(q)] + [NONE_COLUMN]
        ws.append(["answer_id", "antwoord", *themes])
        sub = answers[answers["question"] == q].sort_values("answer_id", kind="stable")
        for aid, text in zip(sub["answer_id"], sub["text"], strict=True):
            ws.append([str(aid), str(text), *([None] * len(themes))])
        ws.column_dimensions["A"].width = 24
        ws.column_dimensions["B"].width = 70
        for cell in ws["B"]:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.freeze_panes = "C2"
        if len(sub):
            dv = DataValidation(type="list", formula1='"ja,nee"', allow_blank=True)
            dv.error, dv.errorTitle = "Kies ja of nee", "Ongeldige code"
            ws.add_data_validation(dv)
            dv.add(f"C2:{_col(2 + len(themes))}{len(sub) + 1}")
    # Fixed document times: the same answers give the same bytes.
    wb.properties.creator = wb.properties.lastModifiedBy = "leerlab-research"
    data = workbook_bytes(wb, FIXED_TIME)
    return write_with(lambda p: p.write_bytes(data), path)


@dataclass
class CodedSheet:
    """One coder's codes: answers × themes of 1/0 for the rows the coder filled in."""

    coder: str
    path: Path
    codes: pd.DataFrame  # columns answer_id, question, theme, value (0/1)


def _value(raw: object) -> str:
    if raw is None:
        return ""
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    return str(raw).strip().casefold()


def read_sheet(
    path: Path, answers: pd.DataFrame, frame: CodingFrame
) -> tuple[CodedSheet | None, list[str]]:
    """Read and validate one filled-in sheet; returns (sheet or None, problems)."""
    try:
        # Not read-only: then every part is parsed here, and a damaged sheet fails
        # inside this ``try`` rather than later while its rows are read.
        wb = load_workbook(path, data_only=True)
    except FileNotFoundError:
        raise InputFileError(path, "coding sheet does not exist") from None
    except (InvalidFileException, *DAMAGED) as exc:
        raise InputFileError(path, f"cannot be read as an .xlsx coding sheet ({exc})") from None
    name = path.name
    problems: list[str] = []
    # The coder's letter from instructie!B3, else the file name.
    cell = wb["instructie"]["B3"].value if "instructie" in wb.sheetnames else None
    coder = str(cell).strip() if _value(cell) else path.stem
    texts = dict(zip(answers["answer_id"], answers["text"], strict=True))
    question_of = dict(zip(answers["answer_id"], answers["question"], strict=True))
    recs = []
    for q in QUESTIONS:
        if q not in wb.sheetnames:
            problems.append(f"{name}: sheet '{q}' is missing")
            continue
        rows = list(wb[q].iter_rows(values_only=True))
        if not rows:
            problems.append(f"{name}: sheet '{q}' is empty")
            continue
        header = [_value(h) for h in rows[0]]
        if header[:2] != ["answer_id", "antwoord"]:
            problems.append(f"{name}: sheet '{q}', cells A1:B1: expected 'answer_id', 'antwoord'")
            continue
        known = {t.name for t in frame.for_question(q)} | {NONE_COLUMN}
        columns = []
        for j, h in enumerate(header[2:], start=3):
            if h == "":
                continue
            if h not in known:
                other = h in frame.themes
                problems.append(
                    f"{name}: sheet '{q}', cell {_col(j)}1: unknown theme {h!r}"
                    + (f" (a theme of '{frame.themes[h].question}')" if other else "")
                )
                continue
            columns.append((j, h))
        seen: set[str] = set()
        for i, row in enumerate(rows[1:], start=2):
            row = list(row) + [None] * (len(header) - len(row))
            aid = _value(row[0])
            if aid == "" and all(_value(v) == "" for v in row):
                continue
            aid = str(row[0]).strip()
            if aid not in texts or question_of.get(aid) != q:
                problems.append(f"{name}: sheet '{q}', cell A{i}: unknown answer_id {aid!r}")
                continue
            if aid in seen:
                problems.append(f"{name}: sheet '{q}', cell A{i}: answer_id {aid!r} occurs twice")
                continue
            seen.add(aid)
            if str(row[1] if row[1] is not None else "") != str(texts[aid]):
                problems.append(
                    f"{name}: sheet '{q}', cell B{i}: the answer text was edited "
                    "(restore it; code in the theme columns only)"
                )
            values: dict[str, int | None] = {}
            for j, theme in columns:
                v = _value(row[j - 1])
                if v in _YES:
                    values[theme] = 1
                elif v in _NO:
                    values[theme] = 0 if v else None
                else:
                    problems.append(
                        f"{name}: sheet '{q}', cell {_col(j)}{i}: value {row[j - 1]!r} "
                        "is not ja or nee"
                    )
            if all(v is None for v in values.values()):
                continue  # not coded (yet)
            if values.get(NONE_COLUMN) == 1 and any(
                values.get(t) == 1 for _, t in columns if t != NONE_COLUMN
            ):
                problems.append(
                    f"{name}: sheet '{q}', row {i}: {NONE_COLUMN} together with a theme"
                )
            for _, theme in columns:
                if theme != NONE_COLUMN:
                    recs.append((aid, q, theme, int(values.get(theme) == 1)))
    wb.close()
    codes = pd.DataFrame(recs, columns=["answer_id", "question", "theme", "value"])
    return CodedSheet(coder, path, codes), problems


def read_sheets(paths: list[Path], answers: pd.DataFrame, frame: CodingFrame) -> list[CodedSheet]:
    """Read every sheet; raise one :class:`DataError` listing every problem in every file."""
    sheets, problems = [], []
    for path in paths:
        sheet, p = read_sheet(Path(path), answers, frame)
        problems += p
        if sheet is not None:
            sheets.append(sheet)
    coders: dict[str, Path] = {}
    for s in sheets:
        if s.coder in coders:
            problems.append(
                f"{s.path.name}: instructie!B3: coder {s.coder!r} also coded {coders[s.coder].name}"
            )
        coders[s.coder] = s.path
        if s.codes.empty:
            problems.append(f"{s.path.name}: no answer is coded")
    if problems:
        raise DataError(f"{len(problems)} problem(s) in the coding sheets", problems)
    return sheets
