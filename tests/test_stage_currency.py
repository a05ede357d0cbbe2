"""A stage knows whether its own earlier outputs are current (``--site`` relies on it)."""

from __future__ import annotations

from pathlib import Path

import pytest

from leerlab_research import pipeline
from leerlab_research.config.study import load_study
from leerlab_research.errors import ConfigError
from leerlab_research.report.stage import check_reports_current
from leerlab_research.runtime import StageContext

REPO = Path(__file__).resolve().parents[1]


def _ctx(tmp_path: Path) -> StageContext:
    study = load_study(REPO / "analyses" / "demo" / "study.yaml", check_sources=False)
    return StageContext(study=study, out=tmp_path / "out")


def test_run_stage_tells_a_stage_whether_its_own_outputs_are_current(tmp_path):
    ctx = _ctx(tmp_path)
    seen: list[str | None] = []

    def write(c: StageContext) -> list[Path]:
        seen.append(c.stale)
        path = c.stage_dir("x") / "a.txt"
        path.write_text("1", encoding="utf-8")
        return [path]

    stage = pipeline.Stage("x", "x", "unused:write", "")
    pipeline.run_stage(stage, ctx, write)
    pipeline.run_stage(stage, ctx, write)
    (ctx.out / "x" / "a.txt").write_text("2", encoding="utf-8")  # edited behind its back
    pipeline.run_stage(stage, ctx, write)
    assert seen[0] is not None and "has not run" in seen[0]
    assert seen[1] is None
    assert seen[2] is not None and "x/a.txt was changed" in seen[2]


def test_site_alone_refuses_reports_that_are_not_current(tmp_path):
    ctx = _ctx(tmp_path)
    ctx.stale = "`leerlab compare` ran again since, with other results"
    with pytest.raises(ConfigError) as err:
        check_reports_current(ctx)
    text = str(err.value) + " ".join(err.value.problems)
    assert "not current" in text and "compare` ran again" in text
    assert "leerlab report --study" in text
    ctx.stale = None
    check_reports_current(ctx)  # current reports: the site may be written alone
