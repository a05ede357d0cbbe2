"""The one YAML loader of the configuration: file → validated model, or every problem at once.

:func:`load_model` is how the codebook, the labs file and the study file are read:
load (syntax errors and duplicate keys with their line), validate with pydantic
(each error with its YAML path and value), run the file's own semantic checks, and
raise one :class:`~leerlab_research.errors.ConfigError` listing everything.

PyYAML silently keeps the last of two duplicate mapping keys; for a codebook
that hides a real mistake (an item defined twice), so we record them.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from ..errors import ConfigError

# libyaml's parser where PyYAML was built with it (the wheels are): the study with
# its codebook parse in 0.007 s instead of 0.06 s, and every stage and every report
# kernel loads it. The constructor (safe types, the duplicate-key check) is
# PyYAML's either way.
try:
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]


class _DupKeyLoader(_BaseLoader):
    duplicates: list[str]


def _construct_mapping(loader: _DupKeyLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    seen: dict[Any, int] = {}
    for key_node, _value_node in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            loader.duplicates.append(
                f"line {key_node.start_mark.line + 1}: key {key!r} defined twice "
                f"(first on line {seen[key] + 1})"
            )
        else:
            seen[key] = key_node.start_mark.line
    return yaml.SafeLoader.construct_mapping(loader, node, deep=deep)


_DupKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def load_yaml(path: Path) -> tuple[Any, list[str]]:
    """Load ``path``; return the data and a list of duplicate-key problems.

    Raises
    ------
    ConfigError
        If the file is missing, unreadable or not valid YAML (exit code 2).
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise ConfigError(f"{path}: file does not exist") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read ({exc.strerror})") from exc
    try:
        # PyYAML's reader checks the characters when it is made, libyaml's while it
        # parses: a binary file fails in one of the two places.
        loader = _DupKeyLoader(text)
    except yaml.reader.ReaderError as exc:
        raise _not_text(path, exc) from exc
    loader.duplicates = []
    try:
        data = loader.get_single_data()
    except yaml.reader.ReaderError as exc:
        raise _not_text(path, exc) from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(f"{path.name}: invalid YAML{where}: {problem}") from exc
    finally:
        loader.dispose()
    if data is None:
        raise ConfigError(f"{path.name}: file is empty")
    return data, [f"{path.name}: {d}" for d in loader.duplicates]


def _not_text(path: Path, exc: yaml.reader.ReaderError) -> ConfigError:
    ch = exc.character
    shown = f"U+{ch:04X}" if isinstance(ch, int) else repr(ch)
    return ConfigError(
        f"{path}: not a YAML text file (control character {shown} at position "
        f"{exc.position}); is this the right file?"
    )


def yaml_path(loc: tuple[Any, ...]) -> str:
    """Render a pydantic error location as a YAML path: ``scales.ambitie.items[1]``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def pydantic_problems(fname: str, exc: ValidationError) -> list[str]:
    """One line per pydantic error: ``file: yaml.path: message (value)``."""
    problems = []
    for err in exc.errors():
        loc = tuple(p for p in err["loc"] if p not in ("function-after", "function-before"))
        value = err.get("input")
        shown = "" if isinstance(value, dict | list) else f" (got {value!r})"
        problems.append(f"{fname}: {yaml_path(loc)}: {err['msg']}{shown}")
    return problems


M = TypeVar("M", bound=BaseModel)


def load_model(
    path: Path,
    model: type[M],
    what: str,
    *,
    extra: dict[str, Any] | None = None,
    checks: Callable[[M, str], list[str]] | None = None,
) -> tuple[M, list[str]]:
    """Load ``path`` as ``model``; return it with the problems of the semantic ``checks``.

    Parameters
    ----------
    path
        The YAML file.
    model
        The pydantic model of its top level.
    what
        How the file is named in the error ("Codebook", "Labs file", "Study").
    extra
        Fields added to the mapping before validation (e.g. the file's own path).
    checks
        ``checks(obj, file_name) -> problems`` run after validation.

    Raises
    ------
    ConfigError
        When the file cannot be read or parsed, or fails validation; duplicate keys
        and pydantic errors are reported together. Problems of ``checks`` are
        returned, not raised, so that a caller can add its own before raising.
    """
    data, problems = load_yaml(path)
    fname = path.name
    if not isinstance(data, dict):
        raise ConfigError(f"{fname}: top level must be a mapping, got {type(data).__name__}")
    try:
        obj = model.model_validate({**data, **(extra or {})})
    except ValidationError as exc:
        raise ConfigError(
            f"{what} {path} is invalid", problems + pydantic_problems(fname, exc)
        ) from None
    if checks is not None:
        problems += checks(obj, fname)
    return obj, problems
