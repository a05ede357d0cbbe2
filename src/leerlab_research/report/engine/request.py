"""Request and result types of the render engine."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

FORMATS = ("html", "docx", "pdf")
ENGINES = ("auto", "quarto", "fallback")


@dataclass
class RenderRequest:
    """One report to render.

    Attributes
    ----------
    template
        A ``.qmd`` file. Its folder may be read-only: renders work on a copy.
        A sibling ``_quarto.yml`` is merged in as project metadata.
    output_dir
        Folder that receives ``<output_stem>.html/.docx/.pdf``.
    output_stem
        File name without extension, e.g. ``"lab-s-hertogenbosch"``.
    params
        Values injected after the ``parameters``-tagged cell (papermill style).
    formats
        Subset of ``["html", "docx", "pdf"]``.
    lang
        Document language (``nl``/``en``): cross-reference labels, hyphenation,
        ``lang`` attribute in all formats.
    metadata
        Overrides the front matter (like ``quarto -M``), e.g. ``{"title": …}``.
    engine
        ``"auto"`` (Quarto when found, else the fallback), ``"quarto"`` or
        ``"fallback"``.
    workdir
        The kernel's working directory; default the render's temporary copy of
        the template folder (Quarto also runs code in the document's folder).
        With the Quarto route the temporary copy is created inside ``workdir``.
    timeout
        Seconds one cell may run (fallback) / one ``quarto render`` call is
        allowed, times the number of cells is not tracked there.
    """

    template: Path
    output_dir: Path
    output_stem: str
    params: dict[str, object]
    formats: list[str]
    lang: str = "nl"
    metadata: dict[str, object] = field(default_factory=dict)
    engine: str = "auto"
    workdir: Path | None = None
    timeout: int = 600


@dataclass
class RenderResult:
    """What a render produced: output files (in ``formats`` order), the engine used, warnings."""

    outputs: list[Path]
    engine: str
    warnings: list[str] = field(default_factory=list)
