"""Text normalisation for matching export headers, answer labels and lab names.

Exports spell the same thing many ways: NFD vs NFC accents, typographic vs
straight quotes, ``'s-Hertogenbosch`` vs ``s-Hertogenbosch``, ``IJburg`` vs
``Ijburg`` vs the ligature ``Ĳburg``, non-breaking spaces, trailing punctuation.
No library covers this Dutch-specific set, hence this small module.
"""

from __future__ import annotations

import re
import unicodedata

_QUOTES = str.maketrans(
    {
        "\u2019": "'",
        "\u2018": "'",
        "\u201a": "'",
        "\u02bc": "'",
        "`": "'",
        "\u00b4": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u00a0": " ",
        "\u2009": " ",
        "\u202f": " ",
        "\u0132": "IJ",
        "\u0133": "ij",
    }
)
_NON_ALNUM = re.compile(r"[^0-9a-z]+")


def nfc(text: str) -> str:
    """Return ``text`` in Unicode NFC with typographic quotes and spaces made plain."""
    return unicodedata.normalize("NFC", text).translate(_QUOTES)


def normalise_label(text: object) -> str:
    """Normalise a header, answer label or name for matching.

    NFC, ligature ``Ĳ`` → ``ij``, case-folded, quotes and punctuation removed,
    runs of whitespace/hyphens collapsed to one space, stripped.

    Examples
    --------
    >>> normalise_label("’s-Hertogenbosch") == normalise_label("s-Hertogenbosch")
    True
    >>> normalise_label("Amsterdam Ĳburg")
    'amsterdam ijburg'
    >>> normalise_label("  Helemaal  mee EENS. ")
    'helemaal mee eens'
    """
    if text is None:
        return ""
    s = nfc(str(text)).casefold()
    s = s.replace("'", "")
    # Strip accents after NFC so "geëvalueerd" matches "geevalueerd" in hand-typed headers.
    s = "".join(c for c in unicodedata.normalize("NFD", s) if not unicodedata.combining(c))
    return _NON_ALNUM.sub(" ", s).strip()
