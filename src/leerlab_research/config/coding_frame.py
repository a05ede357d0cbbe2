"""The coding frame for the open questions: part of the codebook (``coding_frame:``).

A theme belongs to one question (``goed`` for *Wat gaat goed?*, ``beter`` for
*Wat kan beter?*) and to exactly one of the nine conditions (``condition:`` a
scale name) or, when it spans conditions, one of the three domains
(``domain:``). It has a Dutch and English label and description, example
phrases for human coders, and ``terms`` for the automatic proposal
(:mod:`leerlab_research.coding.matcher`): whole words, case- and
accent-insensitive; ``*`` at the end of a word allows any ending.

:func:`frame_problems` checks the frame against the rest of the codebook and is
called by :func:`leerlab_research.codebook.load_codebook`, so that a frame that
names an unknown scale fails like any other codebook error (exit 2, naming the
YAML path).
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Question = Literal["goed", "beter"]
#: The open questions in order (the coding sheets' answer sheets are named after them).
QUESTIONS: tuple[Question, ...] = ("goed", "beter")
#: The coding sheets' column for an answer with no theme of the frame.
NONE_COLUMN = "geen_thema"
#: A term: words of letters, digits, apostrophes and hyphens, optionally ending in ``*``.
_TERM = re.compile(r"^[\w'’-]+\*?(?: [\w'’-]+\*?)*$", re.UNICODE)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FrameText(_Model):
    nl: str
    en: str | None = None

    def get(self, lang: str = "nl") -> str:
        return getattr(self, lang, None) or self.nl  # Dutch when no translation


class FrameExamples(_Model):
    nl: list[str] = Field(default_factory=list)
    en: list[str] = Field(default_factory=list)


class Theme(_Model):
    """One theme of the frame (see the module docstring)."""

    name: str = ""
    question: Question
    condition: str | None = None
    domain: str | None = None
    label: FrameText
    description: FrameText
    examples: FrameExamples = Field(default_factory=FrameExamples)
    terms: list[str] = Field(default_factory=list)


class CodingFrame(_Model):
    version: str
    themes: dict[str, Theme]

    def model_post_init(self, _context: object) -> None:
        for key, theme in self.themes.items():
            if not theme.name:
                object.__setattr__(theme, "name", key)

    def for_question(self, question: str) -> list[Theme]:
        """Themes of one question in frame order."""
        return [t for t in self.themes.values() if t.question == question]

    def domain_of(self, theme: str, scale_domains: dict[str, str]) -> str:
        """The domain a theme belongs to (its condition's domain, or its own)."""
        t = self.themes[theme]
        return t.domain if t.domain is not None else scale_domains[t.condition or ""]


def frame_problems(
    frame: CodingFrame, scales: dict[str, str], domains: list[str], fname: str
) -> list[str]:
    """Every problem of the frame, each naming its YAML path and value.

    Parameters
    ----------
    frame
        The parsed frame.
    scales
        Scale name → domain, from the codebook.
    domains
        The codebook's domains.
    fname
        File name for the messages.
    """
    p: list[str] = []
    for key, theme in frame.themes.items():
        base = f"{fname}: coding_frame.themes.{key}"
        if not re.fullmatch(r"[a-z][a-z0-9_]*", key):
            p.append(f"{base}: theme name {key!r} must be lowercase letters, digits and '_'")
        if (theme.condition is None) == (theme.domain is None):
            p.append(f"{base}: give exactly one of condition (a scale) or domain")
        if theme.condition is not None and theme.condition not in scales:
            p.append(
                f"{base}.condition: unknown condition {theme.condition!r} "
                f"(known: {', '.join(scales)})"
            )
        if theme.domain is not None and theme.domain not in domains:
            p.append(
                f"{base}.domain: unknown domain {theme.domain!r} (known: {', '.join(domains)})"
            )
        if theme.label.en is None or theme.description.en is None:
            p.append(f"{base}: label and description need an English text (en)")
        if not theme.terms:
            p.append(f"{base}.terms: a theme needs at least one term for the automatic proposal")
        seen: set[str] = set()
        for i, term in enumerate(theme.terms):
            if not _TERM.match(term.strip()):
                p.append(
                    f"{base}.terms[{i}]: {term!r} is not a term (words, '*' only at a word's end)"
                )
            if term.casefold() in seen:
                p.append(f"{base}.terms[{i}]: term {term!r} listed twice")
            seen.add(term.casefold())
    for q in QUESTIONS:
        if not frame.for_question(q):
            p.append(f"{fname}: coding_frame.themes: no theme for question {q!r}")
    return p
