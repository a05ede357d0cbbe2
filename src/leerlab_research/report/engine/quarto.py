"""The Quarto route: execute a template once, let Quarto render every format from it.

Why not ``quarto render template.qmd --to <fmt>`` per format: Quarto executes a
``.qmd`` anew for every format, so three formats cost three kernel starts and
three runs of every cell (8 min 51 s for the demo's 14 reports against 1 min 06 s
for the fallback). Here the template is executed once, by the same executor as
the fallback (:func:`.execute.execute_document`, one Jupyter kernel), and the
executed notebook, with its cells' ``#|`` options and outputs, is handed to
``quarto render <name>.ipynb --to html,docx,typst --no-execute``: Quarto renders
a notebook's stored outputs without starting a kernel, in one process for all
formats. Both engines therefore show the same executed text; Quarto contributes
its own cross-references, figure handling and templates.

Everything happens in a per-render copy of the template folder, so the template
folder may be read-only (Quarto writes ``.quarto/`` and ``<name>_files/`` next to
the document) and parallel renders never share figure folders.
"""

from __future__ import annotations

import copy
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import nbformat
import yaml

from .convert import (
    APOSTROPHE_FILTER,
    APOSTROPHE_FILTER_LUA,
    DOCX_REFERENCE_FILE,
    HTML_CSS,
    HTML_CSS_FILE,
    TYPST_HEADER,
    TYPST_HEADER_FILE,
    TYPST_MARGIN,
    TYPST_PAPER,
    reference_docx,
)
from .errors import RenderError
from .execute import (
    ANSI_RE,
    ExecutedDocument,
    execute_request,
    plain_value,
)
from .markdown import shown_outputs
from .qmd import INLINE_EXPR_RE, CodeCell, MarkdownChunk, QmdDocument, parse_qmd
from .request import RenderRequest, RenderResult
from .workcopy import copy_template_folder, move_into_place

QUARTO_TO = {"html": "html", "docx": "docx", "pdf": "typst"}
EXTENSIONS = {"html": "html", "docx": "docx", "pdf": "pdf"}
META_FILE = "leerlab-meta.yml"
ALT_FILTER = "leerlab-docx-alt.lua"
# Quarto turns `fig-alt` into alt text for HTML and Typst, not for Word, whose
# pictures then carry an empty description; this filter, run after Quarto's own,
# gives them the text of `fig-alt` (pandoc writes an image's description there).
ALT_FILTER_LUA = """\
function Image(img)
  local alt = img.attributes["fig-alt"]
  if alt ~= nil and alt ~= "" then
    img.caption = pandoc.Inlines(alt)
    img.attributes["fig-alt"] = nil
    return img
  end
end
"""
_DATE_FORMATS = (
    (re.compile(r"\d{4}-\d{2}-\d{2}"), "YYYY-MM-DD"),
    (re.compile(r"\d{1,2} [^\W\d_]+ \d{4}"), "D MMMM YYYY"),  # 21 juni 2024
)


def quarto_metadata(req: RenderRequest) -> dict[str, object]:
    """The request's metadata, written to a YAML file (``--metadata-file``).

    A file, not ``-M``: Quarto reads an ``-M`` value as YAML after the shell, so a
    title with a colon arrived in literal quotes. ``format-links: false`` drops the
    HTML's "other formats" links, which pointed at the HTML itself. An empty
    ``abstract-title`` stays empty (Quarto's HTML filled in "Samenvatting"). A ``date``
    written as ``2024-06-21`` or ``21 juni 2024`` gets the matching ``date-format``,
    so that Quarto shows it as written, as the fallback does.
    """
    meta: dict[str, object] = {"lang": req.lang, "format-links": False}
    for key, value in req.metadata.items():
        meta[key] = plain_value(value)
    if meta.get("abstract") and meta.get("abstract-title") == "":
        # Quarto's HTML replaces an empty abstract title by the language's
        # "Samenvatting"; the fallback's title block has no heading there.
        language = meta.get("language")
        meta["language"] = {
            **(language if isinstance(language, dict) else {}),
            "section-title-abstract": "",
        }
    date = meta.get("date")
    if isinstance(date, str) and "date-format" not in meta:
        # Quarto parses a date and prints it in its own format (ISO for nl), the
        # fallback prints it as given: name the format the date is written in.
        for pattern, fmt in _DATE_FORMATS:
            if pattern.fullmatch(date.strip()):
                meta["date-format"] = fmt
                break
    return meta


def quarto_typst_header() -> str:
    """The fallback's Typst rules, for Quarto's figure kinds and without its numbering.

    Quarto wraps figures and tables in figures of kind ``quarto-float-fig`` /
    ``quarto-float-tbl`` and numbers them itself (the fallback numbers captions in
    the text and switches Typst's numbering off). Without the fallback's rules a
    long table is one unbreakable block that runs off the page.
    """
    kinds = {"kind: image": 'kind: "quarto-float-fig"', "kind: table": 'kind: "quarto-float-tbl"'}
    lines = []
    for line in TYPST_HEADER.splitlines():
        if line.startswith("#set figure(numbering"):
            continue
        for old, new in kinds.items():
            line = line.replace(old, new)
        lines.append(line)
    return "\n".join(lines) + "\n"


def front_matter(doc: QmdDocument, req: RenderRequest) -> dict[str, Any]:
    """The notebook's front matter: the template's, minus what the request sets.

    Front matter wins over a metadata file in Quarto, so keys the request sets
    (title, subtitle, lang) are left out here and come from the metadata file.
    Every requested format is declared (Quarto refuses ``--to a,b`` for a
    document that declares no formats); the HTML is always self-contained (one
    file to mail or put on a share) and, unless the template picks a theme,
    minimal with the fallback's stylesheet; Word gets the fallback's reference
    document (A4, page numbers) unless the template names one, the PDF the
    fallback's Typst rules, and the Word alt-text and Typst apostrophe filters run after Quarto's own.
    """
    meta = {
        k: copy.deepcopy(v)
        for k, v in doc.front_matter.items()
        if k not in req.metadata and k != "lang"
    }
    declared = meta.get("format")
    formats: dict[str, Any] = dict(declared) if isinstance(declared, dict) else {}
    if isinstance(declared, str):
        formats[declared] = "default"
    for fmt in req.formats:
        formats.setdefault(QUARTO_TO[fmt], "default")
    if "html" in req.formats:
        html = dict(formats["html"]) if isinstance(formats.get("html"), dict) else {}
        html["embed-resources"] = True
        if "theme" not in html:
            # Quarto's Bootstrap theme costs ~5 s of CPU per report (Sass, embedding
            # 1.2 MB of CSS and scripts); minimal HTML with the fallback's stylesheet
            # renders in ~2 s, carries the same text and looks like the fallback's.
            html.setdefault("minimal", True)
            css = html.get("css") or []
            html["css"] = [HTML_CSS_FILE, *([css] if isinstance(css, str) else css)]
        formats["html"] = html
    if "docx" in req.formats:
        docx = dict(formats["docx"]) if isinstance(formats.get("docx"), dict) else {}
        # the fallback's reference document: A4, 2.5 cm margins, page numbers
        docx.setdefault("reference-doc", DOCX_REFERENCE_FILE)
        formats["docx"] = docx
    if "pdf" in req.formats:
        typst = formats.get("typst")
        typst = dict(typst) if isinstance(typst, dict) else {}
        headers = typst.get("include-in-header") or []
        typst["include-in-header"] = [
            *([headers] if isinstance(headers, str | dict) else headers),
            TYPST_HEADER_FILE,
        ]
        # Quarto lifts `##` to Typst's first level (pandoc does not), so the same
        # toc-depth would list one level more than the fallback's contents.
        typst.setdefault("shift-heading-level-by", 0)
        # the fallback's page: A4 with 2.5 cm margins (Quarto's default margins are wider)
        typst.setdefault("papersize", TYPST_PAPER)
        typst.setdefault("margin", dict(TYPST_MARGIN))
        formats["typst"] = typst
    meta["format"] = formats
    filters = meta.get("filters")
    meta["filters"] = [
        *(filters if isinstance(filters, list) else []),
        {"path": ALT_FILTER, "at": "post-render"},
        # the fallback's filter: U+2019 stays itself in Typst (’s-Hertogenbosch)
        {"path": APOSTROPHE_FILTER, "at": "post-render"},
    ]
    return meta


def _option_lines(options: dict[str, Any]) -> str:
    """``#| key: value`` lines; JSON is YAML, and quotes every string safely."""
    return "".join(
        f"#| {key}: {json.dumps(plain_value(value), ensure_ascii=False)}\n"
        for key, value in options.items()
    )


def _with_values(text: str, values: list[str]) -> str:
    """``text`` with its inline expressions replaced by their values, in order."""
    found = iter(values)
    return INLINE_EXPR_RE.sub(lambda _m: next(found, ""), text)


def executed_notebook(executed: ExecutedDocument, meta: dict[str, Any]) -> Any:
    """The executed template as a notebook Quarto can render without a kernel.

    Markdown chunks become Markdown cells with their inline expressions already
    replaced by their values (Quarto evaluates those only while executing);
    code cells keep their ``#|`` options and carry the outputs the fallback shows
    (:func:`.markdown.shown_outputs`). The engine's own cells (figure set-up, injected
    parameters) are left out.
    """
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.metadata["language_info"] = {"name": "python"}
    yaml_text = yaml.safe_dump(plain_value(meta), allow_unicode=True, sort_keys=False)
    nb.cells.append(nbformat.v4.new_raw_cell(f"---\n{yaml_text}---"))
    count = 0
    for block in executed.blocks:
        source = block.block
        if isinstance(source, MarkdownChunk):
            text = _with_values(source.text, block.inline_values)
            if text.strip():
                nb.cells.append(nbformat.v4.new_markdown_cell(text))
            continue
        assert isinstance(source, CodeCell)
        outputs = [nbformat.from_dict(o) for o in shown_outputs(block)]
        options = dict(source.options)
        if options.get("fig-cap") and not options.get("fig-alt"):
            # The fallback's alt text for such a figure is its caption.
            options["fig-alt"] = options["fig-cap"]
        cell = nbformat.v4.new_code_cell(_option_lines(options) + source.source)
        if outputs or block.options.get("eval", True):
            count += 1
            cell.execution_count = count
        cell.outputs = outputs
        if source.tags:
            cell.metadata["tags"] = source.tags
        nb.cells.append(cell)
    return nb


def quarto_command(exe: str, notebook: str, formats: list[str]) -> list[str]:
    """The argv for all formats of one report (run with the working copy's folder as cwd)."""
    return [
        exe,
        "render",
        notebook,
        "--to",
        ",".join(QUARTO_TO[f] for f in formats),
        "--no-execute",
        "--metadata-file",
        f"../{META_FILE}",
    ]


def render_with_quarto(reqs: list[RenderRequest], exe: str) -> list[RenderResult]:
    """Execute the (shared) template of ``reqs`` once; one ``quarto render`` per request.

    The requests share template, params, metadata and workdir (see
    ``core._group_key``); each gets all its formats from one Quarto call.

    Raises
    ------
    RenderError
        A cell failed, or Quarto exits non-zero, times out, or does not produce
        the expected files.
    """
    first = reqs[0]
    template = Path(first.template).resolve()
    doc = parse_qmd(template, name=template.name)
    base = Path(first.workdir) if first.workdir is not None else None
    if base is not None:
        base.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    # Quarto renders stored outputs and starts no kernel; QUARTO_PYTHON only
    # matters to a Quarto that would (kept so a stray execution uses this env).
    env.setdefault("QUARTO_PYTHON", sys.executable)
    results: list[RenderResult] = []
    with tempfile.TemporaryDirectory(prefix="leerlab-quarto-", dir=base) as tmp:
        copy_dir = copy_template_folder(template.parent, Path(tmp) / "src")
        # The kernel runs in the document's folder, as under Quarto: figures the
        # cells save with relative paths are found by Quarto there.
        executed, shared_warnings = execute_request(template, doc, first, copy_dir)
        (copy_dir / ALT_FILTER).write_text(ALT_FILTER_LUA, encoding="utf-8")
        (copy_dir / APOSTROPHE_FILTER).write_text(APOSTROPHE_FILTER_LUA, encoding="utf-8")
        (copy_dir / TYPST_HEADER_FILE).write_text(quarto_typst_header(), encoding="utf-8")
        (copy_dir / HTML_CSS_FILE).write_text(HTML_CSS, encoding="utf-8")
        reference_docx((copy_dir / DOCX_REFERENCE_FILE).resolve())
        for req in reqs:
            # per request: an epoch must not carry over to a later request without one
            req_env = dict(env)
            if req.source_date_epoch is not None:
                req_env["SOURCE_DATE_EPOCH"] = str(req.source_date_epoch)
            notebook = f"{req.output_stem}.ipynb"
            nbformat.write(executed_notebook(executed, front_matter(doc, req)), copy_dir / notebook)
            (Path(tmp) / META_FILE).write_text(
                yaml.safe_dump(quarto_metadata(req), allow_unicode=True, sort_keys=False),
                encoding="utf-8",
            )
            what = f"template '{template.name}' → {req.output_stem}"
            cmd = quarto_command(exe, notebook, req.formats)
            stderr = run_quarto(cmd, copy_dir, req_env, what, req.timeout)
            outputs = []
            for fmt in req.formats:
                name = f"{req.output_stem}.{EXTENSIONS[fmt]}"
                produced = _find_output(copy_dir, name)
                if produced is None:
                    raise RenderError(
                        f"template '{template}': quarto reported success but wrote no {name}"
                    )
                outputs.append(move_into_place(produced, Path(req.output_dir) / name))
            warnings = shared_warnings + [
                f"quarto: {line.strip()}" for line in stderr.splitlines() if "WARN" in line
            ]
            results.append(
                RenderResult(
                    outputs=outputs, engine="quarto", warnings=list(dict.fromkeys(warnings))
                )
            )
    return results


def run_quarto(cmd: list[str], cwd: Path, env: dict[str, str], what: str, timeout: int) -> str:
    """Run one ``quarto render``; return its standard error without colour codes.

    Raises
    ------
    RenderError
        Quarto cannot be run, exits non-zero (with the last lines it printed) or
        takes over ``timeout`` seconds.
    """
    try:
        proc = subprocess.run(
            cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired:
        raise RenderError(f"{what}: quarto render took over {timeout} s") from None
    except OSError as exc:
        raise RenderError(f"quarto at '{cmd[0]}' cannot be run: {exc}") from None
    stderr = ANSI_RE.sub("", proc.stderr or "")
    if proc.returncode != 0:
        tail = "\n".join((stderr or proc.stdout or "").strip().splitlines()[-15:])
        to = f" --to {cmd[cmd.index('--to') + 1]}" if "--to" in cmd else ""
        raise RenderError(
            f"{what}: quarto render{to} failed (exit {proc.returncode})", [tail] if tail else []
        )
    return stderr


def _find_output(folder: Path, name: str) -> Path | None:
    """Quarto writes next to the document, or into a project ``output-dir``."""
    direct = folder / name
    if direct.exists():
        return direct
    found = sorted(folder.rglob(name))
    return found[0] if found else None
