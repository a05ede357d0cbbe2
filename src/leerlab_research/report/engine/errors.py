"""Errors raised by the render engine.

Both derive from :class:`leerlab_research.errors.DataError`, so the CLI prints
them as one clear message (exit code 1) instead of a traceback.
"""

from __future__ import annotations

from ...errors import DataError


class RenderError(DataError):
    """A report could not be rendered: a cell failed, pandoc/Typst/Quarto failed.

    The message names the template and, for a failing cell, the cell's number,
    label and template line, plus the exception type and message.
    """


class TemplateError(RenderError):
    """A ``.qmd`` template cannot be parsed (front matter, cell options, fences).

    The message names the template file and the line.
    """
