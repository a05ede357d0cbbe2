"""A synthetic clean response table from a known model, for the compare tests and benchmark.

Scale score of person i in lab j, scale s, wave w::

    y = mu_s + u_js + role_effect[role] + change * [w == T1] + p_is + e,
    u_js ~ N(0, tau²), p_is ~ N(0, person_sd²) (shared by a person's two waves), e ~ N(0, sigma²)

Items are the score plus noise, rounded and clipped to 1–5 (used only by the
agreement indices). The table has every column of ``schema.clean_columns``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

ROLES = ["bestuur", "management", "docent", "procesbegeleider", "anders"]
ROLE_P = [0.08, 0.15, 0.62, 0.1, 0.05]
SCHOOLS = ["vmbo", "mbo", "anders"]
SCHOOL_P = [0.46, 0.46, 0.08]


@dataclass
class Truth:
    mu: np.ndarray
    u: np.ndarray  # labs × scales
    lab_ids: list[str]
    role_effect: dict[str, float]
    change: float
    tau: float
    sigma: float
    person_sd: float
    scales: list[str] = field(default_factory=list)


def pseudonyms(n: int, seed: int) -> np.ndarray:
    return np.array([hashlib.sha256(f"{seed}-{i}".encode()).hexdigest()[:16] for i in range(n)])


def make_clean(
    codebook,
    *,
    lab_ids: list[str],
    sizes: np.ndarray | list[int],
    seed: int = 0,
    tau: float = 0.3,
    sigma: float = 0.55,
    person_sd: float = 0.3,
    role_effect: dict[str, float] | None = None,
    change: float = 0.2,
    retain: float = 0.6,
) -> tuple[pd.DataFrame, Truth]:
    """Clean table with ``sizes[j]`` T0 respondents in lab j; a share ``retain`` answers
    again at T1 (same id), and as many new respondents join at T1."""
    from leerlab_research.config.schema import clean_fields

    rng = np.random.default_rng(seed)
    scales = list(codebook.scale_names)
    s = len(scales)
    j = len(lab_ids)
    role_effect = role_effect if role_effect is not None else {"bestuur": 0.3, "management": 0.15}
    mu = np.linspace(2.9, 3.6, s)
    u = rng.normal(0, tau, (j, s))
    sizes = np.asarray(sizes, dtype=int)
    lab_of = np.repeat(np.arange(j), sizes)
    n0 = lab_of.size
    keep = rng.random(n0) < retain
    n_new = int(keep.sum())
    lab_new = lab_of[rng.permutation(n0)[:n_new]] if n_new else np.zeros(0, dtype=int)
    persons_lab = np.concatenate([lab_of, lab_new])
    n_persons = persons_lab.size
    role = rng.choice(ROLES, n_persons, p=ROLE_P)
    school = rng.choice(SCHOOLS, n_persons, p=SCHOOL_P)
    pers = rng.normal(0, person_sd, (n_persons, s))
    ids = pseudonyms(n_persons, seed)
    idx_t0 = np.arange(n0)
    idx_t1 = np.concatenate([np.flatnonzero(keep), np.arange(n0, n_persons)])
    rows_p = np.concatenate([idx_t0, idx_t1])
    wave = np.array(["T0"] * idx_t0.size + ["T1"] * idx_t1.size)
    n = rows_p.size
    lab_idx = persons_lab[rows_p]
    r_eff = np.array([role_effect.get(r, 0.0) for r in role[rows_p]])
    y = (
        mu[None, :]
        + u[lab_idx]
        + r_eff[:, None]
        + change * (wave == "T1")[:, None]
        + pers[rows_p]
        + rng.normal(0, sigma, (n, s))
    )
    data: dict[str, object] = {}
    fields = [f["name"] for f in clean_fields(codebook)]
    base = {
        "respondent_id": ids[rows_p],
        "lab": np.array(lab_ids)[lab_idx],
        "school_type": school[rows_p],
        "role": role[rows_p],
        "wave": wave,
        "consent": np.array(["ja"] * n),
    }
    for name in fields:
        if name in base:
            data[name] = base[name]
    for k, scale in enumerate(scales):
        items = codebook.scales[scale].items
        noise = rng.normal(0, 0.5, (n, len(items)))
        vals = np.clip(np.rint(y[:, [k]] + noise), 1, 5).astype(int)
        for i, code in enumerate(items):
            data[code] = pd.array(vals[:, i], dtype="Int64")
        data[scale] = y[:, k]
        data[f"n_items_{scale}"] = np.full(n, len(items))
    df = pd.DataFrame(data)
    for name in fields:
        if name not in df.columns:
            if name.startswith("cr_flag_") or name == "careless_flag":
                df[name] = False
            elif name in ("cr_n_flags", "source_row"):
                df[name] = np.arange(n) + 2 if name == "source_row" else 0
            elif name == "source_file":
                df[name] = "synthetic.csv"
            elif name.startswith("focus_"):
                df[name] = pd.array([pd.NA] * n, dtype="boolean")
            elif name in ("started_at", "submitted_at"):
                df[name] = pd.NaT
            else:
                df[name] = np.nan
    truth = Truth(
        mu=mu,
        u=u,
        lab_ids=list(lab_ids),
        role_effect=role_effect,
        change=change,
        tau=tau,
        sigma=sigma,
        person_sd=person_sd,
        scales=scales,
    )
    return df[fields], truth
