"""De-identify free text: ``deduce`` plus the study's own context.

``deduce`` (Menger et al. 2017; the maintained Dutch de-identification library)
finds person names, places, institutions, dates, phone numbers, e-mail
addresses and URLs. It was built for clinical notes, so three kinds of
knowledge are added from the study itself (:class:`Context`):

* the names and e-mail addresses in the identifying columns of the study's
  exports (a respondent who signs an answer, or names a colleague who also
  answered, possibly in another lab's or wave's file);
* the names of schools and colleges listed in ``labs.yaml`` (``schools:``);
* patterns for e-mail addresses and Dutch phone numbers, because deduce misses
  addresses under unusual top-level domains (``.example``, ``.school``).

Every span found is replaced by a readable, typed placeholder such as
``[naam]`` (:data:`PLACEHOLDERS`). Lab names and their aliases are *kept*: a lab
report is the lab's own, and deduce would otherwise take "Weert" for a place.

deduce builds its lookup structures on first use (about two minutes) and
caches them in its package folder; :func:`load_deduce` guards the build with a
file lock so that parallel processes (pytest-xdist workers) build it once, and
keeps one instance per process.

References
----------
Menger, V., Scheepers, F., van Wijk, L. M., & Spruit, M. (2018). DEDUCE: A
pattern matching method for automatic de-identification of Dutch medical text.
*Telematics and Informatics, 35*(4), 727–736.
"""

from __future__ import annotations

import functools
import gc
import logging
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..normalise import normalise_label

#: Placeholder per span type. Types not listed here do not occur.
PLACEHOLDERS = {
    "naam": "[naam]",
    "school": "[school]",
    "telefoon": "[telefoon]",
    "e-mail": "[e-mail]",
    "plaats": "[plaats]",
    "instelling": "[instelling]",
    "datum": "[datum]",
    "leeftijd": "[leeftijd]",
    "nummer": "[nummer]",
    "url": "[url]",
}

#: deduce tag (prefix) → span type.
_DEDUCE_TAGS = (
    ("patient", "naam"),
    ("persoon", "naam"),
    ("telefoon", "telefoon"),
    ("email", "e-mail"),
    ("url", "url"),
    ("datum", "datum"),
    ("leeftijd", "leeftijd"),
    ("bsn", "nummer"),
    ("id", "nummer"),
    ("instelling", "instelling"),
    ("ziekenhuis", "instelling"),
    ("locatie", "plaats"),
)

#: When two spans overlap, the merged span takes the type ranked first here:
#: study context (a known address or school) is more specific than deduce's
#: guesses (deduce takes "Beroepscollege Zuidtangent" for a person).
_RANK = {
    t: i
    for i, t in enumerate(
        dict.fromkeys(["e-mail", "telefoon", "school", "naam", "url", *PLACEHOLDERS])
    )
}

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
#: Dutch phone numbers: 06-12345678, 06 1234 5678, 010-1234567, 0485 123456, +31 6 12345678,
#: (0031) 6-1234 5678. Ten digits after the leading 0 (or 9 after +31/0031).
_PHONE = re.compile(
    r"(?<![\w+])(?:(?:\+|00)31[\s-]?(?:\(0\))?[\s-]?|\(?0)\d(?:[\s-]?\)?[\s-]?\d){8}(?!\w)"
)
#: Words that join the parts of a Dutch surname; never matched on their own.
_PARTICLES = {"de", "den", "der", "van", "het", "ter", "ten", "te", "in", "op", "'t", "la", "le"}


@dataclass(frozen=True)
class Span:
    """One personal value found in a text: ``text[start:end]`` of type ``kind``."""

    start: int
    end: int
    kind: str


@dataclass
class Context:
    """What the study knows about the people and places of one export.

    Parameters
    ----------
    names
        Names from the export's identifying columns (full names as typed).
    emails
        E-mail addresses from the export's identifying columns.
    schools
        School and college names from ``labs.yaml``.
    keep
        Spellings that stay even when deduce marks them (lab names and aliases).
    common
        Tells whether a lower-case word is an ordinary Dutch word (deduce's
        whitelist); such a word is no name on its own ("Meer" of "van der
        Meer" would otherwise blank "Meer tijd in het rooster").
    """

    names: Iterable[str] = ()
    emails: Iterable[str] = ()
    schools: Iterable[str] = ()
    keep: Iterable[str] = ()
    common: Callable[[str], bool] | None = None
    _patterns: list[tuple[re.Pattern[str], str]] = field(default_factory=list, init=False)
    _keep: set[str] = field(default_factory=set, init=False)

    def __post_init__(self) -> None:
        full, parts = set(), set()
        for name in self.names:
            name = " ".join(str(name).split())
            if not name or any(ch.isdigit() for ch in name) or "@" in name:
                continue
            full.add(name)
            words = name.split(" ")
            # A surname with its particles ("van den Berg") and each capitalised
            # part on its own ("Berg", "Anna"): people write either.
            for i, w in enumerate(words):
                if w.casefold() in _PARTICLES:
                    continue
                if len(w) >= 3 and w[0].isupper() and not (self.common and self.common(w.lower())):
                    parts.add(w)
                if i > 0 and words[i - 1].casefold() in _PARTICLES:
                    j = i - 1
                    while j > 0 and words[j - 1].casefold() in _PARTICLES:
                        j -= 1
                    full.add(" ".join(words[j : i + 1]))
        emails = {str(e).strip() for e in self.emails if "@" in str(e)}
        schools = {" ".join(str(s).split()) for s in self.schools if str(s).strip()}
        # Longest first, so that "Anna de Vries" wins over "Anna".
        for values, kind, flags in (
            (emails, "e-mail", re.IGNORECASE),
            (schools, "school", re.IGNORECASE),
            (full, "naam", re.IGNORECASE),
            (parts, "naam", 0),  # single capitalised words: case-sensitive ("Roos", not "roos")
        ):
            if values:
                alt = "|".join(re.escape(v) for v in sorted(values, key=lambda v: (-len(v), v)))
                self._patterns.append((re.compile(rf"(?<!\w)(?:{alt})(?!\w)", flags), kind))
        self._keep = {normalise_label(k) for k in self.keep}

    def spans(self, text: str) -> list[Span]:
        """Spans of known names, schools and addresses, and e-mail/phone patterns."""
        out = [
            Span(m.start(), m.end(), kind)
            for pat, kind in self._patterns
            for m in pat.finditer(text)
        ]
        out += [Span(m.start(), m.end(), "e-mail") for m in _EMAIL.finditer(text)]
        out += [Span(m.start(), m.end(), "telefoon") for m in _PHONE.finditer(text)]
        return out

    def keeps(self, value: str) -> bool:
        """True for a lab name or alias (these stay in the text)."""
        return normalise_label(value) in self._keep


def _deduce_kind(tag: str) -> str | None:
    tag = tag.lower()
    for prefix, kind in _DEDUCE_TAGS:
        if tag.startswith(prefix):
            return kind
    return None


def merge_spans(spans: Iterable[Span]) -> list[Span]:
    """Merge overlapping or touching spans; the merged span keeps the best-ranked type."""
    merged: list[Span] = []
    for s in sorted(spans, key=lambda s: (s.start, -s.end)):
        if merged and s.start <= merged[-1].end:
            last = merged[-1]
            kind = min(last.kind, s.kind, key=lambda k: _RANK.get(k, len(_RANK)))
            merged[-1] = Span(last.start, max(last.end, s.end), kind)
        else:
            merged.append(s)
    return merged


def redact(text: str, spans: list[Span]) -> str:
    """``text`` with each (merged, non-overlapping) span replaced by its placeholder."""
    pieces, pos = [], 0
    for s in spans:
        pieces += [text[pos : s.start], PLACEHOLDERS[s.kind]]
        pos = s.end
    pieces.append(text[pos:])
    return "".join(pieces)


@dataclass
class Deidentifier:
    """deduce with the study's context; counts replacements per type.

    Use :func:`load_deduce` for the deduce instance (built once per process).
    """

    deduce: Any
    counts: Counter = field(default_factory=Counter)

    def is_common_word(self, word: str) -> bool:
        """True for a word on deduce's whitelist (common Dutch words, stop words)."""
        return word in self.deduce.lookup_structs["whitelist"]

    def __call__(self, text: str, context: Context) -> str:
        """De-identify one answer.

        The respondent's own name is *not* given to deduce as its "patient":
        deduce matches a patient's name with one edit allowed, which turns the
        word "ook" into a name for everybody called Kok. The exact names from the
        exports are in ``context`` instead.

        Parameters
        ----------
        text
            The answer as typed.
        context
            Names, e-mail addresses and schools of the study, and what to keep.
        """
        doc = self.deduce.deidentify(text)
        found = []
        for ann in doc.annotations:
            kind = _deduce_kind(ann.tag)
            if kind is None or context.keeps(ann.text):
                continue
            found.append(Span(ann.start_char, ann.end_char, kind))
        found += context.spans(text)
        spans = merge_spans(found)
        self.counts.update(s.kind for s in spans)
        return redact(text, spans)

    def scrub(self, text: str, context: Context) -> tuple[str, dict[str, int]]:
        """De-identify one answer; also its replacements per type (``{"naam": 2}``)."""
        before = Counter(self.counts)
        clean = self(text, context)
        return clean, dict(self.counts - before)


def deduce_cache_file() -> Path:
    """Where deduce keeps its pickled lookup structures (inside its package)."""
    import importlib.util

    spec = importlib.util.find_spec("deduce")
    if spec is None or spec.origin is None:  # pragma: no cover - a dependency
        raise ModuleNotFoundError("deduce")
    return Path(spec.origin).parent / "data" / "lookup" / "cache" / "lookup_structs.pickle"


@functools.cache
def load_deduce() -> Any:
    """One ``deduce.Deduce`` per process, built under a file lock.

    deduce configures the root logger (DEBUG to stdout) when imported; that
    would mix its messages into ``leerlab codebook --format json`` output, so
    the root logger is restored right after the import.
    """
    from filelock import FileLock

    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        from deduce import Deduce
    finally:
        for h in list(root.handlers):
            if h not in handlers:
                root.removeHandler(h)
        root.setLevel(level)
    cache = deduce_cache_file()
    cache.parent.mkdir(parents=True, exist_ok=True)
    # Unpickling the cached lookup structures creates millions of small objects,
    # and the cyclic garbage collector would traverse all of them again each time
    # enough new ones have been made: 6 s of CPU instead of 1.6 s. They live as
    # long as the process, so the collector is off while they load and they are
    # frozen out of its reach afterwards (every later full collection of the
    # stage would traverse them too). A first build (no cache yet) runs as usual.
    paused = cache.exists() and gc.isenabled()
    if paused:
        gc.disable()
    try:
        # Two processes that both find no cache would each spend two minutes building it.
        with FileLock(str(cache.parent / ".leerlab-build.lock")):
            deduce = Deduce()
    finally:
        if paused:
            gc.enable()
    gc.freeze()
    return deduce


def warm_deduce() -> None:
    """Load deduce in this process now, ahead of the first answer (a worker's head start).

    Returns nothing on purpose: the loaded model stays in the process that loaded
    it; sending it anywhere would cost more than loading it.
    """
    load_deduce()


def deduce_loaded() -> bool:
    """True when this process has loaded deduce already (:func:`load_deduce` is cached)."""
    return load_deduce.cache_info().currsize > 0


def scrub_batches(
    batches: list[list[str]],
    names: list[str],
    emails: list[str],
    schools: list[str],
    keep: list[str],
) -> list[list[tuple[str, dict[str, int]]]]:
    """De-identify batches of answers: per answer its text and replacements per type.

    Module-level so that the clean stage's worker process can run it: the worker
    loads deduce (≈ 1.7 s of CPU) while the stage reads the exports, then
    de-identifies every answer here. ``names``, ``emails``, ``schools`` and ``keep``
    are those of :class:`Context`.
    """
    deid = Deidentifier(load_deduce())
    context = Context(
        names=names, emails=emails, schools=schools, keep=keep, common=deid.is_common_word
    )
    # One deduce call per answer: text processing per answer is inherent.
    return [[deid.scrub(text, context) for text in texts] for texts in batches]
