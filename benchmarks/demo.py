"""Benchmark of ``leerlab run`` on the demo study, and of its stages one by one.

Run from the repository root after ``make setup`` (generates ``data/demo`` if missing)::

    .venv/bin/python benchmarks/demo.py [--skip-run] [--stages measurement compare]

Runs ``leerlab run`` on ``analyses/demo/study.yaml`` into a temporary out folder, then
each stage named by ``--stages`` again on that folder, each as its own ``leerlab``
process (so start-up and imports count, as for a user). Prints wall seconds, CPU
seconds of the command and its worker processes, and the load average before and
after. Targets (issue 11): the whole run under 30 s on 2 cores, ``measurement``
under 10 s, ``compare`` under 3 s.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
LEERLAB = Path(sys.executable).with_name("leerlab")
STUDY = REPO / "analyses" / "demo" / "study.yaml"
TARGETS = {"run": 30.0, "measurement": 10.0, "compare": 3.0}


def timed(args: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds (user + system, children included) of one command."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    subprocess.run(args, check=True, cwd=REPO, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--stages", nargs="*", default=["measurement", "compare"])
    ap.add_argument("--skip-run", action="store_true", help="only the single stages")
    args = ap.parse_args()
    if not (REPO / "data" / "demo" / ".complete").exists():
        subprocess.run(
            [str(LEERLAB), "demo", "--seed", "7", "--out", "data/demo"], check=True, cwd=REPO
        )
        (REPO / "data" / "demo" / ".complete").touch()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        out = ["--study", str(STUDY), "--out", str(Path(tmp) / "demo")]
        if args.skip_run:
            timed([str(LEERLAB), "clean", *out])
        else:
            load = os.getloadavg()[0]
            rows.append(("run", *timed([str(LEERLAB), "run", *out]), load, os.getloadavg()[0]))
        for stage in args.stages:
            load = os.getloadavg()[0]
            rows.append((stage, *timed([str(LEERLAB), stage, *out]), load, os.getloadavg()[0]))
    print(f"{os.cpu_count()} cpus, Python {sys.version.split()[0]}")
    print(f"{'command':<14s}{'wall':>8s}{'cpu':>8s}  load before/after  target")
    for name, wall, cpu, l0, l1 in rows:
        target = TARGETS.get(name)
        verdict = (
            "" if target is None else f"< {target:.0f} s: {'met' if wall < target else 'NOT met'}"
        )
        print(f"leerlab {name:<6s}{wall:7.1f}s{cpu:7.1f}s  {l0:5.1f} / {l1:5.1f}       {verdict}")


if __name__ == "__main__":
    main()
