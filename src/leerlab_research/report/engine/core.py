"""Render entry points: :func:`render`, :func:`render_many`, :func:`quarto_executable`.

Routing: Quarto when it is available (``$LEERLAB_QUARTO`` or ``quarto`` on
PATH), otherwise the fallback (own ``.qmd`` parser → nbclient → pandoc/Typst).
Both read the same template; ``docs/quarto-subset.md`` lists what templates
may use.
"""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import os
import shutil
import tempfile
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import psutil

from ...errors import ConfigError
from ...workers import start_worker
from .convert import convert
from .errors import RenderError
from .execute import execute_request, merged_metadata, start_kernel
from .markdown import assemble
from .qmd import parse_qmd
from .quarto import EXTENSIONS, render_with_quarto
from .request import ENGINES, FORMATS, RenderRequest, RenderResult
from .workcopy import copy_template_folder, move_into_place

ProgressCallback = Callable[[int], object]


def quarto_executable() -> str | None:
    """The Quarto CLI to use: ``$LEERLAB_QUARTO`` if set, else ``quarto`` on PATH."""
    configured = os.environ.get("LEERLAB_QUARTO", "").strip()
    if configured:
        return shutil.which(configured) or configured
    return shutil.which("quarto")


def resolve_engine(req: RenderRequest) -> tuple[str, str | None]:
    """Return ``("quarto", exe)`` or ``("fallback", None)`` for ``req``."""
    if req.engine not in ENGINES:
        raise ConfigError(f"unknown render engine {req.engine!r}; use one of {', '.join(ENGINES)}")
    if req.engine == "fallback":
        return "fallback", None
    exe = quarto_executable()
    if exe is None and req.engine == "quarto":
        raise ConfigError(
            "engine 'quarto' was requested but Quarto was not found: put quarto on PATH or set "
            "LEERLAB_QUARTO to its path (or use the fallback engine)"
        )
    return ("quarto", exe) if exe else ("fallback", None)


def validate(req: RenderRequest) -> None:
    """Check a request before any work starts (clear ConfigError messages)."""
    template = Path(req.template)
    if not template.is_file():
        raise ConfigError(f"report template '{template}' does not exist")
    if template.suffix != ".qmd":
        raise ConfigError(f"report template '{template}' is not a .qmd file")
    bad = [f for f in req.formats if f not in FORMATS]
    if bad or not req.formats:
        raise ConfigError(
            f"unknown report format(s) {', '.join(bad) or '(none given)'}; use {', '.join(FORMATS)}"
        )
    stem = req.output_stem
    if not stem or "/" in stem or "\\" in stem or stem.startswith("."):
        raise ConfigError(f"output name {stem!r} must be a plain file name without folders")


def render(req: RenderRequest) -> RenderResult:
    """Render one template to the requested formats.

    Safe to call from worker processes (``ProcessPoolExecutor``): every render
    works in its own temporary copy of the template folder and starts its own
    kernel.

    Parameters
    ----------
    req
        What to render and where (see :class:`RenderRequest`).

    Returns
    -------
    RenderResult
        Output paths in ``req.formats`` order, the engine used, warnings.

    Raises
    ------
    ConfigError
        Missing template, unknown format or engine, Quarto requested but absent.
    TemplateError
        The template cannot be parsed (names the line).
    RenderError
        A cell failed (names template, cell and exception), or pandoc, Typst
        or Quarto failed.
    """
    validate(req)
    return _run_task([req])[0]


def _group_key(req: RenderRequest) -> str:
    """Requests with equal keys can share one execution (same code, same inputs)."""
    return json.dumps(
        [
            str(Path(req.template).resolve()),
            req.params,
            req.metadata,
            str(req.workdir) if req.workdir else None,
            req.timeout,
        ],
        sort_keys=True,
        default=str,
    )


class RenderPool:
    """Render worker processes started ahead of the requests, each with its kernel.

    A worker's start-up (the engine's imports, a Jupyter kernel, the modules the
    templates import: ``preload``) takes about 1.5 s of CPU; started before the
    caller builds its requests, it runs while the caller checks its inputs. Use as
    a context manager and pass it to :func:`render_many`; with ``workers <= 1``
    nothing is started and :func:`render_many` renders in this process.
    """

    def __init__(self, workers: int, preload: Sequence[str] = ()) -> None:
        self.workers = workers
        self.executor: ProcessPoolExecutor | None = None
        self._before = {p.pid for p in psutil.Process().children(recursive=True)}
        if workers > 1:
            self.executor = ProcessPoolExecutor(
                max_workers=workers,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_start_worker,
                initargs=(tuple(preload),),
            )
            # a process is spawned per submitted task while none is idle: all now
            for _ in range(workers):
                self.executor.submit(_nothing)

    def __enter__(self) -> RenderPool:
        return self

    def __exit__(self, kind: object, exc: object, tb: object) -> None:
        if exc is None:
            self.close()
        else:
            self.stop()

    def close(self) -> None:
        """The workers shut their kernels down and exit; the caller does not wait."""
        if self.executor is not None:
            self.executor.shutdown(wait=False)

    def stop(self) -> None:
        """Ctrl-C or a failure: no worker or kernel of this pool outlives the caller."""
        if self.executor is not None:
            # Not `with executor:` — its exit waits for every running render to finish.
            self.executor.shutdown(wait=False, cancel_futures=True)
        stop_children(self._before)


def _nothing() -> None:
    """A task that only makes the pool spawn a worker."""


def _start_worker(preload: tuple[str, ...]) -> None:
    """Worker initialiser: leave Ctrl-C to the parent, die with it, start the kernel ahead."""
    start_worker()
    try:
        start_kernel(preload)
    except RenderError:
        # Only a head start: the worker's first render starts a kernel again and
        # reports what goes wrong with the template's name.
        pass


def render_many(
    requests: Sequence[RenderRequest],
    workers: int = 2,
    progress: ProgressCallback | None = None,
    pool: RenderPool | None = None,
) -> list[RenderResult]:
    """Render many reports, in parallel processes, executing each notebook once.

    Requests that share template, params, metadata and workdir are executed
    once and converted to all their formats and outputs, by Quarto or the
    fallback. Groups run in a process pool of ``workers`` (``spawn`` start
    method: no forked kernel sockets), the heaviest (``RenderRequest.weight``)
    first; each worker keeps its kernel for all the groups it executes.

    Parameters
    ----------
    requests
        The reports to render.
    workers
        Processes to use; ``1`` renders in this process.
    progress
        Called as ``progress(n)`` in this process after ``n`` more requests
        finished (fits ``advance`` from ``StageContext.progress``).
    pool
        Workers started ahead (:class:`RenderPool`); ``workers`` is then ignored.

    Returns
    -------
    list[RenderResult]
        One result per request, in request order.

    Raises
    ------
    RenderError
        After all renders ran, when any failed: one problem line per failure
        (the other reports are written).
    """
    for req in requests:
        validate(req)
    tasks: list[list[int]] = []
    groups: dict[str, list[int]] = {}
    for i, req in enumerate(requests):
        engine, _exe = resolve_engine(req)
        groups.setdefault(engine + _group_key(req), []).append(i)
    # Heaviest first (stable): a long report started last would keep one worker busy
    # while the others have nothing left to do.
    tasks.extend(sorted(groups.values(), key=lambda t: -sum(requests[i].weight for i in t)))
    results: list[RenderResult | None] = [None] * len(requests)
    failures: list[str] = []

    def done(task: list[int], outcome: list[RenderResult] | BaseException) -> None:
        if isinstance(outcome, BaseException):
            names = ", ".join(requests[i].output_stem for i in task)
            failures.append(f"{names}: {outcome}")
        else:
            for i, result in zip(task, outcome, strict=True):
                results[i] = result
        if progress is not None:
            progress(len(task))

    own = pool is None
    if pool is None:
        pool = RenderPool(min(workers, len(tasks)))
    # Ctrl-C (or any failure here): no worker or kernel outlives this process; a
    # caller's pool is the caller's to close or stop.
    with pool if own else contextlib.nullcontext():
        if pool.executor is None:
            for task in tasks:
                try:
                    done(task, _run_task([requests[i] for i in task]))
                except (RenderError, ConfigError) as exc:
                    done(task, exc)
        else:
            _render_parallel(pool.executor, requests, tasks, done)
    if failures:
        raise RenderError(f"{len(failures)} of {len(tasks)} renders failed", failures)
    return [r for r in results if r is not None]


def _render_parallel(
    pool: ProcessPoolExecutor,
    requests: Sequence[RenderRequest],
    tasks: list[list[int]],
    done: Callable[[list[int], list[RenderResult] | BaseException], None],
) -> None:
    futures: dict[Future[list[RenderResult]], list[int]] = {
        pool.submit(_run_task, [requests[i] for i in task]): task for task in tasks
    }
    for future in as_completed(futures):
        try:
            done(futures[future], future.result())
        except (RenderError, ConfigError, BrokenProcessPool) as exc:  # as in one process
            done(futures[future], exc)


def stop_children(before: set[int], timeout: float = 5.0) -> None:
    """Kill the descendants of this process that are not in ``before``.

    SIGKILL, not SIGTERM: a terminated worker's event loop printed a traceback of
    its dying kernel; after Ctrl-C nothing of theirs is worth finishing.
    """
    procs = [p for p in psutil.Process().children(recursive=True) if p.pid not in before]
    # multiprocessing's resource tracker ends by itself with this process; killed,
    # or left with the killed workers' semaphores, it prints a KeyError traceback.
    procs = [p for p in procs if "resource_tracker" not in " ".join(_cmdline(p))]
    # Our own multiprocessing children are reaped through multiprocessing: had
    # psutil reaped one, its Process object would find no such child and count it
    # alive forever, and the pool's manager thread (joined at interpreter exit)
    # waited for it: Ctrl-C at the wrong moment left `leerlab report` hanging.
    ours = {p.pid: p for p in multiprocessing.active_children()}
    for proc in procs:
        try:
            proc.kill()
        except psutil.NoSuchProcess:
            pass
    for proc in procs:
        if proc.pid in ours:
            ours[proc.pid].join(timeout)
    psutil.wait_procs([p for p in procs if p.pid not in ours], timeout=timeout)


def _cmdline(proc: psutil.Process) -> list[str]:
    try:
        return proc.cmdline()
    except psutil.Error:  # ended meanwhile
        return []


def _run_task(reqs: list[RenderRequest]) -> list[RenderResult]:
    """Worker entry point: one execution group, rendered by Quarto or the fallback."""
    engine, exe = resolve_engine(reqs[0])
    if engine == "quarto":
        assert exe is not None
        return render_with_quarto(reqs, exe)
    return _render_fallback_group(reqs)


def _render_fallback_group(reqs: list[RenderRequest]) -> list[RenderResult]:
    """Execute the (shared) template once; convert for every request in ``reqs``."""
    first = reqs[0]
    template = Path(first.template).resolve()
    doc = parse_qmd(template, name=template.name)
    with tempfile.TemporaryDirectory(prefix="leerlab-render-") as tmp:
        copy_dir = copy_template_folder(template.parent, Path(tmp) / "src")
        workdir = Path(first.workdir) if first.workdir is not None else copy_dir
        workdir.mkdir(parents=True, exist_ok=True)
        executed, shared_warnings = execute_request(template, doc, first, workdir)
        figure_dir = copy_dir / f"{template.stem}_files" / "figure-leerlab"
        results = []
        for req in reqs:
            meta = merged_metadata(template, doc, req)
            warnings = list(shared_warnings)
            outputs = []
            for fmt in req.formats:
                name = f"{req.output_stem}.{EXTENSIONS[fmt]}"
                what = f"template '{template.name}' → {name}"
                markdown, md_warnings = assemble(
                    executed, fmt, lang=req.lang, figure_dir=figure_dir, base_dir=copy_dir
                )
                produced = Path(tmp) / "out" / name
                produced.parent.mkdir(exist_ok=True)
                warnings += md_warnings
                warnings += convert(
                    markdown,
                    fmt,
                    metadata=meta,
                    lang=req.lang,
                    base_dir=copy_dir,
                    output=produced,
                    what=what,
                    resource_dirs=(template.parent,),
                    source_date_epoch=req.source_date_epoch,
                )
                outputs.append(move_into_place(produced, Path(req.output_dir) / name))
            results.append(
                RenderResult(
                    outputs=outputs, engine="fallback", warnings=list(dict.fromkeys(warnings))
                )
            )
    return results
