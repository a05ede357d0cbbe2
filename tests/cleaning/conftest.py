"""Fixtures for the cleaning tests (helpers live in ``cleaning_helpers.py``)."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).parent))

from cleaning_helpers import write_dutch_csv, write_study  # noqa: E402


@pytest.fixture
def dutch_study(tmp_path):
    """Factory: write Dutch CSV frames (T0, T1…) and a study reading them."""

    def make(
        frames: dict[str, pd.DataFrame], settings: dict | None = None, encoding: str = "cp1252"
    ) -> Path:
        sources = []
        for fname, df in frames.items():
            write_dutch_csv(df, tmp_path / fname, encoding=encoding)
            wave = "T1" if "T1" in fname else "T0"
            sources.append({"path": fname, "platform": "csv", "wave": wave})
        return write_study(tmp_path, sources, settings)

    return make
