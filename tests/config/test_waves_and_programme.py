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
        (
            {"focus": ["curriculum", "leerlingen"]},
            "labs[0].focus[1]: Input should be 'curriculum', 'leerling' or 'docent'",
        ),
        ({"focus": "docent"}, "labs[0].focus: Input should be a valid list"),
        ({"focus": []}, "labs[0].focus: List should have at least 1 item"),
        (
            {"focus": ["docent", "docent"]},
            "labs[0].focus: Value error, a focus area is listed twice",
        ),
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


def test_labs_declare_the_demo_focus_the_simulation_gives_their_respondents():
    """labs.yaml's optional ``focus`` is the lab's chosen focus; the demo generator gives a
    lab's respondents its declared focus (with noise), and records it in the truth."""
    import numpy as np

    from leerlab_research.config.labs import FOCUS_AREAS
    from leerlab_research.demo import draw_parameters, load_codebook, simulate

    labs = load_labs(REPO / "data" / "codebook" / "labs.yaml")
    assert all(lab.focus and set(lab.focus) <= set(FOCUS_AREAS) for lab in labs.labs)
    codebook = load_codebook(REPO / "data" / "codebook" / "reflectie.yaml")
    rng = np.random.default_rng(7)
    sim = simulate(codebook, labs, draw_parameters(7, codebook, labs, rng), rng)
    assert sim.lab_focus == {lab.id: lab.focus for lab in labs.labs}
    rows = sim.rows[sim.rows["kind"].eq("normal")]
    for lab in labs.labs:
        mine = rows[rows["lab"].eq(lab.id)]
        for area in FOCUS_AREAS:
            share = mine[f"focus_{area}"].mean()
            # ticked with 10 % noise
            assert share > 0.7 if area in lab.focus else share < 0.3, (lab.id, area, share)


def test_a_lab_without_focus_is_valid(tmp_path):
    data = yaml.safe_load((REPO / "data" / "codebook" / "labs.yaml").read_text(encoding="utf-8"))
    del data["labs"][0]["focus"]
    path = tmp_path / "labs.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    assert load_labs(path).labs[0].focus is None
