"""Execute a parsed template's ``{python}`` cells in a Jupyter kernel (nbclient).

The template becomes an nbformat notebook: a hidden setup cell (inline
matplotlib figures at a fixed size and dpi), the template's cells, a hidden
``injected-parameters`` cell right after the ``parameters``-tagged cell (as
papermill and Quarto do), and one hidden cell per inline expression. After
execution each template block is paired with its outputs for
:mod:`.markdown` to assemble.
"""

from __future__ import annotations

import copy
import datetime as _dt
import os
import re
import signal
import subprocess
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat
import yaml
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

from ...errors import ConfigError
from . import kernels
from .errors import RenderError
from .qmd import (
    EXECUTE_DEFAULTS,
    EXECUTE_KEYS,
    CodeCell,
    MarkdownChunk,
    QmdDocument,
    parameter_names,
    unknown_options,
)
from .request import RenderRequest

INLINE_MIME = "text/x-leerlab-inline"
ANSI_RE = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_CELL_LINE_RE = re.compile(r"Cell In\[(?P<count>\d+)\], line (?P<line>\d+)")

# Figure defaults when the front matter sets none (inches, dots per inch).
# One execution serves all formats, so one size: 7 × 4.5 in fits an A4 text
# width after the scaling pandoc (DOCX) and Typst (PDF) apply.
DEFAULT_FIG_WIDTH = 7.0
DEFAULT_FIG_HEIGHT = 4.5
DEFAULT_FIG_DPI = 150


@dataclass
class ExecutedBlock:
    """A template block after execution.

    ``outputs`` are the nbformat outputs of a code cell (empty when not
    evaluated); ``inline_values`` the ``str()`` of each inline expression of
    a Markdown chunk, in order.
    """

    block: MarkdownChunk | CodeCell
    options: dict[str, Any] = field(default_factory=dict)
    outputs: list[dict[str, Any]] = field(default_factory=list)
    inline_values: list[str] = field(default_factory=list)


@dataclass
class ExecutedDocument:
    """All blocks of one template after one execution, plus the merged metadata."""

    name: str
    metadata: dict[str, Any]
    blocks: list[ExecutedBlock]
    warnings: list[str] = field(default_factory=list)


def load_project_metadata(template: Path) -> dict[str, Any]:
    """The sibling ``_quarto.yml`` without its ``project:`` key ({} when absent)."""
    project = template.parent / "_quarto.yml"
    if not project.is_file():
        return {}
    try:
        data = yaml.safe_load(project.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"'{project}' is not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"'{project}' must be a YAML mapping")
    return {k: v for k, v in data.items() if k != "project"}


def _deep_merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    merged = copy.deepcopy(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _deep_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def merged_metadata(template: Path, doc: QmdDocument, req: RenderRequest) -> dict[str, Any]:
    """Project (``_quarto.yml``) < front matter < request metadata; ``lang`` from the request."""
    meta = _deep_merge(load_project_metadata(template), doc.front_matter)
    meta = _deep_merge(meta, dict(req.metadata))
    meta["lang"] = req.lang
    date = meta.get("date")
    # Quarto's special date values; pass a fixed date through metadata for
    # byte-stable reports.
    if date in ("today", "now"):
        today = (
            _dt.datetime.fromtimestamp(req.source_date_epoch, _dt.UTC).date()
            if req.source_date_epoch is not None
            else _dt.date.today()
        )
        meta["date"] = today.isoformat()
    elif date == "last-modified":
        meta["date"] = _dt.date.fromtimestamp(template.stat().st_mtime).isoformat()
    return meta


def execution_warnings(executed: ExecutedDocument, doc: QmdDocument) -> list[str]:
    warnings = list(executed.warnings)
    for cell in doc.cells:
        ignored = unknown_options(cell)
        if ignored:
            warnings.append(
                f"template '{doc.name}': {cell.describe()}: option(s) {', '.join(ignored)} "
                "have no effect in the fallback engine"
            )
    for block in executed.blocks:
        if not block.options.get("warning", True):
            continue
        stderr = "".join(
            o.get("text", "")
            for o in block.outputs
            if o.get("output_type") == "stream" and o.get("name") == "stderr"
        ).strip()
        if stderr:
            first = stderr.splitlines()[-1][:300]
            source = block.block
            what = source.describe() if isinstance(source, CodeCell) else "a Markdown block"
            warnings.append(f"template '{doc.name}': {what} wrote to stderr: {first}")
    return warnings


def cell_options(cell: CodeCell, metadata: dict[str, Any]) -> dict[str, Any]:
    """Effective options: Quarto defaults < front matter ``execute:`` < cell ``#|``."""
    execute = metadata.get("execute") or {}
    merged = dict(EXECUTE_DEFAULTS)
    if isinstance(execute, dict):
        merged.update({k: execute[k] for k in EXECUTE_KEYS if k in execute})
    merged.update(cell.options)
    return merged


def parameters_source(params: dict[str, object]) -> str:
    """Python source that assigns ``params`` (like papermill's injected cell).

    ``repr`` round-trips the YAML-like values parameters may hold (str, int,
    float, bool, None, lists and dicts of those); paths become strings so the
    Quarto route (which writes a YAML params file) sees the same values.
    """
    lines = ["# Injected parameters"]
    for name, value in params.items():
        if not str(name).isidentifier():
            raise RenderError(f"parameter name {name!r} is not a valid Python name")
        lines.append(f"{name} = {plain_value(value)!r}")
    return "\n".join(lines)


def plain_value(value: object) -> object:
    """Convert ``value`` to plain YAML/JSON-like data (paths → str); reject others."""
    if isinstance(value, Path):
        return str(value)
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    if isinstance(value, (list, tuple)):
        return [plain_value(v) for v in value]
    if isinstance(value, dict):
        return {str(k): plain_value(v) for k, v in value.items()}
    raise RenderError(
        f"parameter value {value!r} ({type(value).__name__}) cannot be passed to a template; "
        "use text, numbers, booleans, lists or mappings"
    )


#: Lines of the setup cell that move what the kernel holds before a report (modules,
#: the published tables of ``context.read_published``: about 150,000 objects) out of
#: the garbage collector's sight. A matplotlib figure is a web of reference cycles, so
#: every figure a report draws is freed by the collector, and its full collections
#: traversed all of those objects: about 75 ms each, two in a lab report, 0.16 s of
#: its 1.3 s CPU. The report's own objects are still collected as before; what is
#: frozen is what survived a collection, so only what the kernel keeps stays.
GC_FREEZE = (
    "import gc as _leerlab_gc",
    "_leerlab_gc.collect()",
    "_leerlab_gc.freeze()",
    "del _leerlab_gc",
)


def _setup_source(metadata: dict[str, Any]) -> str:
    width = float(metadata.get("fig-width", DEFAULT_FIG_WIDTH))
    height = float(metadata.get("fig-height", DEFAULT_FIG_HEIGHT))
    dpi = int(metadata.get("fig-dpi", DEFAULT_FIG_DPI))
    # MPLBACKEND=Agg in the kernel's environment keeps it headless; the inline
    # backend (also Agg-based) is what turns figures into image/png outputs.
    return "\n".join(
        [
            "%matplotlib inline",
            "import matplotlib as _leerlab_mpl",
            "from matplotlib_inline.backend_inline import set_matplotlib_formats as _leerlab_fmt",
            f"_leerlab_fmt('png', dpi={dpi})",
            f"_leerlab_mpl.rcParams['figure.figsize'] = ({width}, {height})",
            f"_leerlab_mpl.rcParams['figure.dpi'] = {dpi}",
            "del _leerlab_mpl, _leerlab_fmt",
            *GC_FREEZE,
        ]
    )


def _inline_source(expr: str) -> str:
    return (
        "from IPython.display import display as _leerlab_display\n"
        f"_leerlab_display({{{INLINE_MIME!r}: str((\n{expr}\n))}}, raw=True)\n"
        "del _leerlab_display"
    )


def execute_document(
    doc: QmdDocument,
    metadata: dict[str, Any],
    params: dict[str, object],
    workdir: Path,
    *,
    timeout: int = 600,
    kernel_name: str = "python3",
) -> ExecutedDocument:
    """Run the template's cells with ``params`` injected; return blocks with outputs.

    Parameters
    ----------
    doc
        The parsed template.
    metadata
        Merged project + front matter + request metadata (``execute:``,
        ``fig-width`` …).
    params
        Values injected after the ``parameters`` cell.
    workdir
        The kernel's working directory.
    timeout
        Seconds one cell may run.
    kernel_name
        Jupyter kernel to start (``python3`` from ipykernel).

    Raises
    ------
    RenderError
        A cell raised (message: template, cell number/label/line, exception
        type and message; no traceback), timed out, or the kernel died.
    """
    warnings: list[str] = []
    blocks = [ExecutedBlock(block=b) for b in doc.blocks]
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": kernel_name,
        "display_name": "Python 3",
        "language": "python",
    }
    # owners[i] = (index into blocks, kind) for notebook cell i
    owners: list[tuple[int, str, Any]] = []

    def add(source: str, owner: tuple[int, str, Any], tags: list[str] | None = None) -> None:
        cell = nbformat.v4.new_code_cell(source)
        if tags:
            cell.metadata["tags"] = tags
        nb.cells.append(cell)
        owners.append(owner)

    # the kernel may have run another report before (kernels.py)
    add(kernels.reset_source(str(workdir)), (-1, "setup", None))
    add(_setup_source(metadata), (-1, "setup", None))
    param_cell = doc.parameters_cell
    if params and param_cell is None:
        warnings.append(
            f"template '{doc.name}' has no cell tagged 'parameters'; parameters are injected "
            "at the top (as papermill does)"
        )
        add(parameters_source(params), (-1, "parameters", None))
    elif params and param_cell is not None:
        known = set(parameter_names(param_cell))
        unknown = sorted(set(params) - known)
        if known and unknown:
            warnings.append(
                f"template '{doc.name}': parameters {', '.join(unknown)} are not set in its "
                f"parameters cell (line {param_cell.line}); they are injected anyway"
            )

    for index, executed in enumerate(blocks):
        block = executed.block
        if isinstance(block, MarkdownChunk):
            for expr in block.inline:
                add(_inline_source(expr.expr), (index, "inline", expr))
            continue
        executed.options = cell_options(block, metadata)
        if executed.options.get("eval", True):
            # `error: true` lets a cell fail and show its error, as in Quarto;
            # nbclient honours that per cell through the raises-exception tag.
            tags = ["raises-exception"] if executed.options.get("error") else None
            add(block.source, (index, "cell", block), tags)
        if params and block is param_cell:
            add(parameters_source(params), (-1, "parameters", None), ["injected-parameters"])

    env = kernel_env()
    client = _client(nb, workdir, timeout, kernel_name)
    current = [0]

    def on_start(cell: Any, cell_index: int, **_: Any) -> None:
        current[0] = cell_index

    client.on_cell_start = on_start
    kernels.attach(client, env)
    try:
        try:
            # The kernel's own log (not cell output) would clutter the user's
            # terminal with a notice about TCP transport on every render.
            run_client(client, env)
        except BaseException:
            kernels.discard(client)  # never reuse a kernel after a failure or an interrupt
            raise
        kernels.release(client)
    except CellExecutionError as exc:
        raise RenderError(_failure(doc, nb, owners, current[0], exc)) from None
    except CellTimeoutError:
        where = _where(doc, owners, current[0])
        raise RenderError(
            f"template '{doc.name}': {where} did not finish within {timeout} s"
        ) from None
    except DeadKernelError as exc:
        where = _where(doc, owners, current[0])
        raise RenderError(
            f"template '{doc.name}': the Python kernel died during {where} ({exc})"
        ) from None

    for nb_cell, (index, kind, _item) in zip(nb.cells, owners, strict=True):
        if index < 0:
            continue
        executed = blocks[index]
        if kind == "inline":
            executed.inline_values.append(_inline_value(nb_cell))
        else:
            executed.outputs = [dict(o) for o in nb_cell.get("outputs", [])]
    return ExecutedDocument(name=doc.name, metadata=metadata, blocks=blocks, warnings=warnings)


def kernel_env() -> dict[str, str]:
    """The kernel's environment: this process's, headless matplotlib."""
    env = dict(os.environ)
    env["MPLBACKEND"] = "Agg"
    env.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    return env


def _client(nb: Any, workdir: Path, timeout: int, kernel_name: str) -> NotebookClient:
    return NotebookClient(
        nb,
        timeout=timeout,
        kernel_name=kernel_name,
        allow_errors=False,
        resources={"metadata": {"path": str(workdir)}},
        # Parallel kernels would contend for IPython's sqlite history file.
        extra_arguments=["--HistoryManager.enabled=False"],
    )


def run_client(client: NotebookClient, env: dict[str, str]) -> None:
    """``client.execute`` (the kernel's own log to /dev/null), keeping Ctrl-C's disposition.

    nbclient handles SIGINT and SIGTERM on its event loop while it executes and
    then removes its handlers, which puts Python's default handlers back: a render
    worker, which leaves Ctrl-C to its parent (``workers.ignore_sigint``), then died
    of it with a KeyboardInterrupt traceback of its own while it waited for work.
    """
    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        client.execute(env=env, stderr=subprocess.DEVNULL)
    finally:
        if threading.current_thread() is threading.main_thread():
            for sig, handler in previous.items():
                if handler is not None:
                    signal.signal(sig, handler)


def start_kernel(preload: tuple[str, ...] = (), kernel_name: str = "python3") -> None:
    """Start this process's kept kernel before its first notebook, importing ``preload``.

    A render worker calls this as it starts (``core.RenderPool``), so that the
    kernel's start-up and the templates' imports run while the caller is still
    preparing the requests. The modules stay imported for every notebook the kernel
    runs; their names are not left in its namespace.

    Raises
    ------
    RenderError
        The kernel could not start, or an import failed.
    """
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": kernel_name,
        "display_name": "Python 3",
        "language": "python",
    }
    lines = ["import importlib as _leerlab_importlib"]
    lines += [f"_leerlab_importlib.import_module({name!r})" for name in preload]
    nb.cells.append(nbformat.v4.new_code_cell("\n".join([*lines, "del _leerlab_importlib"])))
    env = kernel_env()
    client = _client(nb, Path.cwd(), 600, kernel_name)
    kernels.attach(client, env)
    try:
        try:
            run_client(client, env)
        except BaseException:
            kernels.discard(client)
            raise
    except (CellExecutionError, CellTimeoutError, DeadKernelError, RuntimeError) as exc:
        # nbclient raises RuntimeError when the kernel dies before it replies
        raise RenderError(f"the Python kernel could not start or import {preload}: {exc}") from None
    kernels.release(client)


def _inline_value(nb_cell: Any) -> str:
    for output in nb_cell.get("outputs", []):
        data = output.get("data", {})
        if INLINE_MIME in data:
            return str(data[INLINE_MIME])
    return ""


def _where(doc: QmdDocument, owners: list[tuple[int, str, Any]], nb_index: int) -> str:
    if not 0 <= nb_index < len(owners):
        return "a cell"
    _index, kind, item = owners[nb_index]
    if kind == "cell":
        return item.describe()
    if kind == "inline":
        return f"inline expression `{{python}} {item.expr}` (line {item.line})"
    if kind == "parameters":
        return "the injected parameters cell"
    return "the engine's setup cell"


def _failure(
    doc: QmdDocument,
    nb: Any,
    owners: list[tuple[int, str, Any]],
    nb_index: int,
    exc: CellExecutionError,
) -> str:
    """One-paragraph message for a failed cell: where, line, exception; no traceback."""
    where = _where(doc, owners, nb_index)
    ename = getattr(exc, "ename", "") or "Error"
    evalue = getattr(exc, "evalue", "") or ""
    line_note = ""
    if 0 <= nb_index < len(owners) and owners[nb_index][1] == "cell":
        cell: CodeCell = owners[nb_index][2]
        count = nb.cells[nb_index].get("execution_count")
        traceback = ANSI_RE.sub("", str(getattr(exc, "traceback", "") or ""))
        for match in _CELL_LINE_RE.finditer(traceback):
            if count is not None and int(match["count"]) == count:
                line_note = f" at template line {cell.code_line + int(match['line']) - 1}"
                break
    detail = f"{ename}: {evalue}" if evalue else ename
    return f"template '{doc.name}': {where} failed{line_note}: {detail}"


def execute_request(
    template: Path, doc: QmdDocument, req: RenderRequest, workdir: Path
) -> tuple[ExecutedDocument, list[str]]:
    """Execute ``doc`` once for ``req`` (both engines); return it with its warnings."""
    executed = execute_document(
        doc, merged_metadata(template, doc, req), req.params, workdir, timeout=req.timeout
    )
    return executed, execution_warnings(executed, doc)
