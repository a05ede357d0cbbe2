"""Independent work in worker processes, and the number of cores to use.

The measurement stage fits the nine-factor CFA and one invariance sequence per
grouping variable; they share nothing, so they run in a process pool while the
main process computes the reliability tables. The compare stage fits its panel
models in a worker while the main process computes the group tables. Each fit is deterministic (fixed
starting values, no random state), so the outputs do not depend on the number of
workers or on which worker ran what. Workers use the ``fork`` start method where
the platform has it (no second import of numpy/scipy/semopy, ~2 s of CPU each) and
``spawn`` elsewhere. Each fit limits BLAS to one thread (:func:`leerlab_research.runtime.single_thread`),
so the pool never runs more threads than workers. It sits at the bottom of the
package (layer 1) so that any stage package can use it.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import pickle
import signal
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from contextlib import contextmanager
from typing import Any

#: ``prctl`` option: the signal a process gets when its parent dies (linux/prctl.h).
_PR_SET_PDEATHSIG = 1


def available_cores() -> int:
    """Cores this process may run on (CPU affinity where the platform reports it)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - macOS, Windows
        return max(1, os.cpu_count() or 1)


def n_workers(requested: int | None, n_tasks: int) -> int:
    """Workers for ``n_tasks`` independent tasks: at most the cores, at most the tasks."""
    cap = available_cores() if requested is None else max(1, requested)
    return max(1, min(cap, available_cores(), n_tasks))


class _Inline(Executor):
    """Runs each task at submission (one worker: no process start-up at all)."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future: Future[Any] = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except Exception as exc:  # noqa: BLE001 - handed to the caller through the future
            future.set_exception(exc)
        return future


def _call_pickled(payload: bytes) -> Any:
    fn, args, kwargs = pickle.loads(payload)
    return fn(*args, **kwargs)


class _PickledSubmit(Executor):
    """A process pool whose ``submit`` pickles the call in the calling thread.

    ``ProcessPoolExecutor`` pickles a task's arguments later, in its queue feeder
    thread, while the caller goes on. The caller keeps using the same DataFrame and
    codebook (pandas' column cache and the codebook's cached properties write into
    their ``__dict__``), so the feeder could see a dictionary change size during
    iteration. Pickling at submission gives the worker a snapshot taken before the
    caller moves on.
    """

    def __init__(self, executor: ProcessPoolExecutor) -> None:
        self._executor = executor

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        payload = pickle.dumps((fn, args, kwargs), protocol=pickle.HIGHEST_PROTOCOL)
        return self._executor.submit(_call_pickled, payload)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self._executor.shutdown(wait=wait, cancel_futures=cancel_futures)


def ignore_sigint() -> None:
    """Worker initialiser: Ctrl-C reaches the whole process group; only the parent handles it.

    A worker that took it too printed a ``KeyboardInterrupt`` traceback of its own
    (an idle one waiting for a task as well) after the parent's one-line message.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def start_worker() -> None:
    """Worker initialiser: Ctrl-C is the parent's (:func:`ignore_sigint`), and the
    worker does not outlive it (:func:`die_with_parent`)."""
    ignore_sigint()
    die_with_parent()


def die_with_parent() -> None:
    """Linux: the kernel kills this process (SIGKILL) as soon as its parent dies.

    A ``kill -9`` of ``leerlab run`` (or an out-of-memory kill) left its workers
    running: a forked one also kept the out folder's lock file open, and the lock
    with it, so every later run on that folder refused. The standard library has no
    wrapper for ``prctl(PR_SET_PDEATHSIG)``; ctypes calls libc's. The signal follows
    the *thread* that started the worker: every pool here is started from the main
    thread. Elsewhere (macOS, Windows) nothing changes.
    """
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
    except (OSError, AttributeError):  # pragma: no cover - a libc without prctl
        return
    parent = multiprocessing.parent_process()
    if parent is not None and os.getppid() != parent.pid:
        os._exit(1)  # the parent died before the request above took effect


def end_workers(before: set[int], timeout: float = 5.0) -> None:
    """Kill this process's multiprocessing children that are not in ``before``.

    Reaped through multiprocessing (``join``), so the pool's own bookkeeping sees
    them end (a child reaped behind its back counts as alive forever).
    """
    for proc in multiprocessing.active_children():
        if proc.pid not in before:
            proc.kill()
            proc.join(timeout)


@contextmanager
def pool(workers: int, *, beside_main: bool = False) -> Iterator[Executor]:
    """A process pool of ``workers``; inline when 1, unless ``beside_main``.

    ``beside_main``: the caller works on while the pool runs its tasks, so one
    worker is still a process of its own. On an error or Ctrl-C in the caller the
    workers are killed at once: pending tasks are cancelled and running ones are not
    waited for (a model fit can take minutes on a large study).
    """
    if workers <= 1 and not beside_main:
        yield _Inline()
        return
    method = "fork" if sys.platform.startswith("linux") else "spawn"
    before = {p.pid for p in multiprocessing.active_children() if p.pid is not None}
    executor = ProcessPoolExecutor(
        max_workers=max(1, workers),
        mp_context=multiprocessing.get_context(method),
        initializer=start_worker,
    )
    try:
        yield _PickledSubmit(executor)
    except BaseException:
        end_workers(before)
        raise
    finally:
        executor.shutdown(wait=True, cancel_futures=True)
