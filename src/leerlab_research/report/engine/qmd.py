"""A small parser for the subset of Quarto ``.qmd`` that the report templates use.

Why hand-written: the libraries that read ``.qmd`` (jupytext's ``quarto``
format, ``quarto convert``) shell out to the Quarto CLI, which is exactly what
is missing when the fallback engine runs. The format itself is simple: YAML
front matter, Markdown, and fenced ``{python}`` cells whose options are
``#| key: value`` lines at the top of the cell. Everything else (Markdown
syntax, tables, divs) is left to pandoc.

See ``docs/quarto-subset.md`` for what templates may use.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import TemplateError

# Options a ``{python}`` cell may carry, with the check applied to the value.
_BOOL_OPTIONS = {"echo", "eval", "include", "warning", "error"}
_STR_OPTIONS = {"label", "fig-cap", "fig-alt", "tbl-cap"}
# Accepted for Quarto compatibility but without effect in the fallback; a
# render lists them in its warnings so template authors are not surprised.
IGNORED_OPTIONS = frozenset(
    {
        "code-fold",
        "code-summary",
        "code-overflow",
        "fig-width",
        "fig-height",
        "fig-align",
        "fig-pos",
        "fig-format",
        "fig-dpi",
        "classes",
        "lst-label",
        "lst-cap",
        "tbl-colwidths",
    }
)
KNOWN_OPTIONS = frozenset(_BOOL_OPTIONS | _STR_OPTIONS | {"output", "tags"} | IGNORED_OPTIONS)
EXECUTE_KEYS = ("echo", "eval", "output", "include", "warning", "error")
EXECUTE_DEFAULTS: dict[str, Any] = {
    "echo": True,  # Quarto's default; templates set `execute: echo: false`
    "eval": True,
    "output": True,
    "include": True,
    "warning": True,
    "error": False,
}

_LABEL_RE = re.compile(r"^[A-Za-z][\w-]*$")
_CELL_OPEN_RE = re.compile(r"^(?P<fence>`{3,})\s*\{(?P<lang>[A-Za-z][\w+-]*)(?P<rest>[^}]*)\}\s*$")
_MD_FENCE_RE = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}|~{3,})")
_OPTION_LINE_RE = re.compile(r"^#\|(?P<body>.*)$")
_OPTION_KEY_RE = re.compile(r"^[A-Za-z][\w-]*\s*:")
_SHORTCODE_RE = re.compile(r"\{\{<\s*(?P<name>[\w-]+)[^>]*>\}\}")
INLINE_EXPR_RE = re.compile(r"`\{python\}\s+(?P<expr>[^`]+?)\s*`")


@dataclass(frozen=True)
class InlineExpr:
    """An inline expression `` `{python} expr` `` in a Markdown chunk."""

    expr: str
    line: int


@dataclass(frozen=True)
class MarkdownChunk:
    """Markdown between code cells, kept verbatim for pandoc."""

    text: str
    line: int  # 1-based template line of the chunk's first line
    inline: tuple[InlineExpr, ...] = ()


@dataclass(frozen=True)
class CodeCell:
    """One ``{python}`` cell.

    Attributes
    ----------
    source
        The code without the ``#|`` option lines (what Quarto echoes).
    options
        Parsed ``#|`` options (validated types, see ``KNOWN_OPTIONS``).
    line
        1-based template line of the opening fence.
    code_line
        1-based template line of ``source``'s first line.
    number
        1-based position among the template's code cells.
    """

    source: str
    options: dict[str, Any]
    line: int
    code_line: int
    number: int

    @property
    def label(self) -> str | None:
        value = self.options.get("label")
        return str(value) if value is not None else None

    @property
    def tags(self) -> list[str]:
        return list(self.options.get("tags", []))

    def describe(self) -> str:
        """Human name for messages: ``cell 3 (label 'fig-x', line 42)``."""
        label = f"label '{self.label}', " if self.label else ""
        return f"cell {self.number} ({label}line {self.line})"


@dataclass
class QmdDocument:
    """A parsed template: front matter plus an ordered list of chunks and cells."""

    name: str
    front_matter: dict[str, Any]
    blocks: list[MarkdownChunk | CodeCell] = field(default_factory=list)

    @property
    def cells(self) -> list[CodeCell]:
        return [b for b in self.blocks if isinstance(b, CodeCell)]

    @property
    def parameters_cell(self) -> CodeCell | None:
        """The cell tagged ``parameters`` (papermill/Quarto convention), if any."""
        for cell in self.cells:
            if "parameters" in cell.tags:
                return cell
        return None


def parse_qmd(source: str | Path, name: str | None = None) -> QmdDocument:
    """Parse a ``.qmd`` file (a :class:`~pathlib.Path`) or its text (a ``str``).

    Parameters
    ----------
    source
        A path to read, or the template text itself.
    name
        Name used in error messages; default the path, or ``"<string>"``.

    Returns
    -------
    QmdDocument

    Raises
    ------
    TemplateError
        Malformed front matter, a malformed or mistyped ``#|`` option, an
        unterminated cell, a second ``parameters`` cell, or a cell in a
        language other than Python. The message names the template and line.
    """
    if isinstance(source, Path):
        name = name or str(source)
        try:
            text = source.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise TemplateError(f"template '{name}' cannot be read: {exc}") from exc
    else:
        text = source
        name = name or "<string>"
    lines = text.lstrip("\ufeff").splitlines()
    front_matter, start = _front_matter(lines, name)
    blocks = _blocks(lines, start, name)
    doc = QmdDocument(name=name, front_matter=front_matter, blocks=blocks)
    tagged = [c for c in doc.cells if "parameters" in c.tags]
    if len(tagged) > 1:
        raise TemplateError(
            f"template '{name}', line {tagged[1].line}: a second cell tagged 'parameters' "
            f"(the first is on line {tagged[0].line}); use one parameters cell"
        )
    return doc


def _front_matter(lines: list[str], name: str) -> tuple[dict[str, Any], int]:
    """Return the YAML front matter and the index of the first body line."""
    first = 0
    while first < len(lines) and not lines[first].strip():
        first += 1
    if first >= len(lines) or lines[first].rstrip() != "---":
        return {}, 0
    for end in range(first + 1, len(lines)):
        if lines[end].rstrip() in ("---", "..."):
            break
    else:
        raise TemplateError(
            f"template '{name}', line {first + 1}: front matter '---' is never closed"
        )
    block = "\n".join(lines[first + 1 : end])
    try:
        data = yaml.safe_load(block) if block.strip() else {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {first + 2 + mark.line}" if mark is not None else f"line {first + 1}"
        problem = getattr(exc, "problem", None) or str(exc)
        raise TemplateError(
            f"template '{name}', {where}: front matter is not valid YAML ({problem})"
        ) from exc
    if not isinstance(data, dict):
        raise TemplateError(
            f"template '{name}', line {first + 1}: front matter must be a YAML mapping of keys"
        )
    return data, end + 1


def _blocks(lines: list[str], start: int, name: str) -> list[MarkdownChunk | CodeCell]:
    blocks: list[MarkdownChunk | CodeCell] = []
    md: list[str] = []
    md_start = start
    md_fence: str | None = None  # inside a plain Markdown code fence: no cells there
    i = start
    number = 0

    def flush() -> None:
        nonlocal md
        if md:
            chunk_text = "\n".join(md)
            _check_shortcodes(chunk_text, md_start + 1, name)
            blocks.append(
                MarkdownChunk(
                    chunk_text, md_start + 1, tuple(_inline_exprs(chunk_text, md_start + 1))
                )
            )
        md = []

    while i < len(lines):
        line = lines[i]
        if md_fence is not None:
            stripped = line.strip()
            if stripped.startswith(md_fence) and set(stripped) == {md_fence[0]}:
                md_fence = None
            md.append(line)
            i += 1
            continue
        opened = _CELL_OPEN_RE.match(line)
        if opened:
            lang = opened["lang"].lower()
            if lang != "python":
                raise TemplateError(
                    f"template '{name}', line {i + 1}: '{{{opened['lang']}}}' cells are not "
                    "supported; the fallback engine runs only {python} cells"
                )
            if opened["rest"].strip():
                raise TemplateError(
                    f"template '{name}', line {i + 1}: put cell options on '#| key: value' lines "
                    f"inside the cell, not in the fence header ('{opened['rest'].strip()}')"
                )
            fence = opened["fence"]
            for end in range(i + 1, len(lines)):
                closing = lines[end].strip()
                if closing.startswith(fence) and set(closing) == {"`"}:
                    break
            else:
                raise TemplateError(
                    f"template '{name}', line {i + 1}: the {{python}} cell is never closed "
                    f"(no line with {fence})"
                )
            flush()
            number += 1
            blocks.append(_cell(lines[i + 1 : end], i + 1, number, name))
            i = end + 1
            md_start = i
            continue
        plain = _MD_FENCE_RE.match(line)
        if plain:
            md_fence = plain["fence"]
        md.append(line)
        i += 1
    flush()
    return blocks


def _cell(body: list[str], fence_line: int, number: int, name: str) -> CodeCell:
    """Build a cell from its body lines; ``fence_line`` is the 1-based fence line."""
    option_lines: list[str] = []
    for raw in body:
        matched = _OPTION_LINE_RE.match(raw)
        if not matched:
            break
        option_lines.append(
            matched["body"][1:] if matched["body"].startswith(" ") else matched["body"]
        )
    first_option_line = fence_line + 1
    for offset, opt in enumerate(option_lines):
        if opt and not opt[0].isspace() and not _OPTION_KEY_RE.match(opt):
            raise TemplateError(
                f"template '{name}', line {first_option_line + offset}: cell option "
                f"'#| {opt}' is not of the form '#| key: value'"
            )
    options: dict[str, Any] = {}
    if option_lines:
        try:
            parsed = yaml.safe_load("\n".join(option_lines))
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line_no = first_option_line + (mark.line if mark is not None else 0)
            problem = getattr(exc, "problem", None) or str(exc)
            raise TemplateError(
                f"template '{name}', line {line_no}: cell option is not valid YAML ({problem})"
            ) from exc
        if parsed is not None and not isinstance(parsed, dict):
            raise TemplateError(
                f"template '{name}', line {first_option_line}: cell options must be "
                "'#| key: value' lines"
            )
        options = parsed or {}
        for key, value in options.items():
            line_no = first_option_line + _option_offset(option_lines, key)
            options[key] = _check_option(str(key), value, f"template '{name}', line {line_no}")
    source = "\n".join(body[len(option_lines) :])
    return CodeCell(
        source=source,
        options=options,
        line=fence_line,
        code_line=fence_line + 1 + len(option_lines),
        number=number,
    )


def _option_offset(option_lines: list[str], key: object) -> int:
    for offset, opt in enumerate(option_lines):
        if re.match(rf"^{re.escape(str(key))}\s*:", opt):
            return offset
    return 0


def _check_option(key: str, value: Any, where: str) -> Any:
    """Validate one cell option's value; return it normalised."""
    if key in _BOOL_OPTIONS:
        if not isinstance(value, bool):
            raise TemplateError(
                f"{where}: cell option '{key}' must be true or false, not {value!r}"
            )
    elif key == "output":
        if value not in (True, False, "asis"):
            raise TemplateError(
                f"{where}: cell option 'output' must be true, false or asis, not {value!r}"
            )
    elif key == "label":
        if not isinstance(value, str) or not _LABEL_RE.match(value):
            raise TemplateError(
                f"{where}: cell option 'label' must be a name like fig-profile, not {value!r}"
            )
    elif key in _STR_OPTIONS:
        if not isinstance(value, (str, int, float)):
            raise TemplateError(f"{where}: cell option '{key}' must be text, not {value!r}")
        value = str(value)
    elif key == "tags":
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(t, str) for t in value):
            raise TemplateError(f"{where}: cell option 'tags' must be a list such as [parameters]")
    return value


def _check_shortcodes(text: str, first_line: int, name: str) -> None:
    """Only ``{{< pagebreak >}}`` (on its own line) is supported; others are errors."""
    for match in _SHORTCODE_RE.finditer(text):
        line = first_line + text.count("\n", 0, match.start())
        own_line = text.split("\n")[line - first_line].strip() == match.group(0)
        if match["name"] != "pagebreak" or not own_line:
            raise TemplateError(
                f"template '{name}', line {line}: shortcode {match.group(0)} is not supported "
                "(only {{< pagebreak >}} on a line of its own)"
            )


def _inline_exprs(text: str, first_line: int) -> list[InlineExpr]:
    found = []
    for match in INLINE_EXPR_RE.finditer(text):
        line = first_line + text.count("\n", 0, match.start())
        found.append(InlineExpr(match["expr"], line))
    return found


def unknown_options(cell: CodeCell) -> list[str]:
    """Options of ``cell`` the fallback does not know or ignores (for warnings)."""
    return sorted(k for k in cell.options if k not in KNOWN_OPTIONS or k in IGNORED_OPTIONS)


def parameter_names(cell: CodeCell) -> list[str]:
    """Names assigned at the top level of the parameters cell (for a papermill-like check)."""
    try:
        tree = ast.parse(cell.source)
    except SyntaxError:
        return []
    names: list[str] = []
    for node in tree.body:
        targets = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AnnAssign):
            targets = [node.target]
        for target in targets:
            if isinstance(target, ast.Name):
                names.append(target.id)
    return names
