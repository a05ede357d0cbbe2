"""``leerlab code``: propose themes, write the coding sheet, read coded sheets back.

``run_code(ctx)``
    Reads ``clean/open_answers.parquet``, proposes themes with the frame's
    terms (:mod:`.matcher`) and writes ``clean/open_codes.csv`` and the blank
    coding sheet ``coding/codeerblad.xlsx``. Human codes imported earlier
    (``coding/human_codes.csv``) replace the automatic ones for the answers
    they cover.

``run_import(ctx, sheets)``
    Validates the filled-in sheets (:mod:`.sheets`), writes
    ``coding/human_codes.csv`` and ``coding/agreement.csv`` (per theme: the
    coders together, each pair when there are more than two, each coder with
    the automatic proposal), then rewrites ``clean/open_codes.csv``.

Combining coders: for an answer that at least one coder coded, a theme counts
when more than half of its coders marked it; a tie (one of two) is decided by
the automatic proposal. ``source`` says which: ``human`` or ``auto``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..config.coding_frame import CodingFrame
from ..errors import ConfigError
from ..outputs import write_csv
from .agreement import agreement_table
from .matcher import CODE_COLUMNS, propose
from .sheets import read_sheets, write_sheet

#: Bootstrap resamples for the agreement intervals.
N_BOOT = 2000
HUMAN_COLUMNS = ["answer_id", "question", "theme", "coder", "value"]


def _inputs(ctx) -> tuple[pd.DataFrame, CodingFrame] | None:
    """(answers, frame), or None (with a message) when there is nothing to code."""
    study = ctx.study
    frame = study.codebook.coding_frame
    if not study.settings.open_answers:
        ctx.console.print("code: settings.open_answers is false; nothing to code")
        return None
    if frame is None:
        ctx.console.print("code: the codebook has no coding_frame; nothing to code")
        return None
    answers = ctx.read_parquet("clean/open_answers.parquet", "clean")
    return answers, frame


def combine(auto: pd.DataFrame, human: pd.DataFrame) -> pd.DataFrame:
    """Automatic codes with human codes in their place where coders coded an answer.

    Parameters
    ----------
    auto
        :func:`.matcher.propose` output.
    human
        ``answer_id, question, theme, coder, value`` (value 1/0), one row per
        coded answer × theme × coder.
    """
    if human.empty:
        return auto
    votes = human.groupby(["answer_id", "question", "theme"], sort=True)["value"].agg(
        ["sum", "count"]
    )
    coders = human.groupby("answer_id")["coder"].agg(lambda c: "+".join(sorted(set(c))))
    votes = votes.reset_index()
    key = auto.set_index(["answer_id", "theme"])["term"]
    in_auto = pd.MultiIndex.from_frame(votes[["answer_id", "theme"]]).isin(key.index)
    share = votes["sum"] / votes["count"]
    tie = np.isclose(share, 0.5)
    present = (share > 0.5) | (tie & in_auto)
    chosen = votes[present].copy()
    chosen["source"] = np.where(tie[present], "auto", "human")
    chosen["coder"] = chosen["answer_id"].map(coders)
    terms = key.reindex(pd.MultiIndex.from_frame(chosen[["answer_id", "theme"]]))
    chosen["term"] = terms.fillna("").to_numpy()
    kept_auto = auto[~auto["answer_id"].isin(set(human["answer_id"]))]
    out = pd.concat([kept_auto, chosen[CODE_COLUMNS]], ignore_index=True)
    return out.sort_values(["answer_id", "theme"], kind="stable").reset_index(drop=True)


def _write_codes(ctx, answers, frame, human: pd.DataFrame) -> Path:
    codes = combine(propose(answers, frame), human)
    order = {name: i for i, name in enumerate(frame.themes)}
    codes = codes.assign(_o=codes["theme"].map(order))
    codes = codes.sort_values(["answer_id", "_o"], kind="stable").drop(columns="_o")
    return write_csv(codes.reset_index(drop=True), ctx.stage_dir("clean") / "open_codes.csv")


def _human(ctx) -> pd.DataFrame:
    path = ctx.out / "coding" / "human_codes.csv"
    if not path.exists():
        return pd.DataFrame(columns=HUMAN_COLUMNS)
    return pd.read_csv(path, dtype={"coder": str})


def run_code(ctx) -> list[Path]:
    """Propose themes, write ``clean/open_codes.csv`` and ``coding/codeerblad.xlsx``."""
    got = _inputs(ctx)
    if got is None:
        return []
    answers, frame = got
    human = _human(ctx)
    written = [_write_codes(ctx, answers, frame, human)]
    written.append(write_sheet(answers, frame, ctx.stage_dir("coding") / "codeerblad.xlsx"))
    n_human = human["answer_id"].nunique()
    ctx.console.print(
        f"[green]code[/]: {len(answers)} answers; "
        + (f"{n_human} coded by people, the rest " if n_human else "")
        + "proposed by the frame's terms"
    )
    return written


def run_import(ctx, sheets: list[Path]) -> list[Path]:
    """Read coded sheets back: validate, agreement, human codes in place of automatic ones."""
    got = _inputs(ctx)
    if got is None:
        raise ConfigError("Cannot import coding sheets: the study has no open answers to code")
    if not sheets:
        raise ConfigError("leerlab code --import: name one or more coded .xlsx sheets")
    answers, frame = got
    coded = read_sheets(sheets, answers, frame)
    human = pd.concat([s.codes.assign(coder=s.coder) for s in coded], ignore_index=True)[
        HUMAN_COLUMNS
    ]
    human = human.sort_values(["answer_id", "theme", "coder"], kind="stable")
    auto = propose(answers, frame)
    matrix = _matrix(human, auto, frame)
    questions: dict[str, str] = {t.name: t.question for t in frame.themes.values()}
    table = agreement_table(matrix, questions, n_boot=N_BOOT, seed=ctx.study.settings.seed)
    out = ctx.stage_dir("coding")
    written = [
        write_csv(human.reset_index(drop=True), out / "human_codes.csv"),
        write_csv(table, out / "agreement.csv"),
        _write_codes(ctx, answers, frame, human),
    ]
    ctx.console.print(
        f"[green]code --import[/]: {len(coded)} sheet(s), coders "
        f"{', '.join(s.coder for s in coded)}; {human['answer_id'].nunique()} answers coded"
    )
    return written


def _matrix(human: pd.DataFrame, auto: pd.DataFrame, frame) -> dict[str, pd.DataFrame]:
    """Theme → answers × (coders…, auto) of 1/0/NaN over the answers any coder coded."""
    coders = sorted(human["coder"].unique())
    out = {}
    for theme in frame.themes:
        h = human[human["theme"] == theme]
        if h.empty:
            continue
        wide = h.pivot(index="answer_id", columns="coder", values="value").reindex(columns=coders)
        hit = set(auto.loc[auto["theme"] == theme, "answer_id"])
        wide["auto"] = [1.0 if a in hit else 0.0 for a in wide.index]
        out[theme] = wide.sort_index().astype(float)
    return out
