"""Exclusions (cleaning/exclusions.py): test rows and duplicate respondents across files."""

from __future__ import annotations

import pandas as pd
from cleaning_helpers import assert_failed, dutch_frame, run_cli


def test_duplicate_ids_across_files(tmp_path, dutch_study):
    a = dutch_frame(20, seed=1)
    b = dutch_frame(20, seed=2, first_id=10015)  # ids 10015-10019 also in a
    study = dutch_study({"a_T0.csv": a, "b_T0.csv": b})
    result = run_cli("clean", "--study", str(study))
    assert_failed(result, tmp_path / "out", "b_T0.csv", "a_T0.csv", "duplicate_id_across_files")
    # Never the raw respondent number in the message: only the pseudonym.
    assert "10015" not in result.output


def test_failure_in_a_test_row_does_not_block(tmp_path, dutch_study):
    """A test row with lab 'TEST' is excluded as test before lab validation."""
    df = dutch_frame(20)
    df.loc[4, ["Leerlab", "Naam"]] = ["TEST", "Test"]
    df.loc[5, ["Leerlab", "Toestemming"]] = ["Atlantis", "Nee"]  # excluded for no consent anyway
    study = dutch_study({"t_T0.csv": df})
    result = run_cli("clean", "--study", str(study))
    assert result.exit_code == 0, result.output
    excl = pd.read_csv(tmp_path / "out" / "clean" / "exclusions.csv")
    assert dict(zip(excl["source_row"], excl["reason"], strict=True)) == {
        6: "test",
        7: "no_consent",
    }
    val = pd.read_csv(tmp_path / "out" / "clean" / "validation.csv")
    assert set(val["severity"]) == {"excluded"}
