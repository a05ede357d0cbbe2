"""One Jupyter kernel per process, reused by every report the process executes.

Starting a kernel and importing pandas, matplotlib and the report modules in it
cost about 1.5 s of CPU per report, as much as the report's own cells; the report
stage's two workers execute seven reports each. So a process keeps its kernel:
every notebook starts with a hidden cell that empties the namespace (``%reset -f``)
and moves to the notebook's working folder, while the imported modules stay (that
is the saving). The templates' code keeps no state outside its namespace (the
figure style is applied in ``matplotlib.rc_context``; the setup cell sets figure
size and resolution each time), so a report is the same whether its kernel is new
or not (tested: every demo output byte-identical).

A kernel whose notebook failed, timed out or died is shut down, never reused, and
one is started with other environment variables when they changed. At exit the
kernel is shut down; a kernel whose parent died ends by itself (ipykernel's parent
poller), and ``render_many`` kills the descendants of an interrupted render.
"""

from __future__ import annotations

import atexit
from typing import Any

from nbclient import NotebookClient
from nbclient.util import run_sync

#: The kept kernel: ((kernel name, environment), kernel manager), or None.
_kept: list[tuple[tuple[str, tuple[tuple[str, str], ...]], Any]] = []


def reset_source(workdir: str) -> str:
    """The hidden first cell of every notebook: a clean namespace in its own folder."""
    # The folder first: the previous report's folder is gone, and %reset needs one.
    return "\n".join(
        [
            "import os as _leerlab_os",
            f"_leerlab_os.chdir({workdir!r})",
            "%reset -f",
        ]
    )


def attach(client: NotebookClient, env: dict[str, str]) -> None:
    """Give ``client`` the kept kernel for ``env`` (started by its first notebook).

    The client does not own the kernel manager, so nbclient leaves the kernel
    running after the notebook; :func:`release` or :func:`discard` follow.
    """
    key = (str(client.kernel_name), tuple(sorted(env.items())))
    if _kept and _kept[0][0] != key:
        shutdown()
    if not _kept:
        _kept.append((key, client.create_kernel_manager()))
    client.km = _kept[0][1]
    client.owns_km = False


def release(client: NotebookClient) -> None:
    """After a notebook ran: close its client's channels; the kernel stays."""
    if client.kc is not None:
        client.kc.stop_channels()
        client.kc = None


def discard(client: NotebookClient) -> None:
    """After a failed notebook: close the channels and shut the kernel down."""
    release(client)
    shutdown()


def shutdown() -> None:
    """Shut the kept kernel down (at exit, or before another one is started)."""
    while _kept:
        _key, km = _kept.pop()
        if km.has_kernel:
            run_sync(km.shutdown_kernel)(now=True)


atexit.register(shutdown)
