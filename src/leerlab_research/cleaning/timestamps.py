"""Timestamps of survey exports → naive local time (the clean table's contract).

What the platforms write (survey-formats.md §1):

Google Forms (direct CSV download)
    ``2026/03/09 11:29:57 AM CET``, ``… PM CEST``, ``… AM GMT+1``, ``GMT+5:30``,
    ``GMT`` (the form's time zone as an abbreviation or a GMT offset). Note that
    ``GMT+1`` means one hour *ahead* of UTC (not the inverted POSIX ``Etc/GMT+1``).
Google Sheets download
    sheet-locale text without a zone (``9/3/2026 18:05:12``).
Microsoft Forms
    real Excel datetimes in the workbook (no zone); ISO 8601 with ``Z`` or an
    offset and 7 fraction digits from Power Automate / Graph
    (``2026-03-09T10:29:57.1234567Z``); US-locale text after a CSV re-save.
Qualtrics
    ``2026-03-09 11:29:57`` with the zone in the ImportId row
    (``{"ImportId":"startDate","timeZone":"America/Denver"}``; ``"Z"`` = UTC);
    ISO 8601 with ``Z`` from the API.
LimeSurvey, SPSS, Dutch Excel
    database or locale text without a zone.

Rule (README, "Dates and time zones"): a timestamp that names its zone (an
abbreviation from :data:`ZONE_OFFSETS`, a ``GMT``/``UTC`` offset, ``Z``, an ISO
offset, or the export's declared zone such as Qualtrics' ``timeZone``) is
converted to the study's zone (``settings.cleaning.time_zone``, default
``Europe/Amsterdam``) and stored without zone; a timestamp without any zone is
taken to be local time already and kept as written. A zone abbreviation that is
not in the table (``IST``, ``CST``: they mean different zones in different
countries) is a failure naming the value, not a guess.
"""

from __future__ import annotations

import re
import warnings
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import pandas as pd

from .values import Parsed

#: Unambiguous zone abbreviations that Google Forms and other exports write → minutes
#: east of UTC. Abbreviations that name different zones in different countries (IST,
#: CST, AST) are deliberately absent; ``BST`` is British Summer Time, the only meaning
#: Google uses for it.
ZONE_OFFSETS: dict[str, int] = {
    "Z": 0,
    "UT": 0,
    "UTC": 0,
    "GMT": 0,
    "WET": 0,
    "WEST": 60,
    "BST": 60,
    "CET": 60,
    "MET": 60,
    "CEST": 120,
    "MEST": 120,
    "MEZ": 60,
    "MESZ": 120,
    "EET": 120,
    "EEST": 180,
    "EST": -300,
    "EDT": -240,
    "CDT": -300,
    "MST": -420,
    "MDT": -360,
    "PST": -480,
    "PDT": -420,
}

#: A time of day (with optional AM/PM), then a zone: an abbreviation, a GMT/UTC
#: offset, a bare ISO offset or an IANA name. Requiring the time keeps the trailing
#: ``-09`` of a date such as ``2026-03-09`` from being read as an offset.
_WITH_ZONE = re.compile(
    r"^(?P<body>.*?\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:\s*[AaPp]\.?\s?[Mm]\.?)?)"
    r"\s*(?!(?:[AaPp]\.?\s?[Mm]\.?)$)(?P<zone>"
    r"Z"
    r"|(?:(?:GMT|UTC|UT)\s*)?[+\-\u2212]\s*\d{1,2}(?::?\d{2})?"
    r"|[A-Za-z]{2,5}"
    r"|[A-Za-z]+/[A-Za-z_]+(?:/[A-Za-z_]+)?"
    r")$"
)
_OFFSET = re.compile(
    r"^(?:GMT|UTC|UT)?\s*(?P<sign>[+\-\u2212])\s*(?P<h>\d{1,2})(?::?(?P<m>\d{2}))?$"
)
_YEAR_FIRST = re.compile(r"^\s*\d{4}[-/.]")


def study_zone(name: str) -> ZoneInfo:
    """The IANA zone of the study (``settings.cleaning.time_zone``); KeyError if unknown."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise KeyError(name) from exc


def zone_offset(zone: str) -> tuple[int | None, str | None, str | None]:
    """Minutes east of UTC of a written zone, or an IANA name, or a failure message.

    Returns
    -------
    (offset, iana, message)
        ``offset`` for abbreviations and offsets; ``iana`` for a name such as
        ``Europe/Amsterdam``; ``message`` when the zone cannot be used.
    """
    token = zone.strip()
    if token.upper() in ZONE_OFFSETS:
        return ZONE_OFFSETS[token.upper()], None, None
    m = _OFFSET.match(token.upper())
    if m:
        minutes = int(m.group("h")) * 60 + int(m.group("m") or 0)
        if minutes > 14 * 60:
            return None, None, f"time-zone offset {token!r} is out of range"
        return (-minutes if m.group("sign") != "+" else minutes), None, None
    if "/" in token:
        try:
            ZoneInfo(token)
        except (ZoneInfoNotFoundError, ValueError):
            return None, None, f"unknown time zone {token!r}"
        return None, token, None
    return (
        None,
        None,
        f"time-zone abbreviation {token!r} is unknown or ambiguous; write the offset "
        "(e.g. GMT+1) or convert the column to local time",
    )


def _parse_bodies(bodies: pd.Series, dayfirst: bool) -> pd.Series:
    """Parse zone-free texts; year-first dates (``2026/03/09``) are never day-first."""
    out = pd.Series(pd.NaT, index=bodies.index, dtype="datetime64[ns]")
    year_first = bodies.str.match(_YEAR_FIRST.pattern).fillna(False).to_numpy(dtype=bool)
    for mask, first in ((year_first, False), (~year_first, dayfirst)):
        if not mask.any():
            continue
        part = bodies[mask]
        with warnings.catch_warnings():
            # "Could not infer format" is expected for mixed layouts: the retry handles them.
            warnings.simplefilter("ignore", UserWarning)
            try:
                got = pd.to_datetime(part, dayfirst=first, errors="coerce")
            except (ValueError, TypeError):
                got = pd.Series(pd.NaT, index=part.index, dtype="datetime64[ns]")
            if getattr(got.dt, "tz", None) is not None:
                got = got.dt.tz_localize(None)
            got = got.astype("datetime64[ns]")
            retry = got.isna()
            if retry.any():
                again = pd.to_datetime(
                    part[retry], dayfirst=first, errors="coerce", format="mixed", utc=True
                )
                got[retry] = again.dt.tz_localize(None).astype("datetime64[ns]")
        out[mask] = got
    return out


def parse_datetime(
    series: pd.Series,
    *,
    dayfirst: bool,
    zone: str = "Europe/Amsterdam",
    source_zone: str | None = None,
) -> Parsed:
    """Timestamps as naive local time in ``zone`` (see the module docstring for the rule).

    Works on the distinct values of the column (``pandas.factorize``), so the cost
    does not grow with a loop over respondents. Excel datetimes pass through as local
    time unless ``source_zone`` says otherwise.

    Parameters
    ----------
    series
        One export column (text, Timestamps or datetime64).
    dayfirst
        The reader's detected day/month order for zone-free d-m-y text.
    zone
        The study's IANA zone (``settings.cleaning.time_zone``).
    source_zone
        The zone the export declares for the whole column (Qualtrics' ``timeZone``;
        ``"Z"`` = UTC). Applies to values that name no zone themselves.

    Returns
    -------
    Parsed
        ``values`` datetime64[ns] (naive), ``bad`` and a message per failing cell.

    Notes
    -----
    R: ``lubridate::parse_date_time(x, orders, tz = ...)`` then
    ``lubridate::with_tz(x, "Europe/Amsterdam")`` and ``force_tz`` to drop the zone.
    """
    n = len(series)
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        stamps = pd.Series(series.to_numpy(), index=series.index)
        if getattr(series.dt, "tz", None) is not None:
            stamps = series.dt.tz_convert(zone).dt.tz_localize(None)
        elif source_zone is not None:
            stamps = _to_local(stamps, None, source_zone, zone)
        return Parsed(
            values=stamps.to_numpy(dtype="datetime64[ns]"),
            bad=np.zeros(n, bool),
            messages=np.full(n, None),
        )
    codes, uniques = pd.factorize(series.astype("string").str.strip(), use_na_sentinel=True)
    text = pd.Series(uniques, dtype="string")
    blank_u = text.eq("").to_numpy(dtype=bool)
    parts = text.str.extract(_WITH_ZONE.pattern)
    has_zone = parts["zone"].notna().to_numpy(dtype=bool)
    bodies = text.where(~pd.Series(has_zone), parts["body"])
    offsets = np.full(len(text), np.nan)
    iana: list[str | None] = [None] * len(text)
    msgs: list[str | None] = [None] * len(text)
    for i in np.flatnonzero(has_zone).tolist():  # distinct values, not respondents
        off, name, msg = zone_offset(str(parts["zone"].iloc[i]))
        if off is not None:
            offsets[i] = off
        iana[i], msgs[i] = name, msg
    wall = _parse_bodies(bodies.where(~pd.Series(blank_u)), dayfirst)
    local = _to_local(wall, offsets, source_zone, zone, iana=iana)
    values_u = local.to_numpy(dtype="datetime64[ns]")
    bad_u = ~blank_u & (np.isnat(values_u) | np.array([m is not None for m in msgs], bool))
    values_u = np.where(bad_u, np.datetime64("NaT", "ns"), values_u)
    msg_u = np.array(
        [m or "not a date/time" if b else None for m, b in zip(msgs, bad_u, strict=True)],
        dtype=object,
    )
    present = codes >= 0
    values = np.full(n, np.datetime64("NaT", "ns"))
    bad = np.zeros(n, bool)
    messages = np.full(n, None, dtype=object)
    values[present] = values_u[codes[present]]
    bad[present] = bad_u[codes[present]]
    messages[present] = msg_u[codes[present]]
    return Parsed(values=values, bad=bad, messages=messages)


def _to_local(
    wall: pd.Series,
    offsets: np.ndarray | None,
    source_zone: str | None,
    zone: str,
    *,
    iana: list[str | None] | None = None,
) -> pd.Series:
    """Wall-clock times with their written offset / zone → naive time in ``zone``.

    Values without an offset or IANA name are in ``source_zone`` when the export
    declares one, else already local. A wall-clock time that a DST change makes
    ambiguous is read as the first (summer-time) occurrence; one that does not exist
    moves forward, as lubridate's ``force_tz(roll_dst = "boundary")`` does.
    """
    out = wall.copy()
    offsets = np.full(len(wall), np.nan) if offsets is None else offsets
    named = np.array([z is not None for z in (iana or [None] * len(wall))], bool)
    fixed = ~np.isnan(offsets)
    if fixed.any():
        utc = wall[fixed] - pd.to_timedelta(offsets[fixed], unit="m")
        out[fixed] = utc.dt.tz_localize("UTC").dt.tz_convert(zone).dt.tz_localize(None)
    groups: dict[str, np.ndarray] = {}
    if named.any():
        for z in sorted({z for z in iana or [] if z is not None}):
            groups[z] = np.array([v == z for v in iana or []], bool)
    rest = ~fixed & ~named
    if source_zone is not None and rest.any():
        src = "UTC" if source_zone.strip().upper() in ("Z", "UTC", "GMT") else source_zone
        groups[src] = groups.get(src, np.zeros(len(wall), bool)) | rest
    for z, mask in groups.items():
        if z == zone or not mask.any():
            continue
        part = wall[mask].dt.tz_localize(
            z, ambiguous=np.ones(int(mask.sum()), bool), nonexistent="shift_forward"
        )
        out[mask] = part.dt.tz_convert(zone).dt.tz_localize(None)
    return out.astype("datetime64[ns]")
