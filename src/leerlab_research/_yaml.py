"""YAML loading that reports duplicate keys and syntax errors with their place.

PyYAML silently keeps the last of two duplicate mapping keys; for a codebook
that hides a real mistake (an item defined twice), so we record them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from .errors import ConfigError


class _DupKeyLoader(yaml.SafeLoader):
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
    loader = _DupKeyLoader(text)
    loader.duplicates = []
    try:
        data = loader.get_single_data()
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
