"""Cronbach's alpha with Feldt and vectorised BCa bootstrap intervals.

The public entry point is :func:`leerlab_research.reliability.cronbach_alpha`;
this module holds the numerical core so that the stage and the benchmark can
reuse it.

Vectorised bootstrap
--------------------
Alpha depends on the data only through the item covariance matrix, and a
covariance matrix depends on a resample only through weighted sums of per-row
"features" (``x_j``, ``x_j x_l`` and, with missing values, the pairwise
observation masks). A bootstrap resample is a vector of multinomial counts
``w`` (how often each row was drawn), so the sums of *all* replicates are one
matrix product ``W @ F`` with ``W`` the ``(n_boot, n)`` count matrix and ``F``
the ``(n, m)`` feature matrix. ``W`` is built from an ``(n_boot, n)`` index
matrix drawn with :func:`numpy.random.default_rng` and counted with one
``bincount``; replicates are processed in chunks of about 800,000 cells of ``W`` so
that the counting stays in cache. Each chunk draws from its own child stream of the
seed (``SeedSequence.spawn``), so large bootstraps run their chunks on all cores
(threads) and give the same replicates for any number of threads. From 20,000
respondents each replicate is counted by its own ``bincount`` (n counters stay in
cache) and several chunks share one float32 product (the feature matrix no longer
fits in cache and is read once per product). The bootstrap
stays the exact multinomial one: every replicate draws n rows with replacement. The jackknife needed for the BCa acceleration uses the same
features: leave-one-out sums are the full sums minus one row.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from dataclasses import asdict, dataclass
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats

from ..runtime import single_thread
from ..workers import available_cores

CiMethod = Literal["feldt", "bootstrap"]
NanPolicy = Literal["pairwise", "listwise"]

#: Cells of the count matrix per chunk of replicates (6.4 MB of int64 counts: small
#: enough for the bincount target to stay in cache, large enough for BLAS; 0.2-1.6
#: million cells all take about the same time on 100,000 x 8).
_CHUNK_CELLS = 800_000

#: From this many respondents the count-by-feature product runs in float32
#: (counts are exact in float32; the features are centred). The effect on a
#: replicate's alpha is below 1e-5, far below the bootstrap's Monte Carlo error,
#: and it halves the memory traffic that dominates large-n bootstraps.
_FLOAT32_FROM_N = 20_000

#: Count cells per product with the feature matrix when it exceeds the cache (see
#: :func:`_batches`); 16-64 replicates of 100,000 respondents take about the same.
_PRODUCT_CELLS = 3_200_000

#: From this many cells of the count matrix (replicates x respondents) the chunks run
#: in threads; below it (every group of the demo) a thread pool costs more than it saves.
_PARALLEL_FROM_CELLS = 12_800_000


@dataclass(frozen=True)
class AlphaResult:
    """Cronbach's alpha of one set of items.

    Attributes
    ----------
    alpha : float
        Raw alpha from the covariance matrix.
    std_alpha : float
        Standardised alpha from the (mean inter-item) correlation matrix.
    ci_low, ci_high : float
        Confidence limits (NaN when ``ci_method`` is ``"none"``).
    n : int
        Rows used (pairwise: all rows, as pingouin; listwise: complete rows).
    k : int
        Number of items.
    ci_method : str
        ``"feldt"``, ``"bootstrap-bca"`` or ``"none"``.
    confidence : float
        Confidence level of the interval.
    n_boot : int
        Bootstrap replicates (0 unless bootstrapped).
    """

    alpha: float
    std_alpha: float
    ci_low: float
    ci_high: float
    n: int
    k: int
    ci_method: str
    confidence: float
    n_boot: int = 0

    def as_dict(self) -> dict[str, float | int | str]:
        return asdict(self)

    def to_frame(self) -> pd.DataFrame:
        """The result as a one-row tidy DataFrame."""
        return pd.DataFrame([self.as_dict()])


# --------------------------------------------------------------------------- helpers
def as_item_matrix(data: pd.DataFrame | np.ndarray) -> tuple[np.ndarray, list[str]]:
    """Float ``(n, k)`` matrix with NaN for missing values, and the item names."""
    if isinstance(data, pd.DataFrame):
        names = [str(c) for c in data.columns]
        bad = [
            c
            for c in data.columns
            if not (pd.api.types.is_numeric_dtype(data[c]) or pd.api.types.is_bool_dtype(data[c]))
        ]
        if bad:
            raise TypeError(f"item columns must be numeric; not numeric: {bad}")
        x = data.astype("float64").to_numpy(dtype=float, na_value=np.nan)
    else:
        x = np.asarray(data, dtype=float)
        if x.ndim != 2:
            raise ValueError("data must be two-dimensional (respondents x items)")
        names = [f"item{i + 1}" for i in range(x.shape[1])]
    return x, names


def alpha_from_cov(cov: np.ndarray) -> np.ndarray:
    """Alpha from one ``(k, k)`` or a stack ``(..., k, k)`` of covariance matrices.

    ``alpha = k / (k - 1) * (1 - trace(C) / sum(C))``.
    """
    cov = np.asarray(cov, dtype=float)
    k = cov.shape[-1]
    tr = np.trace(cov, axis1=-2, axis2=-1)
    tot = cov.sum(axis=(-2, -1))
    with np.errstate(divide="ignore", invalid="ignore"):
        return k / (k - 1) * (1.0 - tr / tot)


def std_alpha_from_cov(cov: np.ndarray) -> float:
    """Standardised alpha ``k r / (1 + (k - 1) r)`` with r the mean inter-item correlation."""
    k = cov.shape[0]
    sd = np.sqrt(np.diag(cov))
    with np.errstate(divide="ignore", invalid="ignore"):
        r = cov / np.outer(sd, sd)
    rbar = r[~np.eye(k, dtype=bool)].mean()
    return float(k * rbar / (1 + (k - 1) * rbar))


def feldt_ci(alpha: float, n: int, k: int, confidence: float) -> tuple[float, float]:
    """Feldt (1965) interval, as ``pingouin.cronbach_alpha`` (unrounded)."""
    tail = 1 - confidence
    df1 = n - 1
    df2 = df1 * (k - 1)
    lower = 1 - (1 - alpha) * stats.f.isf(tail / 2, df1, df2)
    upper = 1 - (1 - alpha) * stats.f.isf(1 - tail / 2, df1, df2)
    return float(lower), float(upper)


# ------------------------------------------------------------------ feature algebra
class _Features:
    """Per-row features whose (weighted) column sums determine alpha.

    Complete data: ``[1, x_j, x_j^2, T, T^2]`` with ``T`` the row sum, because
    ``alpha = k/(k-1) (1 - sum_j var(x_j) / var(T))`` (18 columns for 8 items).
    With missing values (pairwise deletion), for every pair ``j <= l``: the
    mask product ``m_j m_l`` and the masked ``x_j``, ``x_l`` and ``x_j x_l``,
    from which the full pairwise covariance matrix follows.
    """

    def __init__(self, x: np.ndarray) -> None:
        n, k = x.shape
        self.k = k
        self.complete = not np.isnan(x).any()
        # Centre for numerical stability (does not change covariances).
        centre = np.nanmean(x, axis=0) if n else np.zeros(k)
        centre = np.where(np.isfinite(centre), centre, 0.0)
        xc = x - centre
        self.ju, self.lu = np.triu_indices(k)
        if self.complete:
            t = xc.sum(axis=1, keepdims=True)
            self.f = np.concatenate([np.ones((n, 1)), xc, xc * xc, t, t * t], axis=1)
        else:
            m = (~np.isnan(xc)).astype(float)
            x0 = np.nan_to_num(xc)
            mm = m[:, self.ju] * m[:, self.lu]
            self.f = np.concatenate(
                [mm, mm * x0[:, self.ju], mm * x0[:, self.lu], x0[:, self.ju] * x0[:, self.lu]],
                axis=1,
            )

    def alpha(self, sums: np.ndarray) -> np.ndarray:
        """Alpha from feature sums ``(..., m)``."""
        k = self.k
        if not self.complete:
            return alpha_from_cov(self.cov(sums))
        cnt = sums[..., 0]
        s, ss = sums[..., 1 : 1 + k], sums[..., 1 + k : 1 + 2 * k]
        st, sst = sums[..., 1 + 2 * k], sums[..., 2 + 2 * k]
        with np.errstate(divide="ignore", invalid="ignore"):
            var_items = (ss - s * s / cnt[..., None]).sum(axis=-1)
            var_total = sst - st * st / cnt
            return k / (k - 1) * (1.0 - var_items / var_total)

    def cov(self, sums: np.ndarray) -> np.ndarray:
        """Pairwise covariance matrices ``(..., k, k)`` (ddof = 1); missing-data features only."""
        k, ju, lu = self.k, self.ju, self.lu
        p = len(ju)
        cnt = sums[..., :p]
        sj = sums[..., p : 2 * p]
        sl = sums[..., 2 * p : 3 * p]
        sxx = sums[..., 3 * p :]
        with np.errstate(divide="ignore", invalid="ignore"):
            c = (sxx - sj * sl / cnt) / (cnt - 1)
        out = np.empty(c.shape[:-1] + (k, k))
        out[..., ju, lu] = c
        out[..., lu, ju] = c
        return out


def pairwise_cov(x: np.ndarray) -> np.ndarray:
    """Covariance matrix from pairwise-complete observations (as ``DataFrame.cov``)."""
    k = x.shape[1]
    ju, lu = np.triu_indices(k)
    m = ~np.isnan(x)
    out = np.empty((k, k))
    for i, j in zip(ju, lu, strict=True):
        ok = m[:, i] & m[:, j]
        if ok.sum() < 2:
            c = np.nan
        else:
            a, b = x[ok, i], x[ok, j]
            c = float(np.dot(a - a.mean(), b - b.mean()) / (ok.sum() - 1))
        out[i, j] = out[j, i] = c
    return out


def _chunks(
    n: int, n_boot: int, rng: np.random.Generator
) -> list[tuple[int, int, np.random.Generator]]:
    """``(first replicate, replicates, generator)`` per chunk of the bootstrap.

    The chunk size depends only on ``n``; each chunk draws from its own child of
    ``rng`` (:meth:`numpy.random.Generator.spawn`, i.e. ``SeedSequence.spawn``), so
    the replicates do not depend on how many threads process the chunks.
    """
    chunk = max(1, min(n_boot, _CHUNK_CELLS // max(n, 1)))
    starts = list(range(0, n_boot, chunk))
    streams = rng.spawn(len(starts))
    return [(s, min(chunk, n_boot - s), g) for s, g in zip(starts, streams, strict=True)]


def _batches(
    chunks: list[tuple[int, int, np.random.Generator]], n: int
) -> list[list[tuple[int, int, np.random.Generator]]]:
    """Consecutive chunks whose counts share one product with the feature matrix.

    From :data:`_FLOAT32_FROM_N` respondents the feature matrix no longer fits in
    cache, and a product per chunk of 8 replicates read all of it 250 times in a
    2000-replicate bootstrap (≈ 30 % of the time); batches of about
    :data:`_PRODUCT_CELLS` count cells read it a quarter as often. Below that size
    every chunk is its own batch. The batches depend only on ``n`` and ``n_boot``,
    never on the number of threads.
    """
    if n < _FLOAT32_FROM_N:
        return [[c] for c in chunks]
    per = max(1, _PRODUCT_CELLS // (chunks[0][1] * n))
    return [chunks[i : i + per] for i in range(0, len(chunks), per)]


def _bootstrap_alpha(
    x: np.ndarray, n_boot: int, rng: np.random.Generator, workers: int | None = None
) -> np.ndarray:
    """Alpha of ``n_boot`` row resamples of ``x``, without a loop over replicates.

    Large bootstraps (from :data:`_PARALLEL_FROM_CELLS` cells of the count matrix)
    run their batches of chunks in ``workers`` threads (default: the available
    cores): drawing the indices, counting them and the product all release the GIL. The result is the
    same for any number of workers.
    """
    n = x.shape[0]
    feats = _Features(x)
    dtype = np.float32 if n >= _FLOAT32_FROM_N else np.float64
    f = feats.f.astype(dtype)
    out = np.empty(n_boot)
    chunks = _chunks(n, n_boot, rng)
    large = n >= _FLOAT32_FROM_N
    # int64 indices: bincount counts intp, so int32 would be copied to int64 first
    offsets = (np.arange(chunks[0][1], dtype=np.int64) * n)[:, None]

    def run(batch: list[tuple[int, int, np.random.Generator]]) -> None:
        first = batch[0][0]
        w = np.empty((sum(b for _, b, _ in batch), n), dtype=dtype)
        for start, b, gen in batch:
            idx = gen.integers(0, n, size=(b, n), dtype=np.int64)
            if large:  # one bincount per replicate: its n counters stay in cache
                for r in range(b):
                    w[start - first + r] = np.bincount(idx[r], minlength=n)
            else:  # one bincount for the chunk (many replicates of few rows)
                idx += offsets[:b]
                w[start - first : start - first + b] = np.bincount(
                    idx.ravel(), minlength=b * n
                ).reshape(b, n)
        out[first : first + len(w)] = feats.alpha((w @ f).astype(float))

    batches = _batches(chunks, n)
    if workers is None:
        workers = available_cores() if n * n_boot >= _PARALLEL_FROM_CELLS else 1
    workers = min(workers, len(batches))
    # large products: one BLAS thread (the chunk threads are the parallelism, and
    # beside them a second BLAS thread only spin-waits); threadpoolctl costs ~1 ms,
    # too much for the many small bootstraps of a stage's groups
    with single_thread() if large else nullcontext():
        if workers > 1:
            with ThreadPoolExecutor(max_workers=workers) as pool:
                list(pool.map(run, batches))
        else:
            for batch in batches:
                run(batch)
    return out


def _jackknife_alpha(x: np.ndarray) -> np.ndarray:
    """Leave-one-out alphas (vectorised: full sums minus each row's features)."""
    feats = _Features(x)
    loo = feats.f.sum(axis=0)[None, :] - feats.f
    return feats.alpha(loo)


def bca_interval(
    theta_hat: float, boot: np.ndarray, jack: np.ndarray, confidence: float
) -> tuple[float, float]:
    """Bias-corrected and accelerated percentile interval (Efron 1987).

    ``z0`` from the share of replicates below the estimate (ties count half),
    acceleration ``a`` from the jackknife skewness. Non-finite replicates
    (e.g. a resample with a constant item) are dropped.
    """
    boot = boot[np.isfinite(boot)]
    jack = jack[np.isfinite(jack)]
    if boot.size == 0 or not np.isfinite(theta_hat):
        return float("nan"), float("nan")
    prop = (np.sum(boot < theta_hat) + 0.5 * np.sum(boot == theta_hat)) / boot.size
    prop = float(np.clip(prop, 1.0 / (boot.size + 1), boot.size / (boot.size + 1)))
    z0 = stats.norm.ppf(prop)
    d = jack.mean() - jack
    denom = 6.0 * (np.sum(d**2)) ** 1.5
    a = float(np.sum(d**3) / denom) if denom > 0 else 0.0
    tail = (1 - confidence) / 2
    z = stats.norm.ppf([tail, 1 - tail])
    adj = stats.norm.cdf(z0 + (z0 + z) / (1 - a * (z0 + z)))
    lo, hi = np.quantile(boot, adj)
    return float(lo), float(hi)


# ----------------------------------------------------------------------- main entry
def cronbach_alpha(
    data: pd.DataFrame | np.ndarray,
    ci: CiMethod | None = "feldt",
    confidence: float = 0.95,
    n_boot: int = 2000,
    seed: int | np.random.Generator | None = None,
    nan_policy: NanPolicy = "pairwise",
) -> AlphaResult:
    """Cronbach's alpha of the columns of ``data`` with a confidence interval.

    Parameters
    ----------
    data : DataFrame or ndarray, shape (n, k)
        Respondents in rows, items in columns (numeric; NaN/NA = missing).
    ci : {"feldt", "bootstrap", None}
        ``"feldt"``: Feldt's F-based interval (as pingouin, but unrounded).
        ``"bootstrap"``: BCa bootstrap over respondents (``n_boot`` replicates,
        vectorised, seeded). ``None``: no interval (limits NaN).
    confidence : float
        Confidence level, default 0.95.
    n_boot : int
        Bootstrap replicates.
    seed : int, Generator or None
        Seed for :func:`numpy.random.default_rng`; the same seed gives the
        same interval.
    nan_policy : {"pairwise", "listwise"}
        ``"pairwise"``: each covariance from the rows where both items are
        answered and ``n`` = all rows (exactly as ``pingouin.cronbach_alpha``,
        also in the Feldt interval). ``"listwise"``: complete rows only.

    Returns
    -------
    AlphaResult
        ``alpha, std_alpha, ci_low, ci_high, n, k, ci_method, confidence, n_boot``.

    Notes
    -----
    ``alpha = k / (k - 1) * (1 - sum(diag(C)) / sum(C))`` with ``C`` the item
    covariance matrix; ``std_alpha = k r / (1 + (k - 1) r)`` with ``r`` the mean
    inter-item correlation. The bootstrap interval is BCa rather than
    percentile because alpha's sampling distribution is skewed (bounded above
    by 1), which the bias correction and acceleration account for.

    R equivalent: ``psych::alpha(data)`` (``raw_alpha``, ``std.alpha``; its
    ``n.iter`` bootstrap is percentile) and ``psych::alpha.ci`` (Feldt).

    References
    ----------
    Cronbach, L. J. (1951). Coefficient alpha and the internal structure of
    tests. *Psychometrika*, 16, 297-334.
    Feldt, L. S. (1965). The approximate sampling distribution of Kuder-Richardson
    reliability coefficient twenty. *Psychometrika*, 30, 357-370.
    Efron, B. (1987). Better bootstrap confidence intervals. *JASA*, 82, 171-185.

    Examples
    --------
    >>> import pingouin as pg
    >>> from leerlab_research.reliability import cronbach_alpha
    >>> long = pg.read_dataset("cronbach_alpha")
    >>> wide = long.pivot(index="Subj", columns="Items", values="Scores")
    >>> res = cronbach_alpha(wide, ci="feldt")
    >>> round(res.alpha, 4), round(res.ci_low, 3), round(res.ci_high, 3)
    (0.5917, 0.195, 0.84)
    >>> boot = cronbach_alpha(pg.read_dataset("cronbach_wide_missing"), ci="bootstrap", seed=1)
    >>> round(boot.alpha, 4), round(boot.ci_low, 3), round(boot.ci_high, 3), boot.ci_method
    (0.7327, 0.34, 0.901, 'bootstrap-bca')
    """
    if nan_policy not in ("pairwise", "listwise"):
        raise ValueError("nan_policy must be 'pairwise' or 'listwise'")
    if ci not in ("feldt", "bootstrap", None, "none"):
        raise ValueError("ci must be 'feldt', 'bootstrap' or None")
    if not 0 < confidence < 1:
        raise ValueError("confidence must lie strictly between 0 and 1")
    if ci == "none":
        ci = None
    x, _ = as_item_matrix(data)
    if nan_policy == "listwise":
        x = x[~np.isnan(x).any(axis=1)]
    n, k = x.shape
    if k < 2:
        raise ValueError("alpha needs at least two items")
    if n < 2:
        raise ValueError("alpha needs at least two respondents")
    cov = pairwise_cov(x)
    alpha = float(alpha_from_cov(cov))
    std_alpha = std_alpha_from_cov(cov)
    lo = hi = float("nan")
    method = "none"
    used_boot = 0
    if ci == "feldt":
        lo, hi = feldt_ci(alpha, n, k, confidence)
        method = "feldt"
    elif ci == "bootstrap":
        if n_boot < 1:
            raise ValueError("n_boot must be positive")
        rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
        boot = _bootstrap_alpha(x, n_boot, rng)
        lo, hi = bca_interval(alpha, boot, _jackknife_alpha(x), confidence)
        method = "bootstrap-bca"
        used_boot = n_boot
    return AlphaResult(
        alpha=alpha,
        std_alpha=std_alpha,
        ci_low=lo,
        ci_high=hi,
        n=int(n),
        k=int(k),
        ci_method=method,
        confidence=float(confidence),
        n_boot=used_boot,
    )
