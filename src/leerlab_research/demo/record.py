"""What ``leerlab demo`` wrote: never overwrite other files, and recognise its exports later.

The generator writes into a temporary folder inside ``--out`` first. A file
that would replace an existing file is allowed only when the existing file is
one the demo wrote earlier, unchanged (its sha256 is in the record), or has the
very bytes it would get (replacing it changes nothing); anything else (a real
export someone put there, an edited demo file) is refused with exit 2 unless
``--force``. A folder filled by the demo before it kept a record
(``truth/parameters.json`` without ``truth/demo_files.json``) counts as the
demo's own. The files then move into place and their sha256 go
into ``truth/demo_files.json``, which the key rules use to recognise the
bundled demo exports (:func:`leerlab_research.config.keys.is_demo_export`).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from ..config.keys import DEMO_RECORD
from ..errors import ConfigError
from ..outputs import write_json


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_record(out: Path) -> dict[str, str]:
    """``relative path → sha256`` of the files the demo wrote into ``out`` ({} when none)."""
    try:
        files = json.loads((out / DEMO_RECORD).read_text(encoding="utf-8")).get("files", {})
    except (OSError, ValueError, AttributeError):
        return {}
    return {str(k): str(v) for k, v in files.items()} if isinstance(files, dict) else {}


def write_record(out: Path, files: list[Path]) -> Path:
    """Add ``files`` (under ``out``) with their sha256 to ``out/truth/demo_files.json``."""
    out = Path(out)
    record = read_record(out)
    for path in files:
        rel = Path(path).resolve().relative_to(out.resolve()).as_posix()
        if rel != DEMO_RECORD.as_posix():
            record[rel] = _sha256(Path(path))
    return write_json(
        {"generator": "leerlab demo", "files": dict(sorted(record.items()))}, out / DEMO_RECORD
    )


def write_demo_files(
    out: Path, generate: Callable[[Path], list[Path]], *, force: bool = False
) -> list[Path]:
    """Run ``generate(folder)`` and move its files into ``out`` (see the module docstring).

    Raises
    ------
    ConfigError
        When a file would replace one the demo did not write (without ``force``),
        or ``out`` is a file.
    """
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise ConfigError(f"--out: {out} is a file, not a folder")
    out.mkdir(parents=True, exist_ok=True)
    record = read_record(out)
    with tempfile.TemporaryDirectory(prefix=".leerlab-demo-", dir=out) as tmp:
        # The generator's own record describes the temporary folder; it is merged below.
        produced = [
            Path(p).relative_to(tmp)
            for p in generate(Path(tmp))
            if Path(p).name != DEMO_RECORD.name
        ]
        # A folder the demo filled before it kept a record (truth/parameters.json, no
        # demo_files.json) counts as the demo's own.
        legacy = not record and (out / "truth" / "parameters.json").is_file()
        foreign = [
            rel.as_posix()
            for rel in produced
            if (out / rel).exists()
            and not legacy
            and _sha256(out / rel) not in (record.get(rel.as_posix()), _sha256(Path(tmp) / rel))
        ]
        if foreign and not force:
            raise ConfigError(
                f"leerlab demo: {out} holds {len(foreign)} file(s) the demo did not write (or "
                "that changed since); refusing to overwrite them. Choose another --out folder, "
                "or give --force to replace them",
                foreign,
            )
        written = []
        for rel in produced:
            (out / rel).parent.mkdir(parents=True, exist_ok=True)
            os.replace(Path(tmp) / rel, out / rel)
            written.append(out / rel)
    write_record(out, written)
    return written
