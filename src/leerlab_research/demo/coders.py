"""Simulated human coders for the demo: two filled-in coding sheets with realistic disagreement.

``leerlab code`` writes a blank coding sheet (``coding/codeerblad.xlsx``) for the
de-identified open answers; in a real study two people code it blind and
``leerlab code --import`` reads their sheets back and reports their agreement. The
demo has no people, so :func:`fill_coding_sheets` plays them: it takes the blank
sheet, looks up each answer's generating themes in ``truth/open_answers.csv`` (by
the answer's ``source_file`` and ``source_row`` in ``clean/open_answers.parquet``)
and lets each coder mark them the way coders err:

* a theme that is in the answer is missed with probability :data:`MISS` (per coder:
  the second coder is less careful), and
* a theme that is not in the answer is marked with probability :data:`EXTRA` (a
  neighbouring theme read into a vague sentence),

independently per coder, answer and theme; an answer left without themes gets
``geen_thema``. Cells hold ``ja``/``nee`` as the sheet's drop-down offers, the
coder's letter goes into ``instructie!B3`` and the answer texts stay untouched, so
the sheets pass the import's checks. The draws come from ``numpy.random.default_rng``
seeded with ``(seed, coder)``: the same seed gives byte-identical sheets.

R has no equivalent; the agreement the import computes from these sheets is Cohen's
kappa (``irr::kappa2``) and Krippendorff's alpha (``irr::kripp.alpha``).
"""

from __future__ import annotations

import functools
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd

from ..config.coding_frame import NONE_COLUMN, QUESTIONS
from ..errors import ConfigError
from ..outputs import workbook_bytes, write_with

#: Coders' letters (``instructie!B3``) and file names ``codeur_<letter>.xlsx``.
CODERS = ("A", "B")
#: Chance that a coder misses a theme that is in the answer, per coder.
MISS = (0.08, 0.15)
#: Chance that a coder marks a theme that is not in the answer, per coder.
EXTRA = (0.008, 0.015)
#: Fixed document time of the written workbooks (deterministic bytes).
_FIXED_TIME = datetime(2025, 1, 1)


def _truth_themes(answers: pd.DataFrame, truth: pd.DataFrame) -> dict[str, set[str]]:
    """``answer_id`` → the generating themes (matched on file name, row and question)."""
    t = truth.assign(source_file=truth["source_file"].astype(str).map(lambda p: Path(p).name))
    a = answers.assign(source_file=answers["source_file"].astype(str).map(lambda p: Path(p).name))
    merged = a[["answer_id", "source_file", "source_row", "question"]].merge(
        t[["source_file", "source_row", "question", "themes"]],
        on=["source_file", "source_row", "question"],
        how="left",
    )
    return {
        str(aid): set(str(th).split(";")) - {""} if isinstance(th, str) else set()
        for aid, th in zip(merged["answer_id"], merged["themes"], strict=True)
    }


def _fill(ws, themes: dict[str, set[str]], rng: np.random.Generator, miss: float, extra: float):
    """Fill one question's sheet: one row per answer, ja/nee per theme column."""
    header = [c.value for c in ws[1]]
    columns = [h for h in header[2:] if h and h != NONE_COLUMN]
    rows = list(ws.iter_rows(min_row=2))
    if not rows or not columns:
        return
    ids = [str(r[0].value) for r in rows]
    truth = np.array([[c in themes.get(aid, set()) for c in columns] for aid in ids], dtype=bool)
    # one uniform draw per answer × theme: below `miss` drops a true theme, below `extra`
    # adds a false one (answers in the sheet's order, so the draws are reproducible)
    u = rng.random(truth.shape)
    marked = np.where(truth, u >= miss, u < extra)
    col_of = {h: j for j, h in enumerate(header)}
    for i, row in enumerate(rows):
        for k, c in enumerate(columns):
            row[col_of[c]].value = "ja" if marked[i, k] else "nee"
        if NONE_COLUMN in col_of:
            row[col_of[NONE_COLUMN]].value = "nee" if marked[i].any() else "ja"


def fill_coding_sheets(
    sheet: Path, answers: pd.DataFrame, truth: pd.DataFrame, out: Path, *, seed: int
) -> list[Path]:
    """Write one filled-in copy of the blank ``sheet`` per simulated coder into ``out``.

    Parameters
    ----------
    sheet
        The blank coding sheet of ``leerlab code`` (``<out>/coding/codeerblad.xlsx``).
    answers
        ``clean/open_answers.parquet``: ``answer_id, question, source_file, source_row``.
    truth
        The demo's ``truth/open_answers.csv``: ``source_file, source_row, question,
        themes`` (themes joined by ``;``).
    out
        Folder for ``codeur_A.xlsx``, ``codeur_B.xlsx``.
    seed
        The demo's seed.

    Returns
    -------
    list of Path
        The sheets written.
    """
    from openpyxl import load_workbook

    if not Path(sheet).is_file():
        raise ConfigError(
            f"{sheet}: no coding sheet; run `leerlab clean` and `leerlab code` into that out "
            "folder first"
        )
    themes = _truth_themes(answers, truth)
    written = []
    for k, coder in enumerate(CODERS):
        wb = load_workbook(sheet)
        wb["instructie"]["B3"] = coder
        rng = np.random.default_rng([seed, k])
        for q in QUESTIONS:
            if q in wb.sheetnames:
                _fill(wb[q], themes, rng, MISS[k], EXTRA[k])
        data = workbook_bytes(wb, _FIXED_TIME)
        path = Path(out) / "coding" / f"codeur_{coder}.xlsx"
        path.parent.mkdir(parents=True, exist_ok=True)
        written.append(write_with(functools.partial(_write_bytes, data), path))
    return written


def _write_bytes(data: bytes, path: Path) -> None:
    path.write_bytes(data)


def coder_sheets(coded: Path, demo: Path, folder: Path, seed: int) -> list[Path]:
    """The simulated coders' sheets for an out folder where ``leerlab code`` ran on the demo.

    Reads ``<coded>/clean/open_answers.parquet``, ``<coded>/coding/codeerblad.xlsx`` and
    ``<demo>/truth/open_answers.csv``; writes ``<folder>/coding/codeur_<letter>.xlsx``
    (``leerlab demo --coders-for``).
    """
    answers_path = Path(coded) / "clean" / "open_answers.parquet"
    truth_path = Path(demo) / "truth" / "open_answers.csv"
    for path in (answers_path, truth_path):
        if not path.is_file():
            raise ConfigError(
                f"leerlab demo --coders-for: {path} does not exist; run `leerlab demo`, then "
                "`leerlab clean` and `leerlab code` into that out folder first"
            )
    answers = pd.read_parquet(answers_path)
    truth = pd.read_csv(truth_path, dtype={"themes": str}, keep_default_na=False)
    return fill_coding_sheets(
        Path(coded) / "coding" / "codeerblad.xlsx", answers, truth, folder, seed=seed
    )
