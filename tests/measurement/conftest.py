"""Fixtures for the reliability tests: reference data, codebook and a stage context."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
sys.path.insert(0, str(HERE))

from synthetic import CODEBOOK, LABS, make_study, synthetic_clean  # noqa: E402, F401


@pytest.fixture(scope="session")
def codebook():
    from leerlab_research.config.codebook import load_codebook

    return load_codebook(CODEBOOK)


@pytest.fixture(scope="session")
def lab_ids() -> list[str]:
    from leerlab_research.config.labs import load_labs

    return [lab.id for lab in load_labs(LABS).labs]


@pytest.fixture(scope="session")
def clean_table(codebook, lab_ids) -> pd.DataFrame:
    return synthetic_clean(codebook, lab_ids, n=1500, seed=1)


@pytest.fixture(scope="session")
def holzinger() -> pd.DataFrame:
    return pd.read_csv(RESULTS / "holzinger1939.csv")


@pytest.fixture(scope="session")
def holzinger_missing() -> pd.DataFrame:
    return pd.read_csv(RESULTS / "holzinger1939_missing.csv")
