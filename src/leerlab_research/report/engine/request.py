"""Request and result types of the render engine."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from ...errors import ConfigError

FORMATS = ("html", "docx", "pdf")
ENGINES = ("auto", "quarto", "fallback")
#: 1980-01-01 UTC, the earliest time a zip (DOCX) member can carry.
ZIP_EPOCH = 315532800


def epoch_from_env(default: int) -> int:
    """``SOURCE_DATE_EPOCH`` (reproducible-builds.org) when set, else ``default``.

    Raises
    ------
    ConfigError
        When the variable is set but is not whole seconds since 1970 (exit 2).
    """
    env = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not env:
        return default
    if not env.isdigit():
        raise ConfigError(f"SOURCE_DATE_EPOCH must be whole seconds since 1970, got {env!r}")
    return max(int(env), ZIP_EPOCH)


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
    source_date_epoch
        The creation time written into DOCX and PDF files (seconds since 1970,
        as ``SOURCE_DATE_EPOCH``); None leaves pandoc and Typst their clock.
    weight
        The report's expected cost relative to others (1 = ordinary):
        :func:`~.core.render_many` starts the heaviest first, so that no long
        report is left for one worker while the others idle.
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
    source_date_epoch: int | None = None
    weight: float = 1.0


@dataclass
class RenderResult:
    """What a render produced: output files (in ``formats`` order), the engine used, warnings."""

    outputs: list[Path]
    engine: str
    warnings: list[str] = field(default_factory=list)
