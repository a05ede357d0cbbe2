"""Careless-responding indices and their flags (cleaning/careless.py), checked against
scipy and closed forms.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from leerlab_research.cleaning.careless import (
    careless_indices,
    even_odd,
    irv,
    longstring,
    mahalanobis,
)
from leerlab_research.config.settings import CarelessSettings


# ------------------------------------------------------------------ careless
def test_longstring_irv():
    raw = np.array([[1, 1, 2, 2, 2, 9, 9], [3, np.nan, 3, 3, 1, 1, 5], [4] * 7], dtype=float)
    assert longstring(raw).tolist() == [3, 2, 7]
    assert irv(raw[2:3])[0] == 0
    assert irv(raw[:1, :5])[0] == pytest.approx(np.std([1, 1, 2, 2, 2], ddof=1))


def test_mahalanobis_matches_scipy_and_uses_items_as_df(codebook):
    rng = np.random.default_rng(3)
    x = rng.normal(size=(300, 6))
    d2 = mahalanobis(x)
    inv = np.linalg.inv(np.cov(x, rowvar=False))
    want = np.einsum("ij,jk,ik->i", x - x.mean(0), inv, x - x.mean(0))
    np.testing.assert_allclose(d2, want, rtol=1e-8)
    # df = number of items (34), not the number of respondents (R careless::mahad's bug)
    cfg = CarelessSettings()
    crit = stats.chi2.ppf(1 - cfg.mahalanobis_p, df=34)
    assert 60 < crit < 70


def test_even_odd_high_for_consistent_low_for_random(codebook):
    rng = np.random.default_rng(0)
    k = len(codebook.item_codes)
    scale_idx = np.array(
        [list(codebook.scales).index(codebook.scale_of_item[c]) for c in codebook.item_codes]
    )
    level = rng.integers(1, 6, size=(200, len(codebook.scales)))
    consistent = level[:, scale_idx].astype(float)
    random = rng.integers(1, 6, size=(200, k)).astype(float)
    eo_c = even_odd(consistent, codebook)
    eo_r = even_odd(random, codebook)
    assert np.nanmedian(eo_c) > 0.9
    assert np.nanmedian(eo_r) < 0.3


def test_careless_flags_need_agreement(codebook):
    rng = np.random.default_rng(1)
    n, k = 400, len(codebook.item_codes)
    scale_idx = np.array(
        [list(codebook.scales).index(codebook.scale_of_item[c]) for c in codebook.item_codes]
    )
    eta = rng.normal(size=(n, 1)) + rng.normal(scale=0.7, size=(n, len(codebook.scales)))
    raw = np.clip(np.round(3 + eta[:, scale_idx] + rng.normal(scale=0.6, size=(n, k))), 1, 5)
    raw[0] = 4  # straightliner
    keyed = raw.copy()
    dur = np.full(n, 600.0)
    dur[1] = 30  # fast but otherwise normal: one index only
    cr = careless_indices(raw, keyed, dur, codebook, CarelessSettings())
    assert (
        cr.loc[0, "careless_flag"] and cr.loc[0, "cr_flag_longstring"] and cr.loc[0, "cr_flag_irv"]
    )
    assert cr.loc[1, "cr_flag_seconds_per_item"] and cr.loc[1, "cr_n_flags"] == 1
    assert not cr.loc[1, "careless_flag"]
    assert cr["careless_flag"].mean() < 0.05
