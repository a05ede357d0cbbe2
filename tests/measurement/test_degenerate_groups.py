"""Groups and scales that cannot be estimated get a row that says why (issue 11 §1).

The situation of the issue: one lab with 5 complete rows in which an item has no
variance made statsmodels' SVD fail (``LinAlgError: SVD did not converge``) and
``leerlab measurement`` exit 3.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from synthetic import make_study, synthetic_clean
from typer.testing import CliRunner

from leerlab_research.measurement.omega import mcdonald_omega
from leerlab_research.measurement.scales import item_analysis, scale_reliability
from leerlab_research.outputs import write_parquet


def _degenerate(table: pd.DataFrame, lab: str, n_lab: int = 5) -> pd.DataFrame:
    """Give ``lab`` exactly ``n_lab`` complete rows whose AMB1 is always 4."""
    df = table[table["lab"] != lab].copy()
    extra = table[table["lab"] != lab].dropna(subset=["AMB1", "AMB2", "AMB3", "AMB4"])
    extra = extra.head(n_lab).copy()
    extra["lab"] = lab
    extra["AMB1"] = pd.array([4] * n_lab, dtype="Int64")
    return pd.concat([df, extra], ignore_index=True)


def test_omega_of_an_item_without_variance_is_nan_with_the_reason():
    x = pd.DataFrame({"a": [4.0] * 6, "b": [1, 2, 3, 4, 5, 3.0], "c": [2, 2, 3, 5, 4, 3.0]})
    res = mcdonald_omega(x)
    assert np.isnan(res.omega)
    assert res.reason == "no variance in the complete rows for a"
    assert mcdonald_omega(x.iloc[:3]).reason == "3 complete rows for 3 items (needs at least 4)"
    items = item_analysis(pd.concat([x, x.rename(columns=lambda c: c + "2")], axis=1))
    assert items.loc[items["item"] == "b", "omega_if_deleted"].isna().all()


def test_collinear_items_do_not_crash():
    b = np.array([1, 2, 3, 4, 5, 3, 2, 4.0])
    x = pd.DataFrame({"a": b, "b": b, "c": 6 - b[::-1]})
    res = mcdonald_omega(x)  # a correlation of exactly 1: boundary solution or a reason
    assert np.isfinite(res.omega) or res.reason


def test_scale_reliability_reports_the_degenerate_lab(codebook, lab_ids):
    table = _degenerate(synthetic_clean(codebook, lab_ids, n=400, seed=3), lab_ids[0])
    out = scale_reliability(table, codebook, by=["lab"], min_n=30, ci=None)
    row = out[(out["level"] == lab_ids[0]) & (out["scale"] == "ambitie")].iloc[0]
    assert np.isnan(row["omega"]) and not row["reliable"]
    assert "omega not computable: no variance in the complete rows for AMB1" in row["reason"]
    assert "n = 5 below min_n = 30" in row["reason"]
    other = out[(out["level"] == lab_ids[0]) & (out["scale"] == "belangen")].iloc[0]
    assert np.isfinite(other["omega"])


@pytest.mark.parametrize("n", [100_000])
def test_degenerate_lab_in_a_large_table(codebook, lab_ids, n):
    table = _degenerate(synthetic_clean(codebook, lab_ids, n=n, seed=4), lab_ids[1])
    out = scale_reliability(
        table, codebook, by=["lab"], min_n=30, ci=None, scales=["ambitie", "belangen"]
    )
    bad = out[(out["level"] == lab_ids[1]) & (out["scale"] == "ambitie")]
    assert bad["reason"].str.contains("no variance in the complete rows for AMB1").all()
    assert out.loc[out["level"] != lab_ids[1], "omega"].notna().all()


def test_measurement_cli_goes_on_and_says_why(tmp_path, codebook, lab_ids):
    table = _degenerate(synthetic_clean(codebook, lab_ids, n=400, seed=5), lab_ids[2])
    make_study(tmp_path, "  measurement:\n    ci: none\n    cfa: false\n    by: [lab]\n")
    (tmp_path / "unused.csv").write_text("x\n1\n", encoding="utf-8")
    from leerlab_research.cli import app
    from leerlab_research.config.study import load_study
    from leerlab_research.pipeline import run_stage
    from leerlab_research.runtime import StageContext

    # The hand-made table is recorded as the clean stage's output, as `leerlab clean` would.
    target = tmp_path / "out" / "clean" / "responses.parquet"
    ctx = StageContext(study=load_study(tmp_path / "study.yaml"), out=tmp_path / "out")
    run_stage("clean", ctx, lambda _ctx: [write_parquet(table, target)])

    result = CliRunner().invoke(
        app,
        ["measurement", "--study", str(tmp_path / "study.yaml"), "--out", str(tmp_path / "out")],
    )
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output and "LinAlgError" not in result.output
    by = pd.read_csv(tmp_path / "out" / "measurement" / "reliability_by_group.csv")
    row = by[(by["level"] == lab_ids[2]) & (by["scale"] == "ambitie")].iloc[0]
    assert "no variance in the complete rows for AMB1" in row["reason"]


def _patched_stage(tmp_path, monkeypatch, codebook, lab_ids, error):
    from leerlab_research.measurement import stage
    from leerlab_research.runtime import StageContext

    def fail(*args, **kwargs):
        raise error

    monkeypatch.setattr(stage, "cfa", fail)
    monkeypatch.setattr(stage, "invariance", fail)
    study = make_study(tmp_path, "  measurement:\n    ci: none\n    omega: false\n    by: [lab]\n")
    table = synthetic_clean(codebook, lab_ids, n=200, seed=6)
    write_parquet(table, tmp_path / "out" / "clean" / "responses.parquet")
    return stage.run_measurement(StageContext(study=study, out=tmp_path / "out"))


def test_expected_estimation_failures_become_rows(tmp_path, monkeypatch, codebook, lab_ids):
    error = np.linalg.LinAlgError("Singular matrix")
    _patched_stage(tmp_path, monkeypatch, codebook, lab_ids, error)
    fit = pd.read_csv(tmp_path / "out" / "measurement" / "cfa_fit.csv")
    assert fit["note"].tolist() == ["not estimated: LinAlgError: Singular matrix"]
    inv = pd.read_csv(tmp_path / "out" / "measurement" / "invariance.csv")
    assert inv["verdict"].eq("not estimated: LinAlgError: Singular matrix").all()


def test_a_bug_in_a_model_is_not_hidden_as_not_estimated(tmp_path, monkeypatch, codebook, lab_ids):
    with pytest.raises(TypeError, match="a bug"):
        _patched_stage(tmp_path, monkeypatch, codebook, lab_ids, TypeError("a bug"))
