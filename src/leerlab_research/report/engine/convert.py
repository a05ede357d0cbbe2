"""Convert assembled Markdown to HTML, DOCX and PDF with pandoc and Typst.

pandoc is the binary shipped by the ``pypandoc_binary`` wheel, called directly
(``subprocess``) so that its warnings can be collected; PDF goes through
pandoc's Typst writer and the ``typst`` PyPI package, so no LaTeX is needed.
"""

from __future__ import annotations

import hashlib
import io
import os
import subprocess
from pathlib import Path
from typing import Any

import docx
import typst
import yaml
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm

from ...outputs import deterministic_zip
from .errors import RenderError

# Metadata keys passed on to pandoc (title block, language, document info).
PANDOC_META_KEYS = (
    "title",
    "subtitle",
    "author",
    "date",
    "lang",
    "abstract",
    "abstract-title",
    "keywords",
    "description",
    "toc-title",
)

# A small, print-friendly stylesheet for the self-contained HTML.
HTML_CSS = """\
:root { --text: #1f2328; --muted: #57606a; --accent: #0072B2; --rule: #d0d7de; }
html { font-size: 100%; }
body { font-family: "Segoe UI", "Helvetica Neue", Arial, sans-serif; color: var(--text);
  line-height: 1.55; max-width: 46rem; margin: 2rem auto; padding: 0 1.25rem; }
header#title-block-header { margin-bottom: 2rem; border-bottom: 2px solid var(--accent); }
h1.title { font-size: 2rem; margin-bottom: .25rem; }
p.subtitle { font-size: 1.25rem; color: var(--muted); margin-top: 0; }
p.author, p.date { color: var(--muted); margin: .2rem 0; }
h1, h2, h3, h4 { line-height: 1.25; margin: 1.8em 0 .5em; }
h2 { border-bottom: 1px solid var(--rule); padding-bottom: .2em; }
a { color: var(--accent); }
figure { margin: 1.5rem 0; text-align: center; break-inside: avoid; }
figure img, img { max-width: 100%; height: auto; }
figcaption { font-size: .92rem; color: var(--muted); margin-top: .4rem; }
table { border-collapse: collapse; margin: 1.2rem auto; font-size: .95rem;
  font-variant-numeric: tabular-nums; break-inside: avoid; }
caption { caption-side: top; font-size: .92rem; color: var(--muted); padding-bottom: .4rem; }
th, td { padding: .3rem .7rem; border-bottom: 1px solid var(--rule); }
thead th { border-bottom: 2px solid var(--text); }
pre, code { font-family: "SFMono-Regular", Consolas, "Liberation Mono", monospace;
  font-size: .88em; }
pre { background: #f6f8fa; padding: .8rem 1rem; overflow-x: auto; border-radius: 4px; }
.cell-stderr pre, .cell-error pre { background: #fff8e6; }
.callout { border-left: 4px solid var(--accent); background: #f6f8fa; padding: .6rem 1rem;
  margin: 1.2rem 0; border-radius: 0 4px 4px 0; break-inside: avoid; }
.callout-title { display: block; font-weight: 600; margin-bottom: .3rem; }
.callout-tip { border-color: #009E73; } .callout-warning { border-color: #E69F00; }
.callout-important { border-color: #CC79A7; } .callout-caution { border-color: #D55E00; }
nav#TOC { border: 1px solid var(--rule); padding: .5rem 1rem; margin-bottom: 2rem; }
.page-break { break-after: page; }
@media print {
  body { max-width: none; margin: 0; font-size: 11pt; color: #000; }
  a { color: inherit; text-decoration: none; }
  pre { white-space: pre-wrap; }
  h1, h2, h3 { break-after: avoid; }
}
"""

# Typst set-up placed before pandoc's template body. ``leerlab-keep`` holds a short
# table on one page (report.context.ReportCore.table) unless more than a quarter of the
# page and most of the table fit where it starts: then it starts there and breaks where
# it must, its header repeated (kept whole, such a table left half a page empty under
# the one before; with less room, its caption, header and one row stood at the foot). Figures and tables are
# numbered by the engine (Quarto-style "Figuur 1: …" captions in all formats),
# so Typst's own numbering is switched off to avoid "Figure 1: Figuur 1: …".
TYPST_HEADER = """\
#set figure(numbering: none)
#show figure.where(kind: image): set block(breakable: false)
#show figure.where(kind: table): set block(breakable: true)
#show figure.caption: set text(size: 0.9em)
#show figure.caption.where(kind: table): it => block(sticky: true, it)
#set table(stroke: (x, y) => if y == 0 { (bottom: 0.7pt) } else { (bottom: 0.3pt + luma(200)) })
#set table(inset: (x: 6pt, y: 4pt))
#set par(justify: false)
#set text(costs: (widow: 300%, orphan: 300%))
#set table.cell(breakable: false)
#show table.cell: set par(justify: false)
#show table.cell: set text(hyphenate: false)
#show heading: set block(above: 1.4em, below: 0.8em, sticky: true)
#show heading: set text(hyphenate: false)
#let leerlab-length(v, side) = {
  let v = if type(v) == dictionary { v.at(side, default: v.at(if side in ("top", "bottom") { "y" } else { "x" }, default: auto)) } else { v }
  if type(v) == relative { v.length } else if type(v) == length { v } else { 2.5cm }
}
#let leerlab-keep(body) = {
  // the room is measured at a placed mark before the table: the table's own position
  // moves with the decision (to the next page when kept), so the layout would not settle
  place([#metadata(none)<leerlab-keep>])
  context {
    let mark = query(selector(<leerlab-keep>).before(here())).last().location().position()
    let m = page.margin
    let bottom = leerlab-length(m, "bottom")
    let text-height = page.height - leerlab-length(m, "top") - bottom
    let room = page.height - bottom - mark.y
    // measure() comes out a little short; breakable lets it break only where it must
    let width = page.width - leerlab-length(m, "left") - leerlab-length(m, "right")
    let need = measure(block(width: width, body)).height
    block(breakable: room > text-height / 4 and room > 0.5 * need, body)
  }
}
"""

# pandoc's Typst template sets the abstract as "<abstract-title> #h(1em) <abstract>",
# so without an abstract title the report's title block (passed as the abstract)
# began with an indented first line. Its ``conf`` is wrapped (the header comes
# after its definition): a title block without a title is set as a plain block at
# the start of the body, which is where pandoc places it too (after the date,
# before the contents), with less room above and below than pandoc's 2em (page 1 holds
# the summary and the overview). Pandoc's template only: Quarto's has no ``conf``.
TYPST_PANDOC_CONF = """\
#let leerlab-pandoc-conf = conf
#let conf(abstract-title: none, abstract: none, ..args) = {
  if abstract == none or abstract-title != none {
    leerlab-pandoc-conf(abstract-title: abstract-title, abstract: abstract, ..args)
  } else {
    leerlab-pandoc-conf(..args.named(), block(inset: (x: 2em, y: 0.6em), abstract) + args.pos().at(0))
  }
}
"""

#: Files written beside the document on both routes (the Quarto route names them in
#: its metadata): Typst rules, the HTML stylesheet, the Word reference document and
#: the Lua filter below.
TYPST_HEADER_FILE = "leerlab-header.typ"
HTML_CSS_FILE = "leerlab-report.css"
DOCX_REFERENCE_FILE = "leerlab-reference.docx"
APOSTROPHE_FILTER = "leerlab-typst-apostrophe.lua"
#: The PDF page on both routes: A4 with 2.5 cm margins (as DOCX_PAGE_MM for Word).
TYPST_PAPER = "a4"
TYPST_MARGIN = {"x": "2.5cm", "y": "2.5cm"}
# pandoc's Typst writer prints U+2019 as a straight ``'`` and leaves the rest to
# Typst's smart quotes, which open a quote at a word start: the elided article of
# ’s-Hertogenbosch (typeset with U+2019 on purpose, text.typeset) came out as
# ‘s-Hertogenbosch in every PDF. Typst's escape keeps the character itself.
# The same filter (both engines run it) keeps a paragraph with the list that follows
# it: a lead-in ending one page and its list starting the next was an orphan.
APOSTROPHE_FILTER_LUA = r"""local RSQUO = "\u{2019}"  -- the character itself
function Str(el)
  if FORMAT ~= "typst" or not el.text:find(RSQUO, 1, true) then
    return nil
  end
  local out = pandoc.Inlines({})
  local rest = el.text
  while true do
    local i, j = rest:find(RSQUO, 1, true)
    if i == nil then
      break
    end
    if i > 1 then
      out:insert(pandoc.Str(rest:sub(1, i - 1)))
    end
    out:insert(pandoc.RawInline("typst", "\\u{2019}"))  -- Typst markup escape
    rest = rest:sub(j + 1)
  end
  if rest ~= "" then
    out:insert(pandoc.Str(rest))
  end
  return out
end

-- A lead-in paragraph ("Aantoonbaar verschil ...:") stays on the page of what it
-- introduces: a sticky block, as Typst does for headings. A lead-in is a paragraph
-- followed by a list, or one that ends in a colon.
local function lead_in(el, nxt)
  if el.t ~= "Para" or nxt == nil then
    return false
  end
  if nxt.t == "BulletList" or nxt.t == "OrderedList" then
    return true
  end
  return pandoc.utils.stringify(el):match(":%s*$") ~= nil
end

function Blocks(blocks)
  if FORMAT ~= "typst" then
    return nil
  end
  local out = pandoc.Blocks({})
  for i, el in ipairs(blocks) do
    local nxt = blocks[i + 1]
    if lead_in(el, nxt) then
      out:insert(pandoc.RawBlock("typst", "#block(sticky: true)["))
      out:insert(el)
      out:insert(pandoc.RawBlock("typst", "]"))
    else
      out:insert(el)
    end
  end
  return out
end
"""

#: Zip member time of the reference document (the earliest a zip can hold).
FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
#: DOCX page set-up: A4 with 2.5 cm margins, like the PDF.
DOCX_PAGE_MM = (210, 297, 25)
#: Styles of pandoc's DOCX output that must stay on the page of what follows them.
DOCX_KEEP_WITH_NEXT = (
    "Title",
    "Subtitle",
    "Heading 1",
    "Heading 2",
    "Heading 3",
    "Heading 4",
    "Table Caption",
)


def pandoc_path() -> str:
    """The pandoc binary bundled with ``pypandoc_binary`` (or found by pypandoc)."""
    import pypandoc

    return pypandoc.get_pandoc_path()


def pandoc_metadata(metadata: dict[str, Any], lang: str, fallback_title: str) -> dict[str, Any]:
    """The metadata block pandoc gets: title, subtitle, date, lang …"""
    meta = {k: metadata[k] for k in PANDOC_META_KEYS if metadata.get(k) not in (None, "")}
    if metadata.get("abstract") and metadata.get("abstract-title") == "":
        # the title block under the title needs no heading of its own ("Samenvatting")
        meta["abstract-title"] = ""
    meta["lang"] = lang
    if "title" not in meta:
        meta["pagetitle"] = fallback_title  # HTML needs a <title>; shown nowhere else
    return {k: (str(v) if k in ("date",) else v) for k, v in meta.items()}


def format_options(metadata: dict[str, Any], fmt: str) -> dict[str, Any]:
    """Options for ``fmt`` from top-level keys and ``format: <fmt>:`` (Quarto layout)."""
    quarto_name = {"html": "html", "docx": "docx", "pdf": "typst"}[fmt]
    options: dict[str, Any] = {
        k: metadata[k]
        for k in ("toc", "toc-depth", "number-sections", "shift-heading-level-by")
        if k in metadata
    }
    formats = metadata.get("format")
    if isinstance(formats, dict) and isinstance(formats.get(quarto_name), dict):
        options.update(formats[quarto_name])
    return options


def run_pandoc(
    args: list[str], cwd: Path, what: str, source_date_epoch: int | None = None
) -> list[str]:
    """Run pandoc; return its warnings; raise :class:`RenderError` on failure.

    pandoc stamps DOCX ``docProps/core.xml`` and the zip members with the
    current time unless ``SOURCE_DATE_EPOCH`` is set; it is, for byte-identical files.
    """
    env = dict(os.environ)
    if source_date_epoch is not None:
        env["SOURCE_DATE_EPOCH"] = str(source_date_epoch)
    proc = subprocess.run(
        [pandoc_path(), *args], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        raise RenderError(f"{what}: pandoc failed (exit {proc.returncode}): {proc.stderr.strip()}")
    return [f"{what}: pandoc: {line}" for line in proc.stderr.splitlines() if line.strip()]


#: Markdown pandoc has read, by (folder, SHA-256 of the Markdown): the file of its
#: JSON AST in that folder and pandoc's warnings while reading (without their prefix).
_PARSED: dict[tuple[str, str], tuple[str, list[str]]] = {}


def parsed_markdown(markdown: str, base_dir: Path, what: str) -> tuple[str, list[str]]:
    """``markdown`` read by pandoc once: the name of its AST file in ``base_dir`` and warnings.

    A report's formats are written from the same Markdown; reading it (pandoc's
    Markdown reader, about half of a conversion's CPU) is done for the first format
    and its AST (``--to=json``) written by the others, with their own metadata file:
    the documents are the same byte for byte. The warnings of the reading are given to
    every format, as when each read the Markdown itself.
    """
    digest = hashlib.sha256(markdown.encode("utf-8")).hexdigest()[:16]
    key = (str(base_dir.resolve()), digest)
    ast = base_dir / f"leerlab-{digest}.json"
    prefix = f"{what}: pandoc: "
    hit = _PARSED.get(key)
    if hit is None or not ast.exists():
        body = base_dir / f"leerlab-{digest}.md"
        body.write_text(markdown, encoding="utf-8")
        read = run_pandoc(
            [body.name, "--from=markdown", "--to=json", f"--output={ast.name}"], base_dir, what
        )
        hit = (ast.name, [w.removeprefix(prefix) for w in read])
        _PARSED[key] = hit
    return hit[0], [prefix + w for w in hit[1]]


def convert(
    markdown: str,
    fmt: str,
    *,
    metadata: dict[str, Any],
    lang: str,
    base_dir: Path,
    output: Path,
    what: str,
    resource_dirs: tuple[Path, ...] = (),
    source_date_epoch: int | None = None,
) -> list[str]:
    """Write ``output`` (html/docx/pdf) from ``markdown`` assembled in ``base_dir``.

    Parameters
    ----------
    markdown
        Body from :func:`.markdown.assemble` (no front matter).
    fmt
        ``html``, ``docx`` or ``pdf``.
    metadata
        Merged document metadata (title, ``format:`` options …).
    lang
        Document language.
    base_dir
        Folder holding the figure files; pandoc and Typst run there.
    output
        File to write (any folder).
    what
        Name for messages (template and output).
    resource_dirs
        Extra folders where pandoc looks for images (the template's folder).
    source_date_epoch
        Creation time of DOCX and PDF (``SOURCE_DATE_EPOCH``); None: the clock.

    Returns
    -------
    list[str]
        Warnings from pandoc.
    """
    options = format_options(metadata, fmt)
    meta = pandoc_metadata(metadata, lang, output.stem)
    if fmt == "pdf":
        # Variables of pandoc's Typst template; A4 and 2.5 cm margins suit Dutch print.
        meta["papersize"] = str(options.get("papersize", TYPST_PAPER))
        margin = options.get("margin")
        meta["margin"] = margin if isinstance(margin, dict) else dict(TYPST_MARGIN)
        # pandoc's Typst template defaults the region to US; give the language
        # its own region for quotes and hyphenation (nl → nl-NL).
        if "-" not in lang:
            meta["lang"] = {"nl": "nl-NL", "en": "en-GB"}.get(lang, lang)
    # The metadata in a file of its own (pandoc reads it as it reads front matter), the
    # body read once for all formats (parsed_markdown): the same documents, byte for byte.
    meta_file = base_dir / f"{output.stem}.{fmt}.yaml"
    meta_file.write_text(yaml.safe_dump(meta, allow_unicode=True, sort_keys=True), "utf-8")
    ast, warnings = parsed_markdown(markdown, base_dir, what)
    resource_path = os.pathsep.join(str(p) for p in (base_dir, *resource_dirs))
    args = [ast, "--from=json", f"--metadata-file={meta_file.name}"]
    args.append(f"--resource-path={resource_path}")
    if options.get("toc"):
        args += ["--toc", f"--toc-depth={int(options.get('toc-depth', 3))}"]
    if options.get("number-sections"):
        args.append("--number-sections")
    if options.get("shift-heading-level-by"):
        # the templates' sections are `##` under the title; Word has no level above
        # Heading 1, so DOCX lifts them one level (as Quarto does with this option)
        args.append(f"--shift-heading-level-by={int(options['shift-heading-level-by'])}")

    if fmt == "html":
        css = base_dir / HTML_CSS_FILE
        css.write_text(HTML_CSS, encoding="utf-8")
        args += [
            "--to=html5",
            "--standalone",
            "--embed-resources",
            "--wrap=none",
            f"--css={css.name}",
        ]
        extra_css = options.get("css") or []
        for item in [extra_css] if isinstance(extra_css, str) else extra_css:
            args.append(f"--css={_resolve(item, resource_dirs, what)}")
        args += [f"--output={output}"]
        return warnings + run_pandoc(args, base_dir, what, source_date_epoch)
    if fmt == "docx":
        args += ["--to=docx", f"--output={output}"]
        if options.get("reference-doc"):
            reference = _resolve(options["reference-doc"], resource_dirs, what)
        else:
            reference = reference_docx((base_dir / DOCX_REFERENCE_FILE).resolve())
        args.append(f"--reference-doc={reference}")
        return warnings + run_pandoc(args, base_dir, what, source_date_epoch)
    if fmt == "pdf":
        header = base_dir / TYPST_HEADER_FILE
        header.write_text(TYPST_HEADER + TYPST_PANDOC_CONF, encoding="utf-8")
        (base_dir / APOSTROPHE_FILTER).write_text(APOSTROPHE_FILTER_LUA, encoding="utf-8")
        typ = base_dir / f"{output.stem}.typ"
        args += [
            "--to=typst",
            "--standalone",
            f"--lua-filter={APOSTROPHE_FILTER}",
            f"--include-in-header={header.name}",
            f"--output={typ.name}",
        ]
        warnings += run_pandoc(args, base_dir, what, source_date_epoch)
        compile_typst(typ, output, base_dir, what, source_date_epoch)
        return warnings
    raise RenderError(f"{what}: unknown format {fmt!r}; use html, docx or pdf")


def reference_docx(path: Path) -> Path:
    """Write the DOCX reference document: pandoc's own, set to A4 with page numbers.

    pandoc takes page size, margins, footers and paragraph styles from the
    reference document (``--reference-doc``), and writes the report itself, so
    its ``SOURCE_DATE_EPOCH`` keeps the file byte-identical. Headings and table
    captions keep with the next paragraph; body text avoids widows and orphans.
    """
    if path.exists():
        return path
    if not _REFERENCE_DOCX:
        _REFERENCE_DOCX.append(_make_reference_docx())
    path.write_bytes(_REFERENCE_DOCX[0])
    return path


#: The reference document made in this process (every report's render folder gets a
#: copy: making it took a pandoc call and python-docx, ~15 ms per report).
_REFERENCE_DOCX: list[bytes] = []


def _make_reference_docx() -> bytes:
    """pandoc's reference.docx set to A4 with page numbers (see :func:`reference_docx`)."""
    proc = subprocess.run(
        [pandoc_path(), "--print-default-data-file", "reference.docx"],
        capture_output=True,
        check=False,
    )
    if proc.returncode != 0:
        raise RenderError(f"pandoc could not give its reference.docx: {proc.stderr!r}")
    doc = docx.Document(io.BytesIO(proc.stdout))
    width, height, margin = DOCX_PAGE_MM
    for section in doc.sections:
        section.page_width, section.page_height = Mm(width), Mm(height)
        section.left_margin = section.right_margin = Mm(margin)
        section.top_margin = section.bottom_margin = Mm(margin)
        footer = section.footer
        footer.is_linked_to_previous = False
        para = footer.paragraphs[0] if footer.paragraphs else footer.add_paragraph()
        para.alignment = WD_ALIGN_PARAGRAPH.CENTER
        field = OxmlElement("w:fldSimple")
        field.set(qn("w:instr"), "PAGE")
        run = OxmlElement("w:r")
        text = OxmlElement("w:t")
        text.text = "1"
        run.append(text)
        field.append(run)
        para._p.append(field)
    names = {s.name for s in doc.styles}
    for name in DOCX_KEEP_WITH_NEXT:
        if name in names:
            doc.styles[name].paragraph_format.keep_with_next = True
    for name in ("Normal", "Body Text", "First Paragraph", "Compact"):
        if name in names:
            doc.styles[name].paragraph_format.widow_control = True
    buffer = io.BytesIO()
    doc.save(buffer)
    # pandoc copies some members (footer, theme, fonts) with their zip timestamps,
    # so the reference document gets fixed ones, or no two reports would be equal
    return deterministic_zip(buffer.getvalue(), "1980-01-01T00:00:00Z", FIXED_ZIP_TIME)


def compile_typst(
    typ: Path, output: Path, root: Path, what: str, source_date_epoch: int | None = None
) -> None:
    """Compile Typst source to PDF with the ``typst`` package (bundled fonts).

    ``source_date_epoch`` fixes the PDF's creation date (Typst's clock otherwise).
    """
    try:
        typst.compile(str(typ), output=str(output), root=str(root), timestamp=source_date_epoch)
    except (RuntimeError, OSError) as exc:
        # typst raises its TypstError (a RuntimeError) with Typst's message, and an
        # OSError when it cannot read the source or write the PDF; anything else
        # is a bug and is not dressed up as a failed render.
        raise RenderError(f"{what}: Typst could not make the PDF: {exc}") from None


def _resolve(item: object, dirs: tuple[Path, ...], what: str) -> Path:
    """Find a file named in front matter relative to the template's folder."""
    path = Path(str(item))
    if path.is_absolute() and path.exists():
        return path
    for folder in dirs:
        if (folder / path).exists():
            return (folder / path).resolve()
    raise RenderError(f"{what}: file {item!s} named in the front matter does not exist")
