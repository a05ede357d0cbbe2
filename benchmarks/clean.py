"""Benchmark the clean stage: 100,000 respondents × 34 items from a Dutch Excel CSV.

Usage::

    .venv/bin/python benchmarks/clean.py            # 100,000 respondents
    .venv/bin/python benchmarks/clean.py --n 20000  # smaller

The export is built in a temporary folder exactly like Dutch Excel writes it
(``;``, cp1252, CRLF, decimal comma, ``dd-mm-jjjj uu:mm`` dates, names and
e-mail addresses, 9 = weet niet, some blanks, test rows, refusals, incomplete
and duplicate submissions). The clean stage then runs in a **fresh child
process**, so that the peak memory reported (``ru_maxrss``) is that of reading
and cleaning only, not of building the file. Prints seconds and peak memory;
target on 2 cores: < 10 s and < 2 GB.
"""

from __future__ import annotations

import argparse
import io
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

REPO = Path(__file__).resolve().parents[1]
CODEBOOK = REPO / "data" / "codebook" / "reflectie.yaml"
LABS = REPO / "data" / "codebook" / "labs.yaml"


def build_export(path: Path, n: int, seed: int = 1) -> None:
    """Write a Dutch Excel CSV with ``n`` respondents (vectorised; no loop over rows)."""
    from leerlab_research.config.codebook import load_codebook

    cb = load_codebook(CODEBOOK)
    items = cb.item_codes
    rng = np.random.default_rng(seed)
    scale_idx = np.array([list(cb.scales).index(cb.scale_of_item[c]) for c in items])
    rev = np.array([c in set(cb.reverse_items) for c in items])
    eta = rng.normal(size=(n, 1)) + 0.7 * rng.normal(size=(n, len(cb.scales)))
    y = 0.8 * eta[:, scale_idx] + 0.6 * rng.normal(size=(n, len(items)))
    k = 1 + np.digitize(y, [-1.6, -0.7, 0.2, 1.1])
    k = np.where(rev, 6 - k, k)
    cells = k.astype(str).astype(object)
    u = rng.random(k.shape)
    cells[u < 0.02] = "9"
    cells[(u >= 0.02) & (u < 0.03)] = ""
    ids = rng.choice(np.arange(1_000_000, 9_999_999), size=n, replace=False)
    start = pd.Timestamp("2024-03-04 08:00") + pd.to_timedelta(
        rng.integers(0, 14 * 86400, n), unit="s"
    )
    dur = rng.integers(200, 1200, n)
    submit = start + pd.to_timedelta(dur, unit="s")
    labs = np.array(["Gorinchem", "Den Bosch", "Heerhugowaard", "West Brabant", "Gorkum", "Weert"])
    frame = pd.DataFrame(
        {
            "Respondentnummer": ids.astype(str),
            "Naam": np.char.add("Persoon ", ids.astype(str)),
            "E-mail": np.char.add(np.char.add("p", ids.astype(str)), "@school.example"),
            "Leerlab": labs[rng.integers(0, len(labs), n)],
            "Schooltype": rng.choice(["vmbo", "mbo", "anders"], n),
            "Rol": rng.choice(["docent", "management", "bestuur", "procesbegeleider", "anders"], n),
            "Toestemming": np.where(rng.random(n) < 0.02, "Nee", "Ja"),
            "Begonnen op": start.strftime("%d-%m-%Y %H:%M").to_numpy(),
            "Verstuurd op": np.where(rng.random(n) < 0.03, "", submit.strftime("%d-%m-%Y %H:%M")),
            "Duur (min)": np.char.replace((dur / 60).round(1).astype(str), ".", ","),
        }
    )
    frame = pd.concat([frame, pd.DataFrame(cells, columns=items)], axis=1)
    # 1 % duplicate submissions (an earlier complete copy) and a few test rows.
    dup = frame.sample(frac=0.01, random_state=seed).assign(**{"Verstuurd op": "01-03-2024 07:00"})
    test = frame.head(3).assign(Leerlab="TEST", Naam="Test", Respondentnummer=["t1", "t2", "t3"])
    frame = pd.concat([frame, dup, test], ignore_index=True)
    buf = io.StringIO()
    frame.to_csv(buf, sep=";", index=False, lineterminator="\r\n")
    path.write_bytes(buf.getvalue().encode("cp1252"))


def run_clean(study_path: Path) -> dict:
    """Run the clean stage in this process; return seconds and peak memory."""
    from rich.console import Console

    from leerlab_research.cleaning.stage import run_clean as clean
    from leerlab_research.config.study import load_study
    from leerlab_research.runtime import StageContext

    t0 = time.perf_counter()
    study = load_study(study_path)
    ctx = StageContext(
        study=study, out=study_path.parent / "out", console=Console(file=io.StringIO())
    )
    written = clean(ctx)
    seconds = time.perf_counter() - t0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB
    responses = pd.read_parquet(
        study_path.parent / "out" / "clean" / "responses.parquet", columns=["lab"]
    )
    return {
        "seconds": round(seconds, 2),
        "peak_mb": round(peak_mb),
        "kept": len(responses),
        "files": len(written),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000, help="respondents")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:  # the measured run, in a fresh process
        print(json.dumps(run_clean(args.child)))
        return
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        t0 = time.perf_counter()
        build_export(folder / "export_T0.csv", args.n)
        size = (folder / "export_T0.csv").stat().st_size / 1e6
        print(
            f"built {args.n:,} respondents × 34 items: {size:.1f} MB in {time.perf_counter() - t0:.1f} s"
        )
        study = {
            "name": "bench",
            "codebook": str(CODEBOOK),
            "labs": str(LABS),
            "sources": [{"path": "export_T0.csv", "platform": "csv", "wave": "T0"}],
            "settings": {"demo_key": True},
        }
        (folder / "study.yaml").write_text(yaml.safe_dump(study), encoding="utf-8")
        child = subprocess.run(
            [sys.executable, __file__, "--child", str(folder / "study.yaml")],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        if child.returncode != 0:
            sys.exit(f"clean failed:\n{child.stderr}")
        result = json.loads(child.stdout.strip().splitlines()[-1])
    ok = result["seconds"] < 10 and result["peak_mb"] < 2048
    print(
        f"clean stage: {result['seconds']:.2f} s, peak memory {result['peak_mb']} MB "
        f"({result['kept']:,} rows kept; target < 10 s and < 2 GB: {'met' if ok else 'NOT met'})"
    )


if __name__ == "__main__":
    main()
