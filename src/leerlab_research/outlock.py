"""One run at a time per out folder: an exclusive lock on ``<out>/.leerlab.lock``.

Two runs that write into one folder at once interleave their tables (a manifest
naming three inputs beside a response table with rows from two runs). Every
command that writes into an out folder holds this lock for its whole run; a
second run refuses at once with the process id and command of the holder
(exit 2) instead of waiting.

The lock is an ``fcntl.flock`` (``msvcrt.locking`` on Windows) on an open file:
the operating system drops it when the holding process ends in any way (exit,
crash, ``kill -9``), so a lock file left behind by a dead process is never
"stale": the next run takes it and overwrites the holder information in it. A
forked child (the stages' worker processes) would inherit the open file and keep
the lock after its parent died: the child closes its copy at once
(``os.register_at_fork``), and the workers die with their parent as well
(``workers.die_with_parent``).
Within one process the lock is re-entrant (``leerlab run`` holds it around
stages that take it again).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from .errors import ConfigError

LOCK_NAME = ".leerlab.lock"

_held: dict[str, tuple[IO[str], int]] = {}


def _release_in_child() -> None:
    """After ``fork``, in the child: let go of the parent's locks without unlocking them.

    ``flock`` belongs to the open file, shared by both processes after a fork; an
    unlock in the child would free the parent's lock, a close of the child's copy
    only stops the child keeping it. ``dup2`` of /dev/null over the descriptor
    closes the copy and leaves the child's file object a harmless descriptor.
    """
    if not _held:
        return
    null = os.open(os.devnull, os.O_RDWR)
    try:
        for fh, _depth in _held.values():
            os.dup2(null, fh.fileno())
    finally:
        os.close(null)
    _held.clear()


if hasattr(os, "register_at_fork"):  # POSIX
    os.register_at_fork(after_in_child=_release_in_child)


def _try_lock(fh: IO[str]) -> bool:
    if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
        import msvcrt

        try:
            msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def _unlock(fh: IO[str]) -> None:
    if sys.platform == "win32":  # pragma: no cover
        import msvcrt

        fh.seek(0)
        msvcrt.locking(fh.fileno(), msvcrt.LK_UNLCK, 1)
        return
    import fcntl

    fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


@contextmanager
def out_lock(out: Path, command: str) -> Iterator[None]:
    """Hold the lock on the out folder ``out`` while the block runs.

    Raises
    ------
    ConfigError
        When another process holds it (exit 2), or ``out`` cannot be a folder.
    """
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise ConfigError(f"--out: {out} is a file, not a folder")
    try:
        out.mkdir(parents=True, exist_ok=True)
        key = str(out.resolve())
    except OSError as exc:
        raise ConfigError(f"--out: cannot create the folder {out} ({exc.strerror})") from None
    if key in _held:
        fh, depth = _held[key]
        _held[key] = (fh, depth + 1)
        try:
            yield
        finally:
            fh, depth = _held[key]
            _held[key] = (fh, depth - 1)
        return
    path = out / LOCK_NAME
    try:
        # No O_TRUNC before the lock is ours: the holder's pid must stay readable.
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise ConfigError(
            f"--out: cannot write into {out} ({exc.strerror}); choose a folder you can write to"
        ) from None
    fh = os.fdopen(fd, "r+", encoding="utf-8")
    if not _try_lock(fh):
        holder = fh.read().strip() or "unknown process"
        fh.close()
        raise ConfigError(
            f"out folder {out} is in use by another leerlab run ({holder}); wait until it "
            "has finished, or use another --out folder"
        )
    fh.seek(0)
    fh.truncate()
    fh.write(f"pid {os.getpid()}, `{command}`\n")
    fh.flush()
    _held[key] = (fh, 1)
    try:
        yield
    finally:
        _held.pop(key, None)
        try:
            fh.seek(0)
            fh.truncate()
            _unlock(fh)
        finally:
            fh.close()
