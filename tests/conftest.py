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
    from leerlab_research.codebook import load_codebook

    return load_codebook(CODEBOOK)


@pytest.fixture(scope="session")
def labs():
    from leerlab_research.labs import load_labs

    return load_labs(LABS)
