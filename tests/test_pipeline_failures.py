"""Honest failures (issue 11 §4): a broken stage import is raised, errors are ValueErrors."""

from __future__ import annotations

import pytest

from leerlab_research import pipeline
from leerlab_research.config.study import load_study
from leerlab_research.errors import ConfigError, DataError, LeerlabError, OutputError


def _broken_import(monkeypatch, broken: str) -> None:
    real = pipeline.importlib.import_module

    def import_module(name, *args, **kwargs):
        if name == broken:
            raise ImportError(f"cannot import name 'fit_cfa' from {broken!r}")
        return real(name, *args, **kwargs)

    monkeypatch.setattr(pipeline.importlib, "import_module", import_module)


def test_stage_load_raises_when_the_package_import_fails(monkeypatch):
    _broken_import(monkeypatch, "leerlab_research.measurement.stage")
    stage = next(s for s in pipeline.STAGES if s.name == "measurement")
    with pytest.raises(ImportError, match="fit_cfa"):
        stage.load()


def test_run_stops_before_any_stage_instead_of_skipping_one(monkeypatch, tmp_path):
    _broken_import(monkeypatch, "leerlab_research.compare.stage")
    ran = []
    monkeypatch.setattr(pipeline, "write_manifest", lambda *a, **k: ran.append("manifest"))
    with pytest.raises(ImportError):
        pipeline.available_stages()
    assert ran == []


def test_missing_stage_function_is_an_error():
    stage = pipeline.Stage("x", "x", "leerlab_research.measurement.stage:run_nothing", "")
    with pytest.raises(AttributeError):
        stage.load()


@pytest.mark.parametrize("cls", [LeerlabError, ConfigError, DataError, OutputError])
def test_leerlab_errors_are_value_errors(cls):
    assert issubclass(cls, ValueError)


def test_a_library_user_can_catch_value_error(tmp_path):
    path = tmp_path / "study.yaml"
    path.write_text("name: x\ncodebook: nope.yaml\n", encoding="utf-8")
    with pytest.raises(ValueError, match="is invalid"):
        load_study(path)
