"""Pseudonymisation of respondent keys (cleaning/pseudonymise.py): spellings and
zero-padded keys of one person link to one id across files and waves.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from cleaning_helpers import (
    KEY,
    dutch_frame,
    run_cli,
    write_dutch_csv,
    write_study,
)

from leerlab_research.cleaning.pseudonymise import normalise_key, pseudonymise


# ------------------------------------------------------------------ pseudonyms
def test_pseudonyms_link_spellings_of_one_key():
    keys = pd.Series(
        [" Anna@School.nl", "anna@school.nl ", "LL12345", 17.0, "17", np.nan, "anonymous"]
    )
    ids = pseudonymise(keys, KEY)
    assert ids[0] == ids[1] and ids[3] == ids[4] and ids[0] != ids[2]
    assert ids[:5].str.fullmatch(r"[0-9a-f]{16}").all()
    assert ids[5:].isna().all()
    assert pseudonymise(keys, b"other-key")[0] != ids[0]
    assert normalise_key("AbC") == "AbC"  # tokens stay case-sensitive


def test_zero_padded_keys_link_t0_csv_and_t1_workbook(tmp_path):
    t0 = dutch_frame(10, seed=1)
    t0["Respondentnummer"] = [f"{i:05d}" for i in range(1, 11)]
    write_dutch_csv(t0, tmp_path / "x_T0.csv")
    t1 = dutch_frame(10, seed=2, wave_day="2024-11-04")
    t1["Respondentnummer"] = list(range(1, 11))  # Excel turned 00001 into the number 1
    t1.to_excel(tmp_path / "x_T1.xlsx", index=False)
    study = write_study(
        tmp_path,
        [{"path": "x_T0.csv", "wave": "T0"}, {"path": "x_T1.xlsx", "wave": "T1"}],
    )
    result = run_cli("clean", "--study", str(study))
    assert result.exit_code == 0, result.output
    r = pd.read_parquet(tmp_path / "out" / "clean" / "responses.parquet")
    assert (r.groupby("respondent_id")["wave"].nunique() == 2).sum() == 10
