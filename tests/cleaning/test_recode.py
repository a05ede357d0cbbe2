"""Per-source value recodes (``sources[].values``): numeric exports become codebook values, logged."""

from __future__ import annotations

import pandas as pd
from cleaning_helpers import dutch_frame, run_cli, write_dutch_csv, write_study


def test_numeric_role_codes_fail_without_and_pass_with_recode(tmp_path):
    df = dutch_frame(30, seed=3)
    roles = {"bestuur": "1", "management": "2", "docent": "3"}
    truth = df["Rol"].copy()
    df["Rol"] = df["Rol"].map(roles)
    csv = write_dutch_csv(df, tmp_path / "export.csv")

    plain = write_study(tmp_path, [{"path": str(csv), "platform": "csv", "wave": "T0"}])
    res = run_cli("clean", "--study", str(plain))
    assert res.exit_code == 1
    assert not (tmp_path / "out" / "clean" / "responses.csv").exists()
    assert run_cli("validate", "--study", str(plain)).exit_code == 1
    failures = pd.read_csv(tmp_path / "out" / "clean" / "validation.csv")
    assert set(failures.loc[failures["rule"] == "invalid_role", "value"].astype(str)) == {
        "1",
        "2",
        "3",
    }

    recoded = write_study(
        tmp_path,
        [
            {
                "path": str(csv),
                "platform": "csv",
                "wave": "T0",
                "values": {"role": {"1": "bestuur", "2": "management", "3": "docent"}},
            }
        ],
    )
    res = run_cli("clean", "--study", str(recoded))
    assert res.exit_code == 0, res.output
    out = pd.read_csv(tmp_path / "out" / "clean" / "responses.csv")
    got = out.sort_values("source_row")["role"].tolist()
    assert got == truth.tolist()
    log = pd.read_csv(tmp_path / "out" / "clean" / "cleaning_log.csv")
    rec = log[log["step"] == "recode"]
    assert len(rec) == 1 and "30 cells recoded" in rec["detail"].iloc[0]
    assert "'1' → 'bestuur'" in rec["detail"].iloc[0]


def test_recode_of_unknown_code_is_a_config_error(tmp_path):
    csv = write_dutch_csv(dutch_frame(5), tmp_path / "export.csv")
    study = write_study(tmp_path, [{"path": str(csv), "values": {"rol": {"1": "bestuur"}}}])
    res = run_cli("clean", "--study", str(study))
    assert res.exit_code == 2
    assert "sources[0].values.rol: unknown codebook code 'rol'" in res.output
    assert "Traceback" not in res.output
