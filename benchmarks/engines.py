"""Quarto route against the fallback: time for the same reports, and what differs.

Run from the repository root after ``make demo`` (the report stage needs the
demo's ``compare`` tables)::

    LEERLAB_QUARTO=/path/to/quarto .venv/bin/python benchmarks/engines.py
    .venv/bin/python benchmarks/engines.py --compare OUT_A/reports OUT_B/reports

The first form copies ``out/demo`` twice, runs ``leerlab report`` on one copy with
Quarto and on the other without (``LEERLAB_QUARTO`` unset, no ``quarto`` on
``PATH``), each as its own process, and prints wall and CPU seconds (the command
and everything it started: kernels, Quarto, pandoc, Typst) with the load
average. Target (issue 12): Quarto at most 1.5 × the fallback's time. It then
compares every report the two wrote; ``--compare`` only compares two folders.

The comparison reads what a reader sees in each format: title and subtitle,
headings, figure and table captions, the alt text of every figure (HTML and
DOCX; a figure without alt text counts as a difference) and the running text,
word by word. PDF text is compared only on the title, the headings (the PDF
outline) and the body's words, since page furniture (running heads, page
numbers, the table of contents) is the templates' own business.
"""

from __future__ import annotations

import argparse
import difflib
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import docx
import lxml.html
import pypdf

REPO = Path(__file__).resolve().parents[1]
LEERLAB = Path(sys.executable).with_name("leerlab")
STUDY = REPO / "analyses" / "demo" / "study.yaml"
OUT = REPO / "out" / "demo"
TARGET_RATIO = 1.5
_SPACES = re.compile(r"[\s\u00a0\u202f\u2009]+")
_WP = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}"
_BLOCKS = ("p", "li", "td", "th", "tr", "div", "figcaption", "caption", "br", "blockquote",
           "h1", "h2", "h3", "h4", "h5", "h6")  # fmt: skip
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def norm(text: str | None) -> str:
    """Text as compared: NFC, every kind of space one plain space, trimmed."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text or "")).strip()


@dataclass
class Facts:
    """What a reader sees in one output file."""

    title: str = ""
    subtitle: str = ""
    title_block: list[str] = field(default_factory=list)  # every line above the text
    headings: list[str] = field(default_factory=list)
    captions: list[str] = field(default_factory=list)
    alts: list[str] = field(default_factory=list)
    words: list[str] = field(default_factory=list)


def html_facts(path: Path) -> Facts:
    """Facts of an HTML report (pandoc's or Quarto's page layout)."""
    root = lxml.html.parse(str(path)).getroot()
    for bad in root.xpath("//script | //style | //nav | //*[@id='quarto-margin-sidebar']"):
        bad.drop_tree()
    facts = Facts(
        title=norm(" ".join(root.xpath("//h1[contains(@class,'title')]//text()"))),
        subtitle=norm(" ".join(root.xpath("//*[contains(@class,'subtitle')]//text()"))),
    )
    for header in root.xpath("//header[@id='title-block-header']"):
        for block in header.iter(*_BLOCKS):
            block.tail = " " + (block.tail or "")
        facts.title_block = norm(header.text_content()).split(" ")
        header.drop_tree()
    content = (root.xpath("//main") or root.xpath("//body"))[0]
    facts.headings = [
        f"{h.tag} {norm(h.text_content())}"
        for h in content.iter("h1", "h2", "h3", "h4", "h5", "h6")
    ]
    facts.captions = [norm(c.text_content()) for c in content.iter("figcaption", "caption")]
    facts.alts = [
        norm(img.get("alt")) if img.get("alt") else "(no alt)" for img in content.iter("img")
    ]
    for block in content.iter(*_BLOCKS):
        block.tail = " " + (block.tail or "")  # cells and paragraphs are separate words
    facts.words = norm(content.text_content()).split(" ")
    return facts


def docx_facts(path: Path) -> Facts:
    """Facts of a Word report; paragraph style ids name title, headings and captions.

    Style ids are read from every ``w:pPr`` of a paragraph: Quarto's captions sit
    in a second ``w:pPr`` (which python-docx's ``style`` does not see).
    """
    body = docx.Document(str(path)).element.body
    facts = Facts()
    words: list[str] = []
    for para in body.iter(f"{_W}p"):
        styles = para.xpath("./w:pPr/w:pStyle/@w:val")
        style = next((s for s in styles if s), "")
        text = norm("".join(para.xpath(".//w:t/text()")))
        if not text:
            continue
        if style in ("Title", "Subtitle", "Author", "Date", "Abstract"):
            facts.title_block += text.split(" ")
        if style == "Title":
            facts.title = text
        elif style == "Subtitle":
            facts.subtitle = text
        elif style in ("Author", "Date", "Abstract"):
            continue
        elif style.startswith("TOC"):
            continue
        else:
            if re.fullmatch(r"Heading\d", style):
                facts.headings.append(f"h{style[-1]} {text}")
            elif "Caption" in style and "Captioned" not in style:
                facts.captions.append(text)
            words += text.split(" ")
    facts.words = words
    facts.alts = [
        norm(d.get("descr")) if d.get("descr") else "(no alt)" for d in body.iter(f"{_WP}docPr")
    ]
    return facts


def pdf_facts(path: Path) -> Facts:
    """Facts of a PDF: metadata title, outline entries as headings, body words."""
    reader = pypdf.PdfReader(str(path))
    facts = Facts(title=norm((reader.metadata or {}).get("/Title", "")))

    def walk(items: list, level: int) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item, level + 1)
            else:
                facts.headings.append(f"h{level} {norm(item.title)}")

    walk(reader.outline, 1)
    text = "\n".join(page.extract_text() or "" for page in reader.pages)
    text = re.sub(r"(\w)[-\u00ad]\s*\n\s*(\w)", r"\1\2", text.replace("\u00ad\n", "\u00ad"))
    text = text.replace("\u00ad", "")  # soft hyphens where the PDF broke a word
    # Page numbers and dot leaders of the table of contents are layout, not text.
    facts.words = [w for w in norm(text).split(" ") if w and not re.fullmatch(r"[\d.]+", w)]
    return facts


EXTRACT = {".html": html_facts, ".docx": docx_facts, ".pdf": pdf_facts}


def _list_diff(what: str, a: list[str], b: list[str], names: tuple[str, str]) -> list[str]:
    if a == b:
        return []
    out = [f"{what}: {len(a)} in {names[0]}, {len(b)} in {names[1]}"]
    for line in difflib.unified_diff(a, b, names[0], names[1], n=0, lineterm=""):
        if not line.startswith(("---", "+++", "@@")):
            out.append(f"  {line}")
    return out


def _word_diff(a: list[str], b: list[str], names: tuple[str, str], limit: int) -> list[str]:
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    out = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        context = " ".join(a[max(0, i1 - 4) : i1])
        out.append(
            f"  …{context} [{names[0]}: {' '.join(a[i1:i2])[:120]!r} | "
            f"{names[1]}: {' '.join(b[j1:j2])[:120]!r}]"
        )
    if not out:
        return []
    head = f"text: {len(out)} difference(s), similarity {matcher.ratio():.3f}"
    return [head, *out[:limit], *(["  …"] if len(out) > limit else [])]


def compare_facts(
    a: Facts, b: Facts, names: tuple[str, str] = ("a", "b"), limit: int = 20, alts: bool = True
) -> list[str]:
    """Differences between two outputs, one line per finding (empty: the same)."""
    out: list[str] = []
    for what in ("title", "subtitle"):
        if getattr(a, what) != getattr(b, what):
            out.append(
                f"{what}: {getattr(a, what)!r} ({names[0]}) vs {getattr(b, what)!r} ({names[1]})"
            )
    if a.title_block != b.title_block:
        out.append(
            f"title block: {' '.join(a.title_block)!r} ({names[0]}) vs "
            f"{' '.join(b.title_block)!r} ({names[1]})"
        )
    out += _list_diff("headings", a.headings, b.headings, names)
    out += _list_diff("captions", a.captions, b.captions, names)
    if alts:
        out += _list_diff("alt texts", a.alts, b.alts, names)
        for facts, name in zip((a, b), names, strict=True):
            missing = facts.alts.count("(no alt)")
            if missing:
                out.append(f"{name}: {missing} figure(s) without alt text")
    out += _word_diff(a.words, b.words, names, limit)
    return out


def compare_files(
    a: Path, b: Path, names: tuple[str, str] = ("a", "b"), limit: int = 20
) -> list[str]:
    """Compare two outputs of the same format (``.html``, ``.docx`` or ``.pdf``)."""
    extract = EXTRACT[a.suffix]
    fa, fb = extract(a), extract(b)
    if a.suffix == ".pdf":
        # Titles and captions are in the words; PDF alt text is not read here.
        fa.captions = fb.captions = []
    return compare_facts(fa, fb, names, limit, alts=a.suffix != ".pdf")


def compare_folders(
    a: Path, b: Path, names: tuple[str, str], limit: int = 20
) -> dict[str, list[str]]:
    """Differences per file name present in either folder (missing files too)."""
    files = sorted({p.name for d in (a, b) for p in d.iterdir() if p.suffix in EXTRACT})
    found: dict[str, list[str]] = {}
    for name in files:
        if not (a / name).exists() or not (b / name).exists():
            found[name] = [f"only in {names[0] if (a / name).exists() else names[1]}"]
            continue
        diffs = compare_files(a / name, b / name, names, limit)
        if diffs:
            found[name] = diffs
    return found


def timed(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU seconds (user + system, all descendants waited for) of one command."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(args, check=True, cwd=REPO, env=env, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def run_both(work: Path, extra: list[str]) -> dict[str, Path]:
    """Render the demo's reports with each engine; print the times; return the report folders."""
    quarto = os.environ.get("LEERLAB_QUARTO") or shutil.which("quarto")
    if not quarto:
        sys.exit("no Quarto: set LEERLAB_QUARTO or put quarto on PATH")
    if not (OUT / "manifest.json").exists():
        sys.exit(f"no demo out folder at {OUT}: run `make demo` first")
    base = {k: v for k, v in os.environ.items() if k != "LEERLAB_QUARTO"}
    no_quarto_path = os.pathsep.join(
        p for p in base.get("PATH", "").split(os.pathsep) if not (Path(p) / "quarto").exists()
    )
    envs = {
        "fallback": {**base, "PATH": no_quarto_path},
        "quarto": {**base, "LEERLAB_QUARTO": quarto},
    }
    folders = {}
    for engine, env in envs.items():
        out = work / engine
        shutil.copytree(OUT, out, ignore=shutil.ignore_patterns("reports", "site", ".leerlab.lock"))
        load = os.getloadavg()[0]
        wall, cpu = timed(
            [str(LEERLAB), "report", "--study", str(STUDY), "--out", str(out), *extra], env
        )
        n = len(list((out / "reports").iterdir()))
        print(
            f"{engine:8s}: {wall:6.1f} s wall, {cpu:6.1f} s CPU, {n} files "
            f"(load {load:.1f} → {os.getloadavg()[0]:.1f})"
        )
        folders[engine] = out / "reports"
    return folders


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--compare", nargs=2, type=Path, metavar=("A", "B"), help="two reports folders")
    ap.add_argument("--limit", type=int, default=20, help="text differences shown per file")
    # Other arguments go to `leerlab report` (e.g. --lab weert --format html).
    args, report_args = ap.parse_known_args()
    with tempfile.TemporaryDirectory(prefix="leerlab-engines-") as tmp:
        if args.compare:
            a, b = args.compare
            names = (a.name, b.name) if a.name != b.name else (str(a), str(b))
        else:
            folders = run_both(Path(tmp), report_args)
            a, b = folders["fallback"], folders["quarto"]
            names = ("fallback", "quarto")
        found = compare_folders(a, b, names, args.limit)
    for name, diffs in found.items():
        print(f"\n{name}")
        print("\n".join(f"  {d}" for d in diffs))
    print(f"\n{len(found)} file(s) differ")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
