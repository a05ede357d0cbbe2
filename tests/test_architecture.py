"""The package's house rules, checked on its source.

* Imports run one way: config ← io ← cleaning ← measurement / compare ← plots ←
  report ← cli / pipeline (see docs/ARCHITECTURE.md). A module may import its own
  layer or lower ones, never a higher one.
* No import of the package's own modules inside a function (such imports hide
  cycles), except in ``cli.py``, which imports stages on demand for start-up time.
* No module over about 500 lines.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import leerlab_research

PKG = Path(leerlab_research.__file__).parent

#: first component of the module path (relative to the package) → layer
LAYERS: dict[str, int] = {
    "errors": 0,
    "normalise": 0,
    "outputs": 0,
    "_version": 0,
    "text": 0,
    "config": 1,
    "runtime": 1,
    "manifest": 1,
    "outlock": 1,
    "workers": 1,
    "io": 2,
    "cleaning": 3,
    "demo": 3,
    "measurement": 4,
    "coding": 4,
    "reliability": 4,  # re-export of measurement's public API
    "compare": 4,
    "plots": 5,
    "report": 6,
    "instrument": 6,
    "pipeline": 7,
    "cli": 7,
    "__init__": 7,
}
MAX_LINES = 550  # "about 500": harmonise.py and io/delimited.py are a little over


def _modules() -> list[tuple[str, Path]]:
    out = []
    for path in sorted(PKG.rglob("*.py")):
        rel = path.relative_to(PKG).with_suffix("")
        out.append((".".join(rel.parts), path))
    return out


def _layer(module: str) -> int:
    head = module.split(".")[0]
    if head not in LAYERS:
        pytest.fail(f"module {module} has no layer in tests/test_architecture.py")
    return LAYERS[head]


def _resolve(module: str, node: ast.ImportFrom, is_pkg: bool) -> list[str]:
    """Package-relative targets of a ``from ... import ...`` (empty when external)."""
    if node.level == 0:
        if not (node.module or "").startswith("leerlab_research"):
            return []
        base = (node.module or "").split(".")[1:]
    else:
        parts = module.split(".")
        parts = parts if is_pkg else parts[:-1]
        base = parts[: len(parts) - (node.level - 1)] + (
            node.module.split(".") if node.module else []
        )
    if base:
        return [".".join(base)]
    # ``from . import x`` at the package root: each name is a module
    return [alias.name for alias in node.names]


def _imports(module: str, path: Path) -> list[tuple[str, int, bool]]:
    """(target, line, inside a function) for every import of the package's own modules."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    is_pkg = path.name == "__init__.py"
    found: list[tuple[str, int, bool]] = []

    def visit(node: ast.AST, in_func: bool, in_type_checking: bool) -> None:
        for child in ast.iter_child_nodes(node):
            func = in_func or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            tc = in_type_checking or (
                isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test)
            )
            if isinstance(child, ast.ImportFrom) and not tc:
                for target in _resolve(module, child, is_pkg):
                    found.append((target, child.lineno, in_func))
            elif isinstance(child, ast.Import) and not tc:
                for alias in child.names:
                    if alias.name.startswith("leerlab_research."):
                        found.append((alias.name.split(".", 1)[1], child.lineno, in_func))
            visit(child, func, tc)

    visit(tree, False, False)
    return found


@pytest.mark.parametrize("module,path", _modules(), ids=lambda v: str(v))
def test_imports_run_one_way(module, path):
    own = _layer(module)
    upward = [
        f"line {line}: {module} (layer {own}) imports {target} (layer {_layer(target)})"
        for target, line, _ in _imports(module, path)
        if _layer(target) > own
    ]
    assert upward == []


@pytest.mark.parametrize("module,path", _modules(), ids=lambda v: str(v))
def test_no_package_imports_inside_functions(module, path):
    if module == "cli":
        pytest.skip("the CLI imports stages on demand (start-up time)")
    inner = [f"line {line}: {target}" for target, line, inside in _imports(module, path) if inside]
    assert inner == []


def test_no_module_is_too_long():
    long = {
        str(path.relative_to(PKG)): n
        for _, path in _modules()
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    # Known and shrinking: demo/simulate.py (rewritten for any number of waves, issue 13).
    assert set(long) <= {"demo/simulate.py"}, long


#: What only the comparison stage may do: read row-level data, apply a disclosure rule.
ROW_LEVEL = (
    "responses.parquet",
    "read_parquet",
    "open_answers.parquet",
    "exclusions.csv",
    "validation.csv",
)
DISCLOSURE_CALLS = ("protect", "protect_cube", "blank", "hierarchy_relations", "audit_linear")


@pytest.mark.parametrize(
    "module,path", [m for m in _modules() if m[0].startswith("report")], ids=lambda v: str(v)
)
def test_report_reads_only_published_tables(module, path):
    """Nothing under report/ opens row-level data or applies min_cell itself (issue 12)."""
    source = path.read_text(encoding="utf-8")
    assert not [w for w in ROW_LEVEL if w in source], module
    # the clean table in its CSV form (compare/responses.csv is published)
    assert not re.search(r"clean[\"']?\s*/\s*[\"']?responses", source), module
    tree = ast.parse(source)
    calls = [
        node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
    ]
    assert not [c for c in calls if c in DISCLOSURE_CALLS], module
    # ... and imports nothing of disclosure
    assert not [t for t, _, _ in _imports(module, path) if "disclosure" in t or "hypercube" in t]
    # min_cell is named in words only: never compared with a count
    assert not re.search(r"[<>]=?\s*self\.min_cell|min_cell\s*[<>]", source), module
