"""The registry is the one place a published table's columns are named (compare/registry*.py)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import leerlab_research.compare as compare_pkg
from leerlab_research.compare.registry import REGISTRY

COMPARE = Path(compare_pkg.__file__).parent
#: Modules allowed to spell out column lists: the registry and its field vocabulary.
REGISTRY_MODULES = {"registry.py", "registry_panel.py", "registry_reports.py", "table_spec.py"}
HIDDEN = ["suppressed", "suppression_reason"]


def _string_lists(path: Path) -> list[tuple[int, list[str]]]:
    """Every list or tuple literal made only of strings, with its line."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.List | ast.Tuple) and node.elts:
            if all(isinstance(e, ast.Constant) and isinstance(e.value, str) for e in node.elts):
                out.append((node.lineno, [e.value for e in node.elts]))
    return out


@pytest.mark.parametrize(
    "path",
    sorted(p for p in COMPARE.glob("*.py") if p.name not in REGISTRY_MODULES),
    ids=lambda p: p.name,
)
def test_no_module_hand_lists_a_published_tables_columns(path):
    """A builder takes a table's columns from ``registry.columns``; a second hand-made list
    would drift from the registry (and from results.json) silently."""
    tables = {name: t.columns for name, t in REGISTRY.items()}
    hits = []
    for line, names in _string_lists(path):
        for name, cols in tables.items():
            without_hidden = [c for c in cols if c not in HIDDEN]
            if len(names) >= 3 and names in (cols, without_hidden):
                hits.append(f"{path.name}:{line} spells out the columns of {name!r}")
    assert not hits, hits


def test_panel_builders_use_the_registered_columns():
    from leerlab_research.compare import attrition, longitudinal, publication

    assert longitudinal.LONGITUDINAL_COLUMNS == REGISTRY["longitudinal"].columns
    assert longitudinal.VARIANCE_COLUMNS == REGISTRY["longitudinal_variance"].columns
    assert longitudinal.TRAJECTORY_COLUMNS == REGISTRY["trajectories"].columns
    assert attrition.FLOW_COLUMNS == REGISTRY["attrition"].columns
    assert attrition.BASELINE_COLUMNS == REGISTRY["attrition_baseline"].columns
    assert publication.MERGE_COLUMNS == REGISTRY["merges"].columns
