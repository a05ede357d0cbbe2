"""Benchmark of the whole ``compare`` stage: 100,000 respondents in 200 labs, 9 scales, two waves.

Run from the repository root::

    .venv/bin/python benchmarks/compare.py [--respondents 100000] [--labs 200]

Builds a synthetic clean table (the generator of ``tests/compare/synth.py``: lab
intercepts, role effects, a T0→T1 change, 60 % of respondents answering in both
waves), writes it to ``<tmp>/clean/responses.parquet``, runs
:func:`leerlab_research.compare.stage.run_compare` through a real ``StageContext``
and prints seconds per step. Target: under 30 s on 2 cores.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import numpy as np
from _util import REPO, load_module


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--respondents", type=int, default=100_000, help="rows over both waves (approx.)"
    )
    ap.add_argument("--labs", type=int, default=200)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()

    import yaml
    from rich.console import Console

    from leerlab_research.config.study import load_study
    from leerlab_research.outputs import write_parquet
    from leerlab_research.runtime import StageContext

    synth = load_module("compare_synth", REPO / "tests" / "compare" / "synth.py")
    helpers = load_module("compare_conftest", REPO / "tests" / "compare" / "conftest.py")

    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        lab_ids = [f"lab-{i:03d}" for i in range(args.labs)]
        # a labs file with the synthetic labs (the clean table's lab column must name them)
        base = yaml.safe_load((REPO / "data" / "codebook" / "labs.yaml").read_text("utf-8"))
        first = base["labs"][0]
        base["labs"] = [
            {
                **first,
                "id": lab,
                "name": f"Lab {i:03d}",
                "code": i + 1,
                "aliases": [],
                "schools": [],
            }
            for i, lab in enumerate(lab_ids)
        ]
        labs_path = tmp_path / "labs.yaml"
        labs_path.write_text(yaml.safe_dump(base, allow_unicode=True), encoding="utf-8")
        study_path = helpers.write_study(tmp_path)
        study_path.write_text(
            study_path.read_text("utf-8").replace(
                f"labs: {REPO / 'data' / 'codebook' / 'labs.yaml'}", f"labs: {labs_path}"
            ),
            encoding="utf-8",
        )
        study = load_study(study_path, check_sources=False)
        rng = np.random.default_rng(args.seed)
        # T0 respondents; 60 % come back at T1 and as many new ones join: rows ≈ 1.6 × T0
        n_t0 = int(round(args.respondents / 1.6))
        weights = rng.gamma(2.0, 1.0, args.labs)
        sizes = np.maximum(2, np.round(weights / weights.sum() * n_t0)).astype(int)
        t = time.perf_counter()
        clean, _ = synth.make_clean(study.codebook, lab_ids=lab_ids, sizes=sizes, seed=args.seed)
        # the generator's scores are normal, unbounded; the clean table's contract is the
        # answer scale (1-5), which the compare stage checks when it reads the table
        scales = list(study.codebook.scale_names)
        clean[scales] = clean[scales].clip(1.0, 5.0)
        out = tmp_path / "out"
        write_parquet(clean, out / "clean" / "responses.parquet")
        print(
            f"generate data: {time.perf_counter() - t:6.2f} s  ({len(clean):,} rows, "
            f"{clean['respondent_id'].nunique():,} respondents, {args.labs} labs, "
            f"{len(study.codebook.scale_names)} scales, 2 waves)"
        )
        timings: dict[str, float] = {}
        cpu: dict[str, float] = {}
        ctx = StageContext(
            study=study,
            out=out,
            console=Console(stderr=True, quiet=True),
            options={"timings": timings, "cpu_timings": cpu},
        )
        from leerlab_research.compare.stage import run_compare

        t, c = time.perf_counter(), time.process_time()
        written = run_compare(ctx)
        total, total_cpu = time.perf_counter() - t, time.process_time() - c
        print(f"  {'step':<14s}{'wall':>8s}{'cpu':>8s}")
        for step, secs in timings.items():
            print(f"  {step:<14s}{secs:7.2f}s{cpu.get(step, float('nan')):7.2f}s")
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
        print(
            f"compare stage total: {total:.2f} s wall, {total_cpu:.2f} s CPU on {os.cpu_count()} cores "
            f"(load average {load:.1f}); {len(written)} files written"
        )


if __name__ == "__main__":
    main()
