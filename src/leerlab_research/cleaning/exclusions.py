"""Step 2: exclusions, one reason per row, in a fixed order of precedence.

``test`` > ``no_consent`` > ``incomplete`` > ``duplicate`` (> ``careless`` only when
``settings.cleaning.careless.exclude_flagged``). A row gets the first reason
that applies; later rules only look at rows that are still in.

test
    A raw value marks a test or preview response: the lab, the respondent key,
    the name or the e-mail column holds the word *test* (``TEST``, ``Test
    Persoon``, ``test.account@school.nl``, ``TEST2``, ``TESTRESPONS``; not
    ``Testers`` or ``contest.nl``), or the platform status says preview/test
    (Qualtrics ``Status``). Decided from the raw values in step 1, before the
    identifiers are dropped and *before* lab validation, so a test row with lab
    ``TEST`` is excluded, not a blocking "unknown lab".
no_consent
    Consent is *nee*, or consent is blank on an otherwise complete response (no
    recorded consent is no consent). A blank consent on an incomplete response
    counts as ``incomplete`` (the respondent stopped before the question).
incomplete
    ``require_submitted`` and the export says the response was not submitted
    (no submit date, ``Finished`` false, ``Progress`` < 100), or fewer than
    ``min_items_answered`` of the items have any answer (a missing code such as
    9 counts as an answer: "weet niet" is a deliberate answer).
duplicate
    Same pseudonym and wave more than once *within one file*: keep the last
    complete submission (latest ``submitted_at``, then latest ``started_at``, then the
    later row in the file); the others are duplicates. Across files the same
    pseudonym and wave is a validation error by default (see
    ``settings.cleaning.duplicates_across_files``), because it usually means ids
    that collide between exports or one export listed twice.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..config.settings import CleaningSettings
from .audit import CleaningLog, Failures

REASONS = ["test", "no_consent", "incomplete", "duplicate", "careless"]

DUPLICATE_RULE = (
    "keep_last_complete: same pseudonym + wave within a file; keep the latest submitted_at "
    "(then latest started_at, then the later row)"
)


def assign_exclusions(
    df: pd.DataFrame,
    n_items: int,
    settings: CleaningSettings,
    failures: Failures,
    log: CleaningLog,
) -> tuple[np.ndarray, np.ndarray]:
    """Decide the exclusion reason of every row of the combined harmonised frame.

    Parameters
    ----------
    df
        All sources' harmonised frames concatenated (one row per export row).
    n_items
        Number of items in the codebook (for the share answered).
    settings
        ``settings.cleaning``.
    failures, log
        Collectors: cross-file duplicate ids become failures; every rule logs per file.

    Returns
    -------
    reason, detail
        Object arrays: the reason (``None`` for a kept row) and a short detail.
    """
    n = len(df)
    reason = np.full(n, None, dtype=object)
    detail = np.full(n, "", dtype=object)
    files = df["source_file"].to_numpy(dtype=object)

    def apply(name: str, mask: np.ndarray, why: np.ndarray | str, rule: str) -> None:
        new = mask & pd.isna(reason)
        before = pd.Series(pd.isna(reason)).groupby(files).sum()
        reason[new] = name
        detail[new] = why[new] if isinstance(why, np.ndarray) else why
        after = pd.Series(pd.isna(reason)).groupby(files).sum()
        for f in sorted(before.index):
            log.add(
                "exclude",
                f"{name}: {rule}",
                f,
                int(before[f]),
                int(after[f]),
                f"{int(before[f] - after[f])} excluded",
            )

    # test / preview
    apply(
        "test",
        df["_test"].to_numpy(dtype=bool),
        df["_test_why"].to_numpy(dtype=object),
        "a raw lab/key/name/e-mail value contains 'test', or platform status is preview/test",
    )
    # completeness (computed first: it decides how a blank consent counts)
    submitted = df["_submitted"].to_numpy(dtype=float)
    share = df["_answered"].to_numpy(dtype=float) / max(n_items, 1)
    not_submitted = settings.require_submitted & (submitted == 0)
    too_few = share < settings.min_items_answered
    incomplete = not_submitted | too_few
    why_inc = np.where(
        not_submitted,
        "not submitted (no submit date / Finished false / Progress < 100)",
        np.char.add(
            np.char.add("answered ", df["_answered"].astype(int).astype(str).to_numpy()),
            f" of {n_items} items (< {settings.min_items_answered:.0%})",
        ),
    ).astype(object)
    said_no = df["consent"].eq("nee").fillna(False).to_numpy(dtype=bool)
    consent_blank = df["consent"].isna().to_numpy() & ~df["_bad_consent"].to_numpy(dtype=bool)
    no_consent = said_no | (consent_blank & ~incomplete)
    apply(
        "no_consent",
        no_consent,
        np.where(said_no, "consent: nee", "consent blank on a complete response").astype(object),
        "consent is nee, or blank on a complete response",
    )
    apply(
        "incomplete",
        incomplete,
        why_inc,
        f"require_submitted={settings.require_submitted}, min_items_answered={settings.min_items_answered}",
    )
    # duplicates within a file: keep the last complete submission
    cand = pd.isna(reason) & ~df["_key_missing"].to_numpy(dtype=bool)
    sub = df.loc[
        cand,
        [
            "respondent_id",
            "wave",
            "source_file",
            "_source_index",
            "submitted_at",
            "started_at",
            "source_row",
        ],
    ]
    if settings.duplicates_across_files == "error":
        spread = sub.groupby(["respondent_id", "wave"], observed=True)["source_file"].transform(
            "nunique"
        )
        cross = sub[spread > 1].sort_values(
            ["respondent_id", "wave", "_source_index", "source_row"]
        )
        for (_rid, wave), grp in cross.groupby(
            ["respondent_id", "wave"], sort=False, observed=True
        ):
            first = grp.iloc[0]
            for _, rec in grp.iloc[1:].iterrows():
                if rec["source_file"] == first["source_file"]:
                    continue
                failures.add(
                    str(rec["source_file"]),
                    "duplicate_id_across_files",
                    f"respondent key (pseudonym {rec['respondent_id']}) and wave {wave} also occur in "
                    f"file '{first['source_file']}' row {int(first['source_row'])}; ids collide across "
                    "exports or one export is listed twice (settings.cleaning.duplicates_across_files)",
                    row=int(rec["source_row"]),
                    column="respondent_id",
                    value=rec["respondent_id"],
                )
        group_keys = ["respondent_id", "wave", "source_file"]
    else:
        group_keys = ["respondent_id", "wave"]
    order = sub.sort_values(
        [*group_keys, "submitted_at", "started_at", "_source_index", "source_row"],
        na_position="first",
    )
    last = ~order.duplicated(group_keys, keep="last")
    winners_all = order[last.to_numpy()]
    kept_of = pd.DataFrame(
        {
            "kept_file": winners_all["source_file"].to_numpy(),
            "kept_row": winners_all["source_row"].to_numpy(),
        },
        index=pd.MultiIndex.from_frame(winners_all[group_keys]),
    )
    dup_idx = order.index[~last.to_numpy()]
    dup_mask = np.zeros(n, dtype=bool)
    dup_mask[dup_idx] = True
    why_dup = np.full(n, "", dtype=object)
    if len(dup_idx):
        keys = pd.MultiIndex.from_frame(order.loc[dup_idx, group_keys])
        winners = kept_of.reindex(keys)
        why_dup[dup_idx] = [
            f"same respondent and wave as '{f}' row {int(r)} (kept): {settings.duplicates}"
            for f, r in zip(winners["kept_file"], winners["kept_row"], strict=True)
        ]
    apply("duplicate", dup_mask, why_dup, DUPLICATE_RULE)
    return reason, detail
