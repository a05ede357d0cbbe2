"""Waves declared in the study file and the labs' programme attributes (issue 13)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from leerlab_research.cli import app
from leerlab_research.config import load_labs, load_study
from leerlab_research.errors import ConfigError

REPO = Path(__file__).resolve().parents[2]
runner = CliRunner()


def _write_study(tmp: Path, sources: list | None = None) -> Path:
    """A study on the repository's codebook and labs with one (tiny) export."""
    (tmp / "export.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    study = {
        "name": "waves",
        "codebook": str(REPO / "data" / "codebook" / "reflectie.yaml"),
        "labs": str(REPO / "data" / "codebook" / "labs.yaml"),
        "sources": sources or [{"path": "export.csv", "platform": "csv", "wave": "T0"}],
        "settings": {"demo_key": True},
    }
    path = tmp / "study.yaml"
    path.write_text(yaml.safe_dump(study), encoding="utf-8")
    return path


def _with(study: Path, **top: object) -> Path:
    data = yaml.safe_load(study.read_text())
    data.update(top)
    study.write_text(yaml.safe_dump(data, allow_unicode=True))
    return study


def _wave(i: str, start: str | None = None, end: str | None = None) -> dict:
    w: dict = {"id": i, "label": {"nl": f"Meting {i}", "en": f"Wave {i}"}}
    if start:
        w["fieldwork"] = {"start": start, "end": end}
    return w


def test_demo_study_declares_three_dated_waves():
    study = load_study(REPO / "analyses" / "demo" / "study.yaml", check_sources=False)
    assert study.wave_ids == ["T0", "T1", "T2"]
    assert study.waves[1].label.get("en") == "End of the subsidy year"
    assert study.waves[2].fieldwork.start == dt.date(2024, 5, 13)
    # the codebook's wave variable takes the study's waves
    assert study.codebook.variables["wave"].enum == ["T0", "T1", "T2"]
    assert {s.wave for s in study.sources} == {"T0", "T1", "T2"}


def test_any_number_of_waves_and_undeclared_default(tmp_path):
    waves = [_wave(f"M{i}", f"202{i}-03-01", f"202{i}-03-31") for i in range(5)]
    study = _with(
        _write_study(tmp_path, sources=[{"path": "export.csv", "platform": "csv", "wave": "M3"}]),
        waves=waves,
    )
    st = load_study(study)
    assert st.wave_ids == ["M0", "M1", "M2", "M3", "M4"]
    # without a declaration: the sources' waves, sorted, labelled by their id
    st = load_study(_write_study(tmp_path))
    assert st.wave_ids == ["T0"] and st.waves[0].label.nl == "T0"


@pytest.mark.parametrize(
    ("waves", "sources", "message"),
    [
        (
            [_wave("T0"), _wave("T0")],
            None,
            "waves[1].id: wave 'T0' declared twice (also waves[0])",
        ),
        (
            [_wave("T0"), _wave("T1")],
            [{"path": "export.csv", "platform": "csv", "wave": "T2"}],
            "sources[0].wave: unknown wave 'T2'; the study's waves are T0, T1",
        ),
        (
            [_wave("T0", "2023-05-01", "2023-05-31"), _wave("T1", "2022-09-01", "2022-09-30")],
            None,
            "waves[1].fieldwork.start: T1 starts before T0",
        ),
        (
            [_wave("T0", "2023-05-31", "2023-05-01")],
            None,
            "waves[0].fieldwork: Value error, end 2023-05-01 is before start 2023-05-31",
        ),
        ([{"id": "T 0", "label": {"nl": "x"}}], None, "waves[0].id: String should match pattern"),
    ],
)
def test_invalid_waves_exit_2_with_yaml_path(tmp_path, waves, sources, message):
    study = _with(_write_study(tmp_path, sources=sources), waves=waves)
    with pytest.raises(ConfigError) as info:
        load_study(study)
    assert message in str(info.value)
    result = runner.invoke(app, ["validate", "--study", str(study)])
    assert result.exit_code == 2 and "Traceback" not in result.output


def test_compare_waves_must_be_study_waves(tmp_path):
    study = _write_study(tmp_path)
    data = yaml.safe_load(study.read_text())
    data["settings"]["compare"] = {"waves": ["T0", "T9"]}
    study.write_text(yaml.safe_dump(data))
    with pytest.raises(ConfigError, match=r"settings.compare.waves\[1\]: unknown wave 'T9'"):
        load_study(study)


def test_labs_carry_round_line_and_subsidy():
    labs = load_labs(REPO / "data" / "codebook" / "labs.yaml")
    assert {lab.round for lab in labs.labs} == {2019, 2022}
    assert {lab.line for lab in labs.labs} == {"samenwerking", "leerroute"}
    weert = labs.by_id["weert"]
    assert weert.subsidy.start == dt.date(2022, 9, 1) and weert.subsidy.end == dt.date(2023, 8, 31)
    text = (REPO / "data" / "codebook" / "labs.yaml").read_text(encoding="utf-8")
    assert "DEMO DATA" in text.split("labs:")[0]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"line": "netwerk"}, "labs[0].line: Input should be 'samenwerking' or 'leerroute'"),
        ({"round": 1899}, "labs[0].round: Input should be greater than or equal to 2000"),
        (
            {"subsidy": {"start": "2022-09-01", "end": "2021-08-31"}},
            "labs[0].subsidy: Value error, end 2021-08-31 is before start 2022-09-01",
        ),
        (
            {"round": 2019, "subsidy": {"start": "2022-09-01", "end": "2023-08-31"}},
            "labs[0].subsidy.start: 2022-09-01 is not in the lab's round 2019",
        ),
        ({"subsidy": {"start": "2022-09-01"}}, "labs[0].subsidy.end: Field required"),
    ],
)
def test_invalid_programme_attributes(tmp_path, change, message):
    data = yaml.safe_load((REPO / "data" / "codebook" / "labs.yaml").read_text(encoding="utf-8"))
    data["labs"][0].update(change)
    path = tmp_path / "labs.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_labs(path)
    assert message in str(info.value)
