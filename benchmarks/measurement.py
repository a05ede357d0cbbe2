"""Benchmark of the whole ``measurement`` stage on a large synthetic clean table.

Run from the repository root::

    .venv/bin/python benchmarks/measurement.py [--n 100000] [--no-omega] [--workers N]

Builds a clean table of ``--n`` respondents x 34 items (9 scales) with the generator
of ``tests/measurement/synthetic.py`` (one factor per scale, 2 % missing answers),
writes it to ``<tmp>/out/clean/responses.parquet`` and runs
:func:`leerlab_research.measurement.stage.run_measurement` through a real
``StageContext`` with the default settings: alpha with a 2000-replicate BCa CI and
omega per scale, overall and per lab/role/school type/wave, item analysis, the
nine-factor FIML CFA and the invariance sequences across school type and wave.
Prints wall seconds, CPU seconds of this process and of its worker processes, and
the load average. Target (issue 11): under 60 s for 100,000 x 34 on 2 cores.
"""

from __future__ import annotations

import argparse
import os
import resource
import tempfile
import time
from pathlib import Path

from _util import REPO, load_module


def _cpu() -> tuple[float, float]:
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, kids.ru_utime + kids.ru_stime


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--no-omega", action="store_true", help="settings.measurement.omega: false")
    ap.add_argument("--workers", type=int, default=None, help="settings.measurement.workers")
    args = ap.parse_args()

    from rich.console import Console

    from leerlab_research.config.labs import load_labs
    from leerlab_research.measurement.stage import run_measurement
    from leerlab_research.outputs import write_parquet
    from leerlab_research.runtime import StageContext

    synth = load_module("measurement_synthetic", REPO / "tests" / "measurement" / "synthetic.py")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        extra = "  measurement:\n"
        extra += f"    omega: {'false' if args.no_omega else 'true'}\n"
        if args.workers:
            extra += f"    workers: {args.workers}\n"
        study = synth.make_study(root, extra)
        lab_ids = [lab.id for lab in load_labs(synth.LABS).labs]
        t = time.perf_counter()
        clean = synth.synthetic_clean(study.codebook, lab_ids, n=args.n, seed=args.seed)
        write_parquet(clean, root / "out" / "clean" / "responses.parquet")
        print(
            f"generate data: {time.perf_counter() - t:.1f} s ({len(clean):,} rows x "
            f"{len(study.codebook.item_codes)} items)"
        )
        ctx = StageContext(study=study, out=root / "out", console=Console(stderr=True, quiet=True))
        load0 = os.getloadavg()
        t, (own0, kids0) = time.perf_counter(), _cpu()
        written = run_measurement(ctx)
        wall = time.perf_counter() - t
        own1, kids1 = _cpu()
        load1 = os.getloadavg()
        inv = (root / "out" / "measurement" / "invariance.csv").read_text().splitlines()
        print(f"{len(written)} files; invariance.csv {len(inv) - 1} rows")
        print(
            f"measurement stage: {wall:.1f} s wall; CPU {own1 - own0:.1f} s main process + "
            f"{kids1 - kids0:.1f} s workers; {os.cpu_count()} cpus; load average "
            f"{load0[0]:.1f} before, {load1[0]:.1f} after; omega {'off' if args.no_omega else 'on'}"
        )
        print(f"target < 60 s: {'met' if wall < 60 else 'NOT met'} (wall)")


if __name__ == "__main__":
    main()
