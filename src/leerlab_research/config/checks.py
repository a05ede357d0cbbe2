"""Checks of a study file that need its codebook, labs or sources (run when it is loaded).

Every problem a stage would otherwise meet late (an empty change table, a KeyError
deep in a comparison, every scale score NaN) is found here, with its YAML path, so
that ``leerlab validate`` and every stage stop with exit 2 before reading any data:

* a source listed twice (the same file by another spelling of its path, or a byte-
  identical copy under another name): its rows would count twice;
* a source's ``wave`` that the study's waves do not include;
* ``compare.groups``, ``compare.posthoc_factors``, ``measurement.by`` and
  ``measurement.invariance_groups`` naming a column the clean table has no groups in;
* ``measurement.invariance_levels`` naming a group or level that does not exist;
* ``compare.waves`` naming unknown waves, or one wave twice.

Ranges of single settings (shares between 0 and 1, report formats...) are checked by
the settings models themselves (``config/settings.py``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from .codebook import Codebook
from .labs import Labs

if TYPE_CHECKING:  # the study model imports this module
    from .study import StudyFile

#: Codebook variables that are never a grouping: consent is "ja" in every kept row.
_NOT_GROUPS = frozenset({"consent"})


def grouping_columns(codebook: Codebook) -> list[str]:
    """Clean-table columns that split respondents into groups: lab, the nominal variables, wave."""
    nominal = [
        name
        for name, var in codebook.variables.items()
        if var.type == "string"
        and var.enum
        and not var.personal
        and not var.key
        and name not in _NOT_GROUPS
    ]
    return ["lab", *[n for n in nominal if n != "wave"], "wave"]


def _sha256(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None  # unreadable files are reported by the reader, with the reason


def _duplicate_sources(config: StudyFile, fname: str) -> list[str]:
    problems: list[str] = []
    seen: dict[Path, int] = {}
    hashes: dict[str, int] = {}
    for i, src in enumerate(config.sources):
        resolved = src.resolved
        if resolved is None:
            continue
        if resolved in seen:
            j = seen[resolved]
            problems.append(
                f"{fname}: sources[{i}].path: file {src.path!r} is listed twice (also "
                f"sources[{j}]: {config.sources[j].path!r}); its rows would count twice"
            )
            continue
        seen[resolved] = i
        digest = _sha256(resolved) if resolved.is_file() else None
        if digest is None:
            continue
        if digest in hashes:
            j = hashes[digest]
            problems.append(
                f"{fname}: sources[{i}].path: file {src.path!r} has the same content as "
                f"sources[{j}] ({config.sources[j].path!r}); a copy listed twice would count "
                "its rows twice"
            )
        else:
            hashes[digest] = i
    return problems


def _columns(
    fname: str, where: str, names: Sequence[str], allowed: Sequence[str], what: str
) -> list[str]:
    return [
        f"{fname}: {where}[{i}]: unknown {what} {name!r}; choose from {', '.join(allowed)}"
        for i, name in enumerate(names)
        if name not in allowed
    ]


def _levels(codebook: Codebook, labs: Labs, waves: Sequence[str]) -> dict[str, list[str]]:
    out = {
        name: list(var.enum or [])
        for name, var in codebook.variables.items()
        if var.type == "string" and var.enum
    }
    out["lab"] = [lab.id for lab in labs.labs]
    out["wave"] = list(waves)
    return out


def study_problems(
    config: StudyFile, codebook: Codebook, labs: Labs, fname: str, waves: Sequence[str]
) -> list[str]:
    """Every problem of the study's settings and sources (see the module docstring).

    Parameters
    ----------
    config
        The validated study file, with ``sources[].resolved`` set.
    codebook, labs
        The study's codebook and labs.
    fname
        The study file's name, for the messages.
    waves
        The waves the study may use (the codebook's ``wave`` values).

    Returns
    -------
    list of str
        ``file: yaml.path: message`` lines; empty when all is well.
    """
    s = config.settings
    problems = _duplicate_sources(config, fname)
    for i, src in enumerate(config.sources):
        if src.wave is not None and src.wave not in waves:
            problems.append(
                f"{fname}: sources[{i}].wave: unknown wave {src.wave!r}; the study's waves are "
                f"{', '.join(waves)}"
            )
    groups = grouping_columns(codebook)
    compare_groups = [g for g in groups if g != "wave"]  # group tests run within each wave
    problems += _columns(
        fname, "settings.compare.groups", s.compare.groups, compare_groups, "grouping column"
    )
    problems += _columns(
        fname,
        "settings.compare.posthoc_factors",
        s.compare.posthoc_factors,
        compare_groups,
        "grouping column",
    )
    problems += _columns(fname, "settings.measurement.by", s.measurement.by, groups, "column")
    problems += _columns(
        fname,
        "settings.measurement.invariance_groups",
        s.measurement.invariance_groups,
        groups,
        "column",
    )
    levels = _levels(codebook, labs, waves)
    for group, wanted in s.measurement.invariance_levels.items():
        where = f"{fname}: settings.measurement.invariance_levels.{group}"
        if group not in groups:
            problems.append(f"{where}: unknown column {group!r}; choose from {', '.join(groups)}")
            continue
        for j, level in enumerate(wanted):
            if level not in levels.get(group, []):
                problems.append(
                    f"{where}[{j}]: {level!r} is not a value of {group} "
                    f"({', '.join(levels.get(group, []))})"
                )
    for j, wave in enumerate(s.compare.waves or ()):
        if wave not in waves:
            problems.append(
                f"{fname}: settings.compare.waves[{j}]: unknown wave {wave!r}; the study's waves "
                f"are {', '.join(waves)}"
            )
    if len(set(s.compare.waves or ())) < len(s.compare.waves or ()):
        problems.append(
            f"{fname}: settings.compare.waves: compares a wave with itself "
            f"({', '.join(s.compare.waves or ())}); give two different waves"
        )
    return problems
