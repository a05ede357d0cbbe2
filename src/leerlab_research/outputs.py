"""Atomic, deterministic writers for every table and file a stage produces.

Same inputs and study → byte-identical files: CSVs use a fixed line terminator,
UTF-8 without BOM, no index, and floats written with ``repr`` precision; Parquet
is written without pandas index metadata variance; JSON with sorted keys.
A write goes to a temporary file in the same folder and is renamed into place,
so a failed run never leaves a half-written table.
"""

from __future__ import annotations

import io
import json
import os
import re
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import OutputError, output_error

if TYPE_CHECKING:
    # only annotations: the report engine's workers import this module for its zip
    # writer, and pandas would cost each of them ~0.3 s of start-up
    import pandas as pd


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


#: The process's umask, read once at import (reading it means setting it).
_UMASK = _current_umask()


@contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it into place on success.

    A read-only folder, a full disk or a file where a folder belongs raises
    :class:`~leerlab_research.errors.OutputError` (exit 2) naming ``path``; the
    temporary file is removed, so a failed write leaves the previous file as it was.
    """
    path = Path(path)
    tmp_path: Path | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        os.close(fd)
        tmp_path = Path(tmp)
        yield tmp_path
        # mkstemp makes the file private (0600); outputs get the usual rights of new files.
        os.chmod(tmp_path, 0o666 & ~_UMASK)
        os.replace(tmp_path, path)
    except OSError as exc:
        translated = output_error(path, exc)
        if translated is None:
            raise
        raise translated from exc
    finally:
        if tmp_path is not None and tmp_path.exists():
            tmp_path.unlink()


def ensure_out_folder(root: str | Path) -> Path:
    """Create the out folder (and parents) or raise a clear error; return it.

    Raises
    ------
    OutputError
        When ``root`` is a file, or cannot be created or written (exit 2).
    """
    root = Path(root)
    if root.exists() and not root.is_dir():
        raise OutputError(f"{root} is a file, not a folder: --out must name a folder")
    try:
        root.mkdir(parents=True, exist_ok=True)
        # Probe with a real file: os.access says yes to root on a read-only mount.
        fd, probe = tempfile.mkstemp(prefix=".write-test.", dir=root)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        translated = output_error(root, exc)
        if translated is None:
            raise
        raise translated from exc
    return root


def write_csv(df: pd.DataFrame, path: str | Path) -> Path:
    """Write ``df`` as UTF-8 CSV (comma, ``\\n``, no index) atomically."""
    with atomic_path(path) as tmp:
        df.to_csv(tmp, index=False, lineterminator="\n", encoding="utf-8")
    return Path(path)


def write_parquet(df: pd.DataFrame, path: str | Path) -> Path:
    """Write ``df`` as Parquet atomically (no index, deterministic metadata)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(df.reset_index(drop=True), preserve_index=False)
    with atomic_path(path) as tmp:
        pq.write_table(table, tmp, compression="zstd", write_statistics=True)
    return Path(path)


def write_json(obj: Any, path: str | Path) -> Path:
    """Write ``obj`` as indented JSON with sorted keys atomically."""
    with atomic_path(path) as tmp:
        tmp.write_text(
            json.dumps(obj, indent=2, sort_keys=True, ensure_ascii=False, default=str) + "\n",
            encoding="utf-8",
        )
    return Path(path)


def write_text(text: str, path: str | Path) -> Path:
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(path)


def write_with(writer: Callable[[Path], object], path: str | Path) -> Path:
    """Atomically write ``path`` with ``writer(tmp_path)`` (for figures, docx, pdf…)."""
    with atomic_path(path) as tmp:
        writer(tmp)
    return Path(path)


def deterministic_zip(
    data: bytes, core_modified: str, date_time: tuple[int, int, int, int, int, int]
) -> bytes:
    """Rewrite an xlsx (a zip) so the same content always gives the same bytes.

    openpyxl stamps ``dcterms:modified`` with the current time inside ``save()``
    (setting ``wb.properties.modified`` beforehand does not help) and zipfile
    stamps every member with the current local time and the host OS. Both are
    replaced by fixed values; members keep a fixed order with
    ``[Content_Types].xml`` first, as Excel writes it.
    """
    src = zipfile.ZipFile(io.BytesIO(data))
    names = src.namelist()
    first = [n for n in ("[Content_Types].xml", "_rels/.rels") if n in names]
    order = first + sorted(n for n in names if n not in first)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for name in order:
            payload = src.read(name)
            if name == "docProps/core.xml":
                payload = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                    rb"\g<1>" + core_modified.encode() + rb"\g<2>",
                    payload,
                )
            info = zipfile.ZipInfo(name, date_time=date_time)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0
            info.external_attr = 0
            dst.writestr(info, payload, compresslevel=6)
    return out.getvalue()


def workbook_bytes(wb: Any, when: datetime) -> bytes:
    """The bytes of an openpyxl workbook with every time in it fixed to ``when``.

    Document properties and zip member times are both set, so the same workbook
    content always gives the same file (see :func:`deterministic_zip`).
    """
    wb.properties.created = wb.properties.modified = when
    buffer = io.BytesIO()
    wb.save(buffer)
    return deterministic_zip(
        buffer.getvalue(), when.strftime("%Y-%m-%dT%H:%M:%SZ"), when.timetuple()[:6]
    )
