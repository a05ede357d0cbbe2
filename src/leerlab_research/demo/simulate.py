"""Simulate the demo population: people, waves, injected faults and item answers.

The output is one table with a row per *export row* (what ends up in one of the
eight files) plus matrices of latent scores and raw item codes aligned with it.
All numeric generation is vectorised; the only loops run over labs, files and
scales. Raw item codes use two sentinels besides 1–5 and 9:

* ``0``  shown but not answered (LimeSurvey ``""``, empty cell elsewhere);
* ``-1`` never shown (LimeSurvey ``NULL``: unquoted empty field; a page the
  respondent did not reach, or questions skipped after consent = nee).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..config.codebook import Codebook
from ..config.labs import FOCUS_AREAS, Labs
from .open_text import draw_answers
from .params import (
    ALIAS_RATE,
    FAULT_RATES,
    FOCUS_NOISE,
    MIN_NORMAL_SECONDS,
    NEWCOMERS,
    RATE_BLANK,
    RETEST_RHO,
    RETURN_RATE,
    ROLES,
    SPEEDER_SECONDS,
    TEST_ROWS_PER_FILE,
    WAVE_FIELDWORK,
    WAVES,
    DemoParameters,
    lab_focus,
)

NOT_SHOWN = -1
BLANK = 0
DONT_KNOW = 9

FILE_EXT = {"limesurvey": "csv", "msforms": "xlsx", "excel_nl": "csv", "spss": "sav"}

# First names deliberately include ë/é/ï/ö so that the cp1252 CSV differs from UTF-8.
FIRST_NAMES = (
    "Joëlle Noël Chloë Zoë René André Daniëlle Anaïs Inés Loïs Sjoerd Marieke Femke Bram Daan "
    "Sanne Lotte Jeroen Thijs Anouk Sven Fleur Ruben Iris Koen Esther Willem Fatima Mohamed "
    "Youssef Samira Emre Özlem Priya Kees Gerda Hanneke Pieter Maaike Jasper Ilse Wouter Nadia "
    "Bas Linda Erik Yara Hüseyin Mirjam Roel Tessa"
).split()
LAST_NAMES = (
    "de Vries|Jansen|van den Berg|Bakker|Visser|Smit|Meijer|de Boer|Mulder|de Groot|Bos|Vos|"
    "Peters|Hendriks|van Leeuwen|Dekker|Brouwer|de Wit|Dijkstra|Smits|de Graaf|van der Meer|"
    "van der Linden|Kok|Jacobs|de Haan|Vermeulen|van den Heuvel|van der Veen|van den Broek|"
    "de Bruijn|van der Heijden|Schouten|van Beek|Willems|van Vliet|van de Ven|Hoekstra|Maas|"
    "Verhoeven|Koster|van Dam|Prins|Blom|Huisman|Öztürk|El Amrani|Bouzid|Kaçar|Ramdin|Hoogendoorn|"
    "Brinkman|Mertens|Geerts|Sijbrandij|Çelik|van Egmond|Ruiter|Claessens|Hermans"
).split("|")


@dataclass
class Simulation:
    """The simulated demo data, aligned row by row.

    Attributes
    ----------
    rows
        One row per export row: platform, wave, source_file, person, lab, role,
        school_type, kind (``normal``, ``straightliner``, ``speeder``,
        ``no_consent``, ``incomplete``, ``duplicate``, ``test``), lab_written,
        identifiers, times, LimeSurvey system fields, focus answers and free text.
        Sorted by file, then by start time; ``source_row`` is the spreadsheet row.
    codes
        Raw item codes (rows × items) as written: 1–5, 9, 0 blank, −1 not shown.
    eta
        True latent scores (rows × scales) for the row's wave; NaN for test rows.
    n_pages
        LimeSurvey page count (background, one page per domain, closing page).
    lab_focus
        The focus areas of every lab (labs.yaml ``focus``, else drawn), which its
        respondents tick with some noise.
    """

    rows: pd.DataFrame
    codes: np.ndarray
    eta: np.ndarray
    n_pages: int
    lab_focus: dict[str, list[str]] = field(default_factory=dict)


def _ascii(text: str) -> str:
    """Lower-case ASCII for e-mail local parts ('Joëlle' → 'joelle', 'van der Meer' → 'vandermeer')."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c for c in plain.lower() if c.isalnum())


def _random_strings(rng: np.random.Generator, n: int, length: int, alphabet: str) -> np.ndarray:
    """``n`` random strings of ``length`` characters, without a Python loop per string."""
    chars = np.array(list(alphabet), dtype="<U1")
    picks = chars[rng.integers(0, len(chars), size=(n, length))]
    return np.ascontiguousarray(picks).view(f"<U{length}").ravel()


# ----------------------------------------------------------------------------- persons
def make_persons(p: DemoParameters, rng: np.random.Generator) -> pd.DataFrame:
    """Draw the programme's respondents with their lab, role, school type and waves.

    Each lab has 20–60 respondents at the first wave: exactly one procesbegeleider
    (school type ``anders``), one to three bestuurders (exactly one in at least three
    labs, the small cells), 10–20 % management, a few ``anders`` and docenten for the
    rest. At every later wave the bestuurders and the procesbegeleider return, other
    people who answered the previous wave return with probability
    :data:`RETURN_RATE` (those who left do not come back), and 3–10 new people join
    per lab (:data:`NEWCOMERS`). Column ``in_<wave>`` marks participation.
    """
    n_labs = len(p.labs)
    n_bestuur = rng.integers(1, 4, size=n_labs)
    n_bestuur[rng.choice(n_labs, size=min(3, n_labs), replace=False)] = 1
    blocks = []
    for i, lab in enumerate(p.labs):
        n0 = int(rng.integers(20, 61))
        n_man = max(2, round(n0 * rng.uniform(0.10, 0.20)))
        n_anders = int(rng.integers(0, 3))
        n_doc = n0 - n_bestuur[i] - 1 - n_man - n_anders
        roles = np.repeat(np.array(ROLES), [n_bestuur[i], n_man, n_doc, 1, n_anders])
        p_vmbo = rng.uniform(0.4, 0.6)
        school = np.where(rng.random(n0) < p_vmbo, "vmbo", "mbo").astype(object)
        school[roles == "procesbegeleider"] = "anders"
        other = (roles == "anders") & (rng.random(n0) < 0.5)
        school[other] = "anders"
        all_roles, all_school = [roles], [school]
        present = [np.ones(n0, bool)]  # per wave, over the people drawn so far
        for _ in WAVES[1:]:
            n_so_far = sum(len(r) for r in all_roles)
            fixed = np.isin(np.concatenate(all_roles), ["bestuur", "procesbegeleider"])
            back = present[-1] & (fixed | (rng.random(n_so_far) < RETURN_RATE))
            n_new = int(rng.integers(NEWCOMERS[0], NEWCOMERS[1] + 1))
            new_roles = rng.choice(
                np.array(["docent", "management", "anders"]), size=n_new, p=[0.8, 0.15, 0.05]
            )
            new_school = np.where(rng.random(n_new) < p_vmbo, "vmbo", "mbo").astype(object)
            new_school[(new_roles == "anders") & (rng.random(n_new) < 0.5)] = "anders"
            present = [np.r_[w, np.zeros(n_new, bool)] for w in present]
            present.append(np.r_[back, np.ones(n_new, bool)])
            all_roles.append(new_roles)
            all_school.append(new_school)
        block = pd.DataFrame(
            {
                "lab": lab,
                "lab_idx": i,
                "platform": p.lab_platform[lab],
                "role": np.concatenate(all_roles),
                "school_type": np.concatenate(all_school),
            }
        )
        for wave, mask in zip(WAVES, present, strict=True):
            block[f"in_{wave}"] = mask
        blocks.append(block)
    persons = pd.concat(blocks, ignore_index=True)
    n = len(persons)
    persons.insert(0, "person", np.arange(n))

    first_idx = rng.integers(0, len(FIRST_NAMES), size=n)
    last_idx = rng.integers(0, len(LAST_NAMES), size=n)
    first = np.array(FIRST_NAMES, dtype=object)[first_idx]
    last = np.array(LAST_NAMES, dtype=object)[last_idx]
    persons["name"] = first + " " + last
    first_ascii = np.array([_ascii(x) for x in FIRST_NAMES], dtype=object)[first_idx]
    last_ascii = np.array([_ascii(x) for x in LAST_NAMES], dtype=object)[last_idx]
    domain = np.select(
        [persons["school_type"].eq("vmbo").to_numpy(), persons["school_type"].eq("mbo").to_numpy()],
        [
            ("vmbo-" + persons["lab"] + ".example").to_numpy(),
            ("roc-" + persons["lab"] + ".example").to_numpy(),
        ],
        "leerlabadvies.example",
    )
    local = pd.Series(first_ascii + "." + last_ascii)
    # Two people with the same name at the same school get 'name2@', as mail admins do.
    dup = pd.Series(local + "@" + domain).groupby(local + "@" + domain).cumcount()
    local = local.where(dup.eq(0), local + (dup + 1).astype(str))
    persons["email"] = (local + "@" + domain).to_numpy()

    # LimeSurvey tokens: 15 characters like LimeSurvey's default; the first
    # character is never t/T so that no real token looks like a test token.
    tok_first = _random_strings(rng, n, 1, "ABCDEFGHIJKLMNOPQRSUVWXYZabcdefghijklmnopqrsuvwxyz")
    tok_rest = _random_strings(
        rng, n, 14, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    )
    persons["token"] = np.char.add(tok_first, tok_rest).astype(object)
    numbers = rng.choice(np.arange(10000, 99000), size=2 * n, replace=False)
    persons["respnr"] = numbers[:n].astype(str).astype(object)
    persons["spss_id"] = np.char.add("LL", numbers[n:].astype(str)).astype(object)
    return persons


def person_key_column(platform: str) -> str:
    """The column of the persons table that a platform writes as its persistent key."""
    return {"limesurvey": "token", "msforms": "email", "excel_nl": "respnr", "spss": "spss_id"}[
        platform
    ]


# ----------------------------------------------------------------------------- rows
def _assign_faults(participants: pd.DataFrame, rng: np.random.Generator) -> np.ndarray:
    """Exact fault counts per file: ``max(1, round(rate × eligible))`` for each fault."""
    category = np.full(len(participants), "normal", dtype=object)
    eligible = np.flatnonzero(
        ~participants["role"].isin(["bestuur", "procesbegeleider"]).to_numpy()
    )
    order = rng.permutation(eligible)
    start = 0
    for fault, rate in FAULT_RATES.items():
        k = max(1, round(rate * len(eligible)))
        category[order[start : start + k]] = fault
        start += k
    return category


def _test_rows(
    platform: str, wave: str, p: DemoParameters, rng: np.random.Generator
) -> pd.DataFrame:
    """1–2 test rows for one file, in the style of the platform (see package docstring)."""
    k = int(rng.integers(TEST_ROWS_PER_FILE[0], TEST_ROWS_PER_FILE[1] + 1))
    labs_here = [lab for lab in p.labs if p.lab_platform[lab] == platform]
    real_lab = rng.choice(np.array(labs_here), size=k)
    test_label = rng.choice(np.array(["TEST", "Test", "test"]), size=k)
    keys = {
        "limesurvey": ["test", "TESTRESPONS"],
        "msforms": ["test@leerlabadvies.example", "test.account@leerlabadvies.example"],
        "excel_nl": ["99901", "99902"],
        "spss": ["TEST", "TEST2"],
    }[platform][:k]
    names = ["Test", "Test Persoon"][:k]
    emails = ["test@leerlabadvies.example", "test.account@leerlabadvies.example"][:k]
    # The first test row names no real lab ('TEST'); the second picks a real lab
    # from the list, as a colleague trying out the form would.
    lab = np.where(np.arange(k) == 0, "", real_lab)
    return pd.DataFrame(
        {
            "platform": platform,
            "wave": wave,
            "person": pd.array([pd.NA] * k, dtype="Int64"),
            "lab": lab,
            "kind": "test",
            "role": "docent",
            "school_type": rng.choice(np.array(["vmbo", "mbo"]), size=k),
            "key": keys,
            "name": names,
            "email": emails,
            "test_label": test_label,
        }
    )


def make_rows(persons: pd.DataFrame, p: DemoParameters, rng: np.random.Generator) -> pd.DataFrame:
    """Expand participations into export rows with their injected faults.

    Every participation gives one *main* row. A ``restart`` adds an earlier
    incomplete row, a ``duplicate`` an earlier complete row (the one to drop);
    the main row of both is a normal, kept response. Test rows are appended.
    """
    parts = []
    for wave in WAVES:
        for platform in dict.fromkeys(p.lab_platform.values()):
            part = persons[persons[f"in_{wave}"] & persons["platform"].eq(platform)].copy()
            part["wave"] = wave
            part["category"] = _assign_faults(part, rng)
            parts.append(part)
    main = pd.concat(parts, ignore_index=True)
    main["main_id"] = np.arange(len(main))
    main["kind"] = main["category"].where(
        ~main["category"].isin(["restart", "duplicate"]), "normal"
    )
    main["is_extra"] = False

    extra = main[main["category"].isin(["restart", "duplicate"])].copy()
    extra["kind"] = extra["category"].map({"restart": "incomplete", "duplicate": "duplicate"})
    extra["is_extra"] = True
    people = pd.concat([main, extra], ignore_index=True)
    platform = people["platform"].to_numpy()
    people["key"] = np.select(
        [platform == pl for pl in FILE_EXT],
        [people[person_key_column(pl)].to_numpy() for pl in FILE_EXT],
        "",
    )
    people["person"] = people["person"].astype("Int64")
    people["test_label"] = ""

    tests = [
        _test_rows(platform, wave, p, rng)
        for wave in WAVES
        for platform in dict.fromkeys(p.lab_platform.values())
    ]
    rows = pd.concat([people, *tests], ignore_index=True)
    rows["is_extra"] = rows["is_extra"].fillna(False).astype(bool)
    rows["main_id"] = rows["main_id"].astype("Int64")
    rows["lab_idx"] = (
        rows["lab"].map({lab: i for i, lab in enumerate(p.labs)}).fillna(-1).astype(int)
    )
    rows["source_file"] = (
        rows["platform"] + "_" + rows["wave"] + "." + rows["platform"].map(FILE_EXT)
    )
    keep = [
        "source_file", "platform", "wave", "person", "main_id", "lab", "lab_idx", "role",
        "school_type", "kind", "is_extra", "key", "name", "email", "test_label",
    ]  # fmt: skip
    return rows[keep]


# ----------------------------------------------------------------------------- latent scores
def latent_scores(
    rows: pd.DataFrame, p: DemoParameters, n_persons: int, rng: np.random.Generator
) -> np.ndarray:
    """True latent scores per row for the row's wave (NaN for test rows).

    eta = lab intercept + role effect + school effect + [w > first]·change[lab]
    + slope_after[lab]·(after[lab, w] − after[lab, first]) + residual, with residuals
    ~ N(0, factor_corr) following an AR(1) over the waves (lag-1 correlation RETEST_RHO).
    """
    chol = np.linalg.cholesky(p.factor_corr)
    k = len(p.scales)
    z = [rng.standard_normal((n_persons, k)) @ chol.T]
    for _ in WAVES[1:]:
        z.append(
            RETEST_RHO * z[-1]
            + np.sqrt(1 - RETEST_RHO**2) * (rng.standard_normal((n_persons, k)) @ chol.T)
        )
    resid = np.stack(z)  # waves × persons × scales
    is_test = rows["kind"].eq("test").to_numpy()
    person = rows["person"].fillna(0).to_numpy(dtype=int)
    lab_idx = np.where(is_test, 0, rows["lab_idx"].to_numpy())
    wave_idx = rows["wave"].map({w: i for i, w in enumerate(WAVES)}).to_numpy()
    role_idx = rows["role"].map({r: i for i, r in enumerate(ROLES)}).to_numpy()
    since = (p.after[lab_idx, wave_idx] - p.after[lab_idx, 0])[:, None]
    eta = (
        p.lab_intercepts[lab_idx]
        + p.role_effects[role_idx]
        + p.school_effect(lab_idx, rows["school_type"].to_numpy())
        + (wave_idx > 0)[:, None] * p.change[lab_idx]
        + since * p.slope_after[lab_idx]
        + resid[wave_idx, person]
    )
    eta[is_test] = np.nan
    return eta


# ----------------------------------------------------------------------------- answers
def item_pages(codebook: Codebook, items: list[str]) -> tuple[np.ndarray, int]:
    """LimeSurvey page of each item: page 1 background, then one page per domain, then a closing page."""
    domains = list(codebook.domains)
    scale_domain = {s.name: s.domain for s in codebook.scales.values()}
    pages = np.array([2 + domains.index(scale_domain[codebook.scale_of_item[i]]) for i in items])
    return pages, len(domains) + 2


def answer_items(
    rows: pd.DataFrame,
    eta: np.ndarray,
    p: DemoParameters,
    pages: np.ndarray,
    n_pages: int,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """Raw item codes for every row, plus the LimeSurvey ``lastpage``.

    Normal answers follow the graded-response model
    ``y* = loading · eta[scale] + sqrt(1 − loading²) · e`` cut at the item's
    thresholds; reverse-keyed items are written as ``6 − k``. Faults overwrite
    this: straightliners give one code for all items, speeders and test rows
    answer uniformly at random, incomplete rows stop early.
    """
    n, m = len(rows), len(p.items)
    kind = rows["kind"].to_numpy()
    limesurvey = rows["platform"].eq("limesurvey").to_numpy()

    safe_eta = np.nan_to_num(eta)[:, p.item_scale]
    ystar = p.loadings * safe_eta + np.sqrt(1 - p.loadings**2) * rng.standard_normal((n, m))
    k = 1 + (ystar[:, :, None] > p.thresholds[None, :, :]).sum(axis=2)
    codes = np.where(p.reverse, 6 - k, k).astype(np.int8)

    u = rng.random((n, m))
    codes[u < p.dont_know_rate] = DONT_KNOW
    codes[(u >= p.dont_know_rate) & (u < p.dont_know_rate + RATE_BLANK)] = BLANK

    # A complete, attentive respondent who by chance gives one code everywhere
    # would be indistinguishable from an injected straightliner; nudge item 1.
    constant = (codes == codes[:, :1]).all(axis=1) & (kind != "straightliner")
    codes[constant, 0] = np.where(
        codes[constant, 0] >= 3, codes[constant, 0] - 1, codes[constant, 0] + 1
    )

    rand = rng.integers(1, 6, size=(n, m)).astype(np.int8)
    speeder_blank = rng.random((n, m)) < 0.02
    is_speeder = kind == "speeder"
    codes[is_speeder] = np.where(speeder_blank[is_speeder], BLANK, rand[is_speeder])
    codes[kind == "test"] = rand[kind == "test"]
    straight = kind == "straightliner"
    value = rng.choice(np.array([2, 3, 4, 4, 5], dtype=np.int8), size=n)
    codes[straight] = value[straight, None]

    lastpage = np.full(n, n_pages)
    incomplete = kind == "incomplete"
    # LimeSurvey: the respondent left after page 1, 2 or 3; later pages never shown.
    lp = rng.integers(1, 4, size=n)
    ls_inc = incomplete & limesurvey
    lastpage[ls_inc] = lp[ls_inc]
    codes[ls_inc] = np.where(pages[None, :] > lp[ls_inc, None], NOT_SHOWN, codes[ls_inc])
    # Other platforms: the first 0–8 items answered, the rest left empty.
    n_answered = rng.integers(0, 9, size=n)
    other_inc = incomplete & ~limesurvey
    codes[other_inc] = np.where(
        np.arange(m)[None, :] >= n_answered[other_inc, None], BLANK, codes[other_inc]
    )
    # LimeSurvey routes 'no consent' straight to the end page: questions never shown.
    ls_nc = (kind == "no_consent") & limesurvey
    codes[ls_nc] = NOT_SHOWN
    lastpage[ls_nc] = 1
    return codes, lastpage


# ----------------------------------------------------------------------------- other fields
def _lab_spellings(labs: Labs, lab_id: str, platform: str) -> list[str]:
    """Alias spellings of a lab usable in a platform's export (cp1252 limits the Dutch CSV)."""
    lab = labs.by_id[lab_id]
    # Real aliases first; a lower-case spelling stands for sloppy typing. Labs
    # without aliases get case variants only, so they still exercise matching.
    options = (
        [*lab.aliases, lab.name.lower()] if lab.aliases else [lab.name.lower(), lab.name.upper()]
    )
    if platform == "excel_nl":
        options = [o for o in options if _encodable(o, "cp1252")]
    return list(dict.fromkeys(o for o in options if o != lab.name))


def _encodable(text: str, encoding: str) -> bool:
    try:
        text.encode(encoding)
    except UnicodeEncodeError:
        return False
    return True


def add_fields(
    rows: pd.DataFrame, p: DemoParameters, labs: Labs, rng: np.random.Generator
) -> tuple[pd.DataFrame, dict[str, list[str]]]:
    """Lab spelling, consent, times, LimeSurvey system fields, focus and free text.

    Returns the rows and the focus areas of every lab.
    """
    rows = rows.copy()
    n = len(rows)
    kind = rows["kind"].to_numpy()
    is_test = kind == "test"

    # Lab as written: the display name, an alias for ~20 % of rows, 'TEST' for test rows without a lab.
    display = np.array([labs.by_id[lab].name if lab else "" for lab in rows["lab"]], dtype=object)
    written = display.copy()
    use_alias = (rng.random(n) < ALIAS_RATE) & ~is_test
    pick = rng.random(n)
    for lab_id in p.labs:
        for platform in dict.fromkeys(p.lab_platform.values()):
            sel = (
                use_alias
                & rows["lab"].eq(lab_id).to_numpy()
                & rows["platform"].eq(platform).to_numpy()
            )
            options = _lab_spellings(labs, lab_id, platform)
            if sel.any() and options:
                written[sel] = np.array(options, dtype=object)[
                    (pick[sel] * len(options)).astype(int)
                ]
    no_lab = is_test & rows["lab"].eq("").to_numpy()
    written[no_lab] = rows["test_label"].to_numpy()[no_lab]
    rows["lab_written"] = written
    rows["is_alias"] = ~is_test & (written != display)

    rows["consent"] = kind != "no_consent"

    # Field work: each lab opens its survey within the first two weeks of the wave's
    # fieldwork period (WAVE_FIELDWORK) and answers arrive over ten working days, 7:30–21:00.
    win = rng.integers(0, 10, size=(len(p.labs), len(WAVES)))
    base = np.array([np.datetime64(WAVE_FIELDWORK[w][0]) for w in WAVES])
    lab_idx = np.where(rows["lab_idx"].to_numpy() < 0, 0, rows["lab_idx"].to_numpy())
    wave_i = rows["wave"].map({w: i for i, w in enumerate(WAVES)}).to_numpy()
    opening = base[wave_i] + win[lab_idx, wave_i].astype("timedelta64[D]")
    day = np.busday_offset(opening, rng.integers(0, 10, size=n), roll="forward")
    seconds = rng.integers(int(7.5 * 3600), 21 * 3600, size=n)
    start = day.astype("datetime64[s]") + seconds.astype("timedelta64[s]")

    duration = np.maximum(MIN_NORMAL_SECONDS, rng.lognormal(np.log(540), 0.45, size=n)).round()
    duration = np.where(
        kind == "speeder", rng.integers(*SPEEDER_SECONDS, size=n, endpoint=True), duration
    )
    # Test rows: a colleague clicking through, but not faster than the cut-off even
    # when the Dutch CSV truncates both times to the minute.
    duration = np.where(is_test, rng.integers(150, 400, size=n), duration)
    partial = rng.integers(40, 400, size=n)

    # A duplicate or an abandoned first attempt ends 15 minutes to two days before
    # the main row of the same person starts, so 'earlier' means the same by start
    # and by submit time.
    earlier = rng.integers(900, 2 * 86400, size=n) + np.where(
        kind == "incomplete", partial, duration
    ).astype(np.int64)
    main_id = rows["main_id"].to_numpy(dtype=float, na_value=np.nan)
    is_extra = rows["is_extra"].to_numpy()
    main_pos = pd.Series(np.flatnonzero(~is_extra), index=main_id[~is_extra])
    anchor = np.arange(n)
    anchor[is_extra] = main_pos.loc[main_id[is_extra]].to_numpy()
    start = np.where(is_extra, start[anchor] - earlier.astype("timedelta64[s]"), start)

    incomplete = kind == "incomplete"
    submit = start + duration.astype("timedelta64[s]")
    submit = np.where(incomplete, np.datetime64("NaT"), submit)
    last_action = np.where(incomplete, start + partial.astype("timedelta64[s]"), submit)
    rows["start"] = start.astype("datetime64[s]")
    rows["submit"] = submit.astype("datetime64[s]")
    rows["last_action"] = last_action.astype("datetime64[s]")
    rows["duration_s"] = np.where(incomplete, np.nan, duration.astype(float))

    # LimeSurvey system fields. IP addresses come from the RFC 5737 documentation
    # ranges (school networks and home connections), never real addresses.
    rows["startlanguage"] = np.where(rng.random(n) < 0.9, "nl", "nl-informal")
    rows["ls_seed"] = rng.integers(10**8, 2 * 10**9, size=n)
    host = rng.integers(2, 255, size=n).astype(str)
    home = rng.random(n) < 0.3
    school = rows["school_type"].to_numpy()
    net = np.select(
        [home, school == "vmbo", school == "mbo"],
        ["192.0.2.", "198.51.100.", "203.0.113."],
        "192.0.2.",
    )
    rows["ipaddr"] = np.char.add(net.astype(str), host).astype(object)

    # Focus areas are a property of the lab; respondents report them with some noise.
    # The draw is made also when every lab declares its focus, so that the rest of the
    # data does not depend on whether labs.yaml lists it.
    chosen = lab_focus(p, labs, rng.random((len(p.labs), len(FOCUS_AREAS))))
    flip = rng.random((n, len(FOCUS_AREAS))) < FOCUS_NOISE
    focus = chosen[lab_idx] ^ flip
    for j, area in enumerate(FOCUS_AREAS):
        rows[f"focus_{area}"] = focus[:, j]
    by_lab = {
        lab: [a for j, a in enumerate(FOCUS_AREAS) if chosen[i, j]] for i, lab in enumerate(p.labs)
    }

    # Free text from theme templates with planted personal data (see open_text).
    answers = draw_answers(rows, labs, rng, share=(0.5, 0.4))
    for col in answers.columns:
        rows[col] = answers[col].to_numpy()
    return rows, by_lab


# ----------------------------------------------------------------------------- all together
def simulate(
    codebook: Codebook, labs: Labs, p: DemoParameters, rng: np.random.Generator
) -> Simulation:
    """Run the whole simulation in a fixed order of draws (hence deterministic per seed)."""
    persons = make_persons(p, rng)
    rows = make_rows(persons, p, rng)
    eta = latent_scores(rows, p, len(persons), rng)
    pages, n_pages = item_pages(codebook, p.items)
    codes, lastpage = answer_items(rows, eta, p, pages, n_pages, rng)
    rows, focus = add_fields(rows, p, labs, rng)
    rows["lastpage"] = lastpage
    # Incomplete or routed-away LimeSurvey rows never reached the focus and open
    # questions; other platforms leave them empty for incomplete rows.
    no_end = rows["kind"].eq("incomplete") | (
        rows["kind"].eq("no_consent") & rows["platform"].eq("limesurvey")
    )
    rows.loc[no_end, ["open_goed", "open_beter", "open_goed_themes", "open_beter_themes"]] = ""
    rows.loc[no_end, ["open_goed_planted", "open_beter_planted"]] = "[]"
    rows["focus_shown"] = ~no_end.to_numpy() | (
        rows["platform"].eq("limesurvey")
        & rows["kind"].eq("incomplete")
        & (rows["lastpage"] >= n_pages - 1)
    )

    # Rows of a file appear in order of their start time (LimeSurvey's id order).
    order = np.lexsort(
        (np.arange(len(rows)), rows["start"].to_numpy(), rows["source_file"].to_numpy())
    )
    rows = rows.iloc[order].reset_index(drop=True)
    codes, eta = codes[order], eta[order]
    rows["source_row"] = rows.groupby("source_file").cumcount() + 2
    return Simulation(rows=rows, codes=codes, eta=eta, n_pages=n_pages, lab_focus=focus)
