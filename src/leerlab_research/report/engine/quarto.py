"""The Quarto route: call ``quarto render`` on a per-render copy of the template.

Rendering a copy in its own temporary folder keeps the template folder
read-only-safe (Quarto writes ``.quarto/`` and ``<name>_files/`` next to the
document) and keeps parallel renders of one template from sharing figure
folders.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from .errors import RenderError
from .execute import plain_value
from .request import RenderResult
from .workcopy import copy_template_folder, move_into_place

if TYPE_CHECKING:
    from . import RenderRequest, RenderResult

QUARTO_TO = {"html": "html", "docx": "docx", "pdf": "typst"}
EXTENSIONS = {"html": "html", "docx": "docx", "pdf": "pdf"}
PARAMS_FILE = "leerlab-params.yml"


def metadata_flag(key: str, value: object) -> str:
    """``key:value`` for ``-M``; Quarto reads the value as YAML, so quote when needed."""
    value = plain_value(value)
    if isinstance(value, str):
        try:
            plain_ok = yaml.safe_load(value) == value and "\n" not in value
        except yaml.YAMLError:
            plain_ok = False
        text = (
            value
            if plain_ok and value.strip() == value and value
            else json.dumps(value, ensure_ascii=False)
        )
    else:
        text = json.dumps(value, ensure_ascii=False)
    return f"{key}:{text}"


def metadata_file_name(fmt: str) -> str:
    return f"leerlab-meta-{fmt}.yml"


def quarto_metadata(fmt: str, req: RenderRequest) -> dict[str, object]:
    """Metadata for one format, written to a YAML file (``--metadata-file``).

    A file, not ``-M``: Quarto reads an ``-M`` value as YAML after the shell, so a
    title with a colon arrived in literal quotes. ``format-links: false`` drops the
    "other formats" links, which pointed at the HTML itself. The templates carry no
    title of their own (front matter would win over a metadata file).
    """
    meta: dict[str, object] = {}
    if fmt == "html":
        meta["embed-resources"] = True
        meta["format-links"] = False
    meta["lang"] = req.lang
    for key, value in req.metadata.items():
        meta[key] = plain_value(value)
    return meta


def quarto_command(
    exe: str, template_name: str, fmt: str, output_name: str, req: RenderRequest, has_params: bool
) -> list[str]:
    """The argv for one format (run with the working copy's folder as cwd)."""
    cmd = [exe, "render", template_name, "--to", QUARTO_TO[fmt]]
    if has_params:
        cmd += ["--execute-params", f"../{PARAMS_FILE}"]
    cmd += ["--metadata-file", f"../{metadata_file_name(fmt)}"]
    cmd += ["--output", output_name]
    return cmd


def render_with_quarto(req: RenderRequest, exe: str, timeout: int = 1800) -> RenderResult:
    """Render ``req`` with the Quarto CLI ``exe``; one ``quarto render`` call per format.

    Raises
    ------
    RenderError
        Quarto exits non-zero, times out, or does not produce the expected file.
    """
    template = Path(req.template).resolve()
    warnings: list[str] = []
    outputs: list[Path] = []
    base = Path(req.workdir) if req.workdir is not None else None
    if base is not None:
        base.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="leerlab-quarto-", dir=base) as tmp:
        copy_dir = copy_template_folder(template.parent, Path(tmp) / "src")
        has_params = bool(req.params)
        if has_params:
            (Path(tmp) / PARAMS_FILE).write_text(
                yaml.safe_dump(plain_value(dict(req.params)), allow_unicode=True, sort_keys=False),
                encoding="utf-8",
            )
        env = dict(os.environ)
        # Quarto's Jupyter engine must use this environment (papermill, the
        # package itself); QUARTO_PYTHON selects it.
        env.setdefault("QUARTO_PYTHON", sys.executable)
        if req.source_date_epoch is not None:
            env["SOURCE_DATE_EPOCH"] = str(req.source_date_epoch)
        for fmt in req.formats:
            (Path(tmp) / metadata_file_name(fmt)).write_text(
                yaml.safe_dump(quarto_metadata(fmt, req), allow_unicode=True, sort_keys=False),
                encoding="utf-8",
            )
        for fmt in req.formats:
            name = f"{req.output_stem}.{EXTENSIONS[fmt]}"
            cmd = quarto_command(exe, template.name, fmt, name, req, has_params)
            try:
                proc = subprocess.run(
                    cmd,
                    cwd=copy_dir,
                    env=env,
                    capture_output=True,
                    text=True,
                    timeout=timeout,
                    check=False,
                )
            except subprocess.TimeoutExpired:
                raise RenderError(
                    f"template '{template}': quarto render --to {fmt} took over {timeout} s"
                ) from None
            except OSError as exc:
                raise RenderError(f"quarto at '{exe}' cannot be run: {exc}") from None
            if proc.returncode != 0:
                tail = "\n".join((proc.stderr or proc.stdout).strip().splitlines()[-15:])
                raise RenderError(
                    f"template '{template}': quarto render --to {fmt} failed (exit {proc.returncode})",
                    [tail] if tail else [],
                )
            produced = _find_output(copy_dir, name)
            if produced is None:
                raise RenderError(
                    f"template '{template}': quarto reported success but wrote no {name}"
                )
            outputs.append(move_into_place(produced, Path(req.output_dir) / name))
            warnings += [f"quarto: {line}" for line in proc.stderr.splitlines() if "WARN" in line]
        shutil.rmtree(copy_dir, ignore_errors=True)
    return RenderResult(outputs=outputs, engine="quarto", warnings=warnings)


def _find_output(folder: Path, name: str) -> Path | None:
    """Quarto writes next to the document, or into a project ``output-dir``."""
    direct = folder / name
    if direct.exists():
        return direct
    found = sorted(folder.rglob(name))
    return found[0] if found else None
