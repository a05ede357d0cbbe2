"""Honest failures (issue 11 §4): a broken stage import is raised, errors are ValueErrors."""

from __future__ import annotations

from pathlib import Path

import pytest

from leerlab_research import pipeline
from leerlab_research.config.study import load_study
from leerlab_research.errors import ConfigError, DataError, LeerlabError, OutputError

REPO = Path(__file__).resolve().parents[1]


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


class _Helper:
    """A stage helper started ahead; records how it ends."""

    def __init__(self, events: list[str]) -> None:
        self.events = events
        events.append("started")

    def __enter__(self) -> _Helper:
        return self

    def __exit__(self, kind, exc, tb) -> None:
        self.events.append("stopped" if exc is not None else "closed")


def _two_stages(monkeypatch, first) -> list[str]:
    """`run` over two stages; the second has a helper, started before the first stage."""
    events: list[str] = []
    a = pipeline.Stage("a", "a", "x:first", "")
    b = pipeline.Stage("b", "b", "x:second", "", ahead="x:helper")

    def second(ctx):
        events.append(f"b got {type(ctx.ahead.pop('b')).__name__}")
        return []

    functions = {"x:helper": lambda ctx: _Helper(events)}
    monkeypatch.setattr(pipeline, "_function", functions.__getitem__)
    monkeypatch.setattr(pipeline, "STAGES", [a, b])
    monkeypatch.setattr(pipeline, "available_stages", lambda: [(a, first(events)), (b, second)])
    monkeypatch.setattr(pipeline, "run_stage", lambda stage, ctx, fn: fn(ctx))
    return events


def test_run_starts_a_stage_helper_before_the_first_stage(monkeypatch, tmp_path):
    def first(events):
        return lambda ctx: events.append(f"a runs, helper {events[-1]}") or []

    events = _two_stages(monkeypatch, first)
    study = load_study(REPO / "analyses/demo/study.yaml", check_sources=False)
    pipeline.run(study, tmp_path / "out")
    assert events == ["started", "a runs, helper started", "b got _Helper", "closed"]


def test_a_failing_stage_stops_the_helpers_started_ahead(monkeypatch, tmp_path):
    def first(events):
        def fail(ctx):
            raise DataError("bad data")

        return fail

    events = _two_stages(monkeypatch, first)
    study = load_study(REPO / "analyses/demo/study.yaml", check_sources=False)
    with pytest.raises(DataError):
        pipeline.run(study, tmp_path / "out")
    assert events == ["started", "stopped"]
