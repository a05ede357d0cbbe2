"""Fixtures for the reliability tests: reference data, codebook and a stage context."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
sys.path.insert(0, str(HERE))

from synthetic import CODEBOOK, LABS, synthetic_clean  # noqa: E402


@pytest.fixture(scope="session")
def codebook():
    from leerlab_research.codebook import load_codebook

    return load_codebook(CODEBOOK)


@pytest.fixture(scope="session")
def lab_ids() -> list[str]:
    from leerlab_research.labs import load_labs

    return [lab.id for lab in load_labs(LABS).labs]


@pytest.fixture(scope="session")
def clean_table(codebook, lab_ids) -> pd.DataFrame:
    return synthetic_clean(codebook, lab_ids, n=1500, seed=1)


def make_study(tmp: Path, extra_settings: str = ""):
    """A Study on a temporary YAML pointing at the repo codebook and labs."""
    from leerlab_research.study import load_study

    text = (
        "name: reltest\n"
        f"codebook: {CODEBOOK}\n"
        f"labs: {LABS}\n"
        "sources:\n  - path: unused.csv\n    platform: csv\n    wave: T0\n"
        "settings:\n  seed: 20190901\n  min_cell: 5\n" + extra_settings
    )
    path = tmp / "study.yaml"
    path.write_text(text, encoding="utf-8")
    return load_study(path, check_sources=False)


@pytest.fixture(scope="session")
def holzinger() -> pd.DataFrame:
    return pd.read_csv(RESULTS / "holzinger1939.csv")
