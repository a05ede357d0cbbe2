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
