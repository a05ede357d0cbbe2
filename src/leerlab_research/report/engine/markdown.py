"""Turn an executed template into pandoc Markdown for one output format.

What Quarto does through its own Lua filters is done here as text rewriting,
because plain pandoc has no cross-reference or callout support:

* cell outputs → Markdown (code blocks, raw ``asis`` text, figures written as
  PNG files, Markdown outputs as is);
* figure and table numbering with the document language's labels
  ("Figuur 1" / "Tabel 1" for ``nl``), and ``@fig-x`` / ``@tbl-x`` replaced by
  those labels, because pandoc without a crossref filter would print them as
  citations;
* callouts (``::: {.callout-note}``) with a title, styled per format;
* the ``{{< pagebreak >}}`` shortcode as a raw page break per format.
"""

from __future__ import annotations

import base64
import re
from pathlib import Path
from typing import Any

from .execute import ExecutedBlock, ExecutedDocument
from .qmd import INLINE_EXPR_RE, CodeCell, MarkdownChunk

CROSSREF_LABELS = {
    "nl": {"fig": "Figuur", "tbl": "Tabel"},
    "en": {"fig": "Figure", "tbl": "Table"},
}
CALLOUT_TITLES = {
    "nl": {
        "note": "Opmerking",
        "tip": "Tip",
        "warning": "Waarschuwing",
        "important": "Belangrijk",
        "caution": "Let op",
    },
    "en": {
        "note": "Note",
        "tip": "Tip",
        "warning": "Warning",
        "important": "Important",
        "caution": "Caution",
    },
}
CALLOUT_COLOURS = {  # colour-blind-safe (Okabe–Ito) accents
    "note": "#0072B2",
    "tip": "#009E73",
    "warning": "#E69F00",
    "important": "#CC79A7",
    "caution": "#D55E00",
}

_FIGURE_RE = re.compile(
    r"!\[(?P<cap>(?:[^\[\]]|\[[^\]]*\])*)\]\((?P<src>[^)]*)\)"
    r"\{(?P<attrs>[^}]*?#(?P<id>fig-[\w-]*\w)[^}]*)\}"
)
_TABLE_CAPTION_RE = re.compile(
    r"^(?P<lead>:|Table:)[ \t]+(?P<cap>.*?)[ \t]*\{(?P<attrs>[^}\n]*?#(?P<id>tbl-[\w-]*\w)[^}\n]*)\}[ \t]*$",
    re.MULTILINE,
)
_FIG_ALT_RE = re.compile(r'(?<![\w-])fig-alt="(?P<alt>[^"]*)"')
_REF_RE = re.compile(
    r"\[(?P<bare>-?)@(?P<bid>(?:fig|tbl)-[\w-]*\w)\]|(?<![\w@])@(?P<id>(?:fig|tbl)-[\w-]*\w)"
)
_FENCE_RE = re.compile(r"^(`{3,}|~{3,})")
_DIV_OPEN_RE = re.compile(r"^(?P<colons>:{3,})\s*(?:\{(?P<attrs>[^}]*)\}|(?P<cls>[\w-]+))\s*$")
_DIV_CLOSE_RE = re.compile(r"^:{3,}\s*$")
_CALLOUT_RE = re.compile(r"\.callout-(?P<kind>note|tip|warning|important|caution)\b")
_TITLE_ATTR_RE = re.compile(r"""title=(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)')""")
_HEADING_RE = re.compile(r"^#{1,6}\s+(?P<title>.+?)\s*#*\s*$")
_PAGEBREAK_RE = re.compile(r"^\s*\{\{<\s*pagebreak\s*>\}\}\s*$", re.MULTILINE)

PAGEBREAK = {
    "html": '```{=html}\n<div class="page-break"></div>\n```',
    "docx": '```{=openxml}\n<w:p><w:r><w:br w:type="page"/></w:r></w:p>\n```',
    "pdf": "```{=typst}\n#pagebreak()\n```",
}


def crossref_labels(lang: str) -> dict[str, str]:
    """Figure/table labels for ``lang`` (``nl``, ``en``; other languages get English)."""
    return CROSSREF_LABELS.get(lang.split("-")[0].lower(), CROSSREF_LABELS["en"])


def assemble(
    executed: ExecutedDocument,
    fmt: str,
    *,
    lang: str,
    figure_dir: Path,
    base_dir: Path,
) -> tuple[str, list[str]]:
    """Build the Markdown body for ``fmt`` (``html``, ``docx`` or ``pdf``).

    Parameters
    ----------
    executed
        The executed template.
    fmt
        Target format; decides page breaks and callout styling.
    lang
        Document language for "Figuur"/"Figure" labels.
    figure_dir
        Folder (inside ``base_dir``) where figure PNGs are written.
    base_dir
        Folder pandoc runs in; figure paths are written relative to it.

    Returns
    -------
    tuple[str, list[str]]
        The Markdown and a list of warnings (unknown references, ignored
        outputs).
    """
    warnings: list[str] = []
    parts: list[str] = []
    for block in executed.blocks:
        if isinstance(block.block, MarkdownChunk):
            parts.append(_markdown_chunk(block, fmt))
        else:
            parts.append(_code_cell(block, executed.name, figure_dir, base_dir, warnings))
    text = "\n\n".join(p for p in parts if p.strip())
    text = number_crossrefs(text, lang, warnings, executed.name)
    text = style_callouts(text, fmt, lang)
    return text + "\n", warnings


def _markdown_chunk(block: ExecutedBlock, fmt: str) -> str:
    assert isinstance(block.block, MarkdownChunk)
    values = iter(block.inline_values)
    text = INLINE_EXPR_RE.sub(lambda _m: next(values, ""), block.block.text)
    return _PAGEBREAK_RE.sub(lambda _m: PAGEBREAK[fmt], text)


def _fenced(text: str, cls: str) -> str:
    """A fenced code block that survives backticks inside ``text``.

    Only ``python`` is put on the code block itself; output blocks get their
    class from a wrapping div, because pandoc looks up every code-block class
    as a highlighting language, and an unknown one costs it most of a second.
    """
    longest = max((len(m) for m in re.findall(r"`{3,}", text)), default=2)
    fence = "`" * max(3, longest + 1)
    if cls == "python":
        return f"{fence} {{.python}}\n{text.rstrip()}\n{fence}"
    return f"::: {{.{cls}}}\n{fence}\n{text.rstrip()}\n{fence}\n:::"


def _code_cell(
    block: ExecutedBlock,
    template: str,
    figure_dir: Path,
    base_dir: Path,
    warnings: list[str],
) -> str:
    cell = block.block
    assert isinstance(cell, CodeCell)
    opts = block.options
    if not opts.get("include", True):
        return ""
    out: list[str] = []
    if opts.get("echo") and cell.source.strip():
        out.append(_fenced(cell.source.strip("\n"), "python"))
    output_mode = opts.get("output", True)
    if output_mode is not False:
        out.extend(
            _outputs(block, cell, output_mode == "asis", template, figure_dir, base_dir, warnings)
        )
    label = cell.label or ""
    if label.startswith("tbl-") and opts.get("tbl-cap"):
        # A pandoc table caption must follow the table directly: the asis
        # Markdown table the cell printed is the last thing emitted.
        out.append(f": {opts['tbl-cap']} {{#{label}}}")
    elif label.startswith("fig-") and not any("{#" + label in part for part in out):
        warnings.append(
            f"template '{template}': {cell.describe()} has label {label} but made no figure"
        )
    return "\n\n".join(out)


def shown_outputs(block: ExecutedBlock) -> list[dict[str, Any]]:
    """The outputs of a cell that a report shows, on both routes.

    Standard error is left out under ``warning: false``, and a figure shown twice
    (``plt.show()``, then the ``Figure`` as the cell's last value) is shown once.
    """
    shown: list[dict[str, Any]] = []
    seen: set[str] = set()
    for output in block.outputs:
        is_stderr = output.get("output_type") == "stream" and output.get("name") == "stderr"
        if is_stderr and not block.options.get("warning", True):
            continue
        png = output.get("data", {}).get("image/png")
        if png is not None:
            if png in seen:
                continue
            seen.add(png)
        shown.append(output)
    return shown


def _outputs(
    block: ExecutedBlock,
    cell: CodeCell,
    asis: bool,
    template: str,
    figure_dir: Path,
    base_dir: Path,
    warnings: list[str],
) -> list[str]:
    out: list[str] = []
    images = 0
    stream_buffer: dict[str, list[str]] = {"stdout": [], "stderr": []}

    def flush_streams() -> None:
        for name, chunks in stream_buffer.items():
            if chunks:
                text = "".join(chunks)
                if asis and name == "stdout":
                    out.append(text.strip("\n"))
                elif text.strip():
                    out.append(_fenced(text, "cell-output" if name == "stdout" else "cell-stderr"))
                chunks.clear()

    for output in shown_outputs(block):
        kind = output.get("output_type")
        if kind == "stream":
            name = output.get("name", "stdout")
            stream_buffer.setdefault(name, []).append(output.get("text", ""))
            continue
        flush_streams()
        if kind == "error":
            out.append(_fenced(f"{output.get('ename')}: {output.get('evalue')}", "cell-error"))
            continue
        data: dict[str, Any] = output.get("data", {})
        if "text/markdown" in data:
            out.append(str(data["text/markdown"]).strip("\n"))
        elif "image/png" in data:
            payload = data["image/png"]
            images += 1
            out.append(
                _figure(payload, cell, block, images, figure_dir, base_dir, warnings, template)
            )
        elif "text/plain" in data:
            text = str(data["text/plain"])
            if text == "None":
                continue
            if "text/html" in data and not asis:
                warnings.append(
                    f"template '{template}': {cell.describe()} produced HTML output (e.g. a pandas "
                    "table); its plain-text form is shown. Print Markdown with output: asis instead"
                )
            out.append(text if asis else _fenced(text, "cell-output"))
        elif data:
            warnings.append(
                f"template '{template}': {cell.describe()} output of type "
                f"{', '.join(sorted(data))} is not supported and left out"
            )
    flush_streams()
    return out


def _figure(
    payload: str,
    cell: CodeCell,
    block: ExecutedBlock,
    number: int,
    figure_dir: Path,
    base_dir: Path,
    warnings: list[str],
    template: str,
) -> str:
    figure_dir.mkdir(parents=True, exist_ok=True)
    path = figure_dir / f"cell-{cell.number}-{number}.png"
    if not path.exists():
        path.write_bytes(base64.b64decode(payload))
    rel = path.relative_to(base_dir).as_posix()
    caption = str(block.options.get("fig-cap", "") or "")
    label = cell.label or ""
    attrs = []
    if label.startswith("fig-") and number == 1:
        attrs.append(f"#{label}")
    elif label.startswith("fig-"):
        warnings.append(
            f"template '{template}': {cell.describe()} drew more than one figure; only the "
            "first gets the label and caption (one figure per labelled cell)"
        )
        caption = ""
    if block.options.get("fig-alt"):
        alt = str(block.options["fig-alt"]).replace('"', "'")
        attrs.append(f'fig-alt="{alt}"')
    attr_text = "{" + " ".join(attrs) + "}" if attrs else ""
    # An image alone in a paragraph with a caption becomes a pandoc Figure.
    return f"![{caption}]({rel}){attr_text}"


def _outside_code(text: str) -> list[tuple[bool, str]]:
    """Split ``text`` into (is_code, piece) by fenced code blocks."""
    pieces: list[tuple[bool, str]] = []
    current: list[str] = []
    fence: str | None = None
    for line in text.split("\n"):
        match = _FENCE_RE.match(line)
        if fence is None and match:
            if current:
                pieces.append((False, "\n".join(current)))
            current = [line]
            fence = match.group(1)
        elif (
            fence is not None and line.strip().startswith(fence) and set(line.strip()) == {fence[0]}
        ):
            current.append(line)
            pieces.append((True, "\n".join(current)))
            current = []
            fence = None
        else:
            current.append(line)
    if current:
        pieces.append((fence is not None, "\n".join(current)))
    return pieces


def alt_attribute(attrs: str, caption: str) -> str:
    """Figure attributes with the alt text as pandoc's ``alt``, as Quarto shows it.

    pandoc takes a figure's alt text from its ``alt`` attribute and else from the
    (numbered) caption; it knows no ``fig-alt``. Quarto shows ``fig-alt``, and the
    Quarto route gives a figure without one its unnumbered caption, so the
    fallback does the same.
    """
    if _FIG_ALT_RE.search(attrs):
        return _FIG_ALT_RE.sub(lambda m: f'alt="{m["alt"]}"', attrs)
    text = caption.strip().replace('"', "'")
    if text and "alt=" not in attrs:
        return f'{attrs} alt="{text}"'
    return attrs


def number_crossrefs(text: str, lang: str, warnings: list[str], template: str = "") -> str:
    """Number labelled figures and tables in order and resolve ``@fig-``/``@tbl-`` refs.

    A caption becomes ``"Figuur 1: caption"``; ``@fig-x`` becomes
    ``"Figuur 1"`` and ``[-@fig-x]`` just ``"1"``. An unknown reference is
    shown as ``?@fig-x`` (as Quarto does) and reported in ``warnings``.
    """
    labels = crossref_labels(lang)
    numbers: dict[str, str] = {}
    counters = {"fig": 0, "tbl": 0}
    pieces = _outside_code(text)

    def number(kind: str, ident: str) -> int:
        if ident in numbers:
            warnings.append(f"template '{template}': label {ident} is used twice")
        counters[kind] += 1
        numbers[ident] = str(counters[kind])
        return counters[kind]

    def figure(match: re.Match[str]) -> str:
        n = number("fig", match["id"])
        cap = match["cap"]
        new_cap = f"{labels['fig']} {n}: {cap}" if cap.strip() else f"{labels['fig']} {n}"
        return f"![{new_cap}]({match['src']}){{{alt_attribute(match['attrs'], cap)}}}"

    def table(match: re.Match[str]) -> str:
        n = number("tbl", match["id"])
        return f"{match['lead']} {labels['tbl']} {n}: {match['cap']} {{{match['attrs']}}}"

    # Numbering is in document order, figures and tables counted separately.
    pieces = [
        (code, piece if code else _TABLE_CAPTION_RE.sub(table, _FIGURE_RE.sub(figure, piece)))
        for code, piece in pieces
    ]

    def ref(match: re.Match[str]) -> str:
        ident = match["bid"] or match["id"]
        if ident not in numbers:
            warnings.append(f"template '{template}': unknown cross-reference @{ident}")
            return f"?@{ident}"
        kind = ident.split("-", 1)[0]
        if match["bare"]:
            return numbers[ident]
        return f"{labels[kind]}\u00a0{numbers[ident]}"

    return "\n".join(piece if code else _REF_RE.sub(ref, piece) for code, piece in pieces)


def style_callouts(text: str, fmt: str, lang: str) -> str:
    """Give callout divs a title and a per-format look.

    HTML keeps the div (styled by the CSS); DOCX maps it to a paragraph style
    ``Callout`` (define it in a reference doc to style it); PDF wraps it in a
    Typst block with a coloured rule, because pandoc's Typst writer drops
    div classes.
    """
    titles = CALLOUT_TITLES.get(lang.split("-")[0].lower(), CALLOUT_TITLES["en"])
    lines = text.split("\n")
    result: list[str] = []
    stack: list[str | None] = []  # callout kind per open div, None for other divs
    fence: str | None = None
    i = 0
    while i < len(lines):
        line = lines[i]
        match = _FENCE_RE.match(line)
        if fence is not None:
            if line.strip().startswith(fence) and set(line.strip()) == {fence[0]}:
                fence = None
            result.append(line)
            i += 1
            continue
        if match:
            fence = match.group(1)
            result.append(line)
            i += 1
            continue
        opened = _DIV_OPEN_RE.match(line)
        if opened:
            attrs = opened["attrs"] or ""
            callout = _CALLOUT_RE.search(attrs)
            if not callout:
                stack.append(None)
                result.append(line)
                i += 1
                continue
            kind = callout["kind"]
            stack.append(kind)
            title_attr = _TITLE_ATTR_RE.search(attrs)
            title = (title_attr["dq"] or title_attr["sq"]) if title_attr else None
            # Quarto takes a heading at the top of the callout as its title.
            j = i + 1
            while j < len(lines) and not lines[j].strip():
                j += 1
            heading = _HEADING_RE.match(lines[j]) if j < len(lines) else None
            if title is None and heading:
                title = heading["title"]
                lines[j] = ""
            title = title or titles[kind]
            result.extend(_callout_open(kind, title, fmt, opened["colons"]))
            i += 1
            continue
        if _DIV_CLOSE_RE.match(line) and stack:
            kind = stack.pop()
            if kind is not None and fmt == "pdf":
                result.extend(["", "```{=typst}", "]", "```", ""])
            else:
                result.append(line)
            i += 1
            continue
        result.append(line)
        i += 1
    return "\n".join(result)


def _callout_open(kind: str, title: str, fmt: str, colons: str) -> list[str]:
    if fmt == "html":
        return [f"{colons} {{.callout .callout-{kind}}}", f"[{title}]{{.callout-title}}", ""]
    if fmt == "docx":
        return [f'{colons} {{custom-style="Callout"}}', f"**{title}**", ""]
    colour = CALLOUT_COLOURS[kind]
    return [
        "```{=typst}",
        f"#block(width: 100%, inset: (left: 10pt, rest: 8pt), fill: luma(246), "
        f'stroke: (left: 3pt + rgb("{colour}")), breakable: true)[',
        "```",
        "",
        f"**{title}**",
        "",
    ]
