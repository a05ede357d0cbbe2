"""The Quarto route, tested with a fake ``quarto`` that records its command line.

Real Quarto cannot be installed here; the fake checks what the engine hands
to it (argv, working folder, params file, QUARTO_PYTHON) and writes the file
named by ``--output``, as Quarto would.
"""

from __future__ import annotations

import json
import os
import stat
import sys
from pathlib import Path

import pytest
import yaml

from leerlab_research.errors import ConfigError
from leerlab_research.report.engine import (
    RenderError,
    RenderRequest,
    quarto_executable,
    render,
)
from leerlab_research.report.engine.core import render_many, resolve_engine
from leerlab_research.report.engine.quarto import metadata_flag

DATA = Path(__file__).parent / "data" / "engine"

FAKE = """\
#!{python}
import json, os, sys
from pathlib import Path
argv = sys.argv[1:]
params = Path("../leerlab-params.yml")
meta = argv[argv.index("--metadata-file") + 1] if "--metadata-file" in argv else None
record = {{
    "meta": Path(meta).read_text(encoding="utf-8") if meta else None,
    "argv": argv,
    "cwd_files": sorted(os.listdir(".")),
    "params": params.read_text(encoding="utf-8") if params.exists() else None,
    "quarto_python": os.environ.get("QUARTO_PYTHON"),
}}
with open({log!r}, "a", encoding="utf-8") as fh:
    fh.write(json.dumps(record) + "\\n")
if os.environ.get("FAKE_QUARTO_FAIL"):
    print("ERROR: kernel died in cell 3", file=sys.stderr)
    sys.exit(1)
name = argv[argv.index("--output") + 1]
Path(name).write_text("rendered by fake quarto: " + " ".join(argv), encoding="utf-8")
"""


@pytest.fixture
def fake_quarto(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    log = tmp_path / "quarto-calls.jsonl"
    exe = tmp_path / "bin" / "quarto"
    exe.parent.mkdir()
    exe.write_text(FAKE.format(python=sys.executable, log=str(log)), encoding="utf-8")
    exe.chmod(exe.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{exe.parent}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.delenv("LEERLAB_QUARTO", raising=False)
    return exe, log


def _calls(log: Path) -> list[dict]:
    return [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]


def _request(tmp_path: Path, **kw: object) -> RenderRequest:
    values: dict = {
        "template": DATA / "tiny.qmd",
        "output_dir": tmp_path / "out",
        "output_stem": "lab-s-hertogenbosch",
        "params": {"lab": "'s-Hertogenbosch"},
        "formats": ["html", "docx", "pdf"],
        "metadata": {"title": "Rapport: 's-Hertogenbosch"},
    }
    values.update(kw)
    return RenderRequest(**values)


def test_quarto_on_path_is_used_with_exact_command_line(fake_quarto, tmp_path: Path) -> None:
    exe, log = fake_quarto
    assert quarto_executable() == str(exe)
    result = render(_request(tmp_path))
    assert result.engine == "quarto"
    assert [p.name for p in result.outputs] == [
        "lab-s-hertogenbosch.html",
        "lab-s-hertogenbosch.docx",
        "lab-s-hertogenbosch.pdf",
    ]
    assert all(p.parent == tmp_path / "out" and p.is_file() for p in result.outputs)
    calls = _calls(log)
    common = ["--execute-params", "../leerlab-params.yml"]
    assert [c["argv"] for c in calls] == [
        ["render", "tiny.qmd", "--to", "html", *common,
         "--metadata-file", "../leerlab-meta-html.yml", "--output", "lab-s-hertogenbosch.html"],
        ["render", "tiny.qmd", "--to", "docx", *common,
         "--metadata-file", "../leerlab-meta-docx.yml", "--output", "lab-s-hertogenbosch.docx"],
        ["render", "tiny.qmd", "--to", "typst", *common,
         "--metadata-file", "../leerlab-meta-pdf.yml", "--output", "lab-s-hertogenbosch.pdf"],
    ]  # fmt: skip
    # metadata goes through a file: a title with a colon is not quoted twice
    html_meta = yaml.safe_load(calls[0]["meta"])
    assert html_meta == {
        "embed-resources": True,
        "format-links": False,
        "lang": "nl",
        "title": "Rapport: 's-Hertogenbosch",
    }
    assert yaml.safe_load(calls[1]["meta"]) == {"lang": "nl", "title": "Rapport: 's-Hertogenbosch"}
    # Quarto runs on a copy of the template folder, with _quarto.yml beside it
    assert {"tiny.qmd", "_quarto.yml"} <= set(calls[0]["cwd_files"])
    assert calls[0]["params"] == "lab: '''s-Hertogenbosch'\n"
    assert calls[0]["quarto_python"] == sys.executable
    # nothing was written beside the real template
    assert not (DATA / ".quarto").exists() and not (DATA / "lab-s-hertogenbosch.html").exists()


def test_leerlab_quarto_variable_wins(fake_quarto, tmp_path: Path, monkeypatch) -> None:
    exe, log = fake_quarto
    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.setenv("LEERLAB_QUARTO", str(exe))
    assert quarto_executable() == str(exe)
    result = render(_request(tmp_path, formats=["html"], params={}, metadata={}, lang="en"))
    assert result.engine == "quarto"
    argv = _calls(log)[0]["argv"]
    assert argv == ["render", "tiny.qmd", "--to", "html", "--metadata-file",
                    "../leerlab-meta-html.yml", "--output", "lab-s-hertogenbosch.html"]  # fmt: skip
    assert yaml.safe_load(_calls(log)[0]["meta"])["lang"] == "en"


def test_quarto_failure_is_a_render_error(fake_quarto, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("FAKE_QUARTO_FAIL", "1")
    with pytest.raises(RenderError) as info:
        render(_request(tmp_path, formats=["docx"]))
    assert "quarto render --to docx failed (exit 1)" in str(info.value)
    assert "kernel died in cell 3" in str(info.value)


def test_render_many_routes_to_quarto(fake_quarto, tmp_path: Path) -> None:
    _exe, log = fake_quarto
    requests = [
        _request(tmp_path, output_stem=f"lab-{lab.lower()}", params={"lab": lab}, formats=["html"])
        for lab in ("Weert", "Venlo")
    ]
    results = render_many(requests, workers=1)
    assert [r.outputs[0].name for r in results] == ["lab-weert.html", "lab-venlo.html"]
    assert [c["params"] for c in _calls(log)] == ["lab: Weert\n", "lab: Venlo\n"]


def test_engine_choice_without_quarto(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.delenv("LEERLAB_QUARTO", raising=False)
    assert quarto_executable() is None
    assert resolve_engine(_request(tmp_path))[0] == "fallback"
    with pytest.raises(ConfigError, match="Quarto was not found"):
        resolve_engine(_request(tmp_path, engine="quarto"))
    with pytest.raises(ConfigError, match="unknown report format"):
        render(_request(tmp_path, formats=["pdf", "pptx"]))


@pytest.mark.parametrize(
    ("key", "value", "flag"),
    [
        ("lang", "nl", "lang:nl"),
        ("embed-resources", True, "embed-resources:true"),
        ("title", "Lab Weert", "title:Lab Weert"),
        ("title", "Rapport: Weert", 'title:"Rapport: Weert"'),
        ("title", "'s-Hertogenbosch", 'title:"\'s-Hertogenbosch"'),
        ("title", "true", 'title:"true"'),
        ("date", "2026-11-23", 'date:"2026-11-23"'),
        ("fig-width", 6.5, "fig-width:6.5"),
    ],
)
def test_metadata_flags_survive_quartos_yaml_reading(key, value, flag) -> None:
    assert metadata_flag(key, value) == flag
