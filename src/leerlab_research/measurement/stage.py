"""The ``measurement`` stage: ``<out>/clean/responses.parquet`` → ``<out>/measurement/``.

Writes (all with :func:`leerlab_research.outputs.write_csv`, rows sorted):

``reliability.csv``
    One row per scale: alpha with its CI, omega, ``reliable`` and ``reason``
    (see :func:`leerlab_research.measurement.scale_reliability`).
``reliability_by_group.csv``
    The same per scale x level of each ``settings.measurement.by`` column
    (lab, role, school_type, wave). Small groups are flagged (``reliable =
    False`` with the reason) and groups below ``settings.min_cell`` get no values.
``items.csv``
    :func:`~leerlab_research.measurement.item_analysis` per scale, with ``scale``.
``cfa_fit.csv``, ``cfa_loadings.csv``
    The nine-factor model (:func:`~leerlab_research.measurement.cfa`).
``invariance.csv``
    Configural / metric / scalar steps per ``settings.measurement.invariance_groups``
    (independent groups; ``wave`` is not among them, see below).
``invariance_waves.csv``
    When ``wave`` is an invariance group: longitudinal invariance per scale on the
    panel (the same persons across the study's waves, correlated residuals of the
    same item across waves; :mod:`.longitudinal_invariance`).

Deterministic: the bootstrap seed is ``settings.seed`` (each scale x group cell
derives its own stream from it), semopy starts from fixed starting values. The CFA
and each invariance sequence run in worker processes (:mod:`.parallel`, at most
``settings.measurement.workers`` or the cores) while the reliability tables are
computed; the outputs do not depend on the number of workers.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from ..config.codebook import Codebook
from ..config.schema import CLEAN_TABLE
from ..errors import DataError, LeerlabError
from ..outputs import write_csv
from ..runtime import StageContext, single_thread
from ..workers import n_workers, pool
from .longitudinal_invariance import longitudinal_invariance_table
from .omega import ESTIMATION_ERRORS
from .scales import cfa, invariance, item_analysis, scale_reliability


def _invariance_levels(df: pd.DataFrame, ctx: StageContext) -> list[tuple[str, list[str]]]:
    """(group, levels to compare) per ``settings.measurement.invariance_groups``."""
    cfg = ctx.study.settings.measurement
    out = []
    for group in cfg.invariance_groups:
        if group == "wave":  # the same persons: longitudinal invariance (_wave_invariance)
            continue
        if group not in df.columns:
            raise DataError(
                f"settings.measurement.invariance_groups: column {group!r} is not in the clean table"
            )
        levels = cfg.invariance_levels.get(group) or sorted(
            str(v) for v in df[group].dropna().unique()
        )
        out.append((group, levels))
    return out


def _invariance_group(
    df: pd.DataFrame, codebook: Codebook, group: str, levels: list[str], missing: str
) -> pd.DataFrame:
    """The invariance table of one grouping variable (runs in a worker process)."""
    present = [lv for lv in levels if (df[group].astype("string") == lv).sum() > 0]
    try:
        if len(present) < 2:
            raise ValueError(f"fewer than two of the groups {levels} are present")
        return invariance(df, codebook, group=group, levels=present, missing=missing)
    except LeerlabError:
        raise
    except ESTIMATION_ERRORS as exc:  # a failed model is reported as a row, not a crash
        return pd.DataFrame(
            [
                {
                    "group": group,
                    "levels": " / ".join(levels),
                    "step": "configural",
                    "converged": False,
                    "verdict": f"not estimated: {type(exc).__name__}: {exc}",
                }
            ]
        )


def _cfa_tables(
    df: pd.DataFrame, codebook: Codebook, missing: str
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Fit and loadings of the nine-factor model (runs in a worker process)."""
    try:
        res = cfa(df, codebook, missing=missing)
        return res.fit, res.loadings
    except LeerlabError:
        raise
    except ESTIMATION_ERRORS as exc:  # reported in the table, not a crash
        fit = pd.DataFrame(
            [
                {
                    "model": "nine-factor",
                    "converged": False,
                    "note": f"not estimated: {type(exc).__name__}: {exc}",
                }
            ]
        )
        return fit, pd.DataFrame(columns=["factor", "item", "loading", "se", "std_loading"])


def _wave_levels(df: pd.DataFrame, ctx: StageContext) -> list[str] | None:
    """Waves for the panel invariance model, or None when ``wave`` is not an invariance group."""
    cfg = ctx.study.settings.measurement
    if "wave" not in cfg.invariance_groups:
        return None
    data = sorted(df["wave"].dropna().astype(str).unique())
    known = [w for w in ctx.study.wave_ids if w in data]
    waves = cfg.invariance_levels.get("wave") or known + [w for w in data if w not in known]
    return [w for w in waves if w in data]


def _wave_invariance(
    df: pd.DataFrame, codebook: Codebook, waves: list[str], missing: str, names: list[str]
) -> pd.DataFrame:
    """Rows of ``invariance_waves.csv``: the panel model of the scales ``names`` (runs in
    a worker process)."""
    if len(waves) < 2:
        return pd.DataFrame(
            [{"scale": "", "status": f"not estimated: fewer than two waves ({waves})"}]
        )
    scales = {name: list(codebook.scales[name].items) for name in names}
    return longitudinal_invariance_table(df, scales, waves, missing=missing)


def run_measurement(ctx: StageContext) -> list[Path]:
    """Run the measurement stage; return the paths written."""
    # checked against the clean table's contract: a missing item column fails here
    df = ctx.read_table(CLEAN_TABLE, "clean")
    cb = ctx.study.codebook
    settings = ctx.study.settings
    cfg = settings.measurement
    out = ctx.stage_dir("measurement")
    ci = None if cfg.ci == "none" else cfg.ci
    common: dict[str, Any] = dict(
        ci=ci,
        confidence=cfg.confidence,
        seed=settings.seed,
        omega=cfg.omega,
        min_cell=settings.min_cell,
    )
    written: list[Path] = []
    steps = 4 + (2 if cfg.cfa else 0)

    # The model fits are independent of each other and of the reliability tables:
    # they run in worker processes while this process computes the tables.
    groups = _invariance_levels(df, ctx) if cfg.cfa else []
    waves = _wave_levels(df, ctx) if cfg.cfa else None
    # One task per scale for the panel models: together they are about half of the
    # stage's CPU time, one task would leave the other core idle at the end.
    wave_tasks = (
        ([[name] for name in cb.scale_names] if len(waves) >= 2 else [cb.scale_names])
        if waves is not None
        else []
    )
    n_models = (1 + len(groups) + len(wave_tasks)) if cfg.cfa else 0
    workers = n_workers(cfg.workers, n_models)
    with pool(workers if n_models else 1) as executor:
        fits = []
        if cfg.cfa:
            fits.append(executor.submit(_cfa_tables, df, cb, cfg.cfa_missing))
            for group, levels in groups:
                fits.append(
                    executor.submit(_invariance_group, df, cb, group, levels, cfg.cfa_missing)
                )
        # wave_tasks is empty when waves is None; the test tells mypy so
        waves_fits = [
            executor.submit(_wave_invariance, df, cb, waves, cfg.cfa_missing, names)
            for names in wave_tasks
            if waves is not None
        ]
        with single_thread(), ctx.progress("measurement", steps) as advance:
            overall = scale_reliability(
                df, cb, by=None, min_n=cfg.min_n, n_boot=cfg.n_boot, **common
            )
            written.append(write_csv(overall, out / "reliability.csv"))
            advance(1)
            by = [c for c in cfg.by if c in df.columns]
            unknown = sorted(set(cfg.by) - set(by))
            if unknown:
                raise DataError(
                    f"settings.measurement.by: columns not in the clean table: {', '.join(unknown)}"
                )
            grouped = scale_reliability(
                df, cb, by=by, min_n=cfg.min_n, n_boot=cfg.n_boot_groups or cfg.n_boot, **common
            )
            written.append(write_csv(grouped, out / "reliability_by_group.csv"))
            advance(1)
            items = []
            for name in cb.scale_names:
                codes = list(cb.scales[name].items)
                table = item_analysis(df[codes].astype("float64"))
                table.insert(0, "scale", name)
                items.append(table)
            written.append(write_csv(pd.concat(items, ignore_index=True), out / "items.csv"))
            advance(1)
            if cfg.cfa:
                fit, loadings = fits[0].result()
                written.append(write_csv(fit, out / "cfa_fit.csv"))
                written.append(write_csv(loadings, out / "cfa_loadings.csv"))
                advance(1)
                frames = [f.result() for f in fits[1:]]
                inv = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
                written.append(write_csv(inv, out / "invariance.csv"))
                if waves_fits:
                    parts = [f.result() for f in waves_fits]
                    path = out / "invariance_waves.csv"
                    written.append(write_csv(pd.concat(parts, ignore_index=True), path))
                advance(1)
            advance(1)
    return written
