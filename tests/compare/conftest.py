"""Fixtures for the compare tests: a temporary study on the repository's codebook and labs."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
REPO = HERE.parents[1]
RESULTS = HERE / "results"


def write_study(tmp: Path, *, min_cell: int = 5, extra: str = "") -> Path:
    """A study YAML in ``tmp`` pointing at the repo's codebook and labs (no sources read)."""
    path = tmp / "study.yaml"
    path.write_text(
        "name: comparetest\n"
        f"codebook: {REPO / 'data' / 'codebook' / 'reflectie.yaml'}\n"
        f"labs: {REPO / 'data' / 'codebook' / 'labs.yaml'}\n"
        "sources:\n  - path: nowhere.csv\n    platform: csv\n    wave: T0\n"
        f"settings:\n  min_cell: {min_cell}\n  seed: 20190901\n{extra}",
        encoding="utf-8",
    )
    return path


@pytest.fixture
def make_study(tmp_path):
    from leerlab_research.config.study import load_study

    def build(**kw):
        return load_study(write_study(tmp_path, **kw), check_sources=False)

    return build


@pytest.fixture(scope="session")
def study_default(tmp_path_factory):
    from leerlab_research.config.study import load_study

    return load_study(write_study(tmp_path_factory.mktemp("study")), check_sources=False)
