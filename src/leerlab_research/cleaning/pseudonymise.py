"""Step 1: pseudonymise the respondent key and drop direct identifiers.

The persistent respondent key (LimeSurvey token, e-mail address, respondent
number) is replaced by a keyed hash, HMAC-SHA256 (RFC 2104; FIPS 198-1), of the
*normalised* key, truncated to :data:`leerlab_research.config.schema.PSEUDONYM_HEX` hex
characters. A keyed hash rather than a plain hash because respondent numbers and
e-mail addresses are guessable: without the secret key nobody can rebuild the
table of pseudonyms. The same key and the same person give the same id in every
wave, which is what links the waves.

References
----------
Krawczyk, H., Bellare, M., & Canetti, R. (1997). HMAC: Keyed-hashing for message
authentication. RFC 2104.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata

import numpy as np
import pandas as pd

from ..config.schema import PSEUDONYM_HEX

#: Key values that mean "no key" (MS Forms writes ``anonymous`` for anonymous forms).
_NO_KEY = {"", "anonymous", "anoniem", "nan", "none"}
#: An all-digit respondent number (leading zeros are dropped, see :func:`normalise_key`).
_DIGITS = re.compile(r"[0-9]+")


def normalise_key(value: object) -> str | None:
    """Normalise a raw respondent key so that one person's spellings in different waves match.

    NFC, surrounding whitespace stripped; e-mail addresses case-folded (the
    domain is case-insensitive and people type their address differently in two
    waves); numeric keys read from SPSS as ``17.0`` become ``"17"``; leading
    zeros of an all-digit key are dropped (``"00017"`` → ``"17"``), because Excel
    turns the respondent number ``00017`` of one wave's CSV into the number 17
    in the next wave's workbook. Tokens are left case-sensitive: LimeSurvey
    tokens are case-sensitive.

    Returns ``None`` for a missing key.

    Examples
    --------
    >>> normalise_key("  Anna.de.Vries@School.NL ")
    'anna.de.vries@school.nl'
    >>> normalise_key(17.0)
    '17'
    >>> normalise_key("00017")
    '17'
    """
    if value is None:
        return None
    if isinstance(value, float):
        if np.isnan(value):
            return None
        if value.is_integer():
            return str(int(value))
    text = unicodedata.normalize("NFC", str(value)).strip()
    if "@" in text:
        text = text.casefold()
    if text.casefold() in _NO_KEY:
        return None
    if _DIGITS.fullmatch(text):
        text = text.lstrip("0") or "0"
    return text


def normalise_keys(keys: pd.Series) -> pd.Series:
    """:func:`normalise_key` for a whole column, vectorised (pandas string methods).

    Returns a ``string`` Series with NA for missing keys.
    """
    kind = pd.api.types.infer_dtype(keys, skipna=True)  # one C pass, no Python loop
    if kind in ("floating", "integer", "mixed-integer-float", "decimal"):  # SPSS ids: 17.0 → "17"
        num = pd.to_numeric(keys, errors="coerce").astype(float)
        whole = np.isfinite(num) & (num == np.round(num))
        text = num.astype(str).where(~whole, num.where(whole).astype("Int64").astype(str))
        text = text.where(np.isfinite(num)).astype("string")
    elif kind in ("string", "empty"):
        text = keys.astype("string")
    else:  # a mix of numbers and text (rare): normalise each distinct value
        codes, uniques = pd.factorize(keys, use_na_sentinel=True)
        norm = np.array([normalise_key(u) for u in uniques] + [None], dtype=object)
        return pd.Series(norm[codes], index=keys.index).astype("string")
    text = text.str.normalize("NFC").str.strip()
    email = text.str.contains("@", regex=False).fillna(False)
    text = text.where(~email, text.str.casefold())
    missing = text.isna() | text.str.casefold().isin(list(_NO_KEY)).fillna(True)
    digits = text.str.fullmatch(_DIGITS.pattern).fillna(False).astype(bool)
    stripped = text.str.lstrip("0").mask(lambda t: t == "", "0")
    text = text.where(~digits, stripped)
    return text.where(~missing)


def pseudonymise(keys: pd.Series, secret: bytes) -> pd.Series:
    """HMAC-SHA256 pseudonyms (hex prefix) of raw keys; missing keys stay missing.

    The keys are normalised vectorised (:func:`normalise_keys`); the HMAC then
    runs once per *distinct* normalised key (a comprehension over the unique
    values: there is no vectorised HMAC, and the HMAC itself runs in C, ~2 µs each).

    Parameters
    ----------
    keys
        Raw key values as read (strings, or floats from SPSS).
    secret
        The study's HMAC key, from :meth:`leerlab_research.config.study.Study.pseudonym_key`.

    Returns
    -------
    pandas.Series
        ``string`` pseudonyms of length ``PSEUDONYM_HEX`` (NA where the key is missing).
    """
    norm = normalise_keys(keys)
    codes, uniques = pd.factorize(norm, use_na_sentinel=True)
    base = hmac.new(secret, digestmod=hashlib.sha256)

    def one(text: str) -> str:
        h = base.copy()
        h.update(text.encode("utf-8"))
        return h.hexdigest()[:PSEUDONYM_HEX]

    hashed = np.array([one(str(u)) for u in uniques] + [pd.NA], dtype=object)
    return pd.Series(hashed[codes], index=keys.index, dtype="string")
