"""Tables the reports need besides the comparisons, published through the same gate.

The report layer reads no row-level data (issue 12). What it used to count itself
is published here, in the publication design of :mod:`.publication` and through
:mod:`.disclosure`:

``items.csv``
    Answer distribution per item × wave × lab (``all`` = programme; ``lab`` =
    the lab's school members, :data:`.publication.OUTSIDE` = respondents of
    neither school): counts per answer *as answered* (``n_1`` … ``n_5``, reverse
    keying undone) and ``pct_agree``, the share of answers ≥ 4 *in the keyed
    direction* (so a reverse-worded item reads the way its scale does). A row
    inherits the suppression of its lab's scale total in ``descriptives.csv``;
    rows below ``min_cell`` are suppressed (primary) and complementary
    suppression keeps each wave's programme row the sum of its parts. The
    programme row of wave ``all`` carries ``n_dont_know`` from the cleaning
    stage's ``item_missing.csv`` (programme level, all waves).
``responses.csv``
    Questionnaires per lab × wave (lab = school members; ``all`` = programme,
    with the number of distinct people), protected the same way. The programme
    rows carry the first and last submission day of the wave (of all waves on
    the ``all`` row): the fieldwork period the reports print and date themselves
    by. Dates are given per wave only, never per lab.
``focus.csv``
    The focus areas (curriculum, leerling, docent) per lab × wave: how many of
    the lab's school members answered the question and how many named the area.
    A lab × wave inherits the suppression of its ``responses.csv`` row; rows
    below ``min_cell`` are primary, complementary suppression keeps the
    programme row the sum of its labs.
``screening.csv``
    Programme-level counts of the cleaning stage for the methods report: the
    questionnaires read, kept and excluded per reason, and the responses flagged
    per careless-responding index. These count questionnaires, not groups
    described by statistics, and are published as counts.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..config.labs import FOCUS_AREAS
from . import disclosure
from .common import ALL, sort_rows
from .descriptives import AGREE_FROM, cell_reason
from .registry import columns

CR_INDICES = ("seconds_per_item", "longstring", "irv", "mahalanobis", "evenodd")

#: The fieldwork dates per wave (:func:`fieldwork_dates`), merged into the programme rows
#: of ``responses.csv``.
DATE_COLUMNS = ["wave", "first_submitted", "last_submitted"]


def _count_row(
    item: str, scale: str, wave: str, lab: str, cats: list[int], n_k: np.ndarray, agree: float
) -> dict:
    return {
        "wave": wave,
        "lab": lab,
        **{f"n_{c}": int(v) for c, v in zip(cats, n_k, strict=True)},
        "agree": int(agree),
        "item": item,
        "scale": scale,
    }


def item_table(
    df: pd.DataFrame,
    items: dict[str, str],
    reverse: Sequence[str],
    item_range: tuple[int, int],
    lookup: dict[tuple[str, ...], str],
    *,
    min_cell: int,
    dont_know: pd.Series | None = None,
    labs_order: Sequence[str] = (),
) -> pd.DataFrame:
    """``items.csv`` (see the module docstring).

    Parameters
    ----------
    df
        Publication frame (:func:`.publication.publication_frame`): item columns
        hold keyed answers (after reverse keying).
    items
        Item code → scale, in codebook order.
    reverse
        Reverse-keyed item codes (their answers are turned back for ``n_k``).
    item_range
        Lowest and highest answer code.
    lookup
        Suppression reasons of the descriptives cells.
    dont_know
        'Weet niet' counts per item over all waves (programme level).
    """
    lo, hi = item_range
    cats = list(range(lo, hi + 1))
    rev = set(reverse)
    rows: list[dict] = []
    # counts per item × wave × lab × answer with bincount on integer codes (a frame
    # and two groupbys per item were most of the table's time)
    wave_codes, waves = pd.factorize(df["wave"].to_numpy(dtype=object), sort=True)
    lab_codes, labs = pd.factorize(df["lab"].to_numpy(dtype=object), sort=True)
    n_w, n_l, n_c = len(waves), len(labs), len(cats)
    cell = wave_codes * n_l + lab_codes
    for item, scale in items.items():
        if item not in df.columns:
            continue
        values = df[item].to_numpy(dtype=float)
        ok = ~np.isnan(values) & (wave_codes >= 0) & (lab_codes >= 0)
        keyed = values[ok].astype(int)
        answered = (lo + hi - keyed) if item in rev else keyed
        counts = np.bincount(cell[ok] * n_c + (answered - lo), minlength=n_w * n_l * n_c).reshape(
            n_w, n_l, n_c
        )
        agree = np.bincount(cell[ok], weights=keyed >= AGREE_FROM, minlength=n_w * n_l).reshape(
            n_w, n_l
        )
        seen = np.bincount(cell[ok], minlength=n_w * n_l).reshape(n_w, n_l) > 0
        for w, l_ in zip(*np.nonzero(seen), strict=True):
            rows.append(
                _count_row(item, scale, waves[w], labs[l_], cats, counts[w, l_], agree[w, l_])
            )
        for w in np.flatnonzero(seen.any(axis=1)):
            rows.append(
                _count_row(item, scale, waves[w], ALL, cats, counts[w].sum(axis=0), agree[w].sum())
            )
        if dont_know is not None:
            total = counts.sum(axis=(0, 1))
            rows.append(
                {
                    "item": item,
                    "scale": scale,
                    "wave": ALL,
                    "lab": ALL,
                    **{f"n_{c}": int(total[i]) for i, c in enumerate(cats)},
                    "agree": int(agree.sum()),
                    "n_dont_know": int(dont_know.get(item, 0)),
                }
            )
    ncols = [f"n_{c}" for c in cats]
    columns = ["item", "scale", "wave", "lab", "n", *ncols, "pct_agree", "n_dont_know"]
    if not rows:
        return pd.DataFrame(columns=[*columns, "suppressed", "suppression_reason"])
    table = pd.DataFrame(rows)
    if "n_dont_know" not in table.columns:
        table["n_dont_know"] = np.nan
    table["n"] = table[ncols].sum(axis=1)
    table["pct_agree"] = table["agree"] / table["n"].where(table["n"] > 0) * 100.0
    table = sort_rows(
        table[columns],
        ["item", "wave", "lab"],
        {"item": list(items), "lab": [ALL, *labs_order]},
    )
    inherited = np.array(
        [
            cell_reason(lookup, s, w, lab) != "" if w != ALL and lab != ALL else False
            for s, w, lab in zip(table["scale"], table["wave"], table["lab"], strict=True)
        ]
    )
    per_wave = table["wave"] != ALL
    reason = np.full(len(table), "", dtype=object)
    sub = table[per_wave].reset_index(drop=True)
    rel = disclosure.hierarchy_relations(sub, ["lab"], by=["item", "wave"])
    reason[per_wave.to_numpy()] = disclosure.protect(
        sub["n"].to_numpy(dtype=float), rel, min_cell, primary=inherited[per_wave.to_numpy()]
    )
    out = disclosure.blank(table, reason, ["n", *ncols, "pct_agree", "n_dont_know"])
    return out


def fieldwork_dates(clean: pd.DataFrame) -> pd.DataFrame:
    """First and last submission day per wave and over all waves (``wave = all``).

    Parameters
    ----------
    clean
        The clean table (``wave``, ``submitted_at``; times may be missing).

    Returns
    -------
    pandas.DataFrame
        ``wave, first_submitted, last_submitted`` (ISO dates as text; blank when a
        wave has no submission times). R: ``aggregate(as.Date(submitted_at) ~ wave,
        FUN = range)``.
    """
    cols = list(DATE_COLUMNS)
    if clean.empty or "submitted_at" not in clean.columns:
        return pd.DataFrame(columns=cols)
    t = pd.DataFrame(
        {
            "wave": clean["wave"].astype("string").fillna("").astype(str),
            "day": pd.to_datetime(clean["submitted_at"], errors="coerce").dt.normalize(),
        }
    )
    per = t.groupby("wave", sort=True)["day"].agg(["min", "max"]).reset_index()
    every = pd.DataFrame({"wave": [ALL], "min": [t["day"].min()], "max": [t["day"].max()]})
    out = pd.concat([per, every], ignore_index=True)

    def iso(days: pd.Series) -> list[str | None]:
        return [None if pd.isna(d) else d.date().isoformat() for d in days]

    return pd.DataFrame(
        {"wave": out["wave"], "first_submitted": iso(out["min"]), "last_submitted": iso(out["max"])}
    )[cols]


def response_table(
    df: pd.DataFrame,
    *,
    min_cell: int,
    labs_order: Sequence[str] = (),
    dates: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """``responses.csv``: questionnaires per lab × wave and per wave, protected.

    ``n_people`` (distinct respondents) is given for the programme rows only, and
    so are ``first_submitted`` / ``last_submitted`` from ``dates``
    (:func:`fieldwork_dates`).
    """
    cols = columns("responses")
    if df.empty:
        return pd.DataFrame(columns=cols)
    per_lab = df.groupby(["wave", "lab"], sort=True).size().rename("n").reset_index()
    per_lab["n_people"] = np.nan
    prog = df.groupby("wave", sort=True).agg(
        n=("respondent_id", "size"), n_people=("respondent_id", "nunique")
    )
    prog = prog.reset_index().assign(lab=ALL)
    every = pd.DataFrame(
        {
            "wave": [ALL],
            "lab": [ALL],
            "n": [len(df)],
            "n_people": [df["respondent_id"].nunique()],
        }
    )
    table = pd.concat([per_lab, prog, every], ignore_index=True)
    table = sort_rows(table, ["wave", "lab"], {"lab": [ALL, *labs_order]})
    per_wave = (table["wave"] != ALL).to_numpy()
    reason = np.full(len(table), "", dtype=object)
    sub = table[per_wave].reset_index(drop=True)
    rel = disclosure.hierarchy_relations(sub, ["lab"], by=["wave"])
    reason[per_wave] = disclosure.protect(sub["n"].to_numpy(dtype=float), rel, min_cell)
    table = disclosure.blank(table, reason, ["n", "n_people"])
    # the fieldwork period is a fact of the wave, not of a group: programme rows only
    d = dates if dates is not None else pd.DataFrame(columns=DATE_COLUMNS)
    table = table.merge(d.assign(lab=ALL), on=["wave", "lab"], how="left")
    return table[cols]


def focus_table(
    df: pd.DataFrame,
    responses: pd.DataFrame,
    *,
    min_cell: int,
    labs_order: Sequence[str] = (),
) -> pd.DataFrame:
    """``focus.csv``: the focus areas named per lab × wave (see the module docstring).

    Parameters
    ----------
    df
        Publication frame (``lab`` = school members' lab or the pseudo-lab of
        outsiders) with the boolean columns ``focus_<area>`` (missing = not answered).
    responses
        The protected ``responses.csv``: a hidden lab × wave there is hidden here.

    Returns
    -------
    pandas.DataFrame
        ``area, wave, lab, n, n_named, pct_named, suppressed, suppression_reason``;
        ``n`` counts the questionnaires that answered the focus question (at least
        one area ticked or explicitly not), ``pct_named`` = 100 · n_named / n.
    """
    cols_all = columns("focus")
    cols = [c for c in cols_all if c not in ("suppressed", "suppression_reason")]
    present = [a for a in FOCUS_AREAS if f"focus_{a}" in df.columns]
    if df.empty or not present:
        return pd.DataFrame(columns=cols_all)
    flags = df[[f"focus_{a}" for a in present]].astype("boolean")
    answered = flags.notna().any(axis=1).to_numpy()
    rows = []
    for area in present:
        named = flags[f"focus_{area}"].fillna(False).to_numpy(dtype=bool)
        frame = pd.DataFrame(
            {
                "wave": df["wave"].to_numpy(),
                "lab": df["lab"].to_numpy(),
                "n": answered.astype(int),
                "n_named": (named & answered).astype(int),
            }
        )
        for by in (["wave", "lab"], ["wave"]):
            g = frame.groupby(by, sort=True)[["n", "n_named"]].sum().reset_index()
            if "lab" not in by:
                g["lab"] = ALL
            rows.append(g.assign(area=area))
    table = pd.concat(rows, ignore_index=True)
    table["pct_named"] = table["n_named"] / table["n"].where(table["n"] > 0) * 100.0
    table = sort_rows(
        table[cols], ["area", "wave", "lab"], {"area": list(present), "lab": [ALL, *labs_order]}
    )
    hidden: dict[tuple[str, str], str] = {}
    if len(responses):
        r = responses[responses["suppressed"].astype(bool)]
        keys = zip(r["wave"].astype(str), r["lab"].astype(str), strict=True)
        hidden = dict(zip(keys, r["suppression_reason"].astype(str), strict=True))
    cell = list(zip(table["wave"].astype(str), table["lab"].astype(str), strict=True))
    inherited = np.array([c in hidden for c in cell])
    rel = disclosure.hierarchy_relations(table, ["lab"], by=["area", "wave"])
    reason = disclosure.protect(table["n"].to_numpy(dtype=float), rel, min_cell, primary=inherited)
    # a hidden lab × wave keeps the reason it has in responses.csv (the true reason)
    reason = np.array(
        [hidden.get(c, r) for c, r in zip(cell, reason, strict=True)],
        dtype=object,
    )
    return disclosure.blank(table, reason, ["n", "n_named", "pct_named"])[cols_all]


def screening_table(
    clean: pd.DataFrame, exclusions: pd.DataFrame, *, careless_excluded: bool
) -> pd.DataFrame:
    """``screening.csv``: ``what`` (``read``, ``kept``, ``people``, ``excluded``,
    ``source_kept``, ``source_excluded``, ``careless_flag``, ``careless_index``),
    ``key`` (reason, source file or index) and ``n``."""
    rows = [
        {"what": "read", "key": "", "n": len(clean) + len(exclusions)},
        {"what": "kept", "key": "", "n": len(clean)},
        {"what": "people", "key": "", "n": int(clean["respondent_id"].nunique())},
    ]
    if len(exclusions) and "reason" in exclusions.columns:
        for reason, n in exclusions["reason"].astype(str).value_counts().sort_index().items():
            rows.append({"what": "excluded", "key": reason, "n": int(n)})
    if "careless_flag" in clean.columns:
        flagged = int(clean["careless_flag"].fillna(False).astype(bool).sum())
        rows.append(
            {
                "what": "careless_flag",
                "key": "excluded" if careless_excluded else "kept",
                "n": flagged,
            }
        )
    if "source_file" in clean.columns:
        kept = clean["source_file"].astype(str).value_counts()
        exc = (
            exclusions["source_file"].astype(str).value_counts()
            if "source_file" in exclusions.columns
            else pd.Series(dtype=int)
        )
        for src in sorted(set(kept.index) | set(exc.index)):
            rows.append({"what": "source_kept", "key": src, "n": int(kept.get(src, 0))})
            rows.append({"what": "source_excluded", "key": src, "n": int(exc.get(src, 0))})
    for k in CR_INDICES:
        col = f"cr_flag_{k}"
        if col in clean.columns:
            rows.append(
                {
                    "what": "careless_index",
                    "key": k,
                    "n": int(clean[col].fillna(False).astype(bool).sum()),
                }
            )
    return pd.DataFrame(rows, columns=columns("screening"))
