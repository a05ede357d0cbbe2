"""ICC(1), ICC(2), k0 and design effects from the one-way ANOVA (Bliese 2000).

R equivalent: ``multilevel::ICC1``, ``multilevel::ICC2`` (checked to 1e-7 on bh1996).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from .common import ALL, sort_rows
from .descriptives import cell_reason
from .registry import columns

ICC_COLUMNS = columns("icc")


def icc_oneway(y: np.ndarray, groups: np.ndarray) -> dict[str, float]:
    """ICC(1), ICC(2), k̄, k0, design effect from the one-way ANOVA of ``y`` on ``groups``.

    Parameters
    ----------
    y
        Scores (no NaN).
    groups
        Group labels.

    Returns
    -------
    dict
        ``icc1, icc2, design_effect, n_labs, k_mean, k0, n, msb, msw, f, p``.

    References
    ----------
    Bliese (2000); ``multilevel::ICC1`` / ``ICC2`` (k = mean group size).
    """
    y = np.asarray(y, dtype=float)
    codes, uniq = pd.factorize(pd.Series(groups), sort=True)
    j = len(uniq)
    n = y.size
    sizes = np.bincount(codes, minlength=j).astype(float)
    sums = np.bincount(codes, weights=y, minlength=j)
    means = sums / sizes
    grand = y.mean()
    ssb = float(np.sum(sizes * (means - grand) ** 2))
    ssw = float(np.sum((y - means[codes]) ** 2))
    out = {"n_labs": j, "n": n, "k_mean": n / j if j else np.nan}
    out["k0"] = (n - np.sum(sizes**2) / n) / (j - 1) if j > 1 else np.nan
    if j < 2 or n - j < 1:
        out.update(
            icc1=np.nan,
            icc2=np.nan,
            design_effect=np.nan,
            msb=np.nan,
            msw=np.nan,
            f=np.nan,
            p=np.nan,
        )
        return out
    msb = ssb / (j - 1)
    msw = ssw / (n - j)
    k = out["k_mean"]
    icc1 = (msb - msw) / (msb + (k - 1) * msw)
    icc2 = (msb - msw) / msb if msb > 0 else np.nan
    f = msb / msw if msw > 0 else np.nan
    out.update(
        icc1=icc1,
        icc2=icc2,
        design_effect=1 + (k - 1) * icc1,
        msb=msb,
        msw=msw,
        f=f,
        p=float(stats.f.sf(f, j - 1, n - j)) if np.isfinite(f) else np.nan,
    )
    return out


def icc_table(
    df: pd.DataFrame,
    scales: Sequence[str],
    lookup: dict[tuple[str, ...], str] | None = None,
) -> pd.DataFrame:
    """``icc.csv``: one row per scale × wave.

    With ``lookup`` (descriptives suppression reasons), ``msb``, ``msw`` and ``k0``
    are blanked in a scale × wave where a lab's total is suppressed: with the
    programme n and mean they give Σ n_j², Σ n_j ȳ_j² and Σ within-lab SS, from
    which the hidden labs' n and means can be solved. ICC(1), ICC(2) and F depend
    on the data only through MSB/MSW and stay.
    """
    rows = []
    for wave in sorted(df["wave"].unique()):
        dw = df[df["wave"] == wave]
        for scale in scales:
            d = dw[dw[scale].notna()]
            row = {
                "scale": scale,
                "wave": wave,
                **icc_oneway(d[scale].to_numpy(), d["lab"].to_numpy()),
            }
            if lookup is not None and any(
                cell_reason(lookup, scale, wave, lab, ALL, ALL) for lab in d["lab"].unique()
            ):
                row.update(msb=np.nan, msw=np.nan, k0=np.nan)
            rows.append(row)
    table = pd.DataFrame(rows, columns=ICC_COLUMNS)
    return sort_rows(table, ["scale", "wave"], {"scale": list(scales)})
