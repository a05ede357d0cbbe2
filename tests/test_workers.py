"""Worker count and the process pool of the measurement and compare stages."""

from __future__ import annotations

import math

import pytest

from leerlab_research import workers as parallel


def test_workers_never_exceed_cores_or_tasks(monkeypatch):
    monkeypatch.setattr(parallel, "available_cores", lambda: 2)
    assert parallel.n_workers(None, 3) == 2
    assert parallel.n_workers(8, 3) == 2  # capped at the cores
    assert parallel.n_workers(None, 1) == 1
    assert parallel.n_workers(1, 3) == 1
    assert parallel.n_workers(None, 0) == 1


def test_pool_results_equal_inline_and_errors_reach_the_caller():
    args = [0.5, 1.5, 2.5]
    with parallel.pool(1) as inline:
        want = [inline.submit(math.lgamma, a).result() for a in args]
        with pytest.raises(ValueError):
            inline.submit(math.sqrt, -1.0).result()
    with parallel.pool(2) as procs:
        got = [f.result() for f in [procs.submit(math.lgamma, a) for a in args]]
        with pytest.raises(ValueError):
            procs.submit(math.sqrt, -1.0).result()
    assert got == want


def test_one_worker_beside_main_is_a_process_of_its_own():
    import os

    with parallel.pool(1) as inline:
        assert inline.submit(os.getpid).result() == os.getpid()
    with parallel.pool(1, beside_main=True) as procs:
        assert procs.submit(os.getpid).result() != os.getpid()


def test_an_error_in_the_caller_ends_running_workers_at_once():
    """A running task is not waited for when the caller fails (or gets Ctrl-C): a model
    fit can take minutes. The workers ignore SIGINT: only the parent reports it."""
    import multiprocessing
    import signal
    import time

    before = {p.pid for p in multiprocessing.active_children()}
    start = time.monotonic()
    with pytest.raises(RuntimeError), parallel.pool(1, beside_main=True) as procs:
        assert procs.submit(signal.getsignal, signal.SIGINT).result() == signal.SIG_IGN
        procs.submit(time.sleep, 60)
        time.sleep(0.2)  # the sleep is running
        raise RuntimeError("the caller failed")
    assert time.monotonic() - start < 20
    assert {p.pid for p in multiprocessing.active_children()} <= before


@pytest.mark.parametrize("which", ["data", "input", "config"])
def test_user_errors_raised_in_a_worker_reach_the_caller_whole(which):
    """A LeerlabError raised in a worker comes back with its type, message, problems and
    exit code (InputFileError could not be rebuilt from its message: a broken pool, exit 3)."""
    from leerlab_research.errors import ConfigError, DataError, InputFileError

    expected = {
        "data": DataError("panel failed", ["lab x: no variance"]),
        "input": InputFileError("a.csv", "not UTF-8", row=3, column="Q1", value="é"),
        "config": ConfigError("bad setting"),
    }[which]
    with parallel.pool(1, beside_main=True) as procs:
        with pytest.raises(type(expected)) as info:
            procs.submit(_raise, expected).result()
    got = info.value
    assert str(got) == str(expected) and got.exit_code == expected.exit_code
    assert got.__dict__ == expected.__dict__


def _raise(error: Exception) -> None:
    raise error
