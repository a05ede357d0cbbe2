"""A `kill -9` of leerlab leaves no worker behind and no lock held (Linux)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from leerlab_research.outlock import out_lock

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="prctl and fork")


def _alive(pid: int) -> bool:
    """Running (a zombie waiting for init to reap it counts as gone)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state not in ("Z", "X")


def _wait_for(path: Path, timeout: float = 30.0) -> int:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if path.exists() and path.read_text().strip():
            return int(path.read_text())
        time.sleep(0.05)
    raise AssertionError(f"{path} was not written")


def _script(tmp_path: Path, body: str) -> subprocess.Popen:
    script = tmp_path / "parent.py"
    script.write_text(textwrap.dedent(body), encoding="utf-8")
    return subprocess.Popen([sys.executable, str(script), str(tmp_path)])


def test_a_pool_worker_dies_with_its_parent(tmp_path):
    parent = _script(
        tmp_path,
        """
        import os, sys, time
        from pathlib import Path
        from leerlab_research.workers import pool

        def task(folder):
            Path(folder, "worker.pid").write_text(str(os.getpid()))
            time.sleep(60)

        if __name__ == "__main__":
            with pool(1, beside_main=True) as executor:
                executor.submit(task, sys.argv[1])
                time.sleep(60)
        """,
    )
    try:
        worker = _wait_for(tmp_path / "worker.pid")
        parent.send_signal(signal.SIGKILL)
        parent.wait()
        end = time.monotonic() + 5
        while _alive(worker) and time.monotonic() < end:
            time.sleep(0.05)
        assert not _alive(worker)
    finally:
        parent.kill()
        worker_pid = tmp_path / "worker.pid"
        if worker_pid.exists() and _alive(int(worker_pid.read_text())):
            os.kill(int(worker_pid.read_text()), signal.SIGKILL)


def test_a_forked_child_does_not_keep_the_out_folder_locked(tmp_path):
    # The holder dies without unlocking while a child it forked lives on: the
    # folder must be free (the child closed its copy of the lock file at the fork).
    parent = _script(
        tmp_path,
        """
        import os, sys, time
        from pathlib import Path
        from leerlab_research.outlock import out_lock

        folder = Path(sys.argv[1])
        with out_lock(folder / "out", "test"):
            child = os.fork()
            if child == 0:
                time.sleep(30)
                os._exit(0)
            (folder / "child.pid").write_text(str(child))
            os._exit(0)  # dies holding the lock, as after kill -9
        """,
    )
    child = _wait_for(tmp_path / "child.pid")
    try:
        parent.wait(timeout=30)
        assert _alive(child)
        with out_lock(tmp_path / "out", "after"):
            pass
    finally:
        os.kill(child, signal.SIGKILL)
