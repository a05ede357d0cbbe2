"""The run manifest: what went in, what came out, with which software, and what is current.

``<out>/manifest.json`` records the sha256 of the study file, codebook, labs file
and every input export, the seed, Python and key library versions, and per
stage its provenance (:func:`stage_record`):

``config``
    hashes of what the stage depends on in the study: the codebook, the labs
    file, the settings sections it reads (:data:`STAGE_SETTINGS`) and, for the
    stages that read exports, every source (path, platform, wave, recodes and
    the file's sha256);
``reads``
    per upstream stage, the sha256 of every file of it that existed when the
    stage started (``extra`` holds other inputs, such as imported coding sheets);
``writes``
    every file the stage wrote, with its sha256.

A stage record is *current* (:func:`stale_reason` is None) when its config
equals the config the study gives now, every file it wrote is still on disk
with the recorded sha256, and every upstream stage it read is current and
still holds exactly the files it read. ``outputs`` lists the files of current
stages only: never a stale file or a file the package did not write.

While a stage runs the manifest says ``"status": "incomplete"`` and names the
stage in ``running``; the stage's previous record is gone by then, so a later
stage refuses to build on half-written outputs. The manifest is the only
output that carries wall-clock time (``created_at``).
"""

from __future__ import annotations

import hashlib
import json
import platform
import sys
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from ._version import __version__
from .config.study import Study
from .errors import ConfigError
from .outputs import write_json

MANIFEST = "manifest.json"

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

#: Per stage: the study settings its outputs depend on (a change makes them stale).
STAGE_SETTINGS: dict[str, tuple[str, ...]] = {
    "validate": ("cleaning", "pseudonym_key_env", "demo_key"),
    "clean": ("cleaning", "open_answers", "pseudonym_key_env", "demo_key"),
    "code": ("open_answers", "seed"),
    "code-import": ("open_answers", "seed"),
    "measurement": ("measurement", "seed", "min_cell"),
    "compare": ("compare", "seed", "min_cell"),
    "report": ("report", "language", "min_cell", "seed"),
}
#: Stages whose outputs depend on the export files themselves.
READS_SOURCES = frozenset({"validate", "clean"})

_HASH_CACHE: dict[tuple[str, int, int], str] = {}


def sha256_file(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _cached_sha(path: Path) -> str | None:
    """sha256 of ``path``, or None when it is missing; cached on (path, size, mtime)."""
    try:
        st = path.stat()
    except OSError:
        return None
    key = (str(path.resolve()), st.st_size, st.st_mtime_ns)
    if key not in _HASH_CACHE:
        _HASH_CACHE[key] = sha256_file(path)
    return _HASH_CACHE[key]


def package_versions(names: list[str] = KEY_PACKAGES) -> dict[str, str | None]:
    versions: dict[str, str | None] = {}
    for name in names:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def _digest(obj: Any) -> str:
    return hashlib.sha256(json.dumps(obj, sort_keys=True, default=str).encode()).hexdigest()


def source_inputs(study: Study) -> dict[str, dict[str, Any]]:
    """Every export of the study: sha256, platform, wave, size (missing files: sha256 None)."""
    inputs = {}
    for src in study.sources:
        path = src.resolved or (study.base_dir / src.path)
        sha = _cached_sha(Path(path))
        inputs[src.path] = {
            "sha256": sha,
            "platform": src.platform,
            "wave": src.wave,
            "bytes": Path(path).stat().st_size if sha is not None else None,
        }
    return inputs


def stage_config(study: Study, stage: str) -> dict[str, Any]:
    """What ``stage``'s outputs depend on in the study, as hashes (compared for staleness)."""
    settings = study.settings.model_dump(mode="json")
    names = STAGE_SETTINGS.get(stage, ())
    config: dict[str, Any] = {
        "codebook": _cached_sha(study.codebook_path),
        "labs": _cached_sha(study.labs_path),
        "settings": _digest({k: settings.get(k) for k in names}),
    }
    if stage in READS_SOURCES:
        config["sources"] = _digest(
            [
                [s.model_dump(mode="json", exclude={"resolved"}), _cached_sha(Path(s.resolved))]
                if s.resolved is not None
                else [s.model_dump(mode="json", exclude={"resolved"}), None]
                for s in study.sources
            ]
        )
    return config


_CONFIG_WHAT = {
    "codebook": "the codebook changed",
    "labs": "the labs file changed",
    "sources": "the study's sources or the export files changed",
}


def read_manifest(out: Path) -> dict[str, Any]:
    """The manifest under ``out`` ({} when there is none; unreadable is a usage error)."""
    path = out / MANIFEST
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(
            f"{path} cannot be read ({exc}); it is the record of this out folder: restore it, "
            "or use a new --out folder"
        ) from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path} is not a leerlab manifest; use a new --out folder")
    if isinstance(data.get("stages"), list):  # a manifest from before stage records
        data["stages"] = {}
    return data


def current_files(out: Path, record: dict[str, Any]) -> dict[str, str | None]:
    return {rel: _cached_sha(out / rel) for rel in record.get("writes", {})}


def stale_reason(
    study: Study,
    out: Path,
    manifest: dict[str, Any],
    stage: str,
    _seen: frozenset[str] = frozenset(),
) -> str | None:
    """Why the outputs of ``stage`` under ``out`` are not current, or None when they are."""
    record = manifest.get("stages", {}).get(stage)
    if record is None:
        if manifest.get("running") == stage:
            return f"the last `leerlab {stage}` was interrupted"
        return "it has not run into this out folder (or its record is gone)"
    now = stage_config(study, stage)
    then = record.get("config", {})
    for key in sorted(set(now) | set(then)):
        if now.get(key) != then.get(key):
            if key == "settings":
                names = ", ".join(f"settings.{n}" for n in STAGE_SETTINGS.get(stage, ()))
                return f"the study's {names} changed since it ran"
            return f"{_CONFIG_WHAT.get(key, key + ' changed')} since it ran"
    for rel, sha in sorted(record.get("writes", {}).items()):
        if _cached_sha(out / rel) != sha:
            return f"{rel} was changed or removed after it was written"
    for upstream, files in sorted(record.get("reads", {}).items()):
        if upstream == "extra":
            continue
        if upstream in _seen:
            continue
        up = manifest.get("stages", {}).get(upstream)
        if up is None or stale_reason(study, out, manifest, upstream, _seen | {stage}) is not None:
            return f"the {upstream} outputs it was made from are no longer current"
        if dict(up.get("writes", {})) != dict(files):
            return f"`leerlab {upstream}` ran again since, with other results"
    return None


def stage_record(
    study: Study,
    out: Path,
    stage: str,
    reads: dict[str, dict[str, str]],
    written: list[Path],
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The provenance of one finished stage (see the module docstring)."""
    writes: dict[str, str] = {}
    root = out.resolve()
    for path in written:
        p = Path(path).resolve()
        try:
            rel = p.relative_to(root).as_posix()
        except ValueError:
            continue  # outside the out folder (e.g. `leerlab instrument`): not this manifest's
        sha = _cached_sha(p)
        if sha is not None:
            writes[rel] = sha
    record: dict[str, Any] = {
        "config": stage_config(study, stage),
        "study_sha256": _cached_sha(study.path),
        # A file this stage rewrote is its own output now, not an input from the stage
        # that wrote it before (`code` after `code --import` rewrites
        # clean/open_codes.csv): kept among the reads it would make this stage stale
        # the moment the other record lets go of the file.
        "reads": {
            name: {rel: sha for rel, sha in files.items() if rel not in writes}
            for name, files in reads.items()
        },
        "writes": dict(sorted(writes.items())),
    }
    if extra:
        record["reads"]["extra"] = extra
    return record


def _software() -> dict[str, Any]:
    return {
        "leerlab_research": __version__,
        "python": sys.version.split()[0],
        "platform": platform.platform(terse=True),
        "packages": package_versions(),
    }


def build_manifest(
    study: Study, out: Path, manifest: dict[str, Any], *, running: str | None = None
) -> dict[str, Any]:
    """The manifest to write: the current study, stage records, current outputs only."""
    stages = dict(manifest.get("stages", {}))
    stale: dict[str, str] = {}
    outputs: dict[str, str] = {}
    for name in sorted(stages):
        reason = stale_reason(study, out, {**manifest, "stages": stages}, name)
        if reason is not None:
            stale[name] = reason
            continue
        outputs.update(stages[name].get("writes", {}))
    out_manifest = {
        **_software(),
        "created_at": datetime.now(UTC).replace(microsecond=0).isoformat(),
        "status": "incomplete" if running else "complete",
        "running": running,
        "study": {
            "name": study.name,
            "path": study.path.as_posix(),
            "sha256": _cached_sha(study.path),
            "seed": study.settings.seed,
            "min_cell": study.settings.min_cell,
        },
        "codebook": {
            "path": study.config.codebook,
            "version": study.codebook.version,
            "sha256": _cached_sha(study.codebook_path),
        },
        "labs": {"path": study.config.labs, "sha256": _cached_sha(study.labs_path)},
        "inputs": source_inputs(study),
        "pseudonym_key": manifest.get("pseudonym_key"),
        "stages": stages,
        "stale": stale,
        "outputs": dict(sorted(outputs.items())),
    }
    return out_manifest


def write_manifest(
    study: Study, out: Path, manifest: dict[str, Any], *, running: str | None = None
) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    return write_json(build_manifest(study, out, manifest, running=running), out / MANIFEST)
