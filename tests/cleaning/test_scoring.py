"""Reverse keying and scale scores (cleaning/scoring.py)."""

from __future__ import annotations

import numpy as np
import pytest

from leerlab_research.cleaning.scoring import apply_reverse_keying, min_items, scale_scores


# ------------------------------------------------------------------ keying and scores
def test_reverse_keying_and_scores(codebook):
    k = len(codebook.item_codes)
    items = np.full((2, k), 4.0)
    items[1, :] = np.nan
    amb = [codebook.item_codes.index(c) for c in codebook.scales["ambitie"].items]
    items[1, amb[:3]] = [5, 4, 3]  # 3 of 4 answered → score; AMB4 missing
    keyed = apply_reverse_keying(items, codebook)
    assert keyed[0, codebook.item_codes.index("AMB4")] == 2
    scores, counts = scale_scores(keyed, codebook, 2 / 3)
    assert scores["ambitie"][1] == pytest.approx(4.0) and counts["ambitie"][1] == 3
    assert np.isnan(scores["belangen"][1]) and counts["belangen"][1] == 0
    assert min_items(3, 2 / 3) == 2 and min_items(4, 2 / 3) == 3
