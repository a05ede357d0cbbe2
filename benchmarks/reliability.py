"""Benchmark: Cronbach's alpha with a 2000-replicate bootstrap CI on 100,000 x 8 items.

Compares :func:`leerlab_research.reliability.cronbach_alpha` (vectorised BCa bootstrap)
with a loop that calls ``pingouin.cronbach_alpha`` on each resample. The loop is
timed on a sample of resamples and scaled up to 2000.

Run: ``.venv/bin/python benchmarks/reliability.py [--n 100000] [--k 8] [--boot 2000]``
Targets (issue 5): under 2 s, at least 20x faster than the loop.
"""

from __future__ import annotations

import argparse
import os
import platform
import time

import numpy as np
import pandas as pd


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--k", type=int, default=8)
    ap.add_argument("--boot", type=int, default=2000)
    ap.add_argument("--loop-sample", type=int, default=40, help="resamples timed for the loop")
    ap.add_argument("--repeat", type=int, default=3, help="best of this many runs")
    args = ap.parse_args()

    import pingouin as pg

    from leerlab_research.reliability import cronbach_alpha

    rng = np.random.default_rng(2019)
    x = 0.8 * rng.normal(size=(args.n, 1)) + rng.normal(size=(args.n, args.k))
    data = pd.DataFrame(np.clip(np.rint(3 + x), 1, 5), columns=[f"i{j + 1}" for j in range(args.k)])

    cronbach_alpha(data.iloc[:1000], ci="bootstrap", n_boot=50, seed=1)  # warm-up (imports)
    times = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        res = cronbach_alpha(data, ci="bootstrap", n_boot=args.boot, seed=1)
        times.append(time.perf_counter() - t0)
    ours = min(times)

    idx = np.random.default_rng(1).integers(0, args.n, size=(args.loop_sample, args.n))
    t0 = time.perf_counter()
    boot = [pg.cronbach_alpha(data.iloc[i].reset_index(drop=True))[0] for i in idx]
    per = (time.perf_counter() - t0) / args.loop_sample
    loop = per * args.boot

    print(
        f"machine: {platform.machine()} {platform.python_implementation()} {platform.python_version()}, "
        f"{os.cpu_count()} cpus, numpy {np.__version__}, pingouin {pg.__version__}"
    )
    print(f"data: {args.n} x {args.k} items, {args.boot} bootstrap replicates (BCa)")
    print(f"alpha = {res.alpha:.5f}, 95% CI [{res.ci_low:.5f}, {res.ci_high:.5f}]")
    print(
        f"vectorised: {ours:.3f} s (best of {args.repeat}: {', '.join(f'{t:.3f}' for t in times)})"
    )
    print(
        f"pingouin loop: {per * 1000:.1f} ms per resample x {args.boot} = {loop:.1f} s "
        f"(timed on {args.loop_sample} resamples; mean alpha {np.mean(boot):.5f})"
    )
    print(
        f"speed-up: {loop / ours:.1f}x   targets: < 2 s -> {'met' if ours < 2 else 'NOT met'}, "
        f">= 20x -> {'met' if loop / ours >= 20 else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
