"""Kappa and alpha against R's irr (kappa2, kripp.alpha) and the krippendorff package."""

from __future__ import annotations

from pathlib import Path

import krippendorff
import numpy as np
import pandas as pd
import pytest

from leerlab_research.coding.agreement import (
    agreement_row,
    agreement_table,
    alpha_binary,
    cohen_kappa,
)

RESULTS = Path(__file__).parent / "results"
EXAMPLES = pd.read_csv(RESULTS / "irr_examples.csv")
VALUES = pd.read_csv(RESULTS / "irr_values.csv").set_index("example")


def _codes(example: str, coders: list[str]) -> np.ndarray:
    return EXAMPLES.loc[EXAMPLES["example"] == example, coders].to_numpy(dtype=float).T


@pytest.mark.parametrize("example", VALUES.index.tolist())
def test_kappa_matches_irr_kappa2(example):
    a, b = _codes(example, ["coder_a", "coder_b"])
    assert cohen_kappa(a, b) == pytest.approx(VALUES.loc[example, "kappa_ab"], abs=1e-12)


@pytest.mark.parametrize("example", VALUES.index.tolist())
@pytest.mark.parametrize(
    ("coders", "col"),
    [(["coder_a", "coder_b"], "alpha_ab"), (["coder_a", "coder_b", "coder_c"], "alpha_abc")],
)
def test_alpha_matches_irr_and_krippendorff(example, coders, col):
    data = _codes(example, coders)
    package = krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")
    assert alpha_binary(data)[0] == pytest.approx(package, abs=1e-12)
    assert agreement_row(data, n_boot=200, seed=1)["alpha"] == pytest.approx(package, abs=1e-12)
    irr_value = VALUES.loc[example, col]
    if len(coders) > 2 and not np.isnan(data).any():
        # irr's kripp.alpha divides the coincidences by 1 instead of m_u - 1 when
        # no value is missing (coincidence.matrix: `else mc <- rep(1, dimx[2])`),
        # which is right for two coders only. Krippendorff (2011) and the
        # krippendorff package divide by m_u - 1; irr differs slightly here.
        assert package == pytest.approx(irr_value, abs=2e-3)
        assert package != pytest.approx(irr_value, abs=1e-6)
    else:
        assert package == pytest.approx(irr_value, abs=1e-12)


def test_vectorised_bootstrap_equals_package_on_each_resample():
    data = _codes("noisy", ["coder_a", "coder_b", "coder_c"])
    rng = np.random.default_rng(3)
    n = data.shape[1]
    draws = [rng.integers(0, n, n) for _ in range(5)]
    weights = np.stack([np.bincount(d, minlength=n) for d in draws]).astype(float)
    fast = alpha_binary(data, weights)
    slow = [
        krippendorff.alpha(reliability_data=data[:, d], level_of_measurement="nominal")
        for d in draws
    ]
    np.testing.assert_allclose(fast, slow, atol=1e-12)


def test_intervals_cover_the_estimate_and_are_seeded():
    data = _codes("common_theme", ["coder_a", "coder_b"])
    row = agreement_row(data, n_boot=1000, seed=7)
    assert row["kappa_ci_low"] < row["kappa"] < row["kappa_ci_high"]
    assert row["alpha_ci_low"] < row["alpha"] < row["alpha_ci_high"]
    assert 0.05 < row["kappa_ci_high"] - row["kappa_ci_low"] < 0.4
    again = agreement_row(data, n_boot=1000, seed=7)
    assert again == row
    assert row["n_answers"] == 120 and row["percent_agreement"] == pytest.approx(
        (data[0] == data[1]).mean()
    )


def test_undefined_when_nobody_uses_a_theme():
    row = agreement_row(np.zeros((2, 30)), n_boot=100, seed=1)
    assert np.isnan(row["kappa"]) and np.isnan(row["alpha"]) and row["percent_agreement"] == 1.0


def test_table_has_pairs_with_auto_and_all_coders():
    ex = EXAMPLES[EXAMPLES["example"] == "small"]
    df = pd.DataFrame(
        {
            "A": ex["coder_a"].to_numpy(),
            "B": ex["coder_b"].to_numpy(),
            "auto": ex["coder_c"].fillna(0).to_numpy(),
        }
    )
    table = agreement_table({"tijd_roosters": df}, {"tijd_roosters": "beter"}, n_boot=100, seed=1)
    assert table["coders"].tolist() == ["A × B", "A × auto", "B × auto"]
    assert table.loc[0, "kappa"] == pytest.approx(VALUES.loc["small", "kappa_ab"])
