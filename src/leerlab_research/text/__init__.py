"""The one text catalogue (Dutch default, English) and the number formats of every output.

Reports and figures both take their fixed texts from :data:`MESSAGES` through
:func:`msg`; a test checks that every key has both languages. Below the
catalogue: text that adapts to the data.

Templates never build sentences from numbers themselves: they call these tested
helpers. A comparison word such as "hoger dan het programmagemiddelde" appears
only when the interval says so; otherwise the text says the difference cannot be
distinguished from chance.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Iterable, Sequence

from .lab_messages import LAB_MESSAGES
from .messages import BASE_MESSAGES
from .method_messages import TABLE_METHODS
from .report_messages import REPORT_MESSAGES

#: Fixed texts of the reports and figures. Keys are stable; add a language by adding a column.
MESSAGES: dict[str, dict[str, str]] = {**BASE_MESSAGES, **REPORT_MESSAGES, **LAB_MESSAGES}


def msg(key: str, lang: str = "nl", **fields: object) -> str:
    """The fixed text ``key`` in ``lang`` (Dutch when no translation), formatted with ``fields``."""
    entry = MESSAGES[key]
    text = entry.get(lang) or entry["nl"]
    return text.format(**fields) if fields else text


#: The suppression reasons ``compare/disclosure.py`` writes into ``suppression_reason``
#: and the catalogue keys that say them: (full text, short text for small cells).
HIDDEN_REASONS: dict[str, tuple[str, str]] = {
    "primary": ("too_few_n", "short_too_few"),
    "complementary": ("hidden_complementary", "short_hidden_complementary"),
}


def hidden_reason(
    reason: str, lang: str = "nl", min_cell: int | None = 5, short: bool = False
) -> str:
    """Why a cell is not shown, in words that are true for its suppression reason.

    ``"primary"`` (fewer than ``min_cell`` answers): *te weinig antwoorden (minder
    dan 5)*; ``"complementary"`` (hidden so that a smaller group cannot be worked
    out by subtraction): *verborgen om een kleinere groep te beschermen*. A blank
    reason is a cell no stage could estimate (*niet geschat*). With ``short=True``
    the words fit a heatmap tile (``n < 5``, *verborgen*, ``–``). Without
    ``min_cell`` the threshold is not named.

    Raises
    ------
    ValueError
        For a reason ``compare/disclosure.py`` does not write: a new reason needs
        its own true words here, never the words of another.
    """
    if not reason:
        return msg("short_too_few_plain" if short else "not_estimated", lang)
    if reason not in HIDDEN_REASONS:
        raise ValueError(f"unknown suppression_reason {reason!r}; known: {sorted(HIDDEN_REASONS)}")
    key = HIDDEN_REASONS[reason][1 if short else 0]
    if reason == "primary" and min_cell is None:
        return msg("short_too_few_plain" if short else "fig_too_few", lang)
    return msg(key, lang, min_cell=min_cell)  # str.format ignores an unused field


def hidden_reasons(reasons: Iterable[str], lang: str = "nl", min_cell: int | None = 5) -> str:
    """One phrase for several hidden cells: each distinct reason's true words, joined by *of*.

    Cells hidden for different reasons share a sentence in the reports (e.g. the
    conditions whose change is hidden); naming only one reason would make it
    untrue for the others. Order: primary, complementary, not estimated.
    """
    given: set[str] = set(reasons)
    order: list[str] = [r for r in ("primary", "complementary", "") if r in given]
    order += sorted(given - set(order))
    texts = [hidden_reason(r, lang, min_cell) for r in order]
    return f" {msg('or_word', lang)} ".join(texts)


def fmt_num(value: float | None, decimals: int = 1, lang: str = "nl") -> str:
    """Format a number with a decimal comma in Dutch (``3,4``) and a point in English.

    Missing values (None/NaN) become an en dash.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    text = f"{value:.{decimals}f}"
    if text.startswith("-") and float(text) == 0:
        text = text[1:]
    # one minus sign throughout (U+2212), as in the figures' tick labels
    text = text.replace("-", "−")
    return text.replace(".", ",") if lang == "nl" else text


def fmt_interval(low: float, high: float, decimals: int = 1, lang: str = "nl") -> str:
    """An interval as ``[3,1; 3,6]`` (nl: semicolon, since the comma is the decimal mark)."""
    sep = "; " if lang == "nl" else ", "
    return f"[{fmt_num(low, decimals, lang)}{sep}{fmt_num(high, decimals, lang)}]"


def join_words(words: Sequence[str], lang: str = "nl") -> str:
    """``a``, ``a en b``, ``a, b en c`` (no serial comma in Dutch)."""
    words = list(words)
    if not words:
        return ""
    if len(words) == 1:
        return words[0]
    conj = msg("and", lang)
    comma = "," if lang == "en" and len(words) > 2 else ""
    return f"{', '.join(words[:-1])}{comma} {conj} {words[-1]}"


def versus_programme(ci_low: float, ci_high: float, programme_mean: float) -> str:
    """``above``, ``below`` or ``indistinguishable``: the interval decides, not the point.

    Parameters
    ----------
    ci_low, ci_high
        Interval of the lab's (shrunken) estimate.
    programme_mean
        The programme mean on the same scale.
    """
    if any(v is None or math.isnan(v) for v in (ci_low, ci_high, programme_mean)):
        return "suppressed"
    if ci_low > programme_mean:
        return "above"
    if ci_high < programme_mean:
        return "below"
    return "indistinguishable"


def change_direction(ci_low: float, ci_high: float) -> str:
    """``increase``/``decrease`` only when the interval of the change (later − earlier wave)
    excludes zero."""
    if any(v is None or math.isnan(v) for v in (ci_low, ci_high)):
        return "suppressed"
    if ci_low > 0:
        return "increase"
    if ci_high < 0:
        return "decrease"
    return "no_change"


def profile_sentence(label: str, status: str, lang: str = "nl") -> str:
    """One sentence on a scale against the programme, e.g.

    >>> profile_sentence("Gedeelde ambitie", "above")
    'Gedeelde ambitie: hoger dan het programmagemiddelde.'
    """
    return f"{label}: {msg(status, lang)}."


def summary_paragraph(
    lab_name: str,
    n: int | None,
    above: Sequence[str],
    below: Sequence[str],
    strongest: str | None,
    weakest: str | None,
    lang: str = "nl",
    wave: str | None = None,
) -> str:
    """The plain-language opening paragraph of a lab report.

    Parameters
    ----------
    lab_name
        Display name of the lab.
    n
        Number of respondents behind the lab's results (None when not published).
    above, below
        Labels of the scales whose interval lies entirely above / below the
        programme mean (see :func:`versus_programme`).
    strongest, weakest
        Labels of the lab's relatively strongest and weakest condition (from the
        within-person profile), or None when not determinable.
    wave
        The wave the results describe (named in the first sentence), optional.
    """
    when = msg("summary_wave", lang).format(wave=wave) if wave else ""
    if n is None:
        parts = [msg("summary_no_n", lang).format(lab=lab_name, when=when)]
    else:
        parts = [msg("summary_n", lang).format(lab=lab_name, n=n, when=when)]
    if strongest and weakest:
        parts.append(msg("summary_strong_weak", lang).format(strongest=strongest, weakest=weakest))
    if above:
        parts.append(msg("summary_above", lang).format(scales=join_words(above, lang)))
    if below:
        parts.append(msg("summary_below", lang).format(scales=join_words(below, lang)))
    if not above and not below:
        parts.append(msg("summary_none", lang))
    return " ".join(parts)


def reliability_sentence(
    label: str, alpha: float, omega: float | None, reliable: bool, lang: str = "nl"
) -> str:
    """One sentence per scale for policy staff.

    Cut-offs: α ≥ .80 reliable, .70–.80 acceptable, below .70 not reliable enough
    (Nunnally 1978 conventions; the methods report gives the intervals).
    """
    if not reliable or alpha is None or math.isnan(alpha):
        status = "unreliable" if reliable else "too_few"
    elif alpha >= 0.80:
        status = "reliable"
    elif alpha >= 0.70:
        status = "acceptable"
    else:
        status = "unreliable"
    a = fmt_num(alpha, 2, lang)
    if status == "too_few":
        return f"{label}: {msg('too_few', lang)}."
    omega_part = (
        f", ω = {fmt_num(omega, 2, lang)}" if omega is not None and not math.isnan(omega) else ""
    )
    if lang == "en":
        return f"{label} is {msg(status, lang)} (α = {a}{omega_part})."
    return f"{label} is {msg(status, lang)} (α = {a}{omega_part})."


def fmt_pct(value: float, lang: str = "nl") -> str:
    """A percentage rounded half up to a whole number, e.g. ``"37%"``."""
    return f"{int(math.floor(value + 0.5))}%"


def fmt_tick(value: float, lang: str = "nl") -> str:
    """A tick label with as few decimals as needed (``0,25``, ``−0,5``, ``0``)."""
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    if text in ("-0", ""):
        text = "0"
    text = text.replace("-", "−")
    return text.replace(".", ",") if lang == "nl" else text


def fmt_signed(value: float, decimals: int = 2, lang: str = "nl") -> str:
    """A difference with its sign: ``+0,12``, ``−0,30`` (one minus sign, U+2212), ``0,00``."""
    text = fmt_num(value, decimals, lang)
    if text == "–" or text.startswith("−"):
        return text
    return text if float(text.replace(",", ".")) == 0 else "+" + text


def typeset(name: str) -> str:
    """A name as printed: the elided article in ``'s-Hertogenbosch`` gets U+2019.

    Markdown's smart quotes would turn a leading ``'`` into an opening quote (‘).
    """
    if name.startswith("'s-") or name.startswith("‘s-"):
        return "’" + name[1:]
    return name


def change_summary(up: Sequence[str], down: Sequence[str], lang: str = "nl") -> str:
    """One sentence on change since the previous wave; unchanged conditions share it."""
    parts = []
    if up:
        parts.append(msg("change_up", lang, scales=join_words(up, lang)))
    if down:
        # alone, the decrease carries the "since the previous wave" itself
        key = "change_down" if up else "change_down_alone"
        parts.append(msg(key, lang, scales=join_words(down, lang)))
    return " ".join(parts) if parts else msg("change_none", lang)


#: Month names per language (the catalogue's one place for them).
MONTHS = {
    "nl": (
        "januari februari maart april mei juni juli augustus september oktober november december"
    ).split(),
    "en": (
        "January February March April May June July August September October November December"
    ).split(),
}


def fmt_date(day: datetime.date, lang: str = "nl") -> str:
    """A day in words: ``21 juni 2024`` (nl), ``21 June 2024`` (en)."""
    return f"{day.day} {MONTHS.get(lang, MONTHS['nl'])[day.month - 1]} {day.year}"


def fmt_period(start: datetime.date, end: datetime.date, lang: str = "nl") -> str:
    """A fieldwork period in months: ``mei–juni 2024``, ``september 2022``,
    ``december 2022–januari 2023`` (en dash, no spaces within one year)."""
    names = MONTHS.get(lang, MONTHS["nl"])
    a, b = names[start.month - 1], names[end.month - 1]
    if start.year != end.year:
        return f"{a} {start.year}–{b} {end.year}"
    if start.month == end.month:
        return f"{a} {start.year}"
    return f"{a}–{b} {start.year}"


def table_method(name: str, lang: str = "nl") -> tuple[str, str, str] | None:
    """What a comparison table holds, its test and its correction, in words (None: unknown)."""
    entry = TABLE_METHODS.get(name)
    if entry is None:
        return None
    return entry.get(lang) or entry["nl"]
