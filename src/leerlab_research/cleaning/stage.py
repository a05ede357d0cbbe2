"""The ``validate`` and ``clean`` stages.

``run_validate(ctx)``
    Reads every source, maps and parses it against the codebook, decides the
    exclusions, and collects *every* failure (lazy validation). Writes
    ``<out>/clean/validation.csv``, prints a summary table, and raises
    :class:`~leerlab_research.errors.DataError` (exit 1) when anything blocking failed.

``run_clean(ctx)``
    The same preparation, then the ordered, logged steps of the issue:

    1. pseudonymise the key and drop direct identifiers (right after reading,
       :mod:`.harmonise`);
    2. exclusions: test > no_consent > incomplete > duplicate (:mod:`.exclusions`);
    3. missing codes → NA with the reason kept (``item_missing.csv``);
    4. reverse keying ``min + max − x`` (:mod:`.scoring`);
    5. careless-responding indices and flags (:mod:`.careless`); flagged rows are
       excluded only when ``careless.exclude_flagged`` (the decision is logged);
    6. scale scores with ``n_items_<scale>`` (:mod:`.scoring`).

    Everything is computed first; nothing is written when validation fails.
    Outputs (``responses.parquet``/``.csv``, ``exclusions.csv``,
    ``item_missing.csv``, ``cleaning_log.csv``, ``validation.csv``) are written
    at the end, each atomically. Before writing, the code checks for every
    source file that rows in = rows kept + rows excluded, and that every
    (source_file, source_row) ends in exactly one of the two tables.

Decisions
---------
* Failures in rows that are excluded anyway (test, no consent, incomplete,
  duplicate) do not block; they are kept in ``validation.csv`` with severity
  ``excluded``. Exception: a failure in the column a rule needed (an
  unparseable consent or submit date) keeps the row in, so the failure blocks.
* Rows are sorted by lab, wave, respondent_id, source_file, source_row before any
  pooled statistic is computed, so shuffled exports give identical tables.
"""

from __future__ import annotations

import sys
from collections import Counter
from concurrent.futures import Executor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from rich.console import Console
from rich.table import Table

from ..config import schema
from ..config.codebook import VERSION_FIELD
from ..errors import ConfigError, DataError, InputFileError, LeerlabError
from ..io import read_export
from ..outputs import write_csv, write_parquet
from .audit import CleaningLog, Failures
from .careless import careless_indices, mahalanobis_cutoff
from .exclusions import assign_exclusions
from .harmonise import Harmonised, harmonise
from .open_answers import deidentifier, open_answers_table, start_table
from .scoring import apply_reverse_keying, min_items, scale_scores
from .versions import check_versions

#: Sort order of the clean table (deterministic and unique).
SORT_KEYS = ["lab", "wave", "respondent_id", "source_file", "source_row"]
EXCLUSION_COLUMNS = [
    "respondent_id",
    "lab",
    "wave",
    "source_file",
    "source_row",
    "reason",
    "detail",
]
ITEM_MISSING_COLUMNS = ["item", "scale", "reason", "n", "n_rows", "share"]


@dataclass
class Prepared:
    """Everything read, mapped, parsed and decided, before any output is written."""

    sources: list[Harmonised] = field(default_factory=list)
    frame: pd.DataFrame | None = None  # all sources, one row per export row
    reasons: np.ndarray | None = None  # n × k missing reasons
    reason: np.ndarray | None = None  # exclusion reason per row (None = kept)
    detail: np.ndarray | None = None
    failures: Failures = field(default_factory=Failures)
    log: CleaningLog = field(default_factory=CleaningLog)
    n_in: dict[str, int] = field(default_factory=dict)


def _read(ctx, source) -> object:
    """Read one export through the platform readers (``leerlab_research.io``)."""
    path = source.resolved or (ctx.study.base_dir / source.path)
    return read_export(Path(path), platform=source.platform, sheet=source.sheet)


def _reason(exc: InputFileError) -> str:
    """The reader's reason without its "file '…', row …, column …:" prefix.

    The failure row already carries file, row, column and value, and the error
    lines print them in front of the message; repeating them gave
    "file 'x.csv': file 'x.csv': …".
    """
    where = [f"file '{exc.path}'"]
    if exc.row is not None:
        where.append(f"row {exc.row}")
    if exc.column is not None:
        where.append(f"column '{exc.column}'")
    if exc.value is not None:
        where.append(f"value {exc.value!r}")
    prefix = ", ".join(where) + ": "
    return exc.message[len(prefix) :] if exc.message.startswith(prefix) else exc.message


def prepare(ctx) -> Prepared:
    """Read, harmonise, validate and decide exclusions for every source (lazy)."""
    study = ctx.study
    cb = study.codebook
    settings = study.settings.cleaning
    if settings.duplicates != "keep_last_complete":
        raise ConfigError(
            f"{study.path.name}: settings.cleaning.duplicates: unknown rule {settings.duplicates!r} "
            "(the one rule implemented is 'keep_last_complete')"
        )
    key = study.key_info()
    _check_key(ctx, key)
    secret = key.key
    prep = Prepared()
    if key.warning:
        # Loud on purpose: stdout (not only the stderr progress), the log, the
        # manifest and the methods report's first page (see config/keys.py).
        Console(file=sys.stdout, stderr=False).print(f"[bold red]{key.warning}[/]", highlight=False)
        prep.log.add(
            "pseudonymise", "DEMO KEY on data that are not the demo's", "*", None, None, key.warning
        )
    ctx.provenance["pseudonym_key"] = key.manifest_entry()
    with ctx.progress("reading exports", len(study.sources)) as advance:
        for i, source in enumerate(study.sources):
            try:
                raw = _read(ctx, source)
            except InputFileError as exc:
                prep.failures.add(
                    source.path,
                    "unreadable_file",
                    _reason(exc),
                    row=exc.row,
                    column=exc.column,
                    value=exc.value,
                )
                prep.log.add(
                    "read", "read_export", source.path, None, None, f"unreadable: {_reason(exc)}"
                )
                advance(1)
                continue
            except LeerlabError:
                raise  # a ValueError too, but the user's own to act on (e.g. a ConfigError)
            except (OSError, ValueError, KeyError, IndexError, TypeError, UnicodeError) as exc:
                # A reader that let a library error through: still name the file, no traceback.
                if ctx.debug:
                    raise
                msg = f"could not be read ({type(exc).__name__}: {exc})"
                prep.failures.add(source.path, "unreadable_file", msg)
                prep.log.add("read", "read_export", source.path, None, None, f"unreadable: {msg}")
                advance(1)
                continue
            h = harmonise(raw, source, i, cb, study.labs, settings, secret, prep.failures, prep.log)
            prep.sources.append(h)
            prep.n_in[source.path] = h.n_rows
            advance(1)
    if not prep.sources:
        return prep
    frame = pd.concat([h.frame for h in prep.sources], ignore_index=True)
    reasons = np.concatenate([h.reasons for h in prep.sources], axis=0)
    check_versions(frame, reasons, cb, prep.failures, prep.log)
    reason, detail = assign_exclusions(frame, len(cb.item_codes), settings, prep.failures, prep.log)
    prep.frame, prep.reasons, prep.reason, prep.detail = frame, reasons, reason, detail
    _row_failures(prep)
    return prep


def _check_key(ctx, key) -> None:
    """Refuse a key other than the one the out folder's respondent ids were made with."""
    recorded = (ctx.manifest.get("pseudonym_key") or {}).get("fingerprint")
    if recorded and recorded != key.fingerprint:
        raise ConfigError(
            f"{ctx.out} holds respondent ids made with another pseudonym key (fingerprint "
            f"{recorded}; the key in {ctx.study.settings.pseudonym_key_env} now gives "
            f"{key.fingerprint}). Cleaning with this key would give one person other ids "
            "in this run than in the earlier one, so their waves could no longer be linked. "
            "Use the earlier key, or clean into a new --out folder."
        )


def _row_failures(prep: Prepared) -> None:
    """Row-level checks on kept rows, and downgrading failures of excluded rows."""
    df, reason = prep.frame, prep.reason
    # set together by prepare() once any source was read; called only then
    assert df is not None and reason is not None
    kept = pd.isna(reason)
    files = df["source_file"].to_numpy(dtype=object)
    rows = df["source_row"].to_numpy()
    required = [
        ("respondent_id", "_key_missing"),
        ("lab", None),
        ("school_type", None),
        ("role", None),
        ("wave", None),
    ]
    for col, flag in required:
        if flag is not None:
            missing = df[flag].to_numpy(dtype=bool)
        else:
            missing = df[col].isna().to_numpy() & ~df.get(
                f"_bad_{col}", pd.Series(False, index=df.index)
            ).to_numpy(dtype=bool)
        for p in np.flatnonzero(kept & missing).tolist():
            prep.failures.add(
                str(files[p]),
                "required_missing",
                f"required value {col!r} is blank",
                row=int(rows[p]),
                column=col,
                pos=int(df["_pos"].iat[p]),
            )
    # Failures in excluded rows do not block (see the module docstring).
    for h in prep.sources:
        sel = (files == h.label) & ~kept
        positions = set(df["_pos"].to_numpy()[sel].tolist())
        if positions:
            prep.failures.downgrade_rows(h.label, positions)


# --------------------------------------------------------------------- validate
def _summary_table(prep: Prepared, ctx) -> Table:
    table = Table(title="Validation", show_lines=False)
    for col in ("source file", "rows", "errors", "in excluded rows", "warnings"):
        table.add_column(col, justify="left" if col == "source file" else "right")
    counts: dict[str, Counter] = {}
    for rec in prep.failures.rows:
        counts.setdefault(rec["source_file"], Counter())[rec["severity"]] += 1
    for src in ctx.study.sources:
        c = counts.get(src.path, Counter())
        table.add_row(
            src.path,
            str(prep.n_in.get(src.path, "-")),
            str(c["error"]),
            str(c["excluded"]),
            str(c["warning"]),
        )
    return table


def _rule_table(prep: Prepared) -> Table:
    table = Table(title="Failures by rule")
    for col in ("rule", "severity", "n"):
        table.add_column(col, justify="right" if col == "n" else "left")
    c = Counter((r["rule"], r["severity"]) for r in prep.failures.rows)
    for (rule, sev), n in sorted(c.items()):
        table.add_row(rule, sev, str(n))
    return table


def _raise_if_blocking(prep: Prepared, what: str) -> None:
    blocking = prep.failures.blocking
    if blocking:
        files = sorted({r["source_file"] for r in blocking})
        raise DataError(
            f"{what}: {len(blocking)} blocking problem(s) in {len(files)} file(s) "
            f"({', '.join(files)})",
            prep.failures.message_lines(),
        )


def run_validate(ctx) -> list[Path]:
    """Validate every source lazily; write ``clean/validation.csv``; exit 1 on blocking failures."""
    prep = prepare(ctx)
    path = write_csv(prep.failures.frame(), ctx.stage_dir("clean") / "validation.csv")
    ctx.console.print(_summary_table(prep, ctx))
    if prep.failures.rows:
        ctx.console.print(_rule_table(prep))
    _raise_if_blocking(prep, "Validation failed")
    ctx.console.print(f"[green]valid[/]: {sum(prep.n_in.values())} rows in {len(prep.n_in)} files")
    return [path]


# ------------------------------------------------------------------------ clean
def run_clean(ctx) -> list[Path]:
    """Clean every source into the pseudonymised response table with its audit trail."""
    # deduce loads in a worker process while the exports are read
    with deidentifier(ctx.study, ctx.console) as executor:
        return _clean(ctx, executor)


def _clean(ctx, executor: Executor) -> list[Path]:
    study = ctx.study
    cb = study.codebook
    settings = study.settings.cleaning
    prep = prepare(ctx)
    _raise_if_blocking(
        prep, "Cannot clean: validation failed (run `leerlab validate` for the full table)"
    )
    if prep.frame is None or prep.reason is None or prep.detail is None or prep.reasons is None:
        raise DataError("Cannot clean: no source could be read")
    log = prep.log
    df = prep.frame
    reason = prep.reason.copy()
    detail = prep.detail.copy()
    items = cb.item_codes
    k = len(items)

    # The kept rows, in the final deterministic order (before any pooled statistic).
    kept_idx = np.flatnonzero(pd.isna(reason))
    kept = df.iloc[kept_idx]
    order = kept.sort_values(SORT_KEYS, kind="stable").index.to_numpy()
    kept = df.loc[order].reset_index(drop=True)
    scrubbing = start_table(study, prep.sources, kept, executor)
    raw = kept[items].to_numpy(dtype=float)
    why = prep.reasons[order]

    # Step 3: missing codes → NA with reason.
    values = np.where(pd.isna(why), raw, np.nan)
    n_missing_cells = int((~pd.isna(why)).sum())
    log.add(
        "missing_codes",
        "missing codes (9 = weet niet / n.v.t.), SPSS user-missing and blanks → NA; reason kept",
        "*",
        len(kept),
        len(kept),
        f"{n_missing_cells} item cells set to NA (see item_missing.csv)",
    )
    item_missing = _item_missing(why, cb)

    # Step 4: reverse keying.
    keyed = apply_reverse_keying(values, cb)
    log.add(
        "reverse_keying",
        "min + max − x (6 − x on 1–5) for codebook reverse items",
        "*",
        len(kept),
        len(kept),
        f"items: {', '.join(cb.reverse_items)}",
    )

    # Step 5: careless responding (pooled over all kept rows).
    cfg = settings.careless
    cr = careless_indices(raw, keyed, kept["_duration_s"].to_numpy(dtype=float), cb, cfg)
    crit = mahalanobis_cutoff(k, cfg.mahalanobis_p)
    log.add(
        "careless",
        f"flag when >= {cfg.min_agree} of: s/item < {cfg.min_seconds_per_item}; longstring >= {cfg.max_longstring}; "
        f"IRV <= {cfg.min_irv}; D² > χ²({1 - cfg.mahalanobis_p:g}, df={k}) = {crit:.2f}; even-odd < {cfg.min_evenodd}",
        "*",
        len(kept),
        len(kept),
        "; ".join(f"{c}: {int(cr[f'cr_flag_{c}'].sum())}" for c in schema.CARELESS_INDICES)
        + f"; flagged: {int(cr['careless_flag'].sum())}",
    )
    flagged = cr["careless_flag"].to_numpy(dtype=bool)
    if cfg.exclude_flagged:
        for f, n_in in _per_file(kept):
            sel = (kept["source_file"] == f).to_numpy()
            log.add(
                "exclude",
                "careless: exclude_flagged=true",
                f,
                n_in,
                int(n_in - (flagged & sel).sum()),
                f"{int((flagged & sel).sum())} excluded",
            )
        back = order[flagged]
        reason[back] = "careless"
        detail[back] = [f"careless flags: {int(x)}" for x in cr["cr_n_flags"].to_numpy()[flagged]]
    else:
        log.add(
            "exclude",
            "careless: exclude_flagged=false (flag, don't drop)",
            "*",
            len(kept),
            len(kept),
            f"{int(flagged.sum())} flagged respondents kept with careless_flag = true",
        )
    stay = ~flagged if cfg.exclude_flagged else np.ones(len(kept), dtype=bool)

    # Step 6: scale scores.
    scores, counts = scale_scores(keyed, cb, settings.scale_min_share)
    log.add(
        "scale_scores",
        f"mean of answered keyed items when >= {settings.scale_min_share:.3g} of the scale's items answered",
        "*",
        len(kept),
        int(stay.sum()),
        "; ".join(
            f"{s}: min {min_items(len(cb.scales[s].items), settings.scale_min_share)} items"
            for s in cb.scales
        ),
    )

    responses = _responses_table(kept, keyed, scores, counts, cr, cb)[stay].reset_index(drop=True)
    opened = open_answers_table(study, scrubbing, kept, stay, prep.sources, log)
    exclusions = _exclusions_table(df, reason, detail)
    _check_accounting(prep, responses, exclusions, log)

    out_dir = ctx.stage_dir("clean")
    written = [
        write_parquet(responses, out_dir / "responses.parquet"),
        write_csv(_floats_as_text(responses), out_dir / "responses.csv"),
        write_csv(exclusions, out_dir / "exclusions.csv"),
        write_csv(item_missing, out_dir / "item_missing.csv"),
        write_csv(log.frame(), out_dir / "cleaning_log.csv"),
        write_csv(prep.failures.frame(), out_dir / "validation.csv"),
    ]
    open_path, audit_path = out_dir / "open_answers.parquet", out_dir / "deidentification.csv"
    if opened is not None:
        written.append(write_parquet(opened[0], open_path))
        written.append(write_csv(opened[1], audit_path))
    else:  # switched off since the last run: no stale free text
        open_path.unlink(missing_ok=True)
        audit_path.unlink(missing_ok=True)
    by_reason = Counter(exclusions["reason"])
    ctx.console.print(
        f"[green]clean[/]: {len(responses)} kept, {len(exclusions)} excluded "
        f"({', '.join(f'{r}: {n}' for r, n in sorted(by_reason.items())) or 'none'}), "
        f"{int(responses['careless_flag'].sum())} flagged as careless"
    )
    return written


def _floats_as_text(df: pd.DataFrame) -> pd.DataFrame:
    """Float columns formatted once per distinct value, for a fast ``to_csv``.

    pandas formats every float cell through Python (2 s for 100,000 rows × 19
    columns); scale scores take a handful of distinct values, so formatting the
    distinct values (numpy's shortest round-trip repr, as pandas writes them)
    and broadcasting gives the same bytes much faster.
    """
    out = df.copy()
    for col in df.columns:
        if df[col].dtype != np.float64:
            continue
        codes, uniques = pd.factorize(df[col], use_na_sentinel=True)
        text = np.append(np.asarray(uniques, dtype=np.float64).astype(str), "")
        out[col] = pd.array(text[codes], dtype=object)
    return out


def _per_file(df: pd.DataFrame) -> list[tuple[str, int]]:
    c = df["source_file"].value_counts()
    return [(str(f), int(c[f])) for f in sorted(c.index)]


def _item_missing(why: np.ndarray, cb) -> pd.DataFrame:
    """Per item × reason counts of missing answers among kept rows."""
    recs = []
    n = why.shape[0]
    for j, code in enumerate(cb.item_codes):
        col = why[:, j]
        c = Counter(
            x for x in col.tolist() if x is not None and not (isinstance(x, float) and np.isnan(x))
        )
        for r in sorted(c):
            recs.append(
                {
                    "item": code,
                    "scale": cb.scale_of_item[code],
                    "reason": r,
                    "n": c[r],
                    "n_rows": n,
                    "share": c[r] / n if n else np.nan,
                }
            )
    out = pd.DataFrame(recs, columns=ITEM_MISSING_COLUMNS)
    out["n"] = out["n"].astype("int64")
    out["n_rows"] = out["n_rows"].astype("int64")
    return out


def _responses_table(kept, keyed, scores, counts, cr, cb) -> pd.DataFrame:
    """The clean table with exactly :func:`schema.clean_columns` in order and contract dtypes."""
    cols: dict[str, object] = {}
    for name, var in cb.variables.items():
        if var.personal:
            continue
        if var.type == "boolean":
            cols[name] = kept[name].astype("boolean")
        elif var.type == "datetime":
            cols[name] = pd.to_datetime(kept[name]).astype("datetime64[ns]")
        else:
            cols[name] = kept[name].astype("string")
    for j, code in enumerate(cb.item_codes):
        cols[code] = pd.Series(keyed[:, j]).astype("Int64")  # whole numbers or NaN by construction
    for s in cb.scales:
        cols[s] = scores[s].astype(float)
    for s in cb.scales:
        cols[schema.n_items_column(s)] = counts[s].astype("int64")
    for c in schema.careless_columns():
        cols[c] = cr[c].to_numpy()
    cols[VERSION_FIELD] = kept[VERSION_FIELD].astype("string")
    cols["source_file"] = kept["source_file"].astype("string")
    cols["source_row"] = kept["source_row"].astype("int64")
    out = pd.DataFrame({k: pd.Series(v).reset_index(drop=True) for k, v in cols.items()})
    expected = schema.clean_columns(cb)
    assert list(out.columns) == expected, "clean table columns differ from schema.clean_columns"
    return out[expected]


def _exclusions_table(df: pd.DataFrame, reason: np.ndarray, detail: np.ndarray) -> pd.DataFrame:
    sel = ~pd.isna(reason)
    out = df.loc[sel, ["respondent_id", "lab", "wave", "source_file", "source_row"]].copy()
    out["reason"] = reason[sel].astype(str)
    out["detail"] = detail[sel].astype(str)
    out["source_row"] = out["source_row"].astype("int64")
    return out.sort_values(["source_file", "source_row"], kind="stable").reset_index(drop=True)[
        EXCLUSION_COLUMNS
    ]


def _check_accounting(
    prep: Prepared, responses: pd.DataFrame, exclusions: pd.DataFrame, log: CleaningLog
) -> None:
    """Rows in = kept + excluded for every source file; every row ends in exactly one table."""
    kept_n = responses["source_file"].value_counts()
    excl_n = exclusions["source_file"].value_counts()
    problems = []
    for f, n_in in prep.n_in.items():
        k, e = int(kept_n.get(f, 0)), int(excl_n.get(f, 0))
        ok = n_in == k + e
        log.add(
            "check",
            "rows in = kept + excluded",
            f,
            n_in,
            k,
            f"kept {k} + excluded {e} = {k + e} ({'ok' if ok else 'MISMATCH'})",
        )
        if not ok:
            problems.append(f"{f}: {n_in} rows in, {k} kept + {e} excluded = {k + e}")
    both = pd.concat(
        [responses[["source_file", "source_row"]], exclusions[["source_file", "source_row"]]]
    )
    if both.duplicated().any():
        problems.append(
            f"{int(both.duplicated().sum())} rows are both kept and excluded (or twice)"
        )
    if problems:
        raise RuntimeError("cleaning lost or duplicated rows (a bug): " + "; ".join(problems))
