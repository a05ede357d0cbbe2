"""Shared fixtures: paths to the repository's codebook, labs file and demo study."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
CODEBOOK = REPO / "data" / "codebook" / "reflectie.yaml"
LABS = REPO / "data" / "codebook" / "labs.yaml"
DEMO_STUDY = REPO / "analyses" / "demo" / "study.yaml"


@pytest.fixture(scope="session")
def codebook():
    from leerlab_research.config.codebook import load_codebook

    return load_codebook(CODEBOOK)


@pytest.fixture(scope="session")
def labs():
    from leerlab_research.config.labs import load_labs

    return load_labs(LABS)


@pytest.fixture(scope="session", autouse=True)
def deduce_model():
    """deduce, built once per test process (the first build takes about two minutes).

    Loaded for every test process: the clean stage de-identifies in process when
    deduce is loaded there already, and otherwise loads it in a worker process of
    its own (≈ 1.7 s of CPU for every clean run of the suite).

    ``load_deduce`` caches the instance per process and builds deduce's lookup
    tables under a file lock, so pytest-xdist workers build them once between them.
    """
    from leerlab_research.cleaning.deidentify import load_deduce

    return load_deduce()
