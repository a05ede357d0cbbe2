"""What a running stage gets: the study, the output root, a console and options.

It sits just above the configuration so that every stage package can import it
without importing the pipeline (which imports every stage).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from threadpoolctl import threadpool_limits

from .config.contracts import Contract, read_table
from .config.schema import CLEAN_TABLE, clean_contract
from .config.study import Study
from .errors import DataError, MissingStageOutput
from .outputs import ensure_out_folder


@contextmanager
def single_thread() -> Iterator[None]:
    """Limit BLAS (OpenBLAS, MKL) to one thread in this process while the block runs.

    The stages work with many small matrices (model fits, per-group statistics);
    there a second BLAS thread only adds hand-over and spin-waiting: the panel
    models of the compare stage took 3× the CPU time with two OpenBLAS threads,
    semopy 5-10× on a busy 2-core machine. Stages that want both cores use
    processes (``workers.py``).
    """
    with threadpool_limits(1):
        yield


@dataclass
class StageContext:
    """What a stage gets: the study, the output root, a console, options."""

    study: Study
    out: Path
    console: Console = field(default_factory=lambda: Console(stderr=True))
    debug: bool = False
    options: dict[str, object] = field(default_factory=dict)
    #: The out folder's manifest as the stage found it (set by ``pipeline.run_stage``).
    manifest: dict[str, object] = field(default_factory=dict)
    #: What a stage adds to the manifest beside its files (``pseudonym_key``).
    provenance: dict[str, object] = field(default_factory=dict)
    #: Why the stage's own outputs from an earlier run are not current (None when
    #: they are), as found before it runs (set by ``pipeline.run_stage``): ``leerlab
    #: report --site`` links the reports only when they are current.
    stale: str | None = None
    #: Helpers ``leerlab run`` started for a stage before its turn, by stage name (the
    #: report stage's render workers, started before the first stage).
    ahead: dict[str, object] = field(default_factory=dict)

    def stage_dir(self, folder: str) -> Path:
        """``<out>/<folder>``, created; a clear error when it cannot be written."""
        return ensure_out_folder(self.out / folder)

    def require(self, relpath: str, stage: str) -> Path:
        """Path to an earlier stage's output, or a clear error naming the command to run."""
        path = self.out / relpath
        if not path.exists():
            raise MissingStageOutput(
                f"{path} is missing: run `leerlab {stage} --study {self.study.path}` first "
                f"(or `leerlab run`)"
            )
        return path

    def contract(self, relpath: str) -> Contract:
        """The contract of an output table: the clean table's from the codebook, a
        comparison table's from the Table Schema that ``results.json`` carries."""
        if relpath == CLEAN_TABLE:
            return clean_contract(self.study.codebook, self.study.labs)
        if relpath.startswith("compare/") and relpath.endswith(".csv"):
            return compare_contract(self.out, relpath, self.study.path)
        raise KeyError(f"no contract for {relpath}")

    def read_table(self, relpath: str, stage: str) -> pd.DataFrame:
        """An earlier stage's table, checked against its contract.

        Parameters
        ----------
        relpath
            The table under the output root, e.g. ``clean/responses.parquet``.
        stage
            The command that writes it (named when the file is missing).

        Raises
        ------
        MissingStageOutput
            The file is missing (exit 2, names the command to run).
        DataError
            The table breaks its contract: every wrong, missing or unknown column is
            named (exit 1).
        """
        path = self.require(relpath, stage)
        try:
            return read_table(path, self.contract(relpath), where=str(path))
        except DataError as exc:  # damaged, truncated or not what the stage wrote
            raise DataError(
                f"{exc.message}; rerun `leerlab {stage} --study {self.study.path}`", exc.problems
            ) from None

    def read_parquet(self, relpath: str, stage: str, **kwargs: object) -> pd.DataFrame:
        """An earlier stage's Parquet table, or a clear error when it is missing or damaged.

        A truncated or overwritten file (an interrupted copy, a full disk) raises
        :class:`~leerlab_research.errors.DataError` naming the file and the stage to rerun.
        """
        path = self.require(relpath, stage)
        try:
            return pd.read_parquet(path, **kwargs)  # type: ignore[arg-type]
        except (OSError, ValueError) as exc:  # pyarrow's ArrowInvalid is a ValueError
            raise DataError(
                f"{path}: cannot be read ({type(exc).__name__}: {exc}); the file is damaged "
                f"or incomplete: rerun `leerlab {stage} --study {self.study.path}`"
            ) from exc

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

            def advance(n: int = 1) -> None:
                prog.advance(task, n)

            yield advance


def compare_contract(out: Path, relpath: str, study_path: object = "") -> Contract:
    """A comparison table's contract from ``compare/results.json`` (its ``schema``)."""
    index = out / "compare" / "results.json"
    name = Path(relpath).stem
    try:
        info = json.loads(index.read_text(encoding="utf-8"))["tables"][name]
        schema = info["schema"]
    except (OSError, ValueError, KeyError) as exc:
        raise MissingStageOutput(
            f"{index} has no table schema for {name!r} ({type(exc).__name__}): run "
            f"`leerlab compare --study {study_path}` again"
        ) from None
    return Contract.from_table_schema(relpath, schema, stage="compare")
