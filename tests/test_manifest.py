"""Stage records of the manifest (``manifest.stage_record``)."""

from __future__ import annotations

from pathlib import Path

from leerlab_research.config.study import load_study
from leerlab_research.manifest import stage_record

REPO = Path(__file__).resolve().parents[1]


def test_a_file_the_stage_rewrote_is_its_output_not_its_input(tmp_path: Path) -> None:
    # `code` after `code --import` rewrites clean/open_codes.csv: kept among its reads,
    # the stage would be stale as soon as the import's record lets go of the file.
    study = load_study(REPO / "analyses" / "demo" / "study.yaml", check_sources=False)
    codes = tmp_path / "clean" / "open_codes.csv"
    codes.parent.mkdir()
    codes.write_text("answer_id,question,theme\n", encoding="utf-8")
    reads = {
        "clean": {"clean/responses.parquet": "aa"},
        "code-import": {"clean/open_codes.csv": "bb", "coding/human_codes.csv": "cc"},
    }
    record = stage_record(study, tmp_path, "code", reads, [codes])
    assert list(record["writes"]) == ["clean/open_codes.csv"]
    assert record["reads"] == {
        "clean": {"clean/responses.parquet": "aa"},
        "code-import": {"coding/human_codes.csv": "cc"},
    }
    assert reads["code-import"] == {"clean/open_codes.csv": "bb", "coding/human_codes.csv": "cc"}
