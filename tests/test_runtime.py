"""runtime: what a running stage gets."""

from __future__ import annotations

from threadpoolctl import threadpool_info

from leerlab_research.runtime import single_thread


def test_single_thread_limits_blas_and_restores_it():
    before = [i["num_threads"] for i in threadpool_info()]
    assert before, "numpy's BLAS is a threadpool threadpoolctl can see"
    with single_thread():
        assert [i["num_threads"] for i in threadpool_info()] == [1] * len(before)
    assert [i["num_threads"] for i in threadpool_info()] == before
