"""Per-render working copies of the template folder and atomic moves of results.

Each render works in its own temporary folder, so parallel renders of one
template never share ``<name>_files/`` or ``.quarto/`` folders, and a
read-only template folder is never written to.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

# Build products and caches that must not travel into a working copy.
_SKIP_DIRS = {".quarto", "__pycache__", ".ipynb_checkpoints", "_freeze", "_site", ".git"}


def copy_template_folder(source: Path, target: Path) -> Path:
    """Copy ``source`` (the template's folder) to ``target``; return ``target``.

    Files are copied without their permission bits (``copyfile``), so a copy
    of a read-only folder is writable. ``*_files`` folders and caches are
    skipped.
    """
    target.mkdir(parents=True, exist_ok=True)
    for root, dirs, files in os.walk(source):
        dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS and not d.endswith("_files"))
        rel = Path(root).relative_to(source)
        (target / rel).mkdir(parents=True, exist_ok=True)
        for name in files:
            shutil.copyfile(Path(root) / name, target / rel / name)
    return target


def move_into_place(produced: Path, destination: Path) -> Path:
    """Move ``produced`` to ``destination`` atomically (temp file + rename)."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(
        prefix=f".{destination.name}.", suffix=".tmp", dir=destination.parent
    )
    os.close(fd)
    try:
        shutil.copyfile(produced, tmp)
        # mkstemp creates 0600; reports are meant to be shared like other outputs.
        os.chmod(tmp, 0o644)
        os.replace(tmp, destination)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return destination
