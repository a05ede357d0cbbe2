"""Render entry points: :func:`render`, :func:`render_many`, :func:`quarto_executable`.

Routing: Quarto when it is available (``$LEERLAB_QUARTO`` or ``quarto`` on
PATH), otherwise the fallback (own ``.qmd`` parser → nbclient → pandoc/Typst).
Both read the same template; ``docs/quarto-subset.md`` lists what templates
may use.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import shutil
import signal
import tempfile
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import psutil

from ...errors import ConfigError
from .convert import convert
from .errors import RenderError
from .execute import execute_request, merged_metadata
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


def render_many(
    requests: Sequence[RenderRequest],
    workers: int = 2,
    progress: ProgressCallback | None = None,
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

    before = {p.pid for p in psutil.Process().children(recursive=True)}
    try:
        if workers <= 1 or len(tasks) <= 1:
            for task in tasks:
                try:
                    done(task, _run_task([requests[i] for i in task]))
                except (RenderError, ConfigError) as exc:
                    done(task, exc)
        else:
            _render_parallel(requests, tasks, workers, done)
    except BaseException:
        # Ctrl-C (or any failure of the parent): no render worker or Jupyter
        # kernel may outlive this process.
        stop_children(before)
        raise
    if failures:
        raise RenderError(f"{len(failures)} of {len(tasks)} renders failed", failures)
    return [r for r in results if r is not None]


def _ignore_sigint() -> None:
    """Worker initialiser: Ctrl-C reaches the whole process group; only the parent handles it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _render_parallel(
    requests: Sequence[RenderRequest],
    tasks: list[list[int]],
    workers: int,
    done: Callable[[list[int], list[RenderResult] | BaseException], None],
) -> None:
    context = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(
        max_workers=min(workers, len(tasks)), mp_context=context, initializer=_ignore_sigint
    )
    try:
        futures: dict[Future[list[RenderResult]], list[int]] = {
            pool.submit(_run_task, [requests[i] for i in task]): task for task in tasks
        }
        for future in as_completed(futures):
            try:
                done(futures[future], future.result())
            except (RenderError, ConfigError, BrokenProcessPool) as exc:  # as in one process
                done(futures[future], exc)
    except BaseException:
        # Not `with pool:` — its exit waits for every running render to finish.
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    # Every result is in: the workers shut their kernels down and exit while the
    # caller goes on (the site, the manifest); the interpreter joins them at exit.
    pool.shutdown(wait=False)


def stop_children(before: set[int], timeout: float = 5.0) -> None:
    """Kill the descendants of this process that are not in ``before``.

    SIGKILL, not SIGTERM: a terminated worker's event loop printed a traceback of
    its dying kernel; after Ctrl-C nothing of theirs is worth finishing.
    """
    procs = [p for p in psutil.Process().children(recursive=True) if p.pid not in before]
    # multiprocessing's resource tracker ends by itself with this process; killed,
    # or left with the killed workers' semaphores, it prints a KeyError traceback.
    procs = [p for p in procs if "resource_tracker" not in " ".join(_cmdline(p))]
    for proc in procs:
        try:
            proc.kill()
        except psutil.NoSuchProcess:
            pass
    psutil.wait_procs(procs, timeout=timeout)


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
