"""Registry entries of the panel tables (waves, anchoring, attrition): see :mod:`.registry`.

Kept apart so that :mod:`.registry` stays within the module size; :data:`.registry.REGISTRY`
includes :data:`PANEL_TABLES`. The builders (:mod:`.longitudinal`, :mod:`.attrition`) take
their column lists from here.
"""

from __future__ import annotations

from .registry import (
    CI_HIGH,
    CI_LOW,
    HIDDEN,
    LAB,
    LAB_NAME,
    N_LABS,
    SCALE,
    STATUS,
    WAVE,
    CompareTable,
    N,
    _f,
)

_VERDICT = _f(
    "verdict",
    "string",
    "slope after the subsidy in words: houdt_stand (interval within ± anchoring_margin), "
    "neemt_af / neemt_toe (interval below / above 0), niet_te_zeggen",
)
_MODEL = _f("model", "string", "wave, anchoring, line, round or paired_only", required=True)

LONGITUDINAL = CompareTable(
    name="longitudinal",
    fields=(
        SCALE,
        _MODEL,
        _f("term", "string", "fixed effect or derived slope_after[…]"),
        _f("estimate", "number", "estimate"),
        _f("std_error", "number", "standard error", minimum=0),
        CI_LOW,
        CI_HIGH,
        _f("p_value", "number", "p-value, two-sided", minimum=0, maximum=1),
        _f("n_obs", "integer", "observations (person × wave)", minimum=0),
        _f("n_persons", "integer", "persons (lab, respondent_id)", minimum=0),
        N_LABS,
        _VERDICT,
        STATUS,
    ),
    unit="term per scale × model; repeated measures of persons nested in labs",
    test="exact REML (lme4 lmer equivalent, checked to 1e-4): wave: y ~ wave + role + "
    "school_type + (1 | lab/person); anchoring: y ~ time + after0 + role + school_type + "
    "(1 + after0 || lab) + (1 | lab:person) (after0 = years after the subsidy since the first "
    "wave; independent lab level and slope), slope_after = time + after_subsidy; line / round: "
    "+ line + after0 × line (round) (verankering scales); paired_only: mean within-person change from the first "
    "wave (paired t); Wald z and normal CI",
    correction="none",
    min_cell_rule="programme-level model terms; lab × wave cells suppressed in descriptives are "
    "left out of every model",
)

LONGITUDINAL_VARIANCE = CompareTable(
    name="longitudinal_variance",
    fields=(
        SCALE,
        _MODEL,
        _f("component", "string", "lab, lab_slope_after, person or residual"),
        _f("variance", "number", "REML estimate"),
    ),
    unit="variance component per scale × model",
    test="REML estimates of the models in longitudinal",
    correction="none",
    min_cell_rule="programme-level variance components; no group cell is published",
)

TRAJECTORIES = CompareTable(
    name="trajectories",
    fields=(
        SCALE,
        LAB,
        LAB_NAME,
        _f("line", "string", "the lab's line (labs.yaml)"),
        _f("round", "string", "the lab's round (labs.yaml)"),
        WAVE,
        _f("wave_order", "integer", "position of the wave in the study", minimum=0),
        _f("time", "number", "years since the first wave's fieldwork midpoint"),
        _f("after", "number", "years since the lab's subsidy ended (0 while it runs)", minimum=0),
        _f("phase", "string", "before, during or after the lab's subsidy"),
        N,
        _f("raw_mean", "number", "observed lab mean"),
        _f("estimate", "number", "empirical-Bayes lab estimate (anchoring model)"),
        CI_LOW,
        CI_HIGH,
        _f("programme_estimate", "number", "the programme curve on the lab's schedule"),
        _f("programme_ci_low", "number", "lower bound of the programme curve"),
        _f("programme_ci_high", "number", "upper bound of the programme curve"),
        _f("lab_slope_after", "number", "the lab's slope after the subsidy (per year)"),
        _f("lab_slope_after_ci_low", "number", "lower bound of the lab's slope"),
        _f("lab_slope_after_ci_high", "number", "upper bound of the lab's slope"),
        _VERDICT,
        _f("model_status", "string", "ok, reduced (no lab slope variance) or why it failed"),
        *HIDDEN,
    ),
    unit="lab × scale × wave",
    test="anchoring model: empirical-Bayes lab estimate at the programme's mix of roles and "
    "school types with prediction-error interval (Henderson), the programme curve, the lab's "
    "slope after the subsidy with verdict; raw mean and n; no ranks",
    correction="none",
    keys=("scale", "wave", "lab"),
    counts=("n",),
)

ATTRITION = CompareTable(
    name="attrition",
    fields=(
        _f("from_wave", "string", "earlier wave", required=True),
        _f("to_wave", "string", "next wave", required=True),
        LAB,
        LAB_NAME,
        _f("n_from", "integer", "persons in the earlier wave", minimum=0),
        _f("stayed", "integer", "also in the next wave", minimum=0),
        _f("left", "integer", "not in the next wave", minimum=0),
        _f("newcomers", "integer", "in the next wave, not in the earlier one", minimum=0),
        _f("n_to", "integer", "persons in the next wave", minimum=0),
        _f("retention", "number", "stayed / n_from", minimum=0, maximum=1),
        *HIDDEN,
    ),
    unit="lab (`all` = programme) × consecutive pair of waves; persons (lab, respondent_id)",
    test="counts; retention = stayed / n_from",
    correction="none",
    keys=("from_wave", "to_wave", "lab"),
    counts=("n_from", "stayed", "left", "newcomers", "n_to"),
    min_cell_rule="counts 0 < n < min_cell blanked (primary); complementary over n_from = stayed "
    "+ left, n_to = stayed + newcomers and programme = Σ labs",
)

ATTRITION_BASELINE = CompareTable(
    name="attrition_baseline",
    fields=(
        _f("from_wave", "string", "earlier wave", required=True),
        _f("to_wave", "string", "next wave", required=True),
        SCALE,
        _f("n_stay", "integer", "respondents who stay", minimum=0),
        _f("mean_stay", "number", "their mean in the earlier wave"),
        _f("sd_stay", "number", "their SD", minimum=0),
        _f("n_leave", "integer", "respondents who leave", minimum=0),
        _f("mean_leave", "number", "their mean in the earlier wave"),
        _f("sd_leave", "number", "their SD", minimum=0),
        _f("difference", "number", "mean_stay − mean_leave"),
        _f("hedges_g", "number", "Hedges' g (stay − leave)"),
        _f("g_ci_low", "number", "lower bound of g"),
        _f("g_ci_high", "number", "upper bound of g"),
        _f("t", "number", "Welch t"),
        _f("df", "number", "Welch degrees of freedom"),
        _f("p_value", "number", "Welch p, two-sided", minimum=0, maximum=1),
        *HIDDEN,
    ),
    unit="scale × consecutive pair of waves; earlier-wave respondents who stay vs leave",
    test="Welch t, Hedges' g with interval (effsize::cohen.d); the mixed models assume missing "
    "at random, the paired_only rows of longitudinal are the sensitivity check",
    correction="none",
    keys=("from_wave", "to_wave", "scale"),
    counts=("n_stay", "n_leave"),
    min_cell_rule="a row with a group below min_cell is blanked, both n included",
)

#: In the order the stage writes them (after ``change``).
PANEL_TABLES = (LONGITUDINAL, LONGITUDINAL_VARIANCE, TRAJECTORIES, ATTRITION, ATTRITION_BASELINE)
