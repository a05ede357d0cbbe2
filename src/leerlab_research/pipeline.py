"""The stages of an analysis and how ``leerlab run`` chains them.

Each stage is a function ``run(ctx: StageContext) -> list[Path]`` that reads the
outputs of earlier stages under ``ctx.out`` and writes its own under
``ctx.out / <folder>``. Stages are registered by import path so that the CLI
works while later stages are still being built.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from .errors import MissingStageOutput
from .study import Study


@dataclass
class StageContext:
    """What a stage gets: the study, the output root, a console, options."""

    study: Study
    out: Path
    console: Console = field(default_factory=lambda: Console(stderr=True))
    debug: bool = False
    options: dict[str, object] = field(default_factory=dict)

    def stage_dir(self, folder: str) -> Path:
        path = self.out / folder
        path.mkdir(parents=True, exist_ok=True)
        return path

    def require(self, relpath: str, stage: str) -> Path:
        """Path to an earlier stage's output, or a clear error naming the command to run."""
        path = self.out / relpath
        if not path.exists():
            raise MissingStageOutput(
                f"{path} is missing: run `leerlab {stage} --study {self.study.path}` first "
                f"(or `leerlab run`)"
            )
        return path

    @contextmanager
    def progress(self, description: str, total: int) -> Iterator[Callable[[int], None]]:
        """A rich progress bar on stderr; yields ``advance(n=1)``."""
        with Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=self.console,
            transient=False,
            disable=not self.console.is_terminal and not self.options.get("force_progress"),
        ) as prog:
            task = prog.add_task(description, total=total)
            yield lambda n=1: prog.advance(task, n)


@dataclass(frozen=True)
class Stage:
    name: str
    folder: str
    target: str  # "module:function"
    help: str

    def load(self) -> Callable[[StageContext], list[Path]] | None:
        module, func = self.target.split(":")
        try:
            mod = importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name and exc.name.startswith("leerlab_research"):
                return None
            raise
        return getattr(mod, func, None)


#: The stages in data-flow order. ``leerlab run`` runs each one that exists.
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
        "reliability",
        "measurement",
        "leerlab_research.measurement.stage:run_reliability",
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
    found = []
    for stage in STAGES:
        fn = stage.load()
        if fn is not None:
            found.append((stage, fn))
    return found
