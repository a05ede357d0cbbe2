"""The environment fails, not the package: clear messages, exit 1 or 2, no traceback.

Issue 11 §1: a read-only out folder, a full disk, ``--out`` naming a file, a
truncated Parquet table and a binary study file. A read-only file system and a full
disk are simulated by making the writer's OS calls fail with that errno (tests may
not run as a user who can mount a small file system).
"""

from __future__ import annotations

import errno
import sys
from pathlib import Path

import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "cleaning"))

from cleaning_helpers import dutch_frame, run_cli, write_dutch_csv, write_study  # noqa: E402

from leerlab_research import outputs  # noqa: E402
from leerlab_research.errors import output_error  # noqa: E402


@pytest.fixture
def study(tmp_path) -> Path:
    write_dutch_csv(dutch_frame(12), tmp_path / "a_T0.csv")
    return write_study(tmp_path, [{"path": "a_T0.csv", "wave": "T0"}])


def _clear(result, code: int, *texts: str) -> None:
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output and "internal error" not in result.output
    for text in texts:
        assert text in result.output, result.output


def test_out_naming_a_file(tmp_path, study):
    (tmp_path / "uitvoer.txt").write_text("mijn aantekeningen", encoding="utf-8")
    result = run_cli("clean", "--study", str(study), "--out", str(tmp_path / "uitvoer.txt"))
    _clear(result, 2, "uitvoer.txt is a file, not a folder: --out must name a folder")
    assert (tmp_path / "uitvoer.txt").read_text(encoding="utf-8") == "mijn aantekeningen"
    result = run_cli("run", "--study", str(study), "--out", str(tmp_path / "uitvoer.txt"))
    _clear(result, 2, "is a file, not a folder")


def test_read_only_out_folder(tmp_path, study, monkeypatch):
    def read_only(*args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(outputs.tempfile, "mkstemp", read_only)
    result = run_cli("clean", "--study", str(study), "--out", str(tmp_path / "ro"))
    _clear(result, 2, "cannot write", "the file system is read-only: choose another --out")


def test_full_disk_keeps_the_previous_file_and_no_temporary_files(tmp_path, study, monkeypatch):
    assert run_cli("clean", "--study", str(study)).exit_code == 0
    clean = tmp_path / "out" / "clean"
    before = (clean / "exclusions.csv").read_bytes()

    def full(self, path, *args, **kwargs):
        Path(path).write_bytes(b"half a ta")  # the disk fills up halfway through
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(pd.DataFrame, "to_csv", full)
    result = run_cli("clean", "--study", str(study))
    _clear(result, 2, "No space left on device", "the disk is full")
    assert (clean / "exclusions.csv").read_bytes() == before
    assert not list(clean.glob(".*.tmp"))


def test_truncated_parquet_names_the_file_and_the_stage_to_rerun(tmp_path, study):
    assert run_cli("clean", "--study", str(study)).exit_code == 0
    table = tmp_path / "out" / "clean" / "responses.parquet"
    table.write_bytes(table.read_bytes()[: table.stat().st_size // 2])
    # The out folder's stage records notice the damage first (its hash no longer matches
    # what cleaning wrote): exit 2, naming the file and the command that rewrites it.
    for command in ("measurement", "compare"):
        result = run_cli(command, "--study", str(study))
        _clear(result, 2, "clean/responses.parquet was changed", "run `leerlab clean")


def test_unreadable_parquet_is_a_data_error_naming_the_file(tmp_path, study):
    """Past the stage records (a file damaged in place), the reader itself names the file."""
    from leerlab_research.config.study import load_study
    from leerlab_research.errors import DataError
    from leerlab_research.runtime import StageContext

    assert run_cli("clean", "--study", str(study)).exit_code == 0
    table = tmp_path / "out" / "clean" / "responses.parquet"
    table.write_bytes(table.read_bytes()[: table.stat().st_size // 2])
    ctx = StageContext(study=load_study(study), out=tmp_path / "out")
    with pytest.raises(DataError, match="responses.parquet: cannot be read"):
        ctx.read_parquet("clean/responses.parquet", "clean")


@pytest.mark.parametrize(
    "content",
    [
        bytes(range(256)) * 4,  # not UTF-8
        b"name: demo\x00\x01\x02\x03",  # UTF-8 but with control characters
        b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00",  # a .docx/.xlsx given as study
    ],
)
def test_binary_study_file(tmp_path, content):
    path = tmp_path / "study.yaml"
    path.write_bytes(content)
    result = run_cli("validate", "--study", str(path))
    _clear(result, 2, str(path))


def test_outputs_have_the_usual_file_rights(tmp_path, study):
    assert run_cli("clean", "--study", str(study)).exit_code == 0
    mode = (tmp_path / "out" / "clean" / "responses.csv").stat().st_mode & 0o777
    assert mode == 0o666 & ~outputs._UMASK


def test_other_os_errors_are_not_disguised():
    assert output_error("x.csv", FileNotFoundError(errno.ENOENT, "No such file")) is None
    assert "disk is full" in str(output_error("x.csv", OSError(errno.ENOSPC, "No space")))
