"""Published tables of the open answers: theme counts and short quotes, disclosure-controlled.

``open_themes``
    One row per wave × lab (``all`` = the programme) × question × theme of the
    coding frame: respondents of the lab × wave, answers to the question,
    answers mentioning the theme (``n_mentions``, ``share`` of the answers) and
    on which codes the count rests (``n_human``, ``n_auto``).
``open_quotes``
    For every shown lab × wave × question, up to ``max_quotes`` short quotes for
    each of the ``max_themes`` themes mentioned most: the sentence of a
    de-identified answer in which the theme occurs, trimmed to a sentence or
    two. A quote carries no answer id, respondent id, role or school type, so it
    cannot be joined back to anyone's other answers.

Publication design (:mod:`.publication`): a lab's respondents and answers are its
school members (school type vmbo or mbo); everyone else counts in the pseudo-lab
:data:`.publication.OUTSIDE`, a row of its own that is part of the programme totals,
shown only when that group reaches ``min_cell`` and never quoted (no report is about
it). Without that row the programme total minus the labs would reveal the outsiders.

Disclosure (:mod:`.disclosure`): a lab × wave is shown only when it has at least
``min_cell`` respondents *and* at least ``min_cell`` answers to the question
(primary), and the programme rows are totals over the labs, so a single hidden
lab is protected by complementary suppression of another (the remainder rule of
:func:`.disclosure.protect`). Quotes come only from shown rows.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from ..coding.matcher import fold, term_pattern
from ..config.coding_frame import CodingFrame
from . import disclosure
from .common import ALL
from .publication import OUTSIDE, publication_lab
from .registry import columns

THEME_COLUMNS = columns("open_themes")
QUOTE_COLUMNS = columns("open_quotes")
_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")
MAX_QUOTE = 200


def theme_table(
    responses: pd.DataFrame,
    answers: pd.DataFrame,
    codes: pd.DataFrame,
    frame: CodingFrame,
    scale_domains: dict[str, str],
    min_cell: int,
) -> pd.DataFrame:
    """The ``open_themes`` table (see the module docstring), suppressed cells blanked."""
    themes = list(frame.themes.values())
    resp_n = responses.groupby(["wave", "lab"]).size()
    ans = answers[["answer_id", "wave", "lab", "question"]]
    coded = codes[["answer_id", "theme", "source"]].merge(ans, on="answer_id", how="inner")
    labs = sorted(responses["lab"].dropna().unique())
    waves = sorted(responses["wave"].dropna().unique())
    grid = pd.MultiIndex.from_product(
        [waves, [ALL, *labs], [t.name for t in themes]], names=["wave", "lab", "theme"]
    ).to_frame(index=False)
    q_of = {t.name: t.question for t in themes}
    grid["question"] = grid["theme"].map(q_of)
    grid["condition"] = grid["theme"].map({t.name: t.condition or "" for t in themes})
    grid["domain"] = grid["theme"].map(
        {t.name: frame.domain_of(t.name, scale_domains) for t in themes}
    )
    # Counts per lab, then the programme rows as their sums.
    n_ans = ans.groupby(["wave", "lab", "question"]).size()
    src = coded.assign(human=coded["source"].eq("human"), auto=coded["source"].eq("auto"))
    per = src.groupby(["wave", "lab", "theme"])[["human", "auto"]].sum()
    lab_rows = grid["lab"] != ALL
    key_wl = pd.MultiIndex.from_frame(grid[["wave", "lab"]])
    grid["n_respondents"] = resp_n.reindex(key_wl).fillna(0).to_numpy()
    grid["n_answers"] = (
        n_ans.reindex(pd.MultiIndex.from_frame(grid[["wave", "lab", "question"]]))
        .fillna(0)
        .to_numpy()
    )
    hits = per.reindex(pd.MultiIndex.from_frame(grid[["wave", "lab", "theme"]])).fillna(0)
    grid["n_human"] = hits["human"].to_numpy()
    grid["n_auto"] = hits["auto"].to_numpy()
    for col in ("n_respondents", "n_answers", "n_human", "n_auto"):
        totals = grid[lab_rows].groupby(["wave", "theme"])[col].sum()
        prog = pd.MultiIndex.from_frame(grid.loc[~lab_rows, ["wave", "theme"]])
        grid.loc[~lab_rows, col] = totals.reindex(prog).fillna(0).to_numpy()
    grid["n_mentions"] = grid["n_human"] + grid["n_auto"]
    with np.errstate(invalid="ignore", divide="ignore"):
        grid["share"] = np.where(
            grid["n_answers"] > 0, grid["n_mentions"] / grid["n_answers"], np.nan
        )
    grid = grid.astype(
        {c: "int64" for c in ("n_respondents", "n_answers", "n_mentions", "n_human", "n_auto")}
    )
    reason = disclosure.protect(
        grid["n_respondents"].to_numpy(),
        disclosure.hierarchy_relations(grid, ["lab"], by=["wave", "theme"]),
        min_cell,
        primary=(grid["n_answers"].to_numpy() > 0) & (grid["n_answers"].to_numpy() < min_cell),
    )
    stats = ["n_respondents", "n_answers", "n_mentions", "share", "n_human", "n_auto"]
    out = disclosure.blank(grid, reason, stats)
    counts = [c for c in stats if c != "share"]
    out[counts] = out[counts].astype("Int64")  # counts stay whole numbers; blank = suppressed
    order = {t.name: i for i, t in enumerate(themes)}
    out = out.assign(_l=out["lab"].ne(ALL), _t=out["theme"].map(order))
    out = out.sort_values(["wave", "_l", "lab", "_t"], kind="stable")
    return out[THEME_COLUMNS].reset_index(drop=True)


def trim_quote(text: str, pattern: re.Pattern[str] | None) -> str:
    """The sentence in which the theme occurs (or the first), trimmed to ``MAX_QUOTE``.

    A very short sentence takes the next one along, so a quote is a sentence or two.
    """
    sentences = [s.strip() for s in _SENTENCE.split(text) if s.strip()]
    if not sentences:
        return ""
    at = 0
    if pattern is not None:
        at = next((i for i, s in enumerate(sentences) if pattern.search(fold(s))), 0)
    quote = sentences[at]
    if len(quote) < 25 and at + 1 < len(sentences):
        quote = f"{quote} {sentences[at + 1]}"
    if len(quote) > MAX_QUOTE:
        quote = quote[:MAX_QUOTE].rsplit(" ", 1)[0] + " …"
    return quote


def quote_table(
    themes_table: pd.DataFrame,
    answers: pd.DataFrame,
    codes: pd.DataFrame,
    frame: CodingFrame,
    *,
    max_themes: int = 3,
    max_quotes: int = 3,
) -> pd.DataFrame:
    """The ``open_quotes`` table: quotes for the leading themes of every shown lab × wave."""
    shown = themes_table[
        (themes_table["lab"] != ALL)
        & (themes_table["lab"] != OUTSIDE)  # quotes only for the labs' own reports
        & ~themes_table["suppressed"]
        & (themes_table["n_mentions"] > 0)
    ]
    coded = codes[["answer_id", "theme", "term"]].merge(
        answers[["answer_id", "wave", "lab", "question", "text"]], on="answer_id"
    )
    # each lab × wave × question × theme's coded answers in their row order, found by
    # key (a boolean mask over all coded answers per theme cost more than the quotes)
    keys = ["wave", "lab", "question"]
    cols = [coded[c].to_numpy(dtype=object) for c in ("term", "text", "answer_id")]
    candidates = {
        tuple(str(v) for v in key): idx
        for key, idx in coded.groupby([*keys, "theme"], sort=False).indices.items()
    }
    # the leading themes of every lab × wave × question, all groups in one sort: groups
    # in key order, within a group by mentions (descending), then the frame's order
    order = {t: i for i, t in enumerate(frame.themes)}
    lead = (
        shown.dropna(subset=keys)
        .assign(_o=shown["theme"].map(order))
        .sort_values(
            [*keys, "n_mentions", "_o"], ascending=[True, True, True, False, True], kind="stable"
        )
    )
    lead = lead[lead.groupby(keys, sort=False).cumcount().to_numpy() < max_themes]
    rows = []
    group, rank = None, 0
    used: set[str] = set()
    for wave, lab, question, theme, condition, domain in zip(
        *(lead[c].tolist() for c in (*keys, "theme", "condition", "domain")), strict=True
    ):
        if (wave, lab, question) != group:
            group, rank, used = (wave, lab, question), 0, set()
        rank += 1
        idx = candidates.get((str(wave), str(lab), str(question), str(theme)), ())
        quotes, seen = [], set(used)
        # Per quote text processing (sentence choice), a handful per theme.
        for i in idx:
            term, text, aid = cols[0][i], cols[1][i], cols[2][i]
            pattern = term_pattern(term) if isinstance(term, str) and term else None
            q = trim_quote(str(text), pattern)
            if q and q not in seen:
                seen.add(q)
                quotes.append(("[" in q, len(q), aid, q))
        for no, (_, _, _, q) in enumerate(sorted(quotes)[:max_quotes], start=1):
            used.add(q)
            rows.append((wave, lab, question, theme, condition, domain, rank, no, q))
    return pd.DataFrame(rows, columns=QUOTE_COLUMNS)


def read_open_data(ctx) -> tuple[pd.DataFrame, pd.DataFrame] | None:
    """``(open_answers, open_codes)`` of the clean and code stages, or None when absent.

    Absent when the study switched the open answers off, or ``leerlab code`` has
    not run (then the compare stage says so and publishes empty tables).
    """
    if not ctx.study.settings.open_answers or ctx.study.codebook.coding_frame is None:
        return None
    answers = ctx.out / "clean" / "open_answers.parquet"
    codes = ctx.out / "clean" / "open_codes.csv"
    if not answers.exists() or not codes.exists():
        ctx.console.print(
            "compare: no open answers coded yet (run `leerlab code`); theme tables left empty"
        )
        return None
    return pd.read_parquet(answers), pd.read_csv(codes, dtype=str, keep_default_na=False)


def open_tables(
    responses: pd.DataFrame,
    open_data: tuple[pd.DataFrame, pd.DataFrame] | None,
    codebook,
    *,
    min_cell: int,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(open_themes, open_quotes)``; empty tables with their columns when there is no data."""
    if open_data is None or codebook.coding_frame is None:
        return pd.DataFrame(columns=THEME_COLUMNS), pd.DataFrame(columns=QUOTE_COLUMNS)
    answers, codes = open_data
    # the publication design: labs are their school members, outsiders a group apart
    responses = responses.assign(lab=publication_lab(responses["lab"], responses["school_type"]))
    answers = answers.assign(lab=publication_lab(answers["lab"], answers["school_type"]))
    frame = codebook.coding_frame
    domains = {s.name: s.domain for s in codebook.scales.values()}
    themes = theme_table(responses, answers, codes, frame, domains, min_cell)
    return themes, quote_table(themes, answers, codes, frame)
