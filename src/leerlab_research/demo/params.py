"""Generating parameters of the demo study: the latent model and the fault rates.

Everything that is *drawn* (loadings, thresholds, lab intercepts, school gaps,
change effects) is drawn here from the study's random generator and rounded to
three decimals **before** it is used, so ``truth/parameters.json`` holds exactly
the numbers that generated the data. Everything that is *chosen* (role effects,
fault rates, which platform a lab uses) is a module constant, documented below.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..config.codebook import Codebook
from ..config.labs import FOCUS_AREAS, Labs

PLATFORMS: tuple[str, ...] = ("limesurvey", "msforms", "excel_nl", "spss")
WAVES: tuple[str, ...] = ("T0", "T1", "T2")
#: Fieldwork period and label (nl, en) of each demo wave: the start and the end of the
#: 2022 round's subsidy year and one year later. Written to the demo study file.
WAVE_FIELDWORK: dict[str, tuple[str, str]] = {
    "T0": ("2022-09-05", "2022-10-14"),
    "T1": ("2023-05-15", "2023-06-23"),
    "T2": ("2024-05-13", "2024-06-21"),
}
WAVE_LABELS: dict[str, tuple[str, str]] = {
    "T0": ("Start subsidiejaar", "Start of the subsidy year"),
    "T1": ("Einde subsidiejaar", "End of the subsidy year"),
    "T2": ("Een jaar later", "One year later"),
}
#: Subsidy year of each round (September to August).
ROUND_SUBSIDY: dict[int, tuple[str, str]] = {
    2019: ("2019-09-01", "2020-08-31"),
    2022: ("2022-09-01", "2023-08-31"),
}
#: Labs of the 2019 round (one per platform); the others are of the 2022 round.
ROUND_2019: tuple[str, ...] = ("noord-west-veluwe", "noord-drenthe", "gorinchem", "middelharnis")
#: Chosen yearly change after the subsidy ended (latent SD units) on the verankering
#: scales: three 2022 labs decline, one rises, two 2019 labs decline, the rest hold.
#: Both rounds decline by the same amount on average (−0.25 per year), so the
#: programme slope does not depend on how the model weighs the rounds. Labs not
#: listed (another labs file) hold.
SLOPE_AFTER: dict[str, float] = {
    "s-hertogenbosch": -1.10,
    "amsterdam-ijburg": -1.00,
    "heerhugowaard": -0.90,
    "stadskanaal": 1.00,
    "noord-drenthe": -0.60,
    "gorinchem": -0.40,
}
#: Domain whose scales carry the after-subsidy slopes.
ANCHORING_DOMAIN = "verankering"
DAYS_PER_YEAR = 365.25
ROLES: tuple[str, ...] = ("bestuur", "management", "docent", "procesbegeleider", "anders")
SCHOOL_TYPES: tuple[str, ...] = ("vmbo", "mbo", "anders")

# One platform per lab, three labs per platform. The split puts labs with
# interesting aliases on each platform: '’s-Hertogenbosch' / 'Den Bosch' in the
# UTF-8 LimeSurvey file, the ligature 'Amsterdam Ĳburg' in the xlsx (cp1252 cannot
# hold 'Ĳ', so no IJburg in the Dutch CSV), 'Gorkum'/'WBR' in the cp1252 CSV.
PLATFORM_LABS: dict[str, tuple[str, ...]] = {
    "limesurvey": ("noord-west-veluwe", "s-hertogenbosch", "helmond"),
    "msforms": ("noord-drenthe", "amsterdam-ijburg", "weert"),
    "excel_nl": ("gorinchem", "heerhugowaard", "west-brabant"),
    "spss": ("middelharnis", "stadskanaal", "noord-holland"),
}

# Role effects on the latent metric (SD units of the person residual), relative
# to an average respondent. Chosen, not drawn: they encode the programme's
# experience that boards see the ambition more clearly than teachers, and that
# teachers feel least facilitated (time, resources).
ROLE_EFFECTS: dict[str, dict[str, float]] = {
    "bestuur": {
        "ambitie": 0.45,
        "belangen": 0.10,
        "organisatie": 0.15,
        "commitment": 0.35,
        "faciliteren": 0.30,
    },
    "management": {"ambitie": 0.25, "organisatie": 0.10, "commitment": 0.20, "faciliteren": 0.15},
    "docent": {"ambitie": -0.05, "commitment": -0.10, "faciliteren": -0.35},
    "procesbegeleider": {"relaties": 0.20, "proces": 0.35, "evalueren": 0.15},
    "anders": {},
}

# Programme-wide mean vmbo − mbo gap per scale; each lab deviates from it (drawn).
SCHOOL_GAP_MEAN: dict[str, float] = {"inhoud": 0.20, "faciliteren": -0.15, "belangen": 0.10}
SCHOOL_GAP_SD = 0.25

# Latent test–retest correlation of a person's residual between consecutive waves (AR(1)).
RETEST_RHO = 0.6
# Share of a wave's respondents that answers the next wave again (bestuur and
# procesbegeleider always do): about a third leaves between waves.
RETURN_RATE = 0.62
# Newcomers per lab and later wave (inclusive range).
NEWCOMERS = (3, 10)

# Item thresholds on the y* metric: base cut points plus an item shift. The base
# is asymmetric because reflection surveys lean towards agreement (mean near 3.5).
BASE_THRESHOLDS: tuple[float, ...] = (-1.9, -1.0, -0.15, 1.05)

# Item non-response. Code 9 (weet niet / n.v.t.) is more common on items that ask
# about others (the board, pupils, the process facilitator).
RATE_DONT_KNOW = 0.015
RATE_DONT_KNOW_HIGH = {"COM1": 0.08, "EVA3": 0.07, "INH2": 0.06, "PRO2": 0.05, "BEL4": 0.05}
RATE_BLANK = 0.01

# Faults per export file, as shares of the eligible respondents of that file
# (bestuur and procesbegeleider are exempt so that the small cells survive).
# 'restart' = an incomplete attempt followed by a complete one (same key);
# 'duplicate' = two complete submissions (the earlier one is to be dropped).
FAULT_RATES: dict[str, float] = {
    "straightliner": 0.03,
    "speeder": 0.03,
    "no_consent": 0.025,
    "incomplete": 0.04,
    "restart": 0.015,
    "duplicate": 0.025,
}
ALIAS_RATE = 0.2
TEST_ROWS_PER_FILE = (1, 2)  # inclusive range
SPEEDER_SECONDS = (25, 60)  # well below the 2 s/item cut-off of 68 s
MIN_NORMAL_SECONDS = 180  # everybody else takes clearly longer than the cut-off


@dataclass
class DemoParameters:
    """The drawn and chosen parameters of one demo study.

    Attributes
    ----------
    seed
        Seed of ``numpy.random.default_rng``.
    scales, items
        Scale names and item codes in codebook order.
    item_scale
        Index into ``scales`` for each item.
    reverse
        Boolean per item: reverse-keyed in the codebook.
    labs
        Lab ids in labs.yaml order; ``lab_platform`` maps each to its platform.
    factor_corr
        Correlation matrix of the person residuals (scales × scales).
    icc_target
        Intended ICC per scale, drawn from U(0.06, 0.18).
    lab_intercepts
        labs × scales, standardised so their SD is ``sqrt(icc / (1 − icc))``.
    school_gap
        labs × scales, vmbo − mbo difference; vmbo gets +gap/2, mbo −gap/2.
    change
        labs × scales, true step change from the first wave to every later wave (zero
        outside ``change_labs``, which are 2022-round labs).
    lab_round, lab_line, subsidy
        Programme attributes per lab (labs.yaml; the 12 labs' values are demo data).
    after
        labs × waves: years since the lab's subsidy ended at the wave's fieldwork
        midpoint (0 while it runs).
    slope_after
        labs × scales, true yearly change after the subsidy (latent units; the
        verankering scales only). The latent trajectory adds
        ``slope_after · (after[w] − after[first wave])``.
    loadings, thresholds
        Per item: loading in [0.5, 0.85] and four ordered cut points on y*.
    """

    seed: int
    scales: list[str]
    items: list[str]
    item_scale: np.ndarray
    reverse: np.ndarray
    labs: list[str]
    lab_platform: dict[str, str]
    factor_corr: np.ndarray
    icc_target: np.ndarray
    lab_intercepts: np.ndarray
    school_gap: np.ndarray
    change: np.ndarray
    change_labs: list[str]
    lab_round: dict[str, int]
    lab_line: dict[str, str]
    subsidy: dict[str, tuple[str, str]]
    after: np.ndarray
    slope_after: np.ndarray
    loadings: np.ndarray
    thresholds: np.ndarray
    role_effects: np.ndarray = field(repr=False)
    dont_know_rate: np.ndarray = field(repr=False)

    def school_effect(self, lab_idx: np.ndarray, school: np.ndarray) -> np.ndarray:
        """Latent school-type effect per row: +gap/2 for vmbo, −gap/2 for mbo, 0 otherwise."""
        sign = np.select([school == "vmbo", school == "mbo"], [0.5, -0.5], 0.0)
        return self.school_gap[lab_idx] * sign[:, None]


def assign_platforms(labs: Labs) -> dict[str, str]:
    """Map each lab id to its platform.

    Uses :data:`PLATFORM_LABS` when the labs file holds exactly those ids, and
    otherwise deals the labs round-robin over the four platforms in file order,
    so a different labs file still gives a working demo.
    """
    ids = [lab.id for lab in labs.labs]
    fixed = {lab: p for p, group in PLATFORM_LABS.items() for lab in group}
    if sorted(ids) == sorted(fixed):
        return {lab: fixed[lab] for lab in ids}
    return {lab: PLATFORMS[i % len(PLATFORMS)] for i, lab in enumerate(ids)}


def programme_attributes(
    labs: Labs,
) -> tuple[dict[str, int], dict[str, str], dict[str, tuple[str, str]]]:
    """Round, line and subsidy period per lab: from labs.yaml when it has them, else chosen.

    Without attributes in the labs file the labs of :data:`ROUND_2019` are of the
    2019 round, the others of 2022, and the lines alternate in file order.
    """
    rounds, lines, subsidy = {}, {}, {}
    for i, lab in enumerate(labs.labs):
        sub = getattr(lab, "subsidy", None)
        rnd = getattr(lab, "round", None)
        rounds[lab.id] = int(rnd) if rnd is not None else (2019 if lab.id in ROUND_2019 else 2022)
        lines[lab.id] = getattr(lab, "line", None) or ("samenwerking", "leerroute")[i % 2]
        subsidy[lab.id] = (
            (str(sub.start), str(sub.end)) if sub is not None else ROUND_SUBSIDY[rounds[lab.id]]
        )
    return rounds, lines, subsidy


def years_after_subsidy(lab_ids: list[str], subsidy: dict[str, tuple[str, str]]) -> np.ndarray:
    """labs × waves: years from the end of the lab's subsidy to the wave's fieldwork midpoint (≥ 0)."""
    start = np.array([np.datetime64(WAVE_FIELDWORK[w][0]) for w in WAVES])
    end = np.array([np.datetime64(WAVE_FIELDWORK[w][1]) for w in WAVES])
    mid = start + (end - start) // 2
    sub_end = np.array([np.datetime64(subsidy[lab][1]) for lab in lab_ids])
    days = (mid[None, :] - sub_end[:, None]).astype("timedelta64[D]").astype(float)
    return np.clip(days / DAYS_PER_YEAR, 0.0, None)


def _round(a: np.ndarray | float) -> np.ndarray:
    return np.round(np.asarray(a, dtype=float), 3)


def _factor_correlation(codebook: Codebook, rng: np.random.Generator) -> np.ndarray:
    """Scales in the same domain correlate about .55, across domains about .35."""
    domains = [s.domain for s in codebook.scales.values()]
    k = len(domains)
    same = np.array([[a == b for b in domains] for a in domains])
    base = np.where(same, 0.55, 0.35)
    jitter = rng.uniform(-0.05, 0.05, size=(k, k))
    corr = base + np.triu(jitter, 1) + np.triu(jitter, 1).T
    np.fill_diagonal(corr, 1.0)
    corr = _round(corr)
    # With these values the matrix is comfortably positive definite; check anyway
    # because a Cholesky factor of a non-PD matrix would fail later with less context.
    if np.linalg.eigvalsh(corr).min() <= 0.05:
        raise AssertionError("demo factor correlation matrix is not positive definite")
    return corr


def draw_parameters(
    seed: int, codebook: Codebook, labs: Labs, rng: np.random.Generator
) -> DemoParameters:
    """Draw the latent-model parameters for one demo study.

    Parameters
    ----------
    seed
        The seed (recorded only; ``rng`` must already be seeded with it).
    codebook, labs
        The validated instrument and labs.
    rng
        The study's generator; the draws happen in a fixed order.

    Returns
    -------
    DemoParameters
    """
    scales = codebook.scale_names
    items = codebook.item_codes
    item_scale = np.array([scales.index(codebook.scale_of_item[i]) for i in items])
    reverse = np.array([i in set(codebook.reverse_items) for i in items])
    lab_ids = [lab.id for lab in labs.labs]
    n_labs, n_scales, n_items = len(lab_ids), len(scales), len(items)

    corr = _factor_correlation(codebook, rng)

    icc = _round(rng.uniform(0.06, 0.18, size=n_scales))
    tau = np.sqrt(icc / (1 - icc))
    z = rng.standard_normal((n_labs, n_scales))
    # Standardise the 12 draws per scale so the realised between-lab SD equals tau:
    # with only 12 labs a raw draw can miss the intended ICC by a factor of two.
    z = (z - z.mean(axis=0)) / z.std(axis=0)
    lab_intercepts = _round(z * tau)

    gap_mean = np.array([SCHOOL_GAP_MEAN.get(s, 0.0) for s in scales])
    school_gap = _round(gap_mean + rng.normal(0.0, SCHOOL_GAP_SD, size=(n_labs, n_scales)))

    lab_round, lab_line, subsidy = programme_attributes(labs)
    after = years_after_subsidy(lab_ids, subsidy)
    # Four labs change during the subsidy year (first to second wave), on the
    # collaboration and content scales only: three improve (most on organising,
    # process and content, which is what a leerlab works on), one loses ground on
    # relations and organising (e.g. a reorganisation). They are drawn from the labs
    # still subsidised at the second wave whose verankering holds afterwards, when
    # there are enough, so that each lab tells one story; the verankering scales move
    # only after the subsidy (slope_after).
    holds = np.array([SLOPE_AFTER.get(lab, 0.0) == 0 for lab in lab_ids])
    eligible = (after[:, 1] == 0) & holds
    pool = np.flatnonzero(eligible) if eligible.sum() >= 4 else np.arange(n_labs)
    change_idx = np.sort(rng.choice(pool, size=min(4, len(pool)), replace=False))
    anchoring = np.array([codebook.scales[sc].domain == ANCHORING_DOMAIN for sc in scales])
    focus = (
        np.array(
            [1.0 if s in {"organisatie", "proces", "evalueren", "inhoud"} else 0.5 for s in scales]
        )
        * ~anchoring
    )
    change = np.zeros((n_labs, n_scales))
    sizes = rng.uniform(0.3, 0.5, size=len(change_idx))
    for j, (lab_i, size) in enumerate(zip(change_idx, sizes, strict=True)):
        if j == len(change_idx) - 1:
            change[lab_i] = [-size if s in {"relaties", "organisatie"} else 0.0 for s in scales]
        else:
            change[lab_i] = size * focus
    change = _round(change)

    loadings = _round(rng.uniform(0.5, 0.85, size=n_items))
    shift = rng.uniform(-0.35, 0.25, size=n_items)
    thresholds = _round(np.asarray(BASE_THRESHOLDS)[None, :] + shift[:, None])

    role_effects = np.array([[ROLE_EFFECTS.get(r, {}).get(s, 0.0) for s in scales] for r in ROLES])
    dont_know = np.array([RATE_DONT_KNOW_HIGH.get(i, RATE_DONT_KNOW) for i in items])

    slope_after = _round(
        np.array([[SLOPE_AFTER.get(lab, 0.0) * a for a in anchoring] for lab in lab_ids])
    )

    return DemoParameters(
        seed=seed,
        scales=scales,
        items=items,
        item_scale=item_scale,
        reverse=reverse,
        labs=lab_ids,
        lab_platform=assign_platforms(labs),
        factor_corr=corr,
        icc_target=icc,
        lab_intercepts=lab_intercepts,
        school_gap=school_gap,
        change=change,
        change_labs=[lab_ids[i] for i in change_idx],
        lab_round=lab_round,
        lab_line=lab_line,
        subsidy=subsidy,
        after=after,
        slope_after=slope_after,
        loadings=loadings,
        thresholds=thresholds,
        role_effects=role_effects,
        dont_know_rate=dont_know,
    )


#: Chance that a lab without a declared focus has each focus area (FOCUS_AREAS order).
FOCUS_SHARE = np.array([0.75, 0.6, 0.5])
#: Chance that a respondent ticks an area differently from the lab's focus.
FOCUS_NOISE = 0.1


def lab_focus(p: DemoParameters, labs: Labs, draws: np.ndarray) -> np.ndarray:
    """labs × focus areas: the lab's declared ``focus`` (labs.yaml), else drawn.

    ``draws`` are uniform numbers (labs × areas); an undeclared lab has an area when its
    draw is below :data:`FOCUS_SHARE`, and at least curriculum.
    """
    chosen = draws < FOCUS_SHARE
    chosen[~chosen.any(axis=1), 0] = True
    for i, lab in enumerate(p.labs):
        declared = getattr(labs.by_id.get(lab), "focus", None)
        if declared is not None:
            chosen[i] = [area in declared for area in FOCUS_AREAS]
    return chosen
