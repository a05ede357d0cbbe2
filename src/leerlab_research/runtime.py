"""What a running stage gets: the study, the output root, a console and options.

It sits just above the configuration so that every stage package can import it
without importing the pipeline (which imports every stage).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from .config.study import Study
from .errors import MissingStageOutput


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
