"""The automatic proposal: a transparent, deterministic term matcher on the coding frame.

A theme is proposed for an answer when one of its ``terms`` occurs in it.
Matching is on whole words after folding case and accents ("Vergaderen",
"vergaderen" and "vergadéren" are one word). A ``*`` at the end of a word
allows any ending, which covers a Dutch lemma's inflections and compounds
("rooster*" = rooster, roosters, roostering); several words must follow each
other, with only spaces or punctuation between them.

Every proposal names the term that matched (``term`` in ``open_codes.csv``),
so a coder can see why a theme was proposed. Nothing is learned from data;
the same frame and answers always give the same proposals.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import pandas as pd

from ..config.coding_frame import CodingFrame

#: Columns of ``clean/open_codes.csv``.
CODE_COLUMNS = ["answer_id", "question", "theme", "source", "coder", "term"]


def fold(text: str) -> str:
    """Case- and accent-folded text ("Coördinatie" → "coordinatie")."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def term_pattern(term: str) -> re.Pattern[str]:
    """The regular expression of one frame term (see the module docstring).

    >>> bool(term_pattern("korte lijn*").search("korte lijnen met het mbo"))
    True
    >>> bool(term_pattern("les").search("lessen"))
    False
    """
    words = []
    for word in fold(term.strip()).split():
        stem, star = (word[:-1], True) if word.endswith("*") else (word, False)
        words.append(re.escape(stem) + (r"\w*" if star else ""))
    return re.compile(r"(?<!\w)" + r"[\W_]+".join(words) + r"(?!\w)")


@dataclass(frozen=True)
class Matcher:
    """Compiled terms of a frame, per question and theme in frame order."""

    patterns: dict[str, list[tuple[str, list[tuple[str, re.Pattern[str]]]]]]

    @classmethod
    def from_frame(cls, frame: CodingFrame) -> Matcher:
        out: dict[str, list] = {}
        for theme in frame.themes.values():
            compiled = [(t, term_pattern(t)) for t in theme.terms]
            out.setdefault(theme.question, []).append((theme.name, compiled))
        return cls(out)

    def themes_of(self, text: str, question: str) -> list[tuple[str, str]]:
        """(theme, first matching term) for every theme of ``question`` found in ``text``."""
        folded = fold(text)
        found = []
        for theme, terms in self.patterns.get(question, []):
            for term, pattern in terms:
                if pattern.search(folded):
                    found.append((theme, term))
                    break
        return found


def propose(answers: pd.DataFrame, frame: CodingFrame) -> pd.DataFrame:
    """Automatic codes for every answer: one row per (answer, theme) found.

    Parameters
    ----------
    answers
        ``clean/open_answers.parquet`` (``answer_id``, ``question``, ``text``).
    frame
        The codebook's coding frame.

    Returns
    -------
    pandas.DataFrame
        :data:`CODE_COLUMNS`, ``source = "auto"``, ``coder`` empty, sorted by
        answer and theme order in the frame.
    """
    matcher = Matcher.from_frame(frame)
    order = {name: i for i, name in enumerate(frame.themes)}
    rows = []
    # Text matching per answer is inherent (regular expressions on each text).
    for answer_id, question, text in zip(
        answers["answer_id"], answers["question"], answers["text"], strict=True
    ):
        for theme, term in matcher.themes_of(str(text), str(question)):
            rows.append((answer_id, question, theme, "auto", "", term))
    out = pd.DataFrame(rows, columns=CODE_COLUMNS)
    out["_order"] = out["theme"].map(order)
    out = out.sort_values(["answer_id", "_order"], kind="stable").drop(columns="_order")
    return out.reset_index(drop=True).astype("string")
