"""Map export columns to codebook items and variables.

Rules, in order (the first that matches wins, and each mapping records which):

1. ``study``: the source's explicit ``columns`` mapping in the study file;
2. ``code``: the header *is* a codebook code or variable name (``AMB1``, ``lab``);
3. ``limesurvey``: LimeSurvey array codes ``AMB[SQ001]`` / ``AMB_SQ001`` (and
   Qualtrics export tags ``AMB_1``) map to item ``AMB1`` through the scale code;
   ``focus[curriculum]`` → ``focus_curriculum``; the LimeSurvey question codes
   ``schooltype``, ``rol``, ``leerlab``, ``toestemming``;
4. ``text``: the normalised header (NFC, case, quotes, punctuation; see
   :func:`leerlab_research.normalise.normalise_label`) equals an item text or a
   variable label in Dutch or English; also the part after `` - `` (Qualtrics
   "question - statement"), inside the last ``[...]`` (LimeSurvey full headings) or
   the leading ``[...]`` (variable labels of LimeSurvey's SPSS syntax export);
5. ``label``: the same text match on the reader's ``header_text`` (Qualtrics'
   second header row, SPSS variable labels).

The hidden field ``codebook_version`` (LimeSurvey ``codebookversion``) of surveys
built by ``leerlab instrument`` is recorded as ``system["codebook_version"]``.

Columns that map to nothing are personal (codebook ``personal_columns``, the
reader's ``system`` e-mail/name/ip/token, free-text variables), known system
columns (dates, status, durations…), explicitly ignored
(``settings.cleaning.ignore_columns``) or *unknown* and reported by name.
An ignored header is ignored before the automatic rules 2–5 and the reader's system
meanings (so ``ignore_columns: [Timestamp]`` leaves the submit date empty); only a
source's explicit ``columns`` entry and the dropping of identifiers win over it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..config.codebook import VERSION_FIELD, Codebook, limesurvey_code
from ..normalise import normalise_label

#: Reader ``system`` meanings that are direct identifiers (dropped in step 1).
PERSONAL_MEANINGS = ("email", "name", "ip", "token")

#: Export columns that carry no answer and no identity (normalised headers).
#: LimeSurvey (code and full-text headings), MS Forms, Qualtrics, Google Forms, Dutch Excel.
SYSTEM_HEADERS = {
    normalise_label(h)
    for h in [
        "id",
        "Response ID",
        "submitdate",
        "Date submitted",
        "lastpage",
        "Last page",
        "startlanguage",
        "Start language",
        "seed",
        "startdate",
        "Date started",
        "datestamp",
        "Date last action",
        "refurl",
        "Referrer URL",
        "interviewtime",
        "Total time",
        "ID",
        "Start time",
        "Completion time",
        "Last modified time",
        "StartDate",
        "EndDate",
        "Status",
        "Progress",
        "Duration (in seconds)",
        "Finished",
        "RecordedDate",
        "ResponseId",
        "ExternalReference",
        "DistributionChannel",
        "UserLanguage",
        "Timestamp",
        "Tijdstempel",
        "Duur (min)",
        "Duur",
        "Duration",
        "Duur (sec)",
        "Q_RecaptchaScore",
        "Q_RelevantIDDuplicate",
        "Q_RelevantIDDuplicateScore",
        "Q_RelevantIDFraudScore",
        "Q_RelevantIDLastStartDate",
        "Total points",
        "Quiz feedback",
        "Score",
    ]
}

#: Durations as a fallback for seconds per item: normalised header → seconds per unit.
DURATION_HEADERS = {
    normalise_label("Duur (min)"): 60.0,
    normalise_label("Duur (minuten)"): 60.0,
    normalise_label("Duration (in seconds)"): 1.0,
    normalise_label("Duur (sec)"): 1.0,
    normalise_label("interviewtime"): 1.0,
    normalise_label("Total time"): 1.0,
}

#: Question codes that LimeSurvey studies of this programme use for variables.
_VARIABLE_CODES = {
    "schooltype": "school_type",
    "school type": "school_type",
    "rol": "role",
    "leerlab": "lab",
    "toestemming": "consent",
    "meting": "wave",
}

_ARRAY = re.compile(r"^(?P<q>[A-Za-z][A-Za-z0-9]*?)(?:\[(?P<b>[^\]]+)\]|_(?P<u>[A-Za-z0-9]+))$")
_SQ = re.compile(r"^(?:SQ)?0*(\d+)$", re.IGNORECASE)


@dataclass
class ColumnMap:
    """How one export's columns map to the codebook."""

    to_code: dict[str, str] = field(default_factory=dict)  # codebook code/variable → header
    how: dict[str, str] = field(default_factory=dict)  # codebook code/variable → rule name
    personal: list[str] = field(default_factory=list)  # headers dropped as direct identifiers
    free_text: dict[str, str] = field(default_factory=dict)  # personal text variable → header
    system: dict[str, str] = field(default_factory=dict)  # meaning → header
    ignored: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    conflicts: list[tuple[str, str, str]] = field(
        default_factory=list
    )  # (header, code, other header)
    duration_unit: float | None = None  # seconds per unit of system["duration"]

    def header(self, code: str) -> str | None:
        return self.to_code.get(code)


def _text_index(codebook: Codebook) -> dict[str, str]:
    """Normalised item texts, variable labels and names (nl and en) → code."""
    index: dict[str, str] = {}
    for code, item in codebook.items.items():
        for text in (item.text.nl, item.text.en):
            if text:
                index.setdefault(normalise_label(text), code)
    for name, var in codebook.variables.items():
        for text in (var.label.nl, var.label.en):
            if text:
                index.setdefault(normalise_label(text), name)
    return index


#: The codebook-version field of generated surveys (Qualtrics and LimeSurvey spelling).
VERSION_HEADERS = {normalise_label(VERSION_FIELD), normalise_label(limesurvey_code(VERSION_FIELD))}


def _code_index(codebook: Codebook) -> dict[str, str]:
    index = {normalise_label(c): c for c in codebook.item_codes}
    index.update({normalise_label(v): v for v in codebook.variables})
    # LimeSurvey codes of generated surveys: the name without underscores (opengoed).
    for v in codebook.variables:
        index.setdefault(normalise_label(limesurvey_code(v)), v)
    index.update(_VARIABLE_CODES)
    return index


def _array_rule(header: str, codebook: Codebook) -> str | None:
    """LimeSurvey ``Q[SQ]``/``Q_SQ`` codes and Qualtrics ``TAG_n`` tags → codebook code."""
    m = _ARRAY.match(header.strip())
    if not m:
        return None
    q = m.group("q")
    sub = m.group("b") or m.group("u") or ""
    scale_codes = {s.code.casefold(): s for s in codebook.scales.values()}
    scale = scale_codes.get(q.casefold())
    if scale is not None:
        n = _SQ.match(sub)
        if n:
            code = f"{scale.code}{int(n.group(1))}"
            return code if code in codebook.items else None
        return None
    # Multiple choice "focus[curriculum]" → boolean variable focus_curriculum.
    candidate = f"{q}_{sub}".casefold()
    for name in codebook.variables:
        if name.casefold() == candidate:
            return name
    return None


def _text_candidates(header: str) -> list[str]:
    """The header and the parts platforms add around a statement's text."""
    out = [header]
    if " - " in header:  # Qualtrics: "Question text - Statement"
        out.append(header.rsplit(" - ", 1)[1])
    m = re.search(r"\[([^\[\]]+)\]\s*$", header)  # LimeSurvey full: "Question [Statement]"
    if m:
        out.append(m.group(1))
    # LimeSurvey's SPSS syntax labels V1…Vn as "[Statement] Question" (survey-formats §1a).
    m = re.match(r"^\s*\[([^\[\]]+)\]", header)
    if m:
        out.append(m.group(1))
    return out


def map_columns(
    headers: list[str],
    codebook: Codebook,
    *,
    explicit: dict[str, str] | None = None,
    system: dict[str, str] | None = None,
    header_text: dict[str, str] | None = None,
    ignore: list[str] | None = None,
    known_system: list[str] | None = None,
    known_personal: list[str] | None = None,
    duplicates: dict[str, str] | None = None,
) -> ColumnMap:
    """Map export headers to codebook codes (see the module docstring for the rules).

    Parameters
    ----------
    headers
        Column headers as in the file.
    codebook
        The instrument.
    explicit
        The source's ``columns`` mapping (header → code) from the study file.
    system
        The reader's ``RawExport.system`` (meaning → header).
    header_text
        The reader's ``RawExport.header_text`` (header → question text / variable label).
    ignore
        Headers the study says to ignore (``settings.cleaning.ignore_columns``).
    known_system, known_personal
        Headers the reader recognised as platform system columns / identifiers
        (``detected["system_columns"]``, ``detected["personal_columns"]``).
    duplicates
        The reader's renamed duplicate headers (``detected["duplicate_headers"]``,
        ``"AMB1__2" → "AMB1"``). A renamed copy is classified like the header it
        copies: a second ``Naam`` column is personal, a second ``AMB1`` is a
        conflict with the first (not an "unknown" column).

    Returns
    -------
    ColumnMap
    """
    explicit = explicit or {}
    system = dict(system or {})
    header_text = header_text or {}
    cmap = ColumnMap()
    codes = _code_index(codebook)
    texts = _text_index(codebook)
    personal_norm = {normalise_label(p) for p in codebook.personal_columns}
    personal_vars = set(codebook.personal_variables)
    ignore_norm = {normalise_label(h) for h in (ignore or [])}
    explicit_norm = {normalise_label(h): c for h, c in explicit.items()}
    # An ignored header gives no system meaning either (a Google Forms 'Timestamp' the
    # study ignores is not the submit date); identifiers stay identifiers and are dropped.
    system = {
        m: h
        for m, h in system.items()
        if m in PERSONAL_MEANINGS or normalise_label(h) not in ignore_norm
    }
    system_by_header = {h: m for m, h in system.items()}
    reader_system = set(known_system or [])
    reader_personal = set(known_personal or [])

    def assign(header: str, code: str, how: str) -> None:
        if code in cmap.to_code and cmap.to_code[code] != header:
            cmap.conflicts.append((header, code, cmap.to_code[code]))
            return
        cmap.to_code[code] = header
        cmap.how[code] = how

    duplicates = duplicates or {}
    for header in headers:
        name = duplicates.get(header, header)  # a renamed copy counts as its original
        key = normalise_label(name)
        code = explicit.get(header) or explicit.get(name) or explicit_norm.get(key)
        how = "study"
        if (
            code is None
            and key in ignore_norm
            and key not in personal_norm
            and header not in reader_personal
            and name not in reader_personal
            and header not in system_by_header
        ):
            cmap.ignored.append(header)  # the study's ignore wins over every automatic rule
            continue
        if code is None and key in codes:
            code, how = codes[key], "code"
        if code is None:
            code, how = _array_rule(name, codebook), "limesurvey"
        if code is None:
            for cand in _text_candidates(str(name)):
                hit = texts.get(normalise_label(cand))
                if hit:
                    code, how = hit, "text"
                    break
        if code is None and header in header_text:
            for cand in _text_candidates(str(header_text[header])):
                hit = texts.get(normalise_label(cand))
                if hit:
                    code, how = hit, "label"
                    break
        if code is None and " - " in str(name):
            # Qualtrics Text iQ adds "<tag> - Topics" / "- Sentiment" columns to a free-text
            # question: they derive from the answer text, so they are personal too.
            stem = codes.get(normalise_label(str(name).split(" - ", 1)[0]))
            if stem in personal_vars:
                code = stem
        if code is not None and code not in personal_vars:
            assign(header, code, how)
            continue
        if code is None and key in VERSION_HEADERS:
            cmap.system[VERSION_FIELD] = header
            continue
        # Unmapped (or a personal free-text variable): classify.
        meaning = system_by_header.get(header)
        if (
            code in personal_vars
            or key in personal_norm
            or meaning in PERSONAL_MEANINGS
            or header in reader_personal
            or name in reader_personal
        ):
            cmap.personal.append(header)
            if code in personal_vars and codebook.variables[code].type == "string":
                cmap.free_text.setdefault(code, header)
            if meaning:
                cmap.system[meaning] = header
        elif meaning is not None:
            cmap.system[meaning] = header
        elif key in DURATION_HEADERS:
            cmap.system["duration"] = header
            cmap.duration_unit = DURATION_HEADERS[key]
        elif key in SYSTEM_HEADERS or header in reader_system or name in reader_system:
            cmap.system.setdefault(f"other:{header}", header)
        else:
            cmap.unknown.append(header)
    # Dates from the platform's own system columns when the codebook names none.
    for var in ("started_at", "submitted_at"):
        if var not in cmap.to_code and var in system and system[var] in headers:
            cmap.to_code[var] = system[var]
            cmap.how[var] = "system"
    # A respondent key from the platform when the study names none: token, then e-mail.
    key_var = codebook.key_variable
    if key_var not in cmap.to_code:
        for meaning in ("token", "email"):
            if meaning in system and system[meaning] in headers:
                cmap.to_code[key_var] = system[meaning]
                cmap.how[key_var] = f"system:{meaning}"
                break
    # The key column may also be personal (token, e-mail): it is read for hashing,
    # then dropped with the other identifiers.
    kh = cmap.to_code.get(key_var)
    if kh is not None and kh not in cmap.personal:
        cmap.personal.append(kh)
    return cmap
