"""The registry of comparison tables: one entry per file of ``<out>/compare/``.

Adding a table is one :class:`CompareTable` entry in :data:`REGISTRY`: its name
(file ``<name>.csv``), its columns with type and meaning, the unit of analysis, the
test, the correction, which keys identify a row for disclosure control and which
count columns the ``min_cell`` rule applies to. From the registry come

* ``results.json`` (:func:`results_tables`, the index the report templates read),
* each table's Frictionless Table Schema (``results.json`` ``tables.<name>.schema``)
  and pandera schema (:meth:`CompareTable.contract`), through
  :class:`leerlab_research.config.contracts.Contract`, and
* the check at write time that a table has exactly the registered columns in order
  (:func:`check_columns`).

The column lists of the table builders (``descriptives.COLUMNS`` etc.) are taken
from here, so a column is named once.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from .registry_reports import FOCUS, ITEMS, MERGES, RESPONSES, SCREENING
from .table_spec import (
    CI_HIGH,
    CI_LOW,
    EFFECT,
    EFFECT_TYPE,
    ES_CI_HIGH,
    ES_CI_LOW,
    FAMILY,
    GROUP_A,
    GROUP_B,
    HIDDEN,
    LAB,
    LAB_CELL,
    LAB_NAME,
    N_A,
    N_B,
    N_LABS,
    P_BH,
    P_HOLM,
    SCALE,
    STATISTIC,
    STATUS,
    VAR_LAB,
    VAR_RES,
    WAVE,
    CompareTable,
    N,
    P,
    _f,
)

_DESCRIPTIVES = CompareTable(
    name="descriptives",
    fields=(
        SCALE,
        WAVE,
        _f("breakdown", "string", "which grouping the cell belongs to (programme, lab, role, …)"),
        LAB,
        LAB_NAME,
        _f("role", "string", "role; `all` = aggregated over", required=True),
        _f("school_type", "string", "school type; `all` = aggregated over", required=True),
        N,
        _f("mean", "number", "mean scale score"),
        _f("sd", "number", "standard deviation (n − 1)", minimum=0),
        _f("median", "number", "median scale score"),
        _f(
            "pct_agree", "number", "% of respondents with a scale score ≥ 4", minimum=0, maximum=100
        ),
        CI_LOW,
        CI_HIGH,
        *HIDDEN,
    ),
    unit="cell: respondents of scale × wave × breakdown (programme, lab, role, school_type, "
    "role+school_type, lab+role, lab+school_type; `all` = aggregated over); lab × role × "
    "school_type cells are not published",
    test="none (n, mean, sd (n−1), median, % scale score ≥ 4, Student-t CI of the mean)",
    correction="none",
    keys=("scale", "wave", "lab", "role", "school_type"),
    counts=("n",),
)

_GROUP_TESTS = CompareTable(
    name="group_tests",
    fields=(
        SCALE,
        WAVE,
        _f("factor", "string", "grouping variable (lab, role, school_type)", required=True),
        _f("test", "string", "welch_anova, kruskal, welch_t or mann_whitney", required=True),
        _f("k_groups", "integer", "groups compared", minimum=0),
        _f("groups", "string", "groups compared, `|`-separated"),
        _f("groups_excluded", "string", "groups left out (suppressed or onbekend), `|`-separated"),
        _f("n_total", "integer", "respondents in the groups compared", minimum=0),
        STATISTIC,
        _f("df1", "number", "numerator degrees of freedom"),
        _f("df2", "number", "denominator degrees of freedom"),
        P,
        EFFECT,
        EFFECT_TYPE,
        ES_CI_LOW,
        ES_CI_HIGH,
        _f("effect_size_2", "number", "second effect size (see effect_size_2_type)"),
        _f("effect_size_2_type", "string", "name of the second effect size"),
        P_HOLM,
        P_BH,
        FAMILY,
        STATUS,
    ),
    unit="scale × wave × factor (lab, role or school_type at programme level); respondents",
    test="Welch ANOVA (pingouin; eta2 with Steiger noncentral-F CI, omega2) and Kruskal–Wallis "
    "(pingouin; epsilon2) for ≥3 groups; Welch t (pingouin; Hedges' g with CI) and Mann–Whitney U "
    "(scipy; rank-biserial with Fisher-z CI as R effectsize, CLES) for 2; groups hidden by "
    "disclosure control and `onbekend` "
    "are excluded (groups_excluded)",
    correction="Holm and Benjamini–Hochberg across the scales within wave × factor × test "
    "(p_holm, p_fdr_bh; family in correction_family)",
    counts=("n_total",),
    min_cell_rule="groups whose descriptives cell is suppressed are left out of the test "
    "(groups_excluded)",
)

_POSTHOC = CompareTable(
    name="posthoc",
    fields=(
        SCALE,
        WAVE,
        _f("factor", "string", "grouping variable", required=True),
        _f("test", "string", "games_howell or dunn", required=True),
        GROUP_A,
        GROUP_B,
        N_A,
        N_B,
        _f("mean_a", "number", "mean of group_a"),
        _f("mean_b", "number", "mean of group_b"),
        _f("mean_rank_a", "number", "mean rank of group_a (Dunn)"),
        _f("mean_rank_b", "number", "mean rank of group_b (Dunn)"),
        _f("diff", "number", "difference a − b (means, or mean ranks for Dunn)"),
        _f("se", "number", "standard error of diff"),
        STATISTIC,
        _f("df", "number", "degrees of freedom (Games–Howell)"),
        P,
        _f("p_adj", "number", "adjusted p (see p_adj_method)", minimum=0, maximum=1),
        _f("p_adj_method", "string", "studentized range (Games–Howell) or holm (Dunn)"),
        EFFECT,
        EFFECT_TYPE,
    ),
    unit="pair of groups within scale × wave × factor (settings.compare.posthoc_factors; "
    "default role and school_type — labs are compared with the programme in benchmark)",
    test="Games–Howell (Hedges' g) after Welch ANOVA; Dunn's z on mean ranks after Kruskal–Wallis",
    correction="Games–Howell: studentized range (p_adj); Dunn: Holm over the pairs (p_adj)",
    counts=("n_a", "n_b"),
    min_cell_rule="only groups of the omnibus test (suppressed groups are left out)",
)

_ICC = CompareTable(
    name="icc",
    fields=(
        SCALE,
        WAVE,
        _f("icc1", "number", "ICC(1): share of variance between labs"),
        _f("icc2", "number", "ICC(2): reliability of lab means"),
        _f("design_effect", "number", "1 + (k_mean − 1)·ICC(1)"),
        N_LABS,
        _f("k_mean", "number", "mean lab size N/J"),
        _f("k0", "number", "(N − Σn²/N)/(J − 1); blank where a lab total is suppressed"),
        _f("n", "integer", "respondents", minimum=0),
        _f("msb", "number", "mean square between labs; blank where a lab total is suppressed"),
        _f("msw", "number", "mean square within labs; blank where a lab total is suppressed"),
        _f("f", "number", "F = msb/msw"),
        P,
    ),
    unit="scale × wave; respondents nested in labs",
    test="one-way ANOVA of lab: ICC(1), ICC(2) (Bliese 2000), k_mean = N/J as multilevel::ICC1, "
    "k0 = (N − Σn²/N)/(J − 1); design effect 1 + (k_mean − 1)·ICC(1); msb, msw, k0 blank "
    "where a lab total is suppressed",
    correction="none",
    min_cell_rule="programme-level statistics; msb, msw and k0 blank where a lab total is "
    "suppressed (they would reveal it)",
)

_MIXEDLM = CompareTable(
    name="mixedlm",
    fields=(
        SCALE,
        # empty on a not_estimated row, which stands for the scale's whole model
        # (one lab: no lab variance to estimate)
        _f(
            "term", "string", "model term (Intercept, factor level, wave); empty when not estimated"
        ),
        _f("factor", "string", "factor of the term (empty for the intercept)"),
        _f("level", "string", "level of the factor"),
        _f("reference", "string", "reference level of the factor"),
        _f("coef", "number", "fixed-effect estimate"),
        _f("se", "number", "standard error", minimum=0),
        _f("z", "number", "Wald z"),
        P,
        CI_LOW,
        CI_HIGH,
        P_HOLM,
        P_BH,
        FAMILY,
        VAR_LAB,
        VAR_RES,
        _f("icc_model", "number", "var_lab / (var_lab + var_residual)"),
        _f("n_obs", "integer", "observations (respondent × wave)", minimum=0),
        N_LABS,
        _f("converged", "boolean", "the optimiser converged"),
        _f("singular", "boolean", "the lab variance is on the boundary (0)"),
        STATUS,
        _f("message", "string", "optimiser warning, if any"),
    ),
    unit="fixed-effect term per scale; respondents (both waves) nested in labs",
    test="statsmodels MixedLM (REML), lab random intercept, role/school_type/wave fixed effects "
    "(references docent, vmbo, the first wave); Wald z and normal CI; status flags "
    "non-convergence/singular fits",
    correction="Holm and Benjamini–Hochberg across the scales per term",
    min_cell_rule="programme-level model terms; no group cell is published",
)

_BENCHMARK = CompareTable(
    name="benchmark",
    fields=(
        *LAB_CELL,
        N,
        _f("raw_mean", "number", "observed lab mean"),
        _f("shrunken_mean", "number", "empirical-Bayes (BLUP) lab mean μ̂ + û_j"),
        _f("shrunken_ci_low", "number", "lower bound of the BLUP interval"),
        _f("shrunken_ci_high", "number", "upper bound of the BLUP interval"),
        _f("random_effect", "number", "û_j: the lab's deviation from the programme"),
        _f("random_effect_se", "number", "prediction-error SD of û_j", minimum=0),
        _f("shrinkage", "number", "weight of the lab's own mean", minimum=0, maximum=1),
        _f("programme_mean", "number", "μ̂: the programme mean"),
        VAR_LAB,
        VAR_RES,
        _f(
            "vs_programme",
            "string",
            "`above`, `below` or `indistinguishable` (interval of û_j excludes 0 or not)",
            enum=("above", "below", "indistinguishable"),
        ),
        _f("model_status", "string", "`ok` or why the model failed"),
        _f("programme_observed", "number", "the programme's measured mean (descriptives)"),
        _f(
            "estimate",
            "number",
            "what the reports show: shrunken_mean, or raw_mean when the model could not be fitted",
        ),
        _f("estimate_ci_low", "number", "lower bound of the estimate's interval"),
        _f("estimate_ci_high", "number", "upper bound of the estimate's interval"),
        _f("estimate_type", "string", "`shrunken` or `measured` (Student-t interval)"),
        *HIDDEN,
    ),
    unit="lab × scale × wave",
    test="intercept-only MixedLM per scale × wave: empirical-Bayes (BLUP) lab mean μ̂ + û_j with "
    "interval ± z·sqrt(prediction-error variance incl. Var(μ̂)); vs_programme: û_j ± "
    "z·random_effect_se excludes 0; no ranks; "
    "labs whose total is suppressed are left out of the model",
    correction="none (one interval per lab; not a multiple-comparison procedure)",
    keys=("scale", "wave", "lab"),
    counts=("n",),
)

_AGREEMENT = CompareTable(
    name="agreement",
    fields=(
        *LAB_CELL,
        _f("measure", "string", "rwg_j, awg or a gap between groups", required=True),
        GROUP_A,
        GROUP_B,
        N,
        _f("n_a", "integer", "respondents in group_a (gaps)", minimum=0),
        _f("n_b", "integer", "respondents in group_b (gaps)", minimum=0),
        _f("value", "number", "the index or the mean difference"),
        CI_LOW,
        CI_HIGH,
        *HIDDEN,
    ),
    unit="lab × scale × wave (rwg_j, awg: respondents with all items); gaps between groups of a lab",
    test="rwg(J) (James, Demaree & Wolf 1984; uniform null (A²−1)/12), awg(J) (Brown & Hauenstein "
    "2005); gaps = mean difference with Welch CI (verankering scales)",
    correction="none",
    keys=("scale", "wave", "lab", "measure", "group_a", "group_b"),
    counts=("n", "n_a", "n_b"),
)

_PROFILE = CompareTable(
    name="profile",
    fields=(
        *LAB_CELL,
        N,
        _f("mean_centred", "number", "mean of within-person centred scores"),
        _f("sd", "number", "standard deviation of the centred scores", minimum=0),
        CI_LOW,
        CI_HIGH,
        *HIDDEN,
    ),
    unit="lab × scale × wave; respondents with all scale scores, centred on their own mean",
    test="mean of within-person centred scores with Student-t CI",
    correction="none",
    keys=("scale", "wave", "lab"),
    counts=("n",),
)

_CHANGE = CompareTable(
    name="change",
    fields=(
        SCALE,
        LAB,
        LAB_NAME,
        _f(
            "analysis",
            "string",
            "paired, unpaired, or waves (the lab's two published wave means)",
            enum=("paired", "unpaired", "waves"),
            required=True,
        ),
        _f("from_wave", "string", "the earlier of the two compared waves", required=True),
        _f("to_wave", "string", "the later of the two compared waves", required=True),
        _f("n_paired", "integer", "respondents in both waves", minimum=0),
        _f("n_unpaired_from", "integer", "respondents in from_wave only (unpaired)", minimum=0),
        _f("n_unpaired_to", "integer", "respondents in to_wave only (unpaired)", minimum=0),
        _f("n_from", "integer", "respondents in from_wave (waves: everyone)", minimum=0),
        _f("n_to", "integer", "respondents in to_wave (waves: everyone)", minimum=0),
        _f("mean_from", "number", "mean in from_wave"),
        _f("mean_to", "number", "mean in to_wave"),
        _f("mean_diff", "number", "to_wave minus from_wave"),
        CI_LOW,
        CI_HIGH,
        _f(
            "test",
            "string",
            "paired_t, welch_t or overlap_t (partially overlapping samples, T_new2)",
        ),
        STATISTIC,
        _f("df", "number", "degrees of freedom"),
        P,
        EFFECT,
        EFFECT_TYPE,
        ES_CI_LOW,
        ES_CI_HIGH,
        _f("wilcoxon_w", "number", "Wilcoxon signed-rank W (paired)"),
        _f("wilcoxon_p", "number", "Wilcoxon signed-rank p (paired)", minimum=0, maximum=1),
        P_HOLM,
        P_BH,
        FAMILY,
        *HIDDEN,
    ),
    unit="scale × lab (`all` = programme) × analysis (paired: same respondent_id in both waves; "
    "unpaired; waves: everyone of the lab at each wave, the two means of descriptives.csv)",
    test="paired t (later − earlier of settings.compare.waves; default the previous and the "
    "latest wave), Wilcoxon signed-rank, d_z; unpaired: Welch t, Hedges' g; waves: partially "
    "overlapping samples t (Derrick, Toher & White 2017, R Partiallyoverlapping::Partover.test)",
    correction="Holm and Benjamini–Hochberg across the scales within lab × analysis (shown rows "
    "only)",
    keys=("scale", "lab", "analysis"),
    counts=("n_paired", "n_unpaired_from", "n_unpaired_to", "n_from", "n_to"),
)

_OPEN_KEYS = (
    WAVE,
    _f("lab", "string", "lab id; `all` = the programme", required=True),
    _f("question", "string", "open question (goed, beter)", required=True),
    _f("theme", "string", "theme of the codebook's coding frame", required=True),
    _f("condition", "string", "scale the theme belongs to (empty for a domain theme)"),
    _f("domain", "string", "domain of the theme"),
)

_OPEN_THEMES = CompareTable(
    name="open_themes",
    fields=(
        *_OPEN_KEYS,
        _f("n_respondents", "integer", "respondents of the lab × wave", minimum=0),
        _f("n_answers", "integer", "answers to the question", minimum=0),
        _f("n_mentions", "integer", "answers mentioning the theme", minimum=0),
        _f("share", "number", "n_mentions / n_answers", minimum=0, maximum=1),
        _f("n_human", "integer", "mentions resting on human codes", minimum=0),
        _f("n_auto", "integer", "mentions resting on automatic codes", minimum=0),
        *HIDDEN,
    ),
    unit="wave × lab (`all` = programme) × question × theme of the codebook's coding frame; "
    "answers to the open questions (clean/open_answers.parquet) and their codes "
    "(clean/open_codes.csv)",
    test="none (answers mentioning the theme, share of the answers; n_human / n_auto: on which "
    "codes the count rests); lab rows shown when the lab × wave has ≥ min_cell respondents and "
    "≥ min_cell answers to the question",
    correction="none",
    keys=("wave", "lab", "question", "theme"),
    counts=("n_respondents", "n_answers"),
    min_cell_rule="a lab × wave is shown when it has ≥ min_cell respondents and ≥ min_cell "
    "answers to the question (primary); complementary suppression protects it from the "
    "programme totals",
)

_OPEN_QUOTES = CompareTable(
    name="open_quotes",
    fields=(
        *_OPEN_KEYS,
        _f(
            "rank",
            "integer",
            "rank of the theme by mentions in the lab × wave × question",
            minimum=1,
        ),
        _f("quote_no", "integer", "number of the quote within the theme", minimum=1),
        _f("quote", "string", "a sentence or two of one de-identified answer"),
    ),
    unit="quote: a sentence or two of one de-identified answer, for the leading themes of a "
    "shown lab × wave × question; no answer id, role or school type",
    test="none (up to 3 themes with the most mentions, up to 3 quotes each)",
    correction="none",
    min_cell_rule="quotes only from rows of open_themes that are shown",
)

_SUPPRESSION = CompareTable(
    name="suppression",
    fields=(
        _f("table", "string", "table of the suppressed row", required=True),
        _f("scale", "string", "scale"),
        _f("wave", "string", "wave (empty for tables without one)"),
        _f("lab", "string", "lab id"),
        _f("key", "string", "the row's keys, `name=value; …`", required=True),
        _f("reason", "string", "primary or complementary", enum=("primary", "complementary")),
    ),
    unit="one suppressed row of another table",
    test="disclosure control: primary (0 < n < min_cell) and complementary suppression",
    correction="none",
    min_cell_rule="lists the suppressed rows only (no counts)",
)

# The panel tables (waves, anchoring, attrition) live in their own module, which
# imports the shared fields above.
from .registry_panel import PANEL_TABLES  # noqa: E402

#: Every table of the compare stage, in the order the stage writes them.
REGISTRY: dict[str, CompareTable] = {
    t.name: t
    for t in (
        _DESCRIPTIVES,
        _GROUP_TESTS,
        _POSTHOC,
        _ICC,
        _MIXEDLM,
        _BENCHMARK,
        _AGREEMENT,
        _PROFILE,
        _CHANGE,
        *PANEL_TABLES,
        _OPEN_THEMES,
        _OPEN_QUOTES,
        ITEMS,
        RESPONSES,
        FOCUS,
        SCREENING,
        MERGES,
        _SUPPRESSION,
    )
}


def columns(name: str) -> list[str]:
    """The registered columns of a table, in order (for the table builders)."""
    return REGISTRY[name].columns


def disclosure_keys() -> dict[str, list[str]]:
    """Tables that carry suppressed rows → the columns naming such a row."""
    return {name: list(t.keys) for name, t in REGISTRY.items() if t.keys}


def check_columns(name: str, table: pd.DataFrame) -> None:
    """Fail (a bug, not a data error) when a built table differs from its registry entry."""
    expected = REGISTRY[name].columns
    if list(table.columns) != expected:
        raise RuntimeError(
            f"compare table {name!r}: columns {list(table.columns)} differ from the registry "
            f"(compare/registry.py) {expected}"
        )


def results_tables(tables: dict[str, pd.DataFrame], min_cell: int) -> dict[str, dict[str, Any]]:
    """``results.json`` ``tables``: per table its file, columns, schema and methods."""
    out: dict[str, dict[str, Any]] = {}
    for name, t in REGISTRY.items():
        out[name] = {
            "file": t.file,
            "columns": t.columns,
            "n_rows": int(len(tables[name])),
            "keys": list(t.keys),
            "min_cell": min_cell,
            "unit": t.unit,
            "test": t.test,
            "correction": t.correction,
            "min_cell_rule": t.min_cell_rule,
            "counts": list(t.counts),
            "schema": t.contract().table_schema(),
        }
    return out
