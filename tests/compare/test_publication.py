"""The publication design's protected cells (``compare/publication.py: target_cells``)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from leerlab_research.compare.publication import (
    ALL,
    LEADERSHIP,
    OUTSIDE,
    TEACHERS,
    target_cells,
)


def cell(lab: str, school: str, role: str, n: float, wave: str = "T0") -> dict[str, object]:
    return {
        "scale": "ambitie",
        "wave": wave,
        "lab": lab,
        "school_type": school,
        "role": role,
        "n": n,
    }


def test_both_compared_groups_large_enough_and_only_those_cells():
    rows = [
        cell("a", "vmbo", ALL, 8),  # lab a: vmbo and mbo both ≥ 5 → both kept
        cell("a", "mbo", ALL, 5),
        cell("a", ALL, LEADERSHIP, 4),  # leiding too small → neither level kept
        cell("a", ALL, TEACHERS, 9),
        cell("a", ALL, ALL, 17),  # the lab's total is no compared group
        cell("b", "vmbo", ALL, 12),  # lab b has no mbo cell → vmbo not kept
        cell("b", ALL, LEADERSHIP, 6),  # leiding and docent both ≥ 5 → kept
        cell("b", ALL, TEACHERS, 6),
        cell("b", ALL, TEACHERS, 6, wave="T1"),  # T1 has no leiding cell
        cell("b", "mbo", LEADERSHIP, 9),  # a crossed cell is no achtje cell
        cell(ALL, "vmbo", ALL, 40),  # programme and outsiders are never targets
        cell(ALL, "mbo", ALL, 40),
        cell(OUTSIDE, "vmbo", ALL, 7),
        cell(OUTSIDE, "mbo", ALL, 7),
        cell("c", "vmbo", ALL, np.nan),  # a hidden n counts as too small
        cell("c", "mbo", ALL, 9),
    ]
    keep = target_cells(pd.DataFrame(rows), 5)
    expected = [1, 1, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0]
    assert keep.tolist() == [bool(e) for e in expected]


def test_empty_table():
    assert target_cells(pd.DataFrame(columns=["scale", "wave", "lab", "n"]), 5).size == 0
