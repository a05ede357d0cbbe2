"""SPSS .sav files written with pyreadstat (as in survey-formats.md §1e)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyreadstat
from io_helpers import fails

from leerlab_research.io import detect_platform, read_export
from leerlab_research.io.spss import expand_missing


def write_sav(path):
    df = pd.DataFrame(
        {
            "id": [1.0, 2.0, 3.0],
            "school": ["vmbo", "mbo", ""],
            "Q1_SQ001": [1.0, 9.0, 5.0],
            "Q1_SQ002": [8.0, 2.0, np.nan],
        }
    )
    pyreadstat.write_sav(
        df,
        str(path),
        column_labels=["Respondent", "Schooltype", "Wij hebben een ambitie", "Wij delen"],
        variable_value_labels={
            "Q1_SQ001": {1: "Helemaal mee oneens", 5: "Helemaal mee eens", 9: "Weet niet / n.v.t."},
        },
        missing_ranges={"Q1_SQ001": [9], "Q1_SQ002": [{"lo": 7, "hi": 9}]},
        variable_measure={"Q1_SQ001": "ordinal", "school": "nominal"},
    )


def test_sav_user_missing_kept(tmp_path):
    p = tmp_path / "spss_T0.sav"
    write_sav(p)
    r = read_export(p)
    assert r.platform == "spss"
    assert r.detected["platform_reason"] == "auto: SPSS system file signature ($FL2) → spss"
    np.testing.assert_array_equal(r.source_rows, [2, 3, 4])
    f = r.frame
    assert f["Q1_SQ001"].dtype == np.float64
    assert f["Q1_SQ001"].tolist() == [1.0, 9.0, 5.0]  # 9 kept as a value, not NaN
    assert f.loc[1, "school"] == "mbo" and pd.isna(f.loc[2, "school"])
    assert r.value_labels["Q1_SQ001"][9.0] == "Weet niet / n.v.t."
    assert r.missing_values == {"Q1_SQ001": [9.0], "Q1_SQ002": [7.0, 8.0, 9.0]}
    assert r.header_text["Q1_SQ001"] == "Wij hebben een ambitie"
    assert r.detected["variable_measure"]["Q1_SQ001"] == "ordinal"
    assert detect_platform(p)[0] == "spss"


def test_expand_missing_ranges():
    assert expand_missing([{"lo": 9.0, "hi": 9.0}, {"lo": -3.0, "hi": -1.0}]) == (
        [-3.0, -2.0, -1.0, 9.0],
        False,
    )
    codes, truncated = expand_missing([{"lo": 0.0, "hi": 1e9}])
    assert codes == [0.0, 1e9] and truncated


def test_sav_that_is_not_spss(tmp_path, build):
    p = tmp_path / "export.sav"
    p.write_bytes(build.plain_csv([["a", "b"], ["1", "2"]]))
    fails(p, match="not an SPSS system file")


def test_damaged_sav(tmp_path):
    # Right signature, garbage after it: pyreadstat's own error is wrapped.
    p = tmp_path / "broken.sav"
    p.write_bytes(b"$FL2" + b"\x00\x01garbage" * 10)
    e = fails(p, match="not a readable SPSS .sav file")
    assert e.__cause__ is not None
