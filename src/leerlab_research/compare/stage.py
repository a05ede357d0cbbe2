"""The ``compare`` stage: ``leerlab compare`` → ``<out>/compare/``.

Reads ``<out>/clean/responses.parquet`` and writes ``descriptives.csv``,
``group_tests.csv``, ``posthoc.csv``, ``icc.csv``, ``mixedlm.csv``,
``benchmark.csv``, ``agreement.csv``, ``profile.csv``, ``change.csv``, ``focus.csv``,
``open_themes.csv``, ``open_quotes.csv`` (from the open answers and their codes,
when the study has them), the panel tables ``longitudinal.csv``,
``longitudinal_variance.csv``, ``trajectories.csv``, ``attrition.csv``,
``attrition_baseline.csv`` (:mod:`.panel`), ``suppression.csv`` and ``results.json``
(the index the reports read: per table
its file, columns, unit of analysis, test, correction and ``min_cell``).

Disclosure control (:mod:`.disclosure`) is decided once on the descriptives cube
and inherited by every table derived from group cells, so no two tables can be
combined to undo a suppression.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from ..config.labs import FOCUS_AREAS
from ..config.schema import CLEAN_TABLE
from ..outputs import write_csv, write_json
from ..runtime import single_thread
from ..workers import available_cores, pool
from . import (
    agreement,
    change,
    descriptives,
    disclosure,
    groups,
    icc,
    multilevel,
    open_themes,
    panel,
    profile,
    publication,
    published,
)
from .common import ALL, UNKNOWN, analysis_frame
from .registry import REGISTRY, check_columns, disclosure_keys, results_tables

#: Table names in the order the stage writes them (see :mod:`.registry`).
TABLES = list(REGISTRY)
#: Tables with suppressed rows → columns naming such a row in ``suppression.csv``.
KEYS = disclosure_keys()


def compare_tables(
    clean: pd.DataFrame,
    study: Any,
    *,
    exclusions: pd.DataFrame | None = None,
    dont_know: pd.Series | None = None,
    timings: dict[str, float] | None = None,
    cpu_timings: dict[str, float] | None = None,
    progress: Callable[[int], None] | None = None,
    open_data: tuple[pd.DataFrame, pd.DataFrame] | None = None,
) -> dict[str, pd.DataFrame]:
    """Compute every table of the stage from the clean response table.

    Parameters
    ----------
    clean
        The clean response table.
    open_data
        ``(open_answers, open_codes)`` from the clean and code stages, or None
        (the open-answer tables are then empty).
    study
        A :class:`leerlab_research.config.study.Study` (codebook, labs, settings).
    exclusions
        The cleaning stage's ``exclusions.csv`` (for ``screening.csv``).
    dont_know
        'Weet niet' answers per item (``item_missing.csv``, for ``items.csv``).
    timings, cpu_timings
        When given, filled with wall-clock and CPU (process) seconds per step.
    progress
        Optional ``advance()`` callback, called once per step.
    """
    cb = study.codebook
    s = study.settings
    cs = s.compare
    conf = cs.confidence
    mc = s.min_cell
    scales = cb.scale_names
    timings = timings if timings is not None else {}
    cpu_timings = cpu_timings if cpu_timings is not None else {}
    tables: dict[str, pd.DataFrame] = {}
    exclusions = exclusions if exclusions is not None else pd.DataFrame(columns=["reason"])

    def step(name: str, fn: Callable[[], Any]) -> Any:
        t0, c0 = time.perf_counter(), time.process_time()
        out = fn()
        timings[name] = time.perf_counter() - t0
        cpu_timings[name] = time.process_time() - c0
        if progress is not None:
            progress(1)
        return out

    # the focus areas ride along as extra columns for focus.csv
    focus = [f"focus_{a}" for a in FOCUS_AREAS]
    raw = step(
        "prepare",
        lambda: analysis_frame(
            clean,
            scales,
            items=cb.item_codes,
            exclude_careless=cs.exclude_careless,
            extra=focus,
        ),
    )
    # Cell-based tables use the publication design (labs = school members, levels,
    # merged residual groups); ``members`` leaves out the pseudo-lab of outsiders
    # where a table is about labs only.
    df, tables["merges"] = publication.publication_frame(raw, mc)
    members = df[df["lab"] != publication.OUTSIDE].reset_index(drop=True)
    tables["descriptives"] = step(
        "descriptives",
        lambda: descriptives.describe(
            df,
            scales,
            confidence=conf,
            min_cell=mc,
            labs=study.labs,
            keep_shown=publication.target_cells,
        ),
    )
    lookup = descriptives.reason_lookup(tables["descriptives"])
    waves = panel.wave_order(study, raw)
    lab_order = [lab.id for lab in study.labs.labs]
    lo, hi = cb.item_range(cb.item_codes[0])
    # The agreement, panel and benchmark tables need only the members' frame and the
    # descriptives (their suppression; benchmark's fallback): a worker process
    # computes them while this one does the rest (the same numbers either way; the
    # split keeps the two about equally long on the demo, ≈ 0.9 s of CPU each).
    side_args = (members, study, lookup, tables["descriptives"])
    # one task: one worker process beside this one (a second would only sit idle)
    with pool(1, beside_main=available_cores() > 1) as executor:
        side = executor.submit(side_tables, *side_args)
        tables["group_tests"], tables["posthoc"] = step(
            "group_tests",
            lambda: groups.group_tests(
                df,
                scales,
                cs.groups,
                lookup,
                confidence=conf,
                max_posthoc_groups=cs.max_posthoc_groups,
                posthoc_factors=cs.posthoc_factors,
            ),
        )
        tables["icc"] = step("icc", lambda: icc.icc_table(members, scales, lookup))
        # the programme-level model keeps each respondent's own role and school type
        tables["mixedlm"] = step(
            "mixedlm",
            lambda: multilevel.mixedlm_table(raw, scales, confidence=conf, first_wave=waves[0]),
        )
        tables["profile"] = step(
            "profile",
            lambda: profile.profile_table(
                members, scales, lookup, min_cell=mc, confidence=conf, labs=study.labs
            ),
        )
        tables["change"] = step(
            "change",
            lambda: change.change_table(
                df,
                scales,
                waves=tuple(cs.waves or waves[-2:]) if cs.waves or len(waves) > 1 else ("", ""),
                min_cell=mc,
                confidence=conf,
                labs=study.labs,
            ),
        )
        tables["items"] = step(
            "items",
            lambda: published.item_table(
                df,
                dict(cb.scale_of_item),
                list(cb.reverse_items),
                (lo, hi),
                lookup,
                min_cell=mc,
                dont_know=dont_know,
                labs_order=lab_order,
            ),
        )
        tables["responses"] = published.response_table(
            df, min_cell=mc, labs_order=lab_order, dates=published.fieldwork_dates(clean)
        )
        tables["focus"] = published.focus_table(
            df, tables["responses"], min_cell=mc, labs_order=lab_order
        )
        tables["screening"] = published.screening_table(
            clean, exclusions, careless_excluded=cs.exclude_careless
        )
        tables["open_themes"], tables["open_quotes"] = open_themes.open_tables(
            clean, open_data, cb, min_cell=mc
        )
        t0, c0 = time.perf_counter(), time.process_time()
        more, side_timings, side_cpu = side.result()
    tables.update(more)
    # the worker's own seconds per step; "wait" is this process's wait for it
    timings.update(side_timings, wait=time.perf_counter() - t0)
    cpu_timings.update(side_cpu, wait=time.process_time() - c0)
    if progress is not None:
        for _ in side_timings:
            progress(1)
    sup = [disclosure.records(name, tables[name], KEYS[name]) for name in KEYS]
    sup = [x for x in sup if len(x)]
    supp = (
        pd.concat(sup, ignore_index=True)
        if sup
        else pd.DataFrame(columns=disclosure.SUPPRESSION_COLUMNS)
    )
    tables["suppression"] = supp.sort_values(
        ["table", "scale", "wave", "lab", "key"], kind="mergesort"
    ).reset_index(drop=True)
    return tables


def side_tables(
    members: pd.DataFrame,
    study: Any,
    lookup: dict[tuple[str, ...], str],
    described: pd.DataFrame,
) -> tuple[dict[str, pd.DataFrame], dict[str, float], dict[str, float]]:
    """The agreement, panel and benchmark tables, with wall and CPU seconds per step.

    Runs in a worker process beside the rest of :func:`compare_tables` (module-level,
    so that it can be sent to one).
    """
    cb = study.codebook
    cs = study.settings.compare
    mc = study.settings.min_cell
    conf = cs.confidence
    scales = cb.scale_names
    tables: dict[str, pd.DataFrame] = {}
    timings: dict[str, float] = {}
    cpu: dict[str, float] = {}

    def step(name: str, fn: Callable[[], Any]) -> Any:
        t0, c0 = time.perf_counter(), time.process_time()
        out = fn()
        timings[name] = time.perf_counter() - t0
        cpu[name] = time.process_time() - c0
        return out

    lo, hi = cb.item_range(cb.item_codes[0])
    tables["agreement"] = step(
        "agreement",
        lambda: agreement.agreement_table(
            members,
            scales,
            {name: list(sc.items) for name, sc in cb.scales.items()},
            cb.scales_in_domain("verankering"),
            lookup,
            item_range=(lo, hi),
            min_cell=mc,
            confidence=conf,
            labs=study.labs,
            role_pairs=[(publication.LEADERSHIP, publication.TEACHERS)],
        ),
    )
    tables.update(
        step(
            "panel",
            # labs are their school members (publication design); the pseudo-lab of
            # outsiders has no round, line or subsidy
            lambda: panel.panel_tables(
                members,
                scales,
                study,
                lookup,
                confidence=conf,
                min_cell=mc,
                margin=cs.anchoring_margin,
                compare_scales=cb.scales_in_domain("verankering"),
            ),
        )
    )
    tables["benchmark"] = step(
        "benchmark",
        lambda: multilevel.with_fallback(
            multilevel.benchmark_table(members, scales, lookup, labs=study.labs, confidence=conf),
            described,
        ),
    )
    return tables, timings, cpu


def results_index(
    tables: dict[str, pd.DataFrame], study: Any, timings: dict[str, float] | None = None
) -> dict[str, Any]:
    """The ``results.json`` index (no timings: the file must be deterministic).

    ``tables`` comes from :mod:`.registry`: per table its file, columns, Table Schema
    (``schema``), keys, unit, test, correction and ``min_cell`` rule.
    """
    s = study.settings
    waves = panel.wave_order(study, tables["descriptives"])
    return {
        "stage": "compare",
        "study": study.name,
        "min_cell": s.min_cell,
        "confidence": s.compare.confidence,
        "seed": s.seed,
        "scales": list(study.codebook.scale_names),
        "verankering_scales": study.codebook.scales_in_domain("verankering"),
        "markers": {"all": ALL, "unknown": UNKNOWN},
        "settings": {
            "groups": list(s.compare.groups),
            "posthoc_factors": list(s.compare.posthoc_factors),
            "max_posthoc_groups": s.compare.max_posthoc_groups,
            "exclude_careless": s.compare.exclude_careless,
            # the two waves of change.csv (earlier, later) and every wave in order
            "waves": list(s.compare.waves or waves[-2:]),
            "study_waves": waves,
            "anchoring_margin": s.compare.anchoring_margin,
        },
        "suppression": {
            "method": "hypercube cell suppression (every primary cell is a corner of a suppressed "
            "hypercube, so no published total can be used to solve for it) followed by "
            "the remainder rule (what subtraction reveals covers ≥ 2 cells and ≥ min_cell people)",
            "rule": f"statistics and n blanked when 0 < n < {s.min_cell} (primary); complementary "
            "suppression so that no suppressed cell can be recovered by subtraction from totals "
            "or other cells of its row; derived tables inherit the suppression of their cells",
            "columns": ["suppressed", "suppression_reason"],
            "reasons": ["primary", "complementary"],
            "n_suppressed": int(len(tables.get("suppression", []))),
        },
        "tables": results_tables(tables, s.min_cell),
    }


def run_compare(ctx: Any) -> list[Path]:
    """Run the comparison stage.

    Parameters
    ----------
    ctx
        :class:`leerlab_research.pipeline.StageContext`. ``ctx.options["timings"]`` and
        ``ctx.options["cpu_timings"]``, when dicts, receive wall and CPU seconds per step.

    Returns
    -------
    list of Path
        The files written, ``results.json`` last.
    """
    clean = ctx.read_table(CLEAN_TABLE, "clean")
    # aggregate tables of the cleaning stage, published again for the methods report
    exc_path = ctx.out / "clean" / "exclusions.csv"
    exclusions = pd.read_csv(exc_path) if exc_path.exists() else None
    miss_path = ctx.out / "clean" / "item_missing.csv"
    dont_know = None
    if miss_path.exists():
        miss = pd.read_csv(miss_path)
        dont_know = miss[miss["reason"] == "dont_know"].groupby("item")["n"].sum()
    out = ctx.stage_dir("compare")
    timings = ctx.options.get("timings")
    timings = timings if isinstance(timings, dict) else {}
    cpu = ctx.options.get("cpu_timings")
    cpu = cpu if isinstance(cpu, dict) else {}
    # Small matrices throughout (29 panel-model fits, group statistics): one BLAS
    # thread (see runtime.single_thread).
    with single_thread(), ctx.progress("compare", 11) as advance:
        tables = compare_tables(
            clean,
            ctx.study,
            exclusions=exclusions,
            dont_know=dont_know,
            timings=timings,
            cpu_timings=cpu,
            progress=advance,
            open_data=open_themes.read_open_data(ctx),
        )
    start, c0 = time.perf_counter(), time.process_time()
    for name in TABLES:
        check_columns(name, tables[name])
    written = [write_csv(tables[name], out / REGISTRY[name].file) for name in TABLES]
    written.append(write_json(results_index(tables, ctx.study), out / "results.json"))
    timings["write"] = time.perf_counter() - start
    cpu["write"] = time.process_time() - c0
    return written
