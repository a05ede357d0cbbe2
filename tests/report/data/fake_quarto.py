"""A stand-in for the Quarto CLI (``quarto render <name>.ipynb --to a,b …``) in tests.

It appends what it was given to ``$FAKE_QUARTO_LOG`` (argv, the metadata file,
the notebook, the working folder, ``QUARTO_PYTHON``) and writes one file per
format. With ``FAKE_QUARTO_PANDOC=1`` those files are real: the notebook's
Markdown cells and ``output: asis`` outputs, its figures, the metadata file's
title, numbered as Quarto numbers them and converted with pandoc, so that tests
can compare what the Quarto route hands over with what the fallback shows.
It checks the hand-over, not Quarto's own rendering (``benchmarks/engines.py``
compares against a real Quarto).
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from pathlib import Path

import yaml

EXT = {"html": "html", "docx": "docx", "typst": "pdf"}


def source(cell: dict) -> str:
    text = cell.get("source", "")
    return "".join(text) if isinstance(text, list) else text


def split_options(code: str) -> tuple[dict, str]:
    lines = code.split("\n")
    options: dict = {}
    while lines and lines[0].startswith("#| "):
        options.update(yaml.safe_load(lines.pop(0)[3:]) or {})
    return options, "\n".join(lines)


def cell_markdown(cell: dict, options: dict, number: int) -> list[str]:
    """What Quarto shows of a code cell whose code is hidden (echo: false)."""
    if options.get("include") is False or options.get("output") is False:
        return []
    parts = []
    for out in cell.get("outputs", []):
        if out.get("output_type") == "stream" and out.get("name") == "stdout":
            text = "".join(out["text"]) if isinstance(out["text"], list) else out["text"]
            parts.append(text if options.get("output") == "asis" else f"```\n{text}\n```")
        elif "image/png" in out.get("data", {}):
            path = Path(f"fake-{number}-{len(parts)}.png")
            path.write_bytes(base64.b64decode(out["data"]["image/png"]))
            label = f"#{options['label']} " if options.get("label") else ""
            alt = options.get("fig-alt", "").replace('"', "'")
            parts.append(f'![{options.get("fig-cap", "")}]({path}){{{label}fig-alt="{alt}"}}')
    return parts


def render_with_pandoc(notebook: Path, meta_file: Path, formats: list[str]) -> None:
    from leerlab_research.report.engine.convert import pandoc_path
    from leerlab_research.report.engine.markdown import number_crossrefs

    nb = json.loads(notebook.read_text(encoding="utf-8"))
    meta: dict = {}
    parts: list[str] = []
    for number, cell in enumerate(nb["cells"]):
        if cell["cell_type"] == "raw":
            meta.update(yaml.safe_load(source(cell).strip().strip("-")) or {})
        elif cell["cell_type"] == "markdown":
            parts.append(source(cell))
        else:
            options, _code = split_options(source(cell))
            parts += cell_markdown(cell, options, number)
    meta.update(yaml.safe_load(meta_file.read_text(encoding="utf-8")) or {})
    keep = {k: meta[k] for k in ("title", "subtitle", "lang") if k in meta}
    body = number_crossrefs("\n\n".join(parts), str(meta.get("lang", "en")), [])
    md = Path(f"{notebook.stem}.fake.md")
    md.write_text(f"---\n{yaml.safe_dump(keep, allow_unicode=True)}---\n\n{body}\n", "utf-8")
    for fmt in formats:
        out = f"{notebook.stem}.{EXT[fmt]}"
        if fmt == "typst":  # no PDF comparison here
            Path(out).write_text("%PDF fake", encoding="utf-8")
            continue
        extra = ["--standalone", "--embed-resources", "--to=html5"] if fmt == "html" else []
        subprocess.run([pandoc_path(), md.name, *extra, "-o", out], check=True)


def render_site(argv: list[str]) -> int:
    """``quarto render`` in a website project: ``index.qmd`` → ``_site/`` (with pandoc)."""
    from leerlab_research.report.engine.convert import pandoc_path

    project = yaml.safe_load(Path("_quarto.yml").read_text(encoding="utf-8"))
    record = {"argv": argv, "project": project, "cwd_files": sorted(os.listdir("."))}
    with open(os.environ["FAKE_QUARTO_LOG"], "a", encoding="utf-8") as fh:
        fh.write(json.dumps(record) + "\n")
    site = Path(project["project"]["output-dir"])
    (site / "site_libs").mkdir(parents=True)
    (site / "site_libs" / "quarto-search.js").write_text("// search", encoding="utf-8")
    (site / "search.json").write_text("[]", encoding="utf-8")
    subprocess.run(
        [
            pandoc_path(),
            "index.qmd",
            "--from=markdown",
            "--standalone",
            "--to=html5",
            "-o",
            str(site / "index.html"),
        ],
        check=True,
    )
    return 0


def main() -> int:
    argv = sys.argv[1:]
    if argv == ["render"]:
        return render_site(argv)
    notebook = Path(argv[1])
    meta_file = Path(argv[argv.index("--metadata-file") + 1])
    record = {
        "argv": argv,
        "meta": meta_file.read_text(encoding="utf-8") if meta_file.exists() else None,
        "notebook": json.loads(notebook.read_text(encoding="utf-8")),
        "cwd_files": sorted(os.listdir(".")),
        "quarto_python": os.environ.get("QUARTO_PYTHON"),
    }
    with open(os.environ["FAKE_QUARTO_LOG"], "a", encoding="utf-8") as fh:
        fh.write(json.dumps(record) + "\n")
    if os.environ.get("FAKE_QUARTO_FAIL"):
        print("ERROR: pandoc failed on lab-weert.ipynb", file=sys.stderr)
        return 1
    formats = argv[argv.index("--to") + 1].split(",")
    if os.environ.get("FAKE_QUARTO_PANDOC"):
        render_with_pandoc(notebook, meta_file, formats)
    else:
        for fmt in formats:
            Path(f"{notebook.stem}.{EXT[fmt]}").write_text(
                "rendered by fake quarto: " + " ".join(argv), encoding="utf-8"
            )
    print("WARN: a warning from fake quarto", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
