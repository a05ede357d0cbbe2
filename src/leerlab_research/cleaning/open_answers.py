"""The open answers (``open_goed``, ``open_beter``): kept apart, de-identified, audited.

Free text never enters ``clean/responses.parquet``. While an export is read
(:func:`collect`, called from :func:`.harmonise.harmonise` *before* the
identifying columns are dropped) the answers and the names and e-mail addresses
of that export are held in memory; after the exclusions are decided
(:func:`build`) the answers of kept rows are de-identified with
:mod:`.deidentify` and only the de-identified text is returned for
``clean/open_answers.parquet``:

========================  ==========================================================
``answer_id``             ``<respondent_id>-<wave>-<question>``: stable across runs
``respondent_id``, ``lab``, ``wave``, ``role``, ``school_type``   as in responses
``question``              ``goed`` or ``beter`` (the variable without ``open_``)
``text``                  the de-identified answer
``source_file``, ``source_row``   provenance, as in responses
========================  ==========================================================

The cleaning log gets one ``open_answers`` row per source file with the number
of answers and the replacements per type ("naam: 3; e-mail: 1"), never a value.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from concurrent.futures import Executor, Future
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..workers import available_cores, pool
from .audit import CleaningLog
from .deidentify import deduce_cache_file, deduce_loaded, scrub_batches, warm_deduce

#: Columns of ``clean/open_answers.parquet``, in order.
OPEN_COLUMNS = [
    "answer_id",
    "respondent_id",
    "lab",
    "wave",
    "role",
    "school_type",
    "question",
    "text",
    "source_file",
    "source_row",
]

#: Identifying columns whose values are names (not keys, tokens or addresses).
_NAME_MEANINGS = {"name", "firstname", "lastname", "recipientfirstname", "recipientlastname"}


@dataclass
class RawOpen:
    """The open answers of one export and what it says about people (memory only).

    ``texts`` maps a question (``goed``/``beter``) to the answers in file order
    (``None`` when blank); ``names``/``emails`` are the values of the export's
    identifying columns outside test rows.
    """

    texts: dict[str, np.ndarray]
    names: list[str]
    emails: list[str]


def question_of(variable: str) -> str:
    """``open_goed`` → ``goed``."""
    return variable.removeprefix("open_")


def _clean_text(values: pd.Series) -> np.ndarray:
    text = values.astype("string").str.strip()
    text = text.mask(text.eq("") | text.isna())
    return text.astype(object).where(text.notna(), None).to_numpy(dtype=object)


def collect(frame: pd.DataFrame, cmap, is_test: np.ndarray) -> RawOpen | None:
    """Take the answers and identifying values of one export, before identifiers are dropped.

    Parameters
    ----------
    frame
        The export as read (all columns).
    cmap
        Its :class:`~.mapping.ColumnMap` (``free_text``, ``personal``, ``system``).
    is_test
        Test rows: their "names" (``Test Persoon``) are no context.

    Returns
    -------
    RawOpen or None
        None when the export has no open-answer column.
    """
    if not cmap.free_text:
        return None
    texts = {question_of(var): _clean_text(frame[h]) for var, h in sorted(cmap.free_text.items())}
    real = ~np.asarray(is_test, dtype=bool)
    names: list[str] = []
    emails: list[str] = []
    by_meaning = {h: m for m, h in cmap.system.items()}
    for header in cmap.personal:
        if header in cmap.free_text.values() or header not in frame:
            continue
        values = frame[header].astype("string").str.strip()
        email = values.str.contains("@", regex=False).fillna(False).to_numpy(dtype=bool)
        emails += values[email & real].dropna().unique().tolist()
        meaning = by_meaning.get(header, "")
        is_name = meaning in _NAME_MEANINGS or header.strip().casefold() in {"naam", "name"}
        if not is_name:
            continue
        ok = real & ~email & values.notna().to_numpy()
        names += values[ok].unique().tolist()
    return RawOpen(texts=texts, names=sorted(set(names)), emails=sorted(set(emails)))


@dataclass
class Scrubbing:
    """The answers of the kept rows, being de-identified (in the stage's worker or here).

    ``jobs`` holds per source index and question the positions in ``kept`` of the
    rows that answered; :meth:`result` gives, per job, its answers as ``(text,
    replacements per type)`` (waiting for the worker).
    """

    jobs: list[tuple[int, str, np.ndarray]]
    future: Future | None

    def result(self) -> list[list[tuple[str, dict[str, int]]]]:
        return [] if self.future is None else self.future.result()


def wants_deduce(study) -> bool:
    """True when the study's exports may hold open answers to de-identify."""
    return bool(study.settings.open_answers) and any(
        v.personal and v.type == "string" for v in study.codebook.variables.values()
    )


@contextmanager
def deidentifier(study, console=None) -> Iterator[Executor]:
    """Where the answers are de-identified: a worker that loads deduce at once, or here.

    Loading deduce takes ≈ 1.7 s of CPU; a worker process loads it while this one
    reads the exports (the stage's slowest part), on the core that would sit idle.
    Here instead when there is one core, no open question, or deduce is loaded in
    this process already (a second clean in one session, the test suite).
    """
    if console is not None and wants_deduce(study) and not deduce_cache_file().exists():
        console.print(
            "de-identification: deduce builds its lookup tables (about two minutes, first use only)"
        )
    if not wants_deduce(study) or deduce_loaded() or available_cores() < 2:
        with pool(1) as inline:  # runs each task when it is submitted
            yield inline
        return
    with pool(1, beside_main=True) as executor:
        executor.submit(warm_deduce)
        yield executor


def start(
    kept: pd.DataFrame,
    raw: dict[int, RawOpen],
    schools: list[str],
    keep: list[str],
    executor: Executor,
) -> Scrubbing:
    """Send the answers of every kept row to be de-identified (:func:`build` collects).

    Rows that a later step excludes (careless responding) are de-identified too and
    then left out by :func:`build`: starting before that step lets the worker run
    while this process computes it.
    """
    src_idx = kept["_source_index"].to_numpy()
    positions = kept["_pos"].to_numpy()
    jobs: list[tuple[int, str, np.ndarray]] = []
    batches: list[list[str]] = []
    for index in sorted(raw):
        rows = np.flatnonzero(src_idx == index)
        for question, texts in raw[index].texts.items():
            answer = texts[positions[rows]]
            has = pd.notna(answer)
            jobs.append((index, question, rows[has]))
            batches.append([str(a) for a in answer[has]])
    if not any(batches):
        return Scrubbing(jobs, None)
    # Names and addresses of *every* export of the study: a colleague named in one
    # lab's answers may have answered in another file.
    names = sorted({x for r in raw.values() for x in r.names})
    emails = sorted({x for r in raw.values() for x in r.emails})
    return Scrubbing(jobs, executor.submit(scrub_batches, batches, names, emails, schools, keep))


def build(
    kept: pd.DataFrame,
    stay: np.ndarray,
    scrubbing: Scrubbing,
    labels: dict[int, str],
    log: CleaningLog,
    audit: list[tuple[str, str, int]] | None = None,
) -> pd.DataFrame:
    """The ``open_answers`` table of the rows that stay, from :func:`start`'s de-identification.

    Parameters
    ----------
    kept
        Kept rows in final order, with ``_source_index`` and ``_pos``.
    stay
        Which of them stay (not excluded as careless).
    scrubbing
        What :func:`start` sent for these rows.
    labels
        Source index → source file as written in the study.
    log
        The cleaning log (one row per file with counts per type).
    audit
        When given, receives ``(source_file, kind, n)`` per file: ``answers`` and
        the replacements per type (``clean/deidentification.csv``).
    """
    recs: list[pd.DataFrame] = []
    done = scrubbing.result()
    by_source: dict[int, list[int]] = {}
    for j, (index, _q, _rows) in enumerate(scrubbing.jobs):
        by_source.setdefault(index, []).append(j)
    for index, jobs in by_source.items():
        n_answers = 0
        counts: Counter = Counter()
        for j in jobs:
            _index, question, rows = scrubbing.jobs[j]
            sel = stay[rows]
            if not sel.any():
                continue
            for (_text, found), ok in zip(done[j], sel, strict=True):
                if ok:
                    counts.update(found)
            n_answers += int(sel.sum())
            part = kept.iloc[rows[sel]][
                ["respondent_id", "lab", "wave", "role", "school_type", "source_file", "source_row"]
            ].copy()
            part["question"] = question
            part["text"] = [text for (text, _found), ok in zip(done[j], sel, strict=True) if ok]
            recs.append(part)
        if audit is not None:
            audit.append((labels[index], "answers", n_answers))
            audit.extend((labels[index], k, int(counts[k])) for k in sorted(counts))
        detail = "; ".join(f"{k}: {counts[k]}" for k in sorted(counts)) or "nothing replaced"
        log.add(
            "open_answers",
            "de-identify free text: deduce + names/e-mail in the exports + schools; "
            "typed placeholders",
            labels[index],
            n_answers,
            n_answers,
            f"{n_answers} answers; replaced {detail}",
        )
    if not recs:
        return empty_table()
    out = pd.concat(recs, ignore_index=True)
    out["answer_id"] = out["respondent_id"] + "-" + out["wave"] + "-" + out["question"]
    out = out.sort_values(["lab", "wave", "respondent_id", "question"], kind="stable")
    return _typed(out.reset_index(drop=True)[OPEN_COLUMNS])


def empty_table() -> pd.DataFrame:
    """An ``open_answers`` table without rows (typed like a full one)."""
    return _typed(pd.DataFrame({c: [] for c in OPEN_COLUMNS}))


def _typed(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    for c in OPEN_COLUMNS:
        out[c] = out[c].astype("int64") if c == "source_row" else out[c].astype("string")
    return out


#: Columns of ``clean/deidentification.csv``.
AUDIT_COLUMNS = ["source_file", "kind", "n"]


def open_answers_table(
    study, scrubbing: Scrubbing | None, kept: pd.DataFrame, stay: np.ndarray, sources, log
) -> tuple[pd.DataFrame, pd.DataFrame] | None:
    """``(open_answers, deidentification)`` for the rows that stay, or None when switched off.

    ``scrubbing`` is what :func:`start` sent for ``kept`` (None when switched off).
    ``deidentification`` counts per file the answers and the replacements per
    type (never a value). ``settings.open_answers: false`` drops the answers
    with the identifiers (logged).
    """
    if not study.settings.open_answers or scrubbing is None:
        log.add(
            "open_answers",
            "settings.open_answers: false",
            "*",
            None,
            None,
            "open answers dropped with the identifiers",
        )
        return None
    labels = {h.index: h.label for h in sources}
    audit: list[tuple[str, str, int]] = []
    table = build(kept, stay, scrubbing, labels, log, audit)
    counts = pd.DataFrame(audit, columns=AUDIT_COLUMNS).astype({"n": "int64"})
    return table, counts


def start_table(study, sources, kept: pd.DataFrame, executor: Executor) -> Scrubbing | None:
    """:func:`start` for a study's sources (None when ``settings.open_answers`` is false)."""
    if not study.settings.open_answers:
        return None
    raw = {h.index: h.open_raw for h in sources if h.open_raw is not None}
    labs = study.labs.labs
    schools = sorted({s for lab in labs for s in lab.schools})
    keep = sorted({x for lab in labs for x in (lab.name, *lab.aliases)})
    return start(kept, raw, schools, keep, executor)
