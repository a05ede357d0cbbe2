"""The Quarto route, tested with a fake ``quarto`` that records its command line.

Tests cannot count on a Quarto install; the fake (``data/fake_quarto.py``)
checks what the engine hands to it (argv, metadata file, the executed notebook,
working folder) and writes one file per format, or with ``FAKE_QUARTO_PANDOC``
renders the notebook with pandoc so that the two engines' outputs can be
compared. ``benchmarks/engines.py`` does that comparison against a real Quarto.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import stat
import sys
from pathlib import Path

import pytest
import yaml

from leerlab_research.errors import ConfigError
from leerlab_research.report.engine import (
    RenderError,
    RenderRequest,
    execute,
    quarto,
    quarto_executable,
    render,
)
from leerlab_research.report.engine.core import render_many, resolve_engine
from leerlab_research.report.engine.execute import execute_document
from leerlab_research.report.site import SiteContent, render_quarto_site, site_html

DATA = Path(__file__).parent / "data" / "engine"
FAKE = Path(__file__).parent / "data" / "fake_quarto.py"
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def fake_quarto(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    log = tmp_path / "quarto-calls.jsonl"
    exe = tmp_path / "bin" / "quarto"
    exe.parent.mkdir()
    exe.write_text(f"#!{sys.executable}\n" + FAKE.read_text(encoding="utf-8"), encoding="utf-8")
    exe.chmod(exe.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{exe.parent}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("FAKE_QUARTO_LOG", str(log))
    monkeypatch.delenv("LEERLAB_QUARTO", raising=False)
    monkeypatch.delenv("QUARTO_PYTHON", raising=False)
    return exe, log


@pytest.fixture
def executions(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Template executions (kernel runs) of the Quarto route, by template name."""
    seen: list[str] = []

    def counting(doc, *args, **kwargs):
        seen.append(doc.name)
        return execute_document(doc, *args, **kwargs)

    monkeypatch.setattr(execute, "execute_document", counting)
    return seen


def load_module(name: str, path: Path):
    """Import a script that is not on ``sys.path`` (``benchmarks/engines.py``)."""
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


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


def _source(cell: dict) -> str:
    text = cell["source"]
    return "".join(text) if isinstance(text, list) else text


def test_one_execution_and_one_quarto_call_per_report(
    fake_quarto, executions, tmp_path: Path
) -> None:
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
    assert executions == ["tiny.qmd"]  # one kernel run for three formats
    calls = _calls(log)
    assert [c["argv"] for c in calls] == [
        ["render", "lab-s-hertogenbosch.ipynb", "--to", "html,docx,typst", "--no-execute",
         "--metadata-file", "../leerlab-meta.yml"],
    ]  # fmt: skip
    # metadata goes through a file: a title with a colon is not quoted twice
    assert yaml.safe_load(calls[0]["meta"]) == {
        "lang": "nl",
        "format-links": False,
        "title": "Rapport: 's-Hertogenbosch",
    }
    # Quarto gets the executed notebook beside _quarto.yml, with the Word alt-text
    # filter and the Typst rules
    assert {"lab-s-hertogenbosch.ipynb", "_quarto.yml", quarto.ALT_FILTER,
            quarto.APOSTROPHE_FILTER, quarto.TYPST_HEADER_FILE, quarto.HTML_CSS_FILE,
            quarto.DOCX_REFERENCE_FILE} <= set(calls[0]["cwd_files"])  # fmt: skip
    cells = calls[0]["notebook"]["cells"]
    front = yaml.safe_load(_source(cells[0]).strip().strip("-"))
    assert "title" not in front  # the request's title wins (front matter would beat the file)
    assert front["format"]["html"] == {  # self-contained, minimal, the fallback's stylesheet
        "embed-resources": True,
        "minimal": True,
        "css": [quarto.HTML_CSS_FILE],
    }
    assert front["format"]["typst"]["include-in-header"] == [quarto.TYPST_HEADER_FILE]
    assert front["format"]["typst"]["shift-heading-level-by"] == 0  # toc-depth as the fallback
    assert front["format"]["typst"]["margin"] == {"x": "2.5cm", "y": "2.5cm"}  # as the fallback
    assert front["format"]["docx"] == {"reference-doc": quarto.DOCX_REFERENCE_FILE}  # A4, page no.
    assert front["filters"] == [
        {"path": quarto.ALT_FILTER, "at": "post-render"},
        {"path": quarto.APOSTROPHE_FILTER, "at": "post-render"},
    ]
    markdown = "".join(_source(c) for c in cells if c["cell_type"] == "markdown")
    # inline expressions carry their values (the parameter injected), none is left
    assert "Rapport voor 's-Hertogenbosch" in markdown and "{python}" not in markdown
    code = [c for c in cells if c["cell_type"] == "code"]
    assert len(code) == 6  # the template's cells only, not the engine's set-up
    figure = next(c for c in code if '#| label: "fig-scores"' in _source(c))
    assert '#| fig-alt: "Scores per schaal"' in _source(figure)  # the caption as alt
    assert [o["output_type"] for o in figure["outputs"]] == ["display_data"]
    second = next(c for c in code if "fig-second" in _source(c))
    assert len(second["outputs"]) == 1  # shown twice by Jupyter, once in the report
    assert calls[0]["quarto_python"] == sys.executable
    assert "quarto: WARN: a warning from fake quarto" in result.warnings
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
    assert argv == ["render", "lab-s-hertogenbosch.ipynb", "--to", "html", "--no-execute",
                    "--metadata-file", "../leerlab-meta.yml"]  # fmt: skip
    assert yaml.safe_load(_calls(log)[0]["meta"])["lang"] == "en"


def test_quarto_failure_is_a_render_error(fake_quarto, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("FAKE_QUARTO_FAIL", "1")
    with pytest.raises(RenderError) as info:
        render(_request(tmp_path, formats=["docx"]))
    assert "quarto render --to docx failed (exit 1)" in str(info.value)
    assert "pandoc failed on lab-weert.ipynb" in str(info.value)


def test_render_many_executes_each_report_once(fake_quarto, executions, tmp_path: Path) -> None:
    _exe, log = fake_quarto
    requests = [
        _request(tmp_path, output_stem=f"lab-{lab.lower()}", params={"lab": lab}, formats=fmts)
        for lab, fmts in (("Weert", ["html", "pdf"]), ("Venlo", ["docx"]))
    ]
    results = render_many(requests, workers=1)
    assert [[p.name for p in r.outputs] for r in results] == [
        ["lab-weert.html", "lab-weert.pdf"],
        ["lab-venlo.docx"],
    ]
    assert executions == ["tiny.qmd", "tiny.qmd"]
    assert [c["argv"][1:4] for c in _calls(log)] == [
        ["lab-weert.ipynb", "--to", "html,typst"],
        ["lab-venlo.ipynb", "--to", "docx"],
    ]


def test_engines_carry_the_same_text_alt_text_and_titles(
    fake_quarto, tmp_path: Path, monkeypatch
) -> None:
    """What the Quarto route hands over, rendered, reads as the fallback's output."""
    monkeypatch.setenv("FAKE_QUARTO_PANDOC", "1")
    engines = load_module("engines", REPO / "benchmarks" / "engines.py")
    common = {
        "template": DATA / "parity.qmd",
        "output_stem": "lab-s-hertogenbosch",
        "params": {"lab": "\u2019s-Hertogenbosch"},
        "formats": ["html", "docx"],
        "metadata": {"title": "Reflectie leerlab \u2019s-Hertogenbosch", "subtitle": "Sterk: T2"},
    }
    out = {e: tmp_path / e for e in ("fallback", "quarto")}
    for engine, folder in out.items():
        assert render(RenderRequest(output_dir=folder, engine=engine, **common)).engine == engine
    assert engines.compare_folders(out["fallback"], out["quarto"], ("fallback", "quarto")) == {}
    # …and the comparison sees what a reader would see
    facts = engines.html_facts(out["quarto"] / "lab-s-hertogenbosch.html")
    assert facts.title == "Reflectie leerlab \u2019s-Hertogenbosch"
    assert facts.subtitle == "Sterk: T2"
    assert facts.headings == ["h2 Profiel van \u2019s-Hertogenbosch", "h3 Verandering",
                              "h2 Over dit verslag"]  # fmt: skip
    assert facts.captions == ["Figuur 1: Profiel per schaal", "Tabel 1: Gemiddelden per schaal",
                              "Figuur 2: Lijn van de cel"]  # fmt: skip
    assert facts.alts == [
        "Staafdiagram: gemiddelde per schaal in \u2019s-Hertogenbosch, inhoud het hoogst",
        "Lijn van de cel",
    ]
    word = engines.docx_facts(out["fallback"] / "lab-s-hertogenbosch.docx")
    assert word.alts == facts.alts and word.title == facts.title


def test_engine_comparison_reports_what_differs(tmp_path: Path) -> None:
    engines = load_module("engines", REPO / "benchmarks" / "engines.py")
    a = engines.Facts(title="T", headings=["h2 A"], alts=["x"], words="een twee drie".split())
    b = engines.Facts(title="T: b", headings=["h2 A"], alts=["(no alt)"], words="een drie".split())
    found = engines.compare_facts(a, b, ("a", "b"))
    assert found[0] == "title: 'T' (a) vs 'T: b' (b)"
    assert "  -x" in found and "  +(no alt)" in found and "b: 1 figure(s) without alt text" in found
    assert any("'twee'" in line for line in found)
    assert engines.compare_facts(a, a) == []


def test_engine_choice_without_quarto(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.delenv("LEERLAB_QUARTO", raising=False)
    assert quarto_executable() is None
    assert resolve_engine(_request(tmp_path))[0] == "fallback"
    with pytest.raises(ConfigError, match="Quarto was not found"):
        resolve_engine(_request(tmp_path, engine="quarto"))
    with pytest.raises(ConfigError, match="unknown report format"):
        render(_request(tmp_path, formats=["pdf", "pptx"]))


def _site_content() -> SiteContent:
    links = [("HTML", "../reports/lab-weert.html"), ("PDF", "../reports/lab-weert.pdf")]
    return SiteContent(
        lang="nl",
        title="Leerlabs: demo [2024]",
        fieldwork=["Start subsidiejaar: 5 september 2022 \u2013 14 oktober 2022"],
        programme=[("Programmaoverzicht", [("Word", "../reports/programme.docx")])],
        columns=["Lab", "Respons (Een jaar later)", "Ten opzichte van het programma", "Rapport"],
        labs=[
            ("Weert", "24", "1 voorwaarde(n) hoger, 0 lager", links),
            ("\u2019s-Hertogenbosch", "16", "0 voorwaarde(n) hoger, 0 lager", []),
        ],
        headings={
            "site_fieldwork": "Veldwerk",
            "site_programme": "Het programma",
            "site_labs": "De labs",
        },  # fmt: skip
        note="Groepen met minder dan vijf respondenten worden nergens getoond.",
        search=[
            {
                "objectID": "../reports/lab-weert.html#samenvatting",
                "href": "../reports/lab-weert.html#samenvatting",
                "title": "Reflectie leerlab Weert",
                "section": "Samenvatting",
                "text": "In leerlab Weert hebben 24 respondenten …",
            }
        ],
    )


def test_quarto_site_is_a_website_with_search_and_the_fallbacks_content(
    fake_quarto, tmp_path: Path
) -> None:
    exe, log = fake_quarto
    content = _site_content()
    written = render_quarto_site(content, str(exe), tmp_path / "site")
    assert sorted(p.relative_to(tmp_path / "site").as_posix() for p in written) == [
        "index.html",
        "search.json",
        "site_libs/quarto-search.js",
    ]
    call = _calls(log)[0]
    assert call["argv"] == ["render"] and call["cwd_files"] == ["_quarto.yml", "index.qmd"]
    assert call["project"]["project"]["type"] == "website"
    assert call["project"]["website"]["search"]["location"] == "navbar"
    assert call["project"]["website"]["title"] == "Leerlabs: demo [2024]"
    # the same index as the fallback's self-contained page
    engines = load_module("engines", REPO / "benchmarks" / "engines.py")
    fallback = tmp_path / "fallback.html"
    fallback.write_text(site_html(content), encoding="utf-8")
    a, b = engines.html_facts(fallback), engines.html_facts(tmp_path / "site" / "index.html")
    assert engines.compare_facts(a, b) == []
    assert b.headings == ["h2 Veldwerk", "h2 Het programma", "h2 De labs"]
    assert "\u2019s-Hertogenbosch 16 0 voorwaarde(n) hoger, 0 lager \u2013" in " ".join(b.words)
    index = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert 'href="../reports/lab-weert.pdf"' in index
    # the search covers the reports' sections: appended to what Quarto indexed
    search = json.loads((tmp_path / "site" / "search.json").read_text(encoding="utf-8"))
    assert search == content.search  # the fake indexes nothing itself
    # the fallback's page works from a share: its one script is inline
    assert not re.search(r"<script[^>]*src=", site_html(content))
    assert 'href="../reports/lab-weert.html#samenvatting"' in site_html(content)


def test_quarto_site_failure_is_a_render_error(fake_quarto, tmp_path: Path, monkeypatch) -> None:
    exe, _log = fake_quarto
    monkeypatch.setenv("FAKE_QUARTO_LOG", str(tmp_path / "no-such-dir" / "log"))
    with pytest.raises(RenderError, match="the programme site: quarto render failed"):
        render_quarto_site(_site_content(), str(exe), tmp_path / "site")


@pytest.mark.parametrize(
    ("date", "expected"),
    [("2024-06-21", "YYYY-MM-DD"), ("21 juni 2024", "D MMMM YYYY"), ("voorjaar 2024", None)],
)
def test_a_date_is_shown_as_written(date: str, expected: str | None, tmp_path: Path) -> None:
    meta = quarto.quarto_metadata(_request(tmp_path, metadata={"title": "T", "date": date}))
    assert meta["date"] == date and meta.get("date-format") == expected


def test_an_empty_abstract_title_stays_empty(tmp_path: Path) -> None:
    """The title block under the title has no heading: Quarto's HTML would say "Samenvatting"."""
    meta = {"title": "T", "abstract": "Leerlab: Weert", "abstract-title": ""}
    found = quarto.quarto_metadata(_request(tmp_path, metadata=meta))
    assert found["language"] == {"section-title-abstract": ""}
    found = quarto.quarto_metadata(_request(tmp_path, metadata={**meta, "abstract-title": "Over"}))
    assert "language" not in found
