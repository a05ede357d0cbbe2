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
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console

from .config.study import Study, load_study
from .manifest import write_manifest
from .runtime import StageContext


@dataclass(frozen=True)
class Stage:
    name: str
    folder: str
    target: str  # "module:function"
    help: str

    def load(self) -> Callable[[StageContext], list[Path]]:
        module, func = self.target.split(":")
        # A failing import of the package's own stage is a bug: raise it, never skip the stage.
        mod = importlib.import_module(module)
        return getattr(mod, func)


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
    ),
    Stage(
        "measurement",
        "measurement",
        "leerlab_research.measurement.stage:run_measurement",
        "Scale reliability, item analysis, CFA and invariance.",
    ),
    Stage(
        "compare",
        "compare",
        "leerlab_research.compare.stage:run_compare",
        "Compare conditions across labs, roles, school types and waves.",
    ),
    Stage(
        "report",
        "reports",
        "leerlab_research.report.stage:run_report",
        "Render the lab, programme and methods reports.",
    ),
]


def available_stages() -> list[tuple[Stage, Callable[[StageContext], list[Path]]]]:
    """Every stage with its function, all imported before the first runs (an import error raises)."""
    return [(stage, stage.load()) for stage in STAGES]


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
    """
    st = study if isinstance(study, Study) else load_study(Path(study))
    ctx = StageContext(study=st, out=st.output_root(out), debug=debug)
    if console is not None:
        ctx.console = console
    done: list[str] = []
    written: list[Path] = []
    for stage, fn in available_stages():
        ctx.console.print(f"[bold]» {stage.name}[/]: {stage.help}")
        paths = fn(ctx)
        for path in paths:
            ctx.console.print(f"  wrote {path}", highlight=False)
        written += paths
        done.append(stage.name)
        # Refreshed after every stage so that later stages (the methods report)
        # can cite the inputs' hashes and software versions.
        ctx.out.mkdir(parents=True, exist_ok=True)
        write_manifest(ctx.study, ctx.out, done)
    ctx.out.mkdir(parents=True, exist_ok=True)
    manifest = write_manifest(ctx.study, ctx.out, done)
    ctx.console.print(f"[bold green]done[/]: {len(done)} stages; manifest {manifest}")
    return [*written, manifest]
