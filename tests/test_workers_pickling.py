"""The worker pool snapshots a task's arguments at submission.

Regression: ``ProcessPoolExecutor`` pickled arguments in its feeder thread while the
stage went on using the same objects; a cached property filled in meanwhile made
the second ``leerlab run`` crash with "dictionary changed size during iteration".
"""

from __future__ import annotations

from leerlab_research.workers import pool


class _Grows:
    """Pickling it while another thread adds attributes would fail without a snapshot."""

    def __init__(self) -> None:
        self.values = {str(i): i for i in range(1000)}


def _total(obj: _Grows) -> int:
    return sum(obj.values.values())


def test_arguments_are_a_snapshot_taken_at_submission():
    obj = _Grows()
    with pool(2) as executor:
        future = executor.submit(_total, obj)
        # the caller mutates the object right after submitting: the worker must not see it
        for i in range(1000, 3000):
            obj.values[str(i)] = i
        assert future.result() == sum(range(1000))
