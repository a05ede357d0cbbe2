"""The run manifest: what went in, what came out, with which software.

``<out>/manifest.json`` records the sha256 of the study file, codebook, labs file
and every input export, the seed, Python and key library versions, and every
output file with its sha256. It is the only output that carries wall-clock time.
"""

from __future__ import annotations

import hashlib
import platform
import sys
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

from ._version import __version__
from .config.study import Study
from .outputs import write_json

KEY_PACKAGES = [
    "pandas",
    "numpy",
    "scipy",
    "statsmodels",
    "pingouin",
    "semopy",
    "seaborn",
    "matplotlib",
    "pyyaml",
    "pyarrow",
    "openpyxl",
    "pyreadstat",
    "pydantic",
    "typer",
    "rich",
    "nbclient",
    "pypandoc_binary",
    "typst",
]


def sha256_file(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def package_versions(names: list[str] = KEY_PACKAGES) -> dict[str, str | None]:
    versions: dict[str, str | None] = {}
    for name in names:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def output_files(out: Path) -> dict[str, str]:
    """Every file under ``out`` (except the manifest and temp files) → sha256."""
    files = {}
    for path in sorted(p for p in out.rglob("*") if p.is_file()):
        rel = path.relative_to(out).as_posix()
        if rel == "manifest.json" or path.name.endswith(".tmp") or "/." in f"/{rel}":
            continue
        files[rel] = sha256_file(path)
    return files


def build_manifest(study: Study, out: Path, stages: list[str]) -> dict:
    inputs = {}
    for src in study.sources:
        assert src.resolved is not None
        inputs[src.path] = {
            "sha256": sha256_file(src.resolved),
            "platform": src.platform,
            "wave": src.wave,
            "bytes": src.resolved.stat().st_size,
        }
    return {
        "leerlab_research": __version__,
        "created_at": datetime.now(UTC).replace(microsecond=0).isoformat(),
        "python": sys.version.split()[0],
        "platform": platform.platform(terse=True),
        "packages": package_versions(),
        "study": {
            "name": study.name,
            "path": study.path.as_posix(),
            "sha256": sha256_file(study.path),
            "seed": study.settings.seed,
            "min_cell": study.settings.min_cell,
        },
        "codebook": {
            "path": study.config.codebook,
            "version": study.codebook.version,
            "sha256": sha256_file(study.codebook_path),
        },
        "labs": {"path": study.config.labs, "sha256": sha256_file(study.labs_path)},
        "inputs": inputs,
        "stages": stages,
        "outputs": output_files(out),
    }


def write_manifest(study: Study, out: Path, stages: list[str]) -> Path:
    return write_json(build_manifest(study, out, stages), out / "manifest.json")
