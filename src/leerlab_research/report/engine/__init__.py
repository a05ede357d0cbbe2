"""Render engine for the Quarto report templates: Quarto when present, else a fallback.

>>> from leerlab_research.report.engine import render, RenderRequest
>>> render(RenderRequest(template=Path("reports/lab-report.qmd"), output_dir=Path("out"),
...        output_stem="lab-weert", params={"lab": "weert"}, formats=["html"]))  # doctest: +SKIP

The fallback parses the ``.qmd`` itself (:mod:`.qmd`), executes it with
nbclient (:mod:`.execute`), assembles Markdown with numbered figures and
tables (:mod:`.markdown`) and converts it with pandoc and Typst
(:mod:`.convert`). ``docs/quarto-subset.md`` lists the supported Quarto
features.
"""

from .core import RenderPool, merged_metadata, quarto_executable, render, render_many
from .errors import RenderError, TemplateError
from .qmd import CodeCell, MarkdownChunk, QmdDocument, parse_qmd
from .request import FORMATS, RenderRequest, RenderResult

__all__ = [
    "FORMATS",
    "CodeCell",
    "MarkdownChunk",
    "QmdDocument",
    "RenderError",
    "RenderPool",
    "RenderRequest",
    "RenderResult",
    "TemplateError",
    "merged_metadata",
    "parse_qmd",
    "quarto_executable",
    "render",
    "render_many",
]
