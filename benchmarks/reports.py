"""Benchmark: render all 12 HTML lab reports of the demo study.

Target (issue 7): under 60 s on 2 cores. Needs the demo pipeline up to
``compare`` (run ``make demo`` first, or this script runs the earlier stages).
Prints seconds for the renders only, and per report.

    .venv/bin/python benchmarks/reports.py
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path

from typer.testing import CliRunner

from leerlab_research.cli import app

REPO = Path(__file__).resolve().parents[1]
STUDY = REPO / "analyses" / "demo" / "study.yaml"
OUT = REPO / "out" / "demo"


def main() -> int:
    runner = CliRunner()
    if not (REPO / "data" / "demo" / "limesurvey_T0.csv").exists():
        runner.invoke(app, ["demo", "--seed", "7", "--out", str(REPO / "data" / "demo")])
    for stage, marker in (
        ("clean", "clean/responses.parquet"),
        ("reliability", "measurement/reliability.csv"),
        ("compare", "compare/results.json"),
    ):
        if not (OUT / marker).exists():
            res = runner.invoke(app, [stage, "--study", str(STUDY), "--out", str(OUT)])
            if res.exit_code != 0:
                print(res.output)
                return 1
    tmp = Path(tempfile.mkdtemp(prefix="leerlab-bench-"))
    try:
        # render into a scratch output root that links to the real stage outputs
        for folder in ("clean", "measurement", "compare"):
            if (OUT / folder).exists():
                shutil.copytree(OUT / folder, tmp / folder)
        if (OUT / "manifest.json").exists():
            shutil.copy(OUT / "manifest.json", tmp / "manifest.json")
        t0 = time.perf_counter()
        res = runner.invoke(
            app,
            [
                "report",
                "--study",
                str(STUDY),
                "--out",
                str(tmp),
                "--kind",
                "lab",
                "--format",
                "html",
            ],
        )
        seconds = time.perf_counter() - t0
        if res.exit_code != 0:
            print(res.output)
            return 1
        n = len(list((tmp / "reports").glob("lab-*.html")))
        print(
            f"reports: {n} HTML lab reports in {seconds:.1f} s ({seconds / max(n, 1):.1f} s per report); "
            f"target < 60 s"
        )
        return 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
