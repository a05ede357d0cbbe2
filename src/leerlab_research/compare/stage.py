"""The ``compare`` stage: ``leerlab compare`` → ``<out>/compare/``.

Reads ``<out>/clean/responses.parquet`` and writes ``descriptives.csv``,
``group_tests.csv``, ``posthoc.csv``, ``icc.csv``, ``mixedlm.csv``,
``benchmark.csv``, ``agreement.csv``, ``profile.csv``, ``change.csv``,
``open_themes.csv``, ``open_quotes.csv`` (from the open answers and their codes,
when the study has them), ``suppression.csv`` and ``results.json`` (the index the reports read: per table
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

from ..outputs import write_csv, write_json
from . import (
    agreement,
    change,
    descriptives,
    disclosure,
    groups,
    icc,
    multilevel,
    open_themes,
    profile,
)
from .common import ALL, UNKNOWN, analysis_frame

TABLES: dict[str, dict[str, str]] = {
    "descriptives": {
        "unit": "cell: respondents of scale × wave × breakdown (programme, lab, role, school_type, "
        "role+school_type, lab+role, lab+school_type; `all` = aggregated over); lab × role × "
        "school_type cells are not published",
        "test": "none (n, mean, sd (n−1), median, % scale score ≥ 4, Student-t CI of the mean)",
        "correction": "none",
    },
    "group_tests": {
        "unit": "scale × wave × factor (lab, role or school_type at programme level); respondents",
        "test": "Welch ANOVA (pingouin; eta2 with Steiger noncentral-F CI, omega2) and Kruskal–Wallis "
        "(pingouin; epsilon2) for ≥3 groups; Welch t (pingouin; Hedges' g with CI) and Mann–Whitney U "
        "(scipy; rank-biserial with Fisher-z CI as R effectsize, CLES) for 2; groups hidden by "
        "disclosure control and `onbekend` "
        "are excluded (groups_excluded)",
        "correction": "Holm and Benjamini–Hochberg across the scales within wave × factor × test "
        "(p_holm, p_fdr_bh; family in correction_family)",
    },
    "posthoc": {
        "unit": "pair of groups within scale × wave × factor (settings.compare.posthoc_factors; "
        "default role and school_type — labs are compared with the programme in benchmark)",
        "test": "Games–Howell (Hedges' g) after Welch ANOVA; Dunn's z on mean ranks after Kruskal–Wallis",
        "correction": "Games–Howell: studentized range (p_adj); Dunn: Holm over the pairs (p_adj)",
    },
    "icc": {
        "unit": "scale × wave; respondents nested in labs",
        "test": "one-way ANOVA of lab: ICC(1), ICC(2) (Bliese 2000), k_mean = N/J as multilevel::ICC1, "
        "k0 = (N − Σn²/N)/(J − 1); design effect 1 + (k_mean − 1)·ICC(1); msb, msw, k0 blank "
        "where a lab total is suppressed",
        "correction": "none",
    },
    "mixedlm": {
        "unit": "fixed-effect term per scale; respondents (both waves) nested in labs",
        "test": "statsmodels MixedLM (REML), lab random intercept, role/school_type/wave fixed effects "
        "(references docent, vmbo, T0); Wald z and normal CI; status flags non-convergence/singular fits",
        "correction": "Holm and Benjamini–Hochberg across the scales per term",
    },
    "benchmark": {
        "unit": "lab × scale × wave",
        "test": "intercept-only MixedLM per scale × wave: empirical-Bayes (BLUP) lab mean μ̂ + û_j with "
        "interval ± z·sqrt(prediction-error variance incl. Var(μ̂)); vs_programme: û_j ± z·random_effect_se excludes 0; no ranks; "
        "labs whose total is suppressed are left out of the model",
        "correction": "none (one interval per lab; not a multiple-comparison procedure)",
    },
    "agreement": {
        "unit": "lab × scale × wave (rwg_j, awg: respondents with all items); gaps between groups of a lab",
        "test": "rwg(J) (James, Demaree & Wolf 1984; uniform null (A²−1)/12), awg(J) (Brown & Hauenstein 2005); "
        "gaps = mean difference with Welch CI (verankering scales)",
        "correction": "none",
    },
    "profile": {
        "unit": "lab × scale × wave; respondents with all scale scores, centred on their own mean",
        "test": "mean of within-person centred scores with Student-t CI",
        "correction": "none",
    },
    "change": {
        "unit": "scale × lab (`all` = programme) × analysis (paired: same respondent_id in both waves; unpaired)",
        "test": "paired t (T1−T0), Wilcoxon signed-rank, d_z; unpaired: Welch t, Hedges' g",
        "correction": "Holm and Benjamini–Hochberg across the scales within lab × analysis (shown rows only)",
    },
    "open_themes": {
        "unit": "wave × lab (`all` = programme) × question × theme of the codebook's coding frame; "
        "answers to the open questions (clean/open_answers.parquet) and their codes "
        "(clean/open_codes.csv)",
        "test": "none (answers mentioning the theme, share of the answers; n_human / n_auto: on which "
        "codes the count rests); lab rows shown when the lab × wave has ≥ min_cell respondents and "
        "≥ min_cell answers to the question",
        "correction": "none",
    },
    "open_quotes": {
        "unit": "quote: a sentence or two of one de-identified answer, for the leading themes of a "
        "shown lab × wave × question; no answer id, role or school type",
        "test": "none (up to 3 themes with the most mentions, up to 3 quotes each)",
        "correction": "none",
    },
    "suppression": {
        "unit": "one suppressed row of another table",
        "test": "disclosure control: primary (0 < n < min_cell) and complementary suppression",
        "correction": "none",
    },
}

KEYS = {
    "descriptives": descriptives.KEY_COLUMNS,
    "benchmark": ["scale", "wave", "lab"],
    "agreement": ["scale", "wave", "lab", "measure", "group_a", "group_b"],
    "profile": ["scale", "wave", "lab"],
    "change": ["scale", "lab", "analysis"],
    "open_themes": ["wave", "lab", "question", "theme"],
}


def compare_tables(
    clean: pd.DataFrame,
    study: Any,
    *,
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

    def step(name: str, fn: Callable[[], Any]) -> Any:
        t0, c0 = time.perf_counter(), time.process_time()
        out = fn()
        timings[name] = time.perf_counter() - t0
        cpu_timings[name] = time.process_time() - c0
        if progress is not None:
            progress(1)
        return out

    df = step(
        "prepare",
        lambda: analysis_frame(
            clean, scales, items=cb.item_codes, exclude_careless=cs.exclude_careless
        ),
    )
    tables["descriptives"] = step(
        "descriptives",
        lambda: descriptives.describe(df, scales, confidence=conf, min_cell=mc, labs=study.labs),
    )
    lookup = descriptives.reason_lookup(tables["descriptives"])
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
    tables["icc"] = step("icc", lambda: icc.icc_table(df, scales, lookup))
    tables["mixedlm"] = step(
        "mixedlm", lambda: multilevel.mixedlm_table(df, scales, confidence=conf)
    )
    tables["benchmark"] = step(
        "benchmark",
        lambda: multilevel.benchmark_table(df, scales, lookup, labs=study.labs, confidence=conf),
    )
    items = {name: list(sc.items) for name, sc in cb.scales.items()}
    lo, hi = cb.item_range(cb.item_codes[0])
    tables["agreement"] = step(
        "agreement",
        lambda: agreement.agreement_table(
            df,
            scales,
            items,
            cb.scales_in_domain("verankering"),
            lookup,
            item_range=(lo, hi),
            min_cell=mc,
            confidence=conf,
            labs=study.labs,
        ),
    )
    tables["profile"] = step(
        "profile",
        lambda: profile.profile_table(
            df, scales, lookup, min_cell=mc, confidence=conf, labs=study.labs
        ),
    )
    tables["change"] = step(
        "change",
        lambda: change.change_table(
            df, scales, waves=tuple(cs.waves), min_cell=mc, confidence=conf, labs=study.labs
        ),
    )
    tables["open_themes"], tables["open_quotes"] = open_themes.open_tables(
        clean, open_data, cb, min_cell=mc
    )
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


def results_index(
    tables: dict[str, pd.DataFrame], study: Any, timings: dict[str, float] | None = None
) -> dict[str, Any]:
    """The ``results.json`` index (no timings: the file must be deterministic)."""
    s = study.settings
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
            "waves": list(s.compare.waves),
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
        "tables": {
            name: {
                "file": f"{name}.csv",
                "columns": list(tables[name].columns),
                "n_rows": int(len(tables[name])),
                "keys": KEYS.get(name, []),
                "min_cell": s.min_cell,
                **TABLES[name],
            }
            for name in TABLES
        },
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
    src = ctx.require("clean/responses.parquet", "clean")
    clean = pd.read_parquet(src)
    out = ctx.stage_dir("compare")
    timings = ctx.options.get("timings")
    timings = timings if isinstance(timings, dict) else {}
    cpu = ctx.options.get("cpu_timings")
    cpu = cpu if isinstance(cpu, dict) else {}
    with ctx.progress("compare", 10) as advance:
        tables = compare_tables(
            clean,
            ctx.study,
            timings=timings,
            cpu_timings=cpu,
            progress=advance,
            open_data=open_themes.read_open_data(ctx),
        )
    start, c0 = time.perf_counter(), time.process_time()
    written = [write_csv(tables[name], out / f"{name}.csv") for name in TABLES]
    written.append(write_json(results_index(tables, ctx.study), out / "results.json"))
    timings["write"] = time.perf_counter() - start
    cpu["write"] = time.process_time() - c0
    return written
