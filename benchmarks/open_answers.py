"""Benchmark: de-identifying and coding open answers.

Prints the time to load deduce (from its cache; the first build after an install
takes about two minutes and is reported when it happens), the de-identification
rate (answers per second, deduce + study context) and the automatic coder's rate,
on Dutch template answers of the demo generator with planted names, phones,
e-mail addresses and schools.

    .venv/bin/python benchmarks/open_answers.py          # --n 5000 for a larger run
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from leerlab_research.cleaning.deidentify import (
    Context,
    Deidentifier,
    deduce_cache_file,
    load_deduce,
)
from leerlab_research.coding.matcher import propose
from leerlab_research.config.codebook import load_codebook
from leerlab_research.demo.open_text import TEMPLATES

REPO = Path(__file__).resolve().parents[1]


def answers(n: int, seed: int = 1) -> tuple[list[str], list[str]]:
    rng = np.random.default_rng(seed)
    names = [
        f"{f} {s}"
        for f in ("Anna", "Bram", "Fatima", "Kees", "Özlem")
        for s in ("de Vries", "Bakker", "El Amrani")
    ]
    themes = list(TEMPLATES)
    texts, questions = [], []
    for i in range(n):
        t = themes[int(rng.integers(len(themes)))]
        text = str(rng.choice(TEMPLATES[t]))
        if i % 3 == 0:
            text += f" Groet, {names[i % len(names)]} (06-{int(rng.integers(10**7, 10**8))})"
        texts.append(text)
        questions.append(
            "goed"
            if t
            in (
                "elkaar_kennen",
                "gedeelde_ambitie",
                "begrip_belangen",
                "goede_organisatie",
                "procesbegeleiding",
                "betrokken_leiding",
                "samen_ontwikkelen",
                "leerlingen_centraal",
            )
            else "beter"
        )
    return texts, questions


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=2000)
    n = ap.parse_args().n
    cached = deduce_cache_file().exists()
    t0 = time.perf_counter()
    deid = Deidentifier(load_deduce())
    print(
        f"load deduce ({'from cache' if cached else 'first build'}): {time.perf_counter() - t0:.1f} s"
    )
    texts, questions = answers(n)
    ctx = Context(
        names=["Anna de Vries", "Kees Bakker"],
        schools=["Vakcollege De Horst"],
        common=deid.is_common_word,
    )
    t0 = time.perf_counter()
    clean = [deid(t, ctx) for t in texts]
    dt = time.perf_counter() - t0
    print(
        f"de-identify {n} answers: {dt:.1f} s ({n / dt:.0f} answers/s); replaced {dict(deid.counts)}"
    )
    frame = load_codebook(REPO / "data" / "codebook" / "reflectie.yaml").coding_frame
    df = pd.DataFrame(
        {"answer_id": [f"a{i}" for i in range(n)], "question": questions, "text": clean}
    )
    t0 = time.perf_counter()
    codes = propose(df, frame)
    dt = time.perf_counter() - t0
    print(f"automatic coder: {dt:.2f} s ({n / dt:.0f} answers/s), {len(codes)} codes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
