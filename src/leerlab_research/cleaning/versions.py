"""Exports of generated surveys: their answer codes and their codebook version.

Surveys written by ``leerlab instrument`` carry the codebook version in a hidden
field (``codebook_version``; LimeSurvey ``codebookversion``). An export with
that column is known to use the codebook's own answer codes (school type, role,
lab; see :func:`instrument_codes`); exports without it keep today's rules.

Each response records the version it was collected with. When a study pools
responses from different versions, :func:`check_versions` says so in the
cleaning log and validation table, and refuses (sets to missing with reason
``wording_changed``) the answers to items whose wording changed since the
response's version, unless the codebook's ``changes`` declare that change
harmless. A version the codebook does not know blocks cleaning.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..config.codebook import VERSION_FIELD, Codebook
from ..config.labs import Labs
from .audit import CleaningLog, Failures

WORDING_CHANGED = "wording_changed"


def instrument_codes(codebook: Codebook, labs: Labs) -> dict[str, dict[str, str | int]]:
    """Codebook code → {answer code → value} for the questions of a generated survey."""
    tables: dict[str, dict[str, str | int]] = {
        name: {str(code): value for value, code in var.codes.items()}
        for name, var in codebook.variables.items()
        if var.codes
    }
    if labs.by_code and "lab" in codebook.variables:
        tables["lab"] = {str(code): lab_id for code, lab_id in labs.by_code.items()}
    return tables


def check_versions(
    frame: pd.DataFrame,
    reasons: np.ndarray,
    codebook: Codebook,
    failures: Failures,
    log: CleaningLog,
) -> None:
    """Report the versions in the pooled frame and refuse changed items (in place).

    Parameters
    ----------
    frame
        The concatenated harmonised sources (column ``codebook_version``, provenance).
    reasons
        Rows × items missing reasons; answers to refused items get ``wording_changed``.
    codebook, failures, log
        The study's codebook and the shared collectors.
    """
    versions = frame[VERSION_FIELD]
    known = versions.dropna()
    if known.empty:
        return
    counts = known.value_counts().sort_index()
    n_unknown = int(versions.isna().sum())
    summary = ", ".join(f"{v}: {int(c)}" for v, c in counts.items())
    if n_unknown:
        summary += f", not recorded (export not built with leerlab instrument): {n_unknown}"
    mixed = len(counts) > 1 or any(v != codebook.version for v in counts.index)
    items = codebook.item_codes
    refused_total = 0
    details = []
    for version in counts.index:
        rows = versions.eq(version).fillna(False).to_numpy(dtype=bool)
        files = sorted(frame.loc[rows, "source_file"].astype(str).unique())
        try:
            changed = codebook.changed_since(str(version))
        except ValueError:
            for f in files:
                failures.add(
                    f,
                    "unknown_codebook_version",
                    f"responses were collected with codebook version {version!r}, which codebook "
                    f"{codebook.name} {codebook.version} does not know (not under `changes`)",
                    column=VERSION_FIELD,
                    value=str(version),
                )
            continue
        for code, change in sorted(changed.items()):
            if code not in items:
                continue
            if change.harmless:
                details.append(f"{code} changed after {version}, declared harmless: pooled")
                continue
            j = items.index(code)
            answered = rows & pd.isna(reasons[:, j])
            reasons[rows, j] = WORDING_CHANGED
            refused_total += int(answered.sum())
            details.append(f"{code} changed after {version}: {int(answered.sum())} answers refused")
            for f in files:
                failures.add(
                    f,
                    "wording_changed",
                    f"item {code} was worded differently in codebook version {version}; its "
                    f"answers are not pooled (declare the change harmless under `changes` if it is)",
                    column=code,
                    value=str(version),
                    severity="warning",
                )
    if mixed:
        for f in sorted(frame["source_file"].astype(str).unique()):
            failures.add(
                f,
                "mixed_codebook_versions",
                f"the study pools responses from codebook versions {summary} "
                f"(codebook in use: {codebook.version})",
                column=VERSION_FIELD,
                severity="warning",
            )
    n = len(frame)
    log.add(
        "codebook_version",
        "version per response from the generated survey's hidden field; items whose wording "
        "changed since a response's version are refused unless declared harmless",
        "*",
        n,
        n,
        f"versions: {summary}; codebook {codebook.version}"
        + (f"; {'; '.join(details)}" if details else "")
        + (f"; {refused_total} answers refused" if refused_total else ""),
    )
