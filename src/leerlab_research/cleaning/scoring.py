"""Steps 4 and 6: reverse keying and scale scores (vectorised over respondents)."""

from __future__ import annotations

import math

import numpy as np

from ..config.codebook import Codebook


def reverse_key(values: np.ndarray, lo: float, hi: float) -> np.ndarray:
    """Reverse-key answers on a ``lo``–``hi`` scale: ``lo + hi - x`` (6 − x on 1–5).

    NaN stays NaN. Applying it twice gives the answers back.

    Examples
    --------
    >>> reverse_key(np.array([1.0, 5.0, np.nan]), 1, 5)
    array([ 5.,  1., nan])
    """
    return (lo + hi) - values


def apply_reverse_keying(items: np.ndarray, codebook: Codebook) -> np.ndarray:
    """Return a copy of the ``n × k`` item matrix (codebook item order) with reverse items keyed."""
    out = items.copy()
    for j, code in enumerate(codebook.item_codes):
        if code in codebook.reverse_items:
            lo, hi = codebook.item_range(code)
            out[:, j] = reverse_key(out[:, j], lo, hi)
    return out


def min_items(n_items: int, share: float) -> int:
    """Smallest number of answered items that reaches ``share`` of ``n_items``.

    A tolerance keeps 2 of 3 items at the default share of 2/3 (floating point).
    """
    return max(1, math.ceil(share * n_items - 1e-9))


def scale_scores(
    keyed: np.ndarray, codebook: Codebook, share: float
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Scale means of answered (keyed) items when enough items are answered.

    Parameters
    ----------
    keyed
        ``n × k`` float matrix of items after reverse keying, NaN = missing.
    codebook
        Defines which columns belong to which scale.
    share
        ``settings.cleaning.scale_min_share``: a score needs at least this share
        of the scale's items answered (default 2/3: 3 of 4, 2 of 3).

    Returns
    -------
    scores, counts
        Per scale name: the score (NaN when too few items) and the number of
        answered items.
    """
    col = {code: j for j, code in enumerate(codebook.item_codes)}
    scores: dict[str, np.ndarray] = {}
    counts: dict[str, np.ndarray] = {}
    for name, scale in codebook.scales.items():
        block = keyed[:, [col[c] for c in scale.items]]
        answered = ~np.isnan(block)
        n = answered.sum(axis=1)
        total = np.where(answered, block, 0.0).sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = total / n
        scores[name] = np.where(n >= min_items(len(scale.items), share), mean, np.nan)
        counts[name] = n.astype(np.int64)
    return scores, counts
