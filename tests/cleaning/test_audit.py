"""The audit trail (cleaning/audit.py): personal data typed into answers never reaches
messages or outputs.
"""

from __future__ import annotations

import pandas as pd
from cleaning_helpers import (
    dutch_frame,
    run_cli,
)


def test_email_and_ip_typed_into_an_answer_are_hidden_in_failures(tmp_path, dutch_study):
    df = dutch_frame(12)
    df.loc[3, "Rol"] = "Anders: IB'er, mail jan.jansen@school.example"
    df.loc[4, "Rol"] = "IB'er (192.0.2.199)"
    study = dutch_study({"rol_T0.csv": df})
    result = run_cli("validate", "--study", str(study))
    assert result.exit_code == 1 and "Traceback" not in result.output
    out = tmp_path / "out"
    texts = [result.output] + [f.read_text(encoding="utf-8") for f in out.rglob("*.csv")]
    for text in texts:
        assert "jan.jansen@school.example" not in text and "192.0.2.199" not in text
    assert "<e-mail>" in result.output and "<ip>" in result.output
    val = pd.read_csv(out / "clean" / "validation.csv")
    assert set(val.loc[val["rule"] == "invalid_role", "source_row"]) == {5, 6}
