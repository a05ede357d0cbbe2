"""The stages of an analysis and how ``leerlab run`` chains them.

Each stage is a function ``run(ctx: StageContext) -> list[Path]`` that reads the
outputs of earlier stages under ``ctx.out`` and writes its own under
``ctx.out / <folder>``. Stages are registered by import path and imported only
when they run, so that ``leerlab codebook`` or ``leerlab validate`` start without
loading semopy, statsmodels and the report engine (start-up time, not a cycle).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from contextlib import AbstractContextManager, ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console

from .config.study import Study, load_study
from .errors import ConfigError, LeerlabError
from .manifest import read_manifest, stage_record, stale_reason, write_manifest
from .outlock import out_lock
from .runtime import StageContext


@dataclass(frozen=True)
class Stage:
    name: str
    folder: str
    target: str  # "module:function"
    help: str
    #: Stages whose current outputs this one reads (refused when stale or missing).
    needs: tuple[str, ...] = ()
    #: Stages it reads when they ran (then they must be current).
    optional: tuple[str, ...] = ()
    #: "module:function" giving a context manager of helpers the stage uses (the
    #: report stage's render workers): ``leerlab run`` starts them before the first
    #: stage, and hands them over in ``StageContext.ahead``.
    ahead: str = ""

    def load(self) -> Callable[[StageContext], list[Path]]:
        return _function(self.target)

    def start_ahead(self, ctx: StageContext) -> AbstractContextManager[object] | None:
        """The stage's helpers, started now (None when it has none)."""
        return _function(self.ahead)(ctx) if self.ahead else None


def _function(target: str) -> Callable[..., Any]:
    module, func = target.split(":")
    # A failing import of the package's own stage is a bug: raise it, never skip the stage.
    return getattr(importlib.import_module(module), func)


#: The stages in data-flow order. ``leerlab run`` runs every one of them.
STAGES: list[Stage] = [
    Stage(
        "clean",
        "clean",
        "leerlab_research.cleaning.stage:run_clean",
        "Read exports against the codebook, validate, clean with an audit trail.",
    ),
    Stage(
        "code",
        "coding",
        "leerlab_research.coding.stage:run_code",
        "Propose themes for the open answers; write the coding sheet.",
        needs=("clean",),
        optional=("code-import",),
    ),
    Stage(
        "measurement",
        "measurement",
        "leerlab_research.measurement.stage:run_measurement",
        "Scale reliability, item analysis, CFA and invariance.",
        needs=("clean",),
    ),
    Stage(
        "compare",
        "compare",
        "leerlab_research.compare.stage:run_compare",
        "Compare conditions across labs, roles, school types and waves.",
        needs=("clean",),
        optional=("code", "code-import"),
    ),
    Stage(
        "report",
        "reports",
        "leerlab_research.report.stage:run_report",
        "Render the lab, programme and methods reports.",
        needs=("clean", "measurement", "compare"),
        optional=("code", "code-import"),
        # workers and kernels start on the core that importing and cleaning leave idle
        ahead="leerlab_research.report.stage:start_workers",
    ),
]

#: Commands that write into the out folder outside ``leerlab run``.
COMMANDS: dict[str, Stage] = {
    "validate": Stage(
        "validate",
        "clean",
        "leerlab_research.cleaning.stage:run_validate",
        "Validate every export against the codebook.",
    ),
    "code-import": Stage(
        "code-import",
        "coding",
        "leerlab_research.coding.stage:run_import",
        "Read coded sheets back.",
        needs=("clean",),
    ),
    **{s.name: s for s in STAGES},
}


def available_stages() -> list[tuple[Stage, Callable[[StageContext], list[Path]]]]:
    """Every stage with its function, all imported before the first runs (an import error raises)."""
    return [(stage, stage.load()) for stage in STAGES]


def _upstream(ctx: StageContext, stage: Stage, manifest: dict) -> dict[str, dict[str, str]]:
    """The files of the stages ``stage`` reads, after checking they are current.

    Raises
    ------
    ConfigError
        Naming every stale or missing upstream stage and the command to run (exit 2).
    """
    problems = []
    reads: dict[str, dict[str, str]] = {}
    recorded = manifest.get("stages", {})
    for name in (*stage.needs, *stage.optional):
        if name in stage.optional and name not in recorded:
            continue
        reason = stale_reason(ctx.study, ctx.out, manifest, name)
        if reason is None:
            reads[name] = dict(recorded[name].get("writes", {}))
        else:
            command = "code --import" if name == "code-import" else name
            problems.append(
                f"{name}: {reason} → run `leerlab {command} --study {ctx.study.path} "
                f"--out {ctx.out}`"
            )
    if problems:
        raise ConfigError(
            f"Cannot run `leerlab {stage.name}`: outputs it needs in {ctx.out} are stale or "
            "missing (or run every stage with `leerlab run`)",
            problems,
        )
    return reads


def run_stage(
    stage: Stage | str,
    ctx: StageContext,
    fn: Callable[[StageContext], list[Path]] | None = None,
    *,
    extra_inputs: dict[str, str] | None = None,
) -> list[Path]:
    """Run one stage under the out folder's lock and record its provenance in the manifest.

    The stages it reads must be current (:func:`manifest.stale_reason`); while it
    runs the manifest is marked incomplete, and its record is written when it
    finishes. ``fn`` replaces the stage function (``code --import`` with sheets).
    """
    stage = COMMANDS[stage] if isinstance(stage, str) else stage
    with out_lock(ctx.out, f"leerlab {stage.name}"):
        manifest = read_manifest(ctx.out)
        reads = _upstream(ctx, stage, manifest)
        ctx.stale = stale_reason(ctx.study, ctx.out, manifest, stage.name)
        previous = manifest.get("stages", {}).pop(stage.name, None)
        ctx.manifest = manifest
        write_manifest(ctx.study, ctx.out, manifest, running=stage.name)
        try:
            paths = (fn or stage.load())(ctx)
        except LeerlabError:
            # A refusal (bad data or settings) is no interruption: stages refuse
            # before they write, and a file they did write no longer matches the
            # restored record, which then reads as stale.
            if previous is not None:
                manifest.setdefault("stages", {})[stage.name] = previous
            write_manifest(ctx.study, ctx.out, manifest)
            raise
        record = stage_record(ctx.study, ctx.out, stage.name, reads, paths, extra_inputs)
        if (
            previous is not None
            and previous.get("config") == record["config"]
            and previous.get("reads") == record["reads"]
        ):
            # The same stage on the same inputs with other options (`report --lab X`
            # after `report --kind methods`): files of the earlier run stay current.
            record["writes"] = dict(sorted({**previous["writes"], **record["writes"]}.items()))
        # A file belongs to the stage that wrote it last (`code --import` rewrites
        # clean/open_codes.csv of `code`): the other records let go of it.
        for name, other in manifest.setdefault("stages", {}).items():
            if name != stage.name:
                other["writes"] = {
                    k: v for k, v in other.get("writes", {}).items() if k not in record["writes"]
                }
        manifest["stages"][stage.name] = record
        if "pseudonym_key" in ctx.provenance:
            manifest["pseudonym_key"] = ctx.provenance.pop("pseudonym_key")
        write_manifest(ctx.study, ctx.out, manifest)
    return paths


def run(
    study: Study | str | Path,
    out: Path | None = None,
    *,
    console: Console | None = None,
    debug: bool = False,
) -> list[Path]:
    """Run every stage in order on ``study`` and write ``<out>/manifest.json``.

    Parameters
    ----------
    study
        A loaded :class:`~leerlab_research.config.study.Study` or the path of a study file.
    out
        Output root; default ``out/<study name>`` beside the working directory.
    console
        Where progress and the files written are reported (default: stderr).

    Returns
    -------
    list of Path
        Every file the stages wrote, then the manifest.

    Raises
    ------
    ConfigError
        When another run holds the out folder (exit 2).
    """
    st = study if isinstance(study, Study) else load_study(Path(study))
    ctx = StageContext(study=st, out=st.output_root(out), debug=debug)
    if console is not None:
        ctx.console = console
    written: list[Path] = []
    # helpers started ahead end with the run: stopped when a stage fails, else closed
    with out_lock(ctx.out, "leerlab run"), ExitStack() as helpers:
        # Helpers start before anything else: the other core is idle while this
        # process imports the stages and cleans (the report stage's render workers
        # take ≈ 1.5 s of CPU each to start their kernels).
        for stage in STAGES:
            started = stage.start_ahead(ctx)
            if started is not None:
                ctx.ahead[stage.name] = helpers.enter_context(started)
        stages = available_stages()
        for stage, fn in stages:
            ctx.console.print(f"[bold]» {stage.name}[/]: {stage.help}")
            paths = run_stage(stage, ctx, fn)
            for path in paths:
                ctx.console.print(f"  wrote {path}", highlight=False)
            written += paths
    manifest = ctx.out / "manifest.json"
    ctx.console.print(f"[bold green]done[/]: {len(STAGES)} stages; manifest {manifest}")
    return [*written, manifest]
