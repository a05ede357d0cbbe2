"""Unit tests of the fallback engine's pieces that need no kernel: parser, Markdown assembly."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from leerlab_research.errors import DataError
from leerlab_research.report.engine import CodeCell, MarkdownChunk, TemplateError, parse_qmd
from leerlab_research.report.engine.execute import (
    ExecutedBlock,
    ExecutedDocument,
    cell_options,
    parameters_source,
)
from leerlab_research.report.engine.markdown import (
    assemble,
    number_crossrefs,
    style_callouts,
)
from leerlab_research.report.engine.qmd import parameter_names

DOC = """\
---
title: "Rapport: test"
lang: nl
execute:
  echo: false
---

Intro over `{python} lab`.

```{python}
#| tags: [parameters]
lab = "Weert"
n: int = 3
```

````markdown
```{python}
print("not a cell: inside a Markdown code fence")
```
````

```{python}
#| label: fig-profile
#| fig-cap: "Profiel: het lab"
#| echo: true
import math
```

```{python}
#| output: asis
#| include: true
print("| a |\\n|---|\\n| 1 |")
```
"""


def test_front_matter_cells_and_options() -> None:
    doc = parse_qmd(DOC)
    assert doc.front_matter["title"] == "Rapport: test"
    assert doc.front_matter["execute"] == {"echo": False}
    cells = doc.cells
    assert [c.number for c in cells] == [1, 2, 3]
    assert cells[0].tags == ["parameters"] and doc.parameters_cell is cells[0]
    assert cells[1].options == {"label": "fig-profile", "fig-cap": "Profiel: het lab", "echo": True}
    assert cells[1].label == "fig-profile"
    assert cells[1].source == "import math"  # option lines are not part of the code
    assert cells[2].options["output"] == "asis"
    # line numbers point into the template
    assert DOC.splitlines()[cells[1].line - 1].startswith("```{python}")
    assert DOC.splitlines()[cells[1].code_line - 1] == "import math"
    # the fenced example stays Markdown
    markdown = "\n".join(b.text for b in doc.blocks if isinstance(b, MarkdownChunk))
    assert "not a cell" in markdown


def test_inline_expressions_and_parameter_names() -> None:
    doc = parse_qmd(DOC)
    first = doc.blocks[0]
    assert isinstance(first, MarkdownChunk)
    assert [(e.expr, e.line) for e in first.inline] == [("lab", 8)]
    assert parameter_names(doc.cells[0]) == ["lab", "n"]


def test_effective_options_merge_front_matter_and_cell() -> None:
    doc = parse_qmd(DOC)
    assert cell_options(doc.cells[0], doc.front_matter)["echo"] is False
    assert cell_options(doc.cells[1], doc.front_matter)["echo"] is True
    assert cell_options(doc.cells[1], {})["echo"] is True  # Quarto's default


def test_no_front_matter() -> None:
    doc = parse_qmd("# Kop\n\n```{python}\nx = 1\n```\n")
    assert doc.front_matter == {} and len(doc.cells) == 1 and doc.parameters_cell is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("```{python}\n#| echo false\nx = 1\n```\n", "line 2: cell option '#| echo false' is not"),
        (
            "```{python}\n#| label: fig-a\n#| echo: maybe\n```\n",
            "line 3: cell option 'echo' must be true",
        ),
        (
            "```{python}\n#| output: raw\n```\n",
            "line 2: cell option 'output' must be true, false or asis",
        ),
        ('```{python}\n#| echo: true\n#| fig-cap: "open\n```\n', "line 3"),
        ("```{python}\n#| label: fig a\n```\n", "line 2: cell option 'label'"),
        ("```{python}\nx = 1\n", "line 1: the {python} cell is never closed"),
        ("```{r}\nx <- 1\n```\n", "line 1: '{r}' cells are not supported"),
        ("```{python echo=FALSE}\nx = 1\n```\n", "line 1: put cell options on '#| key: value'"),
        ("---\ntitle: a\n", "line 1: front matter '---' is never closed"),
        ("---\ntitle: [a\n---\n", "front matter is not valid YAML"),
        (
            "```{python}\n#| tags: [parameters]\n```\n\n```{python}\n#| tags: [parameters]\n```\n",
            "line 5: a second cell tagged 'parameters'",
        ),
        ("Text\n\n{{< include other.qmd >}}\n", "line 3: shortcode {{< include other.qmd >}}"),
    ],
)
def test_malformed_templates_name_the_line(text: str, message: str) -> None:
    with pytest.raises(TemplateError) as info:
        parse_qmd(text, name="bad.qmd")
    assert "template 'bad.qmd'" in str(info.value)
    assert message in str(info.value)
    assert isinstance(info.value, DataError)


def test_parse_reads_a_path(tmp_path: Path) -> None:
    path = tmp_path / "t.qmd"
    path.write_text("---\ntitle: x\n---\n\n```{python}\n#| echo: oops\n```\n", encoding="utf-8")
    with pytest.raises(TemplateError, match=r"t\.qmd', line 6"):
        parse_qmd(path)


def test_parameters_source_is_valid_python() -> None:
    source = parameters_source(
        {"lab": "'s-Hertogenbosch", "n": 3, "flags": [True, None], "p": Path("/x")}
    )
    namespace: dict[str, object] = {}
    exec(source, namespace)  # noqa: S102 - the point of the test
    assert namespace["lab"] == "'s-Hertogenbosch" and namespace["n"] == 3
    assert namespace["flags"] == [True, None] and namespace["p"] == "/x"


# ---------------------------------------------------------------- cross-references


def test_crossrefs_are_numbered_in_order_with_dutch_labels() -> None:
    text = (
        "Zie @fig-b, [@fig-a] en tabel [-@tbl-x].\n\n"
        "![Eerste](a.png){#fig-a}\n\n"
        "| a |\n|---|\n| 1 |\n\n: Aantallen {#tbl-x}\n\n"
        '![Tweede](b.png){#fig-b width=50% fig-alt="Twee staven"}\n\n'
        "```python\n# @fig-a stays in code\n```\n\n"
        "Onbekend: @fig-zzz; mail@fig-a.nl blijft."
    )
    warnings: list[str] = []
    out = number_crossrefs(text, "nl", warnings, "t.qmd")
    # pandoc's alt text: fig-alt as Quarto shows it, else the unnumbered caption
    assert '![Figuur 1: Eerste](a.png){#fig-a alt="Eerste"}' in out
    assert '![Figuur 2: Tweede](b.png){#fig-b width=50% alt="Twee staven"}' in out
    assert ": Tabel 1: Aantallen {#tbl-x}" in out
    assert "Zie Figuur\u00a02, Figuur\u00a01 en tabel 1." in out
    assert "# @fig-a stays in code" in out
    assert "?@fig-zzz" in out and "mail@fig-a.nl" in out
    assert warnings == ["template 't.qmd': unknown cross-reference @fig-zzz"]


def test_crossrefs_in_english() -> None:
    out = number_crossrefs("@tbl-t\n\n: T {#tbl-t}", "en", [])
    assert out.startswith("Table\u00a01") and ": Table 1: T {#tbl-t}" in out


def test_callouts_get_a_title_per_format() -> None:
    text = '::: {.callout-warning title="Let op: klein n"}\nTekst.\n:::\n\n::: {.callout-note}\n## Eigen titel\nMeer.\n:::'
    html = style_callouts(text, "html", "nl")
    assert "{.callout .callout-warning}" in html and "[Let op: klein n]{.callout-title}" in html
    assert "[Eigen titel]{.callout-title}" in html and "## Eigen titel" not in html
    pdf = style_callouts(text, "pdf", "nl")
    assert pdf.count("#block(") == 2 and pdf.count("```{=typst}\n]\n```") == 2
    docx = style_callouts("::: {.callout-tip}\nx\n:::", "docx", "en")
    assert 'custom-style="Callout"' in docx and "**Tip**" in docx


# ---------------------------------------------------------------- assembly


PNG = base64.b64encode(
    bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
        "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
    )
).decode()


def _executed() -> ExecutedDocument:
    text = (
        "---\nexecute:\n  echo: false\n---\n\nSee @fig-p.\n\n{{< pagebreak >}}\n\n"
        "```{python}\n#| echo: true\n#| label: fig-p\n#| fig-cap: A plot\nplot()\n```\n\n"
        "```{python}\n#| output: asis\nprint(table)\n```\n\n"
        "```{python}\n#| include: false\nhidden()\n```\n\n"
        "```{python}\nvalue\n```\n"
    )
    doc = parse_qmd(text, name="a.qmd")
    blocks = [ExecutedBlock(block=b) for b in doc.blocks]
    cells = [b for b in blocks if isinstance(b.block, CodeCell)]
    for block in cells:
        block.options = cell_options(block.block, doc.front_matter)  # type: ignore[arg-type]
    cells[0].outputs = [
        {"output_type": "display_data", "data": {"image/png": PNG, "text/plain": "<Figure>"}},
        {"output_type": "execute_result", "data": {"image/png": PNG}},  # same figure again
    ]
    cells[1].outputs = [
        {"output_type": "stream", "name": "stdout", "text": "| a |\n|---|\n| 1 |\n"}
    ]
    cells[2].outputs = [{"output_type": "stream", "name": "stdout", "text": "secret\n"}]
    cells[3].outputs = [
        {"output_type": "execute_result", "data": {"text/plain": "None"}},
        {"output_type": "execute_result", "data": {"text/plain": "42"}},
        {"output_type": "stream", "name": "stdout", "text": "printed\n"},
    ]
    return ExecutedDocument(name="a.qmd", metadata=doc.front_matter, blocks=blocks)


def test_assemble_outputs(tmp_path: Path) -> None:
    figures = tmp_path / "a_files" / "figure"
    md, warnings = assemble(_executed(), "html", lang="nl", figure_dir=figures, base_dir=tmp_path)
    assert warnings == []
    assert "```` {.python}" not in md and "``` {.python}\nplot()\n```" in md  # options stripped
    assert md.count('![Figuur 1: A plot](a_files/figure/cell-1-1.png){#fig-p alt="A plot"}') == 1
    assert (figures / "cell-1-1.png").read_bytes().startswith(b"\x89PNG")
    assert "See Figuur\u00a01." in md
    assert "\n| a |\n|---|\n| 1 |" in md  # asis: raw Markdown, not a code block
    assert "secret" not in md and "hidden()" not in md
    assert "None" not in md and "::: {.cell-output}\n```\n42\n```\n:::" in md
    assert "::: {.cell-output}\n```\nprinted\n```\n:::" in md
    assert '<div class="page-break"></div>' in md


def test_assemble_pagebreak_per_format(tmp_path: Path) -> None:
    docx, _ = assemble(_executed(), "docx", lang="nl", figure_dir=tmp_path / "f", base_dir=tmp_path)
    pdf, _ = assemble(_executed(), "pdf", lang="en", figure_dir=tmp_path / "f", base_dir=tmp_path)
    assert '<w:br w:type="page"/>' in docx and "#pagebreak()" not in docx
    assert "#pagebreak()" in pdf and "![Figure 1: A plot]" in pdf
