"""ReportData helpers that decide what a report may show."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from leerlab_research.config.study import load_study
from leerlab_research.report.context import ReportData

REPO = Path(__file__).resolve().parents[2]


def _data(rows: list[tuple[str, str]], tmp_path: Path) -> ReportData:
    study = load_study(REPO / "analyses" / "demo" / "study.yaml", check_sources=False)
    data = ReportData(study=study, out=tmp_path)
    data.__dict__["responses"] = pd.DataFrame(
        {
            "lab": [r[0] for r in rows],
            "wave": [r[1] for r in rows],
            "respondent_id": range(len(rows)),
        }
    )
    return data


def test_response_table_hides_small_lab_and_totals(tmp_path):
    rows = [("weert", "T0")] * 12 + [("helmond", "T0")] * 3 + [("weert", "T1")] * 8
    data = _data(rows, tmp_path)
    table = data.response_table()
    assert "< 5" in table
    assert "| 3 " not in table and "15" not in table  # neither the count nor the T0 total
    assert "| 12 " in table
    text = data.response_text()
    assert "3" not in text and "23" not in text and "15" not in text


def test_response_table_shows_counts_when_all_large(tmp_path):
    rows = [("weert", "T0")] * 12 + [("helmond", "T0")] * 7
    data = _data(rows, tmp_path)
    table = data.response_table()
    assert "19" in table.splitlines()[-1]
    assert "< 5" not in table
