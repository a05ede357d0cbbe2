"""End-to-end tests of the fallback engine (kernel + pandoc + Typst).

A kernel start costs seconds, so the html/docx/pdf render of the tiny
template is done once per module and shared.
"""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path

import docx
import pypdf
import pytest

from leerlab_research.report.engine import RenderError, RenderRequest, RenderResult, convert, render
from leerlab_research.report.engine.core import RenderPool, render_many

DATA = Path(__file__).parent / "data" / "engine"
LAB = "'s-Hertogenbosch"


def _listing(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


@pytest.fixture(scope="module")
def rendered(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[RenderResult, Path, list[str], float]:
    templates = tmp_path_factory.mktemp("templates")
    shutil.copytree(DATA, templates, dirs_exist_ok=True)
    before = _listing(templates)
    out = tmp_path_factory.mktemp("out")
    start = time.perf_counter()
    result = render(
        RenderRequest(
            template=templates / "tiny.qmd",
            output_dir=out,
            output_stem="lab-s-hertogenbosch",
            params={"lab": LAB},
            formats=["html", "docx", "pdf"],
            engine="fallback",
        )
    )
    return result, templates, before, time.perf_counter() - start


def test_outputs_and_template_folder_untouched(rendered) -> None:
    result, templates, before, seconds = rendered
    assert result.engine == "fallback"
    assert [p.name for p in result.outputs] == [
        "lab-s-hertogenbosch.html",
        "lab-s-hertogenbosch.docx",
        "lab-s-hertogenbosch.pdf",
    ]
    assert all(p.is_file() and p.stat().st_size > 0 for p in result.outputs)
    assert _listing(templates) == before  # no .quarto/, _files/ or outputs beside the template
    assert result.warnings == []
    print(f"html+docx+pdf render: {seconds:.1f} s")


def test_html_is_self_contained(rendered) -> None:
    html = rendered[0].outputs[0].read_text(encoding="utf-8")
    sources = re.findall(r'\bsrc="([^"]*)"', html)
    assert sources and all(s.startswith("data:image/png;base64,") for s in sources)
    assert not re.search(r'<link[^>]+href="(?!data:|https?:)', html)  # no local stylesheet
    assert "s-Hertogenbosch" in html  # the injected parameter (pandoc makes ' typographic)
    assert 'lang="nl"' in html and "<title>Testrapport" in html
    assert "Figuur 1: Scores per schaal" in html and "Zie Figuur\u00a01, Figuur\u00a02" in html
    assert "<caption>Tabel 1: Gemiddelden</caption>" in html  # asis Markdown table
    assert "import matplotlib" not in html  # execute: echo: false from _quarto.yml
    assert "ZeroDivisionError: division by zero" in html  # a cell with error: true


def test_docx_opens_and_has_parameter_and_caption(rendered) -> None:
    document = docx.Document(str(rendered[0].outputs[1]))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "s-Hertogenbosch" in text
    assert "Figuur 1: Scores per schaal" in text
    assert "Tabel 1: Gemiddelden" in text
    assert document.core_properties.title == "Testrapport"
    assert len(document.tables) == 1
    assert [c.text for c in document.tables[0].rows[0].cells] == ["schaal", "gemiddelde"]
    assert "Figuur 2: Tweede figuur" in text
    assert len(document.inline_shapes) == 2  # the second figure is not duplicated


def test_docx_is_a4_with_page_numbers_and_headings_kept_with_next(rendered) -> None:
    document = docx.Document(str(rendered[0].outputs[1]))
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert 'w:instr="PAGE"' in section.footer._element.xml
    styles = {s.name: s for s in document.styles}
    assert styles["Heading 2"].paragraph_format.keep_with_next is True
    assert styles["Table Caption"].paragraph_format.keep_with_next is True


def test_typst_set_up_keeps_tables_and_headings_readable() -> None:
    """Unjustified paragraphs, no hyphenation in table cells, headings stay with what follows."""
    from leerlab_research.report.engine.convert import TYPST_HEADER

    assert "#set par(justify: false)" in TYPST_HEADER
    assert "#show table.cell: set text(hyphenate: false)" in TYPST_HEADER
    assert "sticky: true" in TYPST_HEADER
    # a table's caption (on top) moves to the next page with its table
    assert "#show figure.caption.where(kind: table): it => block(sticky: true, it)" in TYPST_HEADER


def test_pdf_is_a_short_pdf(rendered) -> None:
    pdf = rendered[0].outputs[2]
    assert pdf.read_bytes().startswith(b"%PDF")
    reader = pypdf.PdfReader(str(pdf))
    assert 1 <= len(reader.pages) <= 3
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "Hertogenbosch" in text and "Figuur 1: Scores per schaal" in text
    # the elided article keeps U+2019: pandoc's Typst writer hands Typst a straight
    # quote, which Typst's smart quotes turned into an opening one (‘s-Hertogenbosch)
    assert "\u2019s-Hertogenbosch" in text and "\u2018s-Hertogenbosch" not in text


FAILING = """\
---
title: Kapot
---

```{python}
#| tags: [parameters]
lab = "x"
```

```{python}
#| label: boom
x = 1
raise ValueError(f"geen data voor {lab}")
```
"""


def test_failing_cell_names_template_cell_and_exception(tmp_path: Path) -> None:
    template = tmp_path / "kapot.qmd"
    template.write_text(FAILING, encoding="utf-8")
    request = RenderRequest(
        template=template,
        output_dir=tmp_path / "out",
        output_stem="kapot",
        params={"lab": "Weert"},
        formats=["html"],
        engine="fallback",
    )
    with pytest.raises(RenderError) as info:
        render(request)
    message = str(info.value)
    assert "template 'kapot.qmd'" in message
    assert "cell 2 (label 'boom', line 10)" in message
    assert "template line 13" in message
    assert "ValueError: geen data voor Weert" in message
    assert "Traceback" not in message and "\x1b[" not in message
    assert not (tmp_path / "out" / "kapot.html").exists()


COUNTER = """\
---
title: Teller
---

```{python}
#| tags: [parameters]
lab = "x"
```

```{python}
#| output: asis
from pathlib import Path
with Path("runs.txt").open("a") as fh:
    fh.write(lab + "\\n")
print(f"Lab **{lab}**")
```
"""


def test_render_many_executes_once_per_template_and_params(tmp_path: Path) -> None:
    template = tmp_path / "teller.qmd"
    template.write_text(COUNTER, encoding="utf-8")
    workdir = tmp_path / "work"

    def request(stem: str, lab: str, formats: list[str]) -> RenderRequest:
        return RenderRequest(
            template=template,
            output_dir=tmp_path / "out",
            output_stem=stem,
            params={"lab": lab},
            formats=formats,
            engine="fallback",
            workdir=workdir,
        )

    requests = [
        request("a-html", "Weert", ["html"]),
        request("b-other", "Venlo", ["html"]),
        request("a-docx", "Weert", ["docx"]),  # same template + params: no second execution
    ]
    ticks: list[int] = []
    results = render_many(requests, workers=2, progress=ticks.append)
    assert [r.outputs[0].name for r in results] == ["a-html.html", "b-other.html", "a-docx.docx"]
    assert sorted(ticks) == [1, 2]
    assert sorted((workdir / "runs.txt").read_text().split()) == ["Venlo", "Weert"]
    assert "<strong>Venlo</strong>" in results[1].outputs[0].read_text(encoding="utf-8")
    text = "\n".join(p.text for p in docx.Document(str(results[2].outputs[0])).paragraphs)
    assert "Lab Weert" in text


def _html_requests(
    tmp_path: Path, source: str, labs: list[str], workdir: Path | None = None
) -> list[RenderRequest]:
    """HTML of one template per lab (stems: the labs in lower case)."""
    template = tmp_path / "sjabloon.qmd"
    template.write_text(source, encoding="utf-8")
    return [
        RenderRequest(
            template=template,
            output_dir=tmp_path / "out",
            output_stem=lab.lower(),
            params={"lab": lab},
            formats=["html"],
            engine="fallback",
            workdir=workdir,
        )
        for lab in labs
    ]


def test_render_many_starts_the_heaviest_reports_first(tmp_path: Path) -> None:
    # A heavy report left for last keeps one worker busy while the others idle; the
    # results still come back in request order.
    workdir = tmp_path / "work"
    weights = {"Weert": 1.0, "Venlo": 1.0, "Programma": 2.0, "Methode": 0.5}
    requests = _html_requests(tmp_path, COUNTER, list(weights), workdir=workdir)
    for req in requests:
        req.weight = weights[req.params["lab"]]
    results = render_many(requests, workers=1)
    assert (workdir / "runs.txt").read_text().split() == ["Programma", "Weert", "Venlo", "Methode"]
    assert [r.outputs[0].stem for r in results] == ["weert", "venlo", "programma", "methode"]


PRELOADED = """\
```{python}
#| tags: [parameters]
lab = ""
```

```{python}
#| output: asis
import sys
print(f"{lab} preloaded {'xml.dom.minidom' in sys.modules}")
```
"""


def test_a_pool_started_ahead_renders_with_the_kernels_it_started(tmp_path: Path) -> None:
    # RenderPool's workers start their kernels, with the templates' imports, before
    # the requests exist; the renders then run in those kernels.
    requests = _html_requests(tmp_path, PRELOADED, ["Weert", "Venlo"])
    with RenderPool(2, preload=("xml.dom.minidom",)) as pool:
        results = render_many(requests, progress=None, pool=pool)
    texts = [r.outputs[0].read_text(encoding="utf-8") for r in results]
    assert "Weert preloaded True" in texts[0] and "Venlo preloaded True" in texts[1]


def test_cell_timeout_is_a_render_error(tmp_path: Path) -> None:
    template = tmp_path / "traag.qmd"
    template.write_text(
        "```{python}\n#| label: slow\nimport time\ntime.sleep(60)\n```\n", encoding="utf-8"
    )
    request = RenderRequest(
        template=template,
        output_dir=tmp_path,
        output_stem="traag",
        params={},
        formats=["html"],
        engine="fallback",
        timeout=2,
    )
    start = time.perf_counter()
    with pytest.raises(
        RenderError, match=r"cell 1 \(label 'slow', line 1\) did not finish within 2 s"
    ):
        render(request)
    assert time.perf_counter() - start < 30


def test_typst_failure_is_a_render_error_and_a_bug_is_not(tmp_path: Path, monkeypatch) -> None:
    typ = tmp_path / "doc.typ"
    typ.write_text("#let x = ;", encoding="utf-8")
    with pytest.raises(RenderError, match="Typst could not make the PDF"):
        convert.compile_typst(typ, tmp_path / "doc.pdf", tmp_path, "doc")

    def broken(*args: object, **kwargs: object) -> None:
        raise AttributeError("a bug")

    monkeypatch.setattr(convert.typst, "compile", broken)
    with pytest.raises(AttributeError, match="a bug"):
        convert.compile_typst(typ, tmp_path / "doc.pdf", tmp_path, "doc")


KEPT_KERNEL = """\
```{python}
#| tags: [parameters]
lab = ""
```

```{python}
#| output: asis
import gc, os
print(f"pid {os.getpid()} folder {os.path.basename(os.getcwd())} leak {'leak' in globals()}")
print(f"frozen {gc.get_freeze_count() > 0} collecting {gc.isenabled()}")
leak = lab
```
"""


def test_a_process_keeps_its_kernel_with_a_clean_namespace(tmp_path: Path) -> None:
    # One kernel for the reports a process executes (kernels.py): the same kernel
    # process, each notebook in its own folder, nothing left of the one before.
    template = tmp_path / "kern.qmd"
    template.write_text(KEPT_KERNEL, encoding="utf-8")
    requests = [
        RenderRequest(
            template=template,
            output_dir=tmp_path / "out",
            output_stem=f"r{i}",
            params={"lab": lab},
            formats=["html"],
            engine="fallback",
            workdir=tmp_path / f"work{i}",
        )
        for i, lab in enumerate(["Weert", "Venlo"])
    ]
    results = render_many(requests, workers=1)
    lines = [
        re.search(r"pid (\d+) folder (\w+) leak (\w+)", r.outputs[0].read_text(encoding="utf-8"))
        for r in results
    ]
    assert all(lines), "each report prints its kernel's pid, folder and namespace"
    assert lines[0][1] == lines[1][1]  # the same kernel process
    assert [m[2] for m in lines] == ["work0", "work1"]
    assert [m[3] for m in lines] == ["False", "False"]
    # what the kernel held before each report is out of the collector's sight (full
    # collections traversed it for every figure's cycles); the report's own objects
    # are still collected
    for r in results:
        assert "frozen True collecting True" in r.outputs[0].read_text(encoding="utf-8")


def _line_starts(pdf: Path) -> dict[str, float]:
    """x of the first text run of each line on page 1, by the line's first word."""
    starts: dict[str, float] = {}

    def visit(text, cm, tm, font, size) -> None:
        word = text.strip().split(" ")[0] if text.strip() else ""
        if word and word not in starts:
            starts[word] = tm[4] * cm[0] + cm[4]

    pypdf.PdfReader(str(pdf)).pages[0].extract_text(visitor_text=visit)
    return starts


def test_title_block_without_title_has_no_indented_first_line(tmp_path: Path) -> None:
    """pandoc's Typst template put #h(1em) before an abstract: the first line stood in."""
    pdf = tmp_path / "doc.pdf"
    convert.convert(
        "# Samenvatting\n\nTekst.\n",
        "pdf",
        metadata={
            "title": "Rapport",
            "abstract": "Programma: Leerlab\n\nLab: Weert\n\nPeriode: 2022",
            "abstract-title": "",
        },
        lang="nl",
        base_dir=tmp_path,
        output=pdf,
        what="doc",
    )
    starts = _line_starts(pdf)
    assert starts["Programma:"] == pytest.approx(starts["Lab:"], abs=0.5)
    assert starts["Lab:"] == pytest.approx(starts["Periode:"], abs=0.5)


def _sections_lifted(tmp_path: Path, fmt: str) -> Path:
    """A section and a subsection, converted with ``shift-heading-level-by: -1``."""
    out = tmp_path / f"doc.{fmt}"
    convert.convert(
        "## Samenvatting\n\nTekst.\n\n### Gedeelde ambitie\n\nMeer.\n",
        fmt,
        metadata={
            "title": "Rapport",
            "format": {{"pdf": "typst"}.get(fmt, fmt): {"shift-heading-level-by": -1}},
        },
        lang="nl",
        base_dir=tmp_path,
        output=out,
        what="doc",
    )
    return out


def test_docx_sections_start_at_heading_1_under_the_title(tmp_path: Path) -> None:
    """`##` sections became Heading 2 right under the Title (a jump); the templates'
    ``shift-heading-level-by: -1`` for DOCX makes them Heading 1."""
    out = _sections_lifted(tmp_path, "docx")
    styles = [p.style.name for p in docx.Document(str(out)).paragraphs if p.text.strip()]
    assert styles[:4] == ["Title", "Heading 1", "First Paragraph", "Heading 2"]


def test_report_templates_lift_docx_and_pdf_headings() -> None:
    """The PDF's sections were Typst level 2 under the title in the fallback (Quarto lifts
    ``##`` when a document has no level 1); both engines now get -1 from the template,
    and the contents list the sections (depth 1), as before the lift."""
    from leerlab_research.report.engine.qmd import parse_qmd

    for name in ("lab-report", "programme-report", "methods-report"):
        path = Path(__file__).parents[2] / "reports" / f"{name}.qmd"
        doc = parse_qmd(path)
        assert convert.format_options(doc.front_matter, "docx")["shift-heading-level-by"] == -1
        pdf = convert.format_options(doc.front_matter, "pdf")
        assert pdf["shift-heading-level-by"] == -1
        assert pdf.get("toc-depth", 1) == 1
        assert "outline(depth: 2)" not in path.read_text(encoding="utf-8")


def test_pdf_sections_are_typst_level_one(tmp_path: Path) -> None:
    _sections_lifted(tmp_path, "pdf")
    typ = (tmp_path / "doc.typ").read_text(encoding="utf-8")
    assert "\n= Samenvatting\n" in typ and "\n== Gedeelde ambitie\n" in typ


def test_a_lead_in_paragraph_sticks_to_its_list_in_typst(tmp_path: Path) -> None:
    """ "Aantoonbaar verschil …:" ended page 12 of the programme report and its list began
    page 13: the shared Lua filter puts a paragraph followed by a list in a sticky block
    (as Typst does for headings); other paragraphs and other formats are left alone."""
    out = tmp_path / "doc.pdf"
    markdown = (
        "Los.\n\nAantoonbaar verschil:\n\n- een\n- twee\n\nNog een alinea.\n\n"
        "In hun eigen woorden:\n\nBij *Wat gaat goed?* …\n"
    )
    convert.convert(
        markdown, "pdf", metadata={}, lang="nl", base_dir=tmp_path, output=out, what="doc"
    )
    typ = (tmp_path / "doc.typ").read_text(encoding="utf-8")
    assert typ.count("#block(sticky: true)[") == 2  # the list's and the colon's lead-in
    kept = typ.split("#block(sticky: true)[")
    assert kept[1].split("]", 1)[0].strip() == "Aantoonbaar verschil:" and "- een" in kept[1]
    assert kept[2].split("]", 1)[0].strip() == "In hun eigen woorden:"
    html = tmp_path / "doc.html"
    convert.convert(
        markdown, "html", metadata={}, lang="nl", base_dir=tmp_path, output=html, what="doc"
    )
    assert "sticky" not in html.read_text(encoding="utf-8")


def _empty_below(png: bytes) -> float:
    """Share of the A4 text area (2.5 cm margins) below the last ink on a page image."""
    import io

    import numpy as np
    from PIL import Image

    page = np.asarray(Image.open(io.BytesIO(png)).convert("L")) < 200
    h = page.shape[0]
    top, bottom = int(h * 2.5 / 29.7), int(h * 27.2 / 29.7)
    inked = np.flatnonzero(page[top:bottom].any(axis=1))
    return 1 - (inked.max() + 1) / (bottom - top)


@pytest.mark.parametrize(
    ("words", "pages", "empty"),
    [(300, 1, (0.05, 0.3)), (450, 2, (0.0, 0.03)), (560, 2, (0.12, 0.25))],
)
def test_a_short_table_breaks_only_where_much_of_the_page_is_left(
    tmp_path: Path, words: int, pages: int, empty: tuple[float, float]
) -> None:
    """``leerlab-keep`` (the short tables' Typst block, ``ReportCore.table``): kept whole,
    a table that did not fit under the text left half a page empty. It now fits (300 words
    before it), starts and breaks where a third of the page is left (450), and moves to
    the next page when less than a quarter is left (560: the text ends at ~82 %)."""
    import typst

    rows = "".join(f"[rij {i}], [{i}],\n" for i in range(15))
    (tmp_path / "t.typ").write_text(
        '#set page(paper: "a4", margin: (x: 2.5cm, y: 2.5cm))\n'
        + convert.TYPST_HEADER
        + f"#lorem({words})\n\n#leerlab-keep[\n#figure(table(columns: 2, table.header[A][B],\n"
        + rows
        + "), caption: [Tabel], kind: table)\n]\n",
        encoding="utf-8",
    )
    images, warnings = typst.compile_with_warnings(str(tmp_path / "t.typ"), format="png", ppi=30)
    images = images if isinstance(images, list) else [images]
    assert not warnings  # the layout settles (the mark does not move with the table)
    assert len(images) == pages
    assert empty[0] <= _empty_below(images[0]) <= empty[1]


READ_ONCE_MD = """\
## Samenvatting

Het lab ’s-Hertogenbosch scoort **hoger** dan het programma:

- ambitie 3,9 (programma 3,6)
- belangen 3,4

| schaal | gemiddelde |
|:-------|-----------:|
| ambitie | 3,9 |

: Scores {#tbl-scores}

Een zin met een voetnoot.[^1]

[^1]: De voetnoot.
"""


def test_a_reports_formats_read_its_markdown_once_and_are_the_same_documents(
    tmp_path: Path, monkeypatch
) -> None:
    # convert() has pandoc read the Markdown once (to its JSON AST) and writes every
    # format from that with the format's metadata file: the documents are the bytes
    # pandoc gives when it reads the Markdown with its front matter for each format
    from leerlab_research.report.engine import convert as conv

    calls: list[list[str]] = []
    real = conv.run_pandoc

    def counting(args, cwd, what, source_date_epoch=None):
        calls.append(list(args))
        return real(args, cwd, what, source_date_epoch)

    monkeypatch.setattr(conv, "run_pandoc", counting)
    meta = {"title": "Labrapport", "date": "3 juni 2024", "abstract": "Programma\\\nLab X",
            "abstract-title": "", "toc": True, "format": {"docx": {"shift-heading-level-by": -1},
            "typst": {"shift-heading-level-by": -1}}}  # fmt: skip
    work, out = tmp_path / "work", tmp_path / "out"
    work.mkdir()
    out.mkdir()
    for fmt in ("html", "docx", "pdf"):
        conv.convert(READ_ONCE_MD, fmt, metadata=meta, lang="nl", base_dir=work,
                     output=out / f"r.{fmt}", what="t", source_date_epoch=1717372800)  # fmt: skip
    reads = [c for c in calls if "--from=markdown" in c]
    assert len(reads) == 1 and len(calls) == 4
    # the old way: each format read the Markdown with its metadata as front matter
    for fmt, ext, to in (
        ("html", "html", "html5"),
        ("docx", "docx", "docx"),
        ("pdf", "typ", "typst"),
    ):
        args = next(c for c in calls if "--from=json" in c and f"--to={to}" in c)
        front = (work / f"r.{fmt}.yaml").read_text(encoding="utf-8")
        (work / f"old.{fmt}.md").write_text(f"---\n{front}---\n\n{READ_ONCE_MD}", encoding="utf-8")
        old = [f"old.{fmt}.md", "--from=markdown"]
        old += [a for a in args[3:] if not a.startswith("--output")]
        old.append(f"--output={tmp_path / f'old.{ext}'}")
        real(old, work, "old", 1717372800)
        new = out / f"r.{fmt}" if fmt != "pdf" else work / "r.typ"
        assert new.read_bytes() == (tmp_path / f"old.{ext}").read_bytes(), fmt


def test_a_worker_that_ignores_ctrl_c_still_does_after_a_notebook() -> None:
    # nbclient put Python's default SIGINT handler back after every execution: an idle
    # render worker then died of the user's Ctrl-C with a traceback of its own.
    import signal

    from leerlab_research.report.engine.execute import start_kernel

    before = signal.getsignal(signal.SIGINT)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        start_kernel()
        assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
    finally:
        signal.signal(signal.SIGINT, before)
