"""The comparison tables in words for the methods report (nl, en): what, test, correction.

One entry per table of ``compare/registry.py``; ``results.json`` keeps the
technical (English) description for machines, the methods report reads these.
"""

from __future__ import annotations

#: table name → (what it holds, test/estimator, correction) per language.
TABLE_METHODS: dict[str, dict[str, tuple[str, str, str]]] = {
    "descriptives": {
        "nl": (
            "gemiddelde, standaardafwijking en % positief per schaal, meting, lab, niveau en "
            "schooltype",
            "geen toets; 95%-interval van het gemiddelde (t-verdeling)",
            "geen",
        ),
        "en": (
            "mean, standard deviation and % positive per scale, wave, lab, level and school type",
            "no test; 95% interval of the mean (t distribution)",
            "none",
        ),
    },
    "group_tests": {
        "nl": (
            "verschillen tussen labs, niveaus of schooltypen op programmaniveau",
            "Welch-variantieanalyse en Kruskal–Wallis (drie of meer groepen), Welch-t en "
            "Mann–Whitney (twee groepen)",
            "Holm en Benjamini–Hochberg over de negen schalen per meting en factor",
        ),
        "en": (
            "differences between labs, levels or school types at programme level",
            "Welch ANOVA and Kruskal–Wallis (three or more groups), Welch t and Mann–Whitney "
            "(two groups)",
            "Holm and Benjamini–Hochberg across the nine scales per wave and factor",
        ),
    },
    "posthoc": {
        "nl": (
            "paarsgewijze vergelijkingen na een groepstoets",
            "Games–Howell en Dunn",
            "Games–Howell: studentized range; Dunn: Holm over de paren",
        ),
        "en": (
            "pairwise comparisons after a group test",
            "Games–Howell and Dunn",
            "Games–Howell: studentized range; Dunn: Holm over the pairs",
        ),
    },
    "icc": {
        "nl": (
            "hoeveel van de verschillen tussen respondenten bij het lab hoort",
            "intraklassecorrelatie ICC(1) en ICC(2) uit een variantieanalyse naar lab",
            "geen",
        ),
        "en": (
            "how much of the differences between respondents lies between labs",
            "intraclass correlation ICC(1) and ICC(2) from a one-way ANOVA of lab",
            "none",
        ),
    },
    "mixedlm": {
        "nl": (
            "verschillen tussen rollen, schooltypen en metingen over het hele programma",
            "multilevelmodel met het lab als toevalseffect",
            "Holm en Benjamini–Hochberg over de schalen per term",
        ),
        "en": (
            "differences between roles, school types and waves across the programme",
            "mixed model with a random intercept for lab",
            "Holm and Benjamini–Hochberg across the scales per term",
        ),
    },
    "benchmark": {
        "nl": (
            "het geschatte labgemiddelde naast het programmagemiddelde",
            "empirical-Bayes-schatting uit het multilevelmodel (bij een ontaard model het "
            "gemeten gemiddelde met t-interval); hoger of lager als het interval 0 uitsluit",
            "geen (één interval per lab; zie de opmerking over meervoudig toetsen hieronder)",
        ),
        "en": (
            "the estimated lab mean beside the programme mean",
            "empirical Bayes estimate from the mixed model (the measured mean with a t interval "
            "when the model is singular); higher or lower when the interval excludes 0",
            "none (one interval per lab; see the note on multiplicity below)",
        ),
    },
    "agreement": {
        "nl": (
            "eensgezindheid binnen een lab en het verschil tussen niveaus en schooltypen "
            "(het achtje)",
            "rwg(j) en awg; verschil van gemiddelden met Welch-interval",
            "geen",
        ),
        "en": (
            "agreement within a lab and the gap between levels and school types (het achtje)",
            "rwg(j) and awg; difference of means with a Welch interval",
            "none",
        ),
    },
    "profile": {
        "nl": (
            "het relatief sterkste en zwakste punt van een lab (binnen het lab vergeleken)",
            "gemiddelde per schaal min het gemiddelde over de schalen, met interval",
            "geen",
        ),
        "en": (
            "a lab's relatively strongest and weakest point (compared within the lab)",
            "mean per scale minus the mean over the scales, with interval",
            "none",
        ),
    },
    "change": {
        "nl": (
            "verandering tussen de vorige en de laatste meting, per lab en voor het programma",
            "gepaarde t-toets en Wilcoxon-rangtekentoets (dezelfde personen), Welch-t "
            "(overige respondenten), t-toets voor gedeeltelijk overlappende steekproeven "
            "(labgemiddelden van beide metingen; Derrick, Toher & White 2017)",
            "Holm en Benjamini–Hochberg over de schalen per lab en analyse",
        ),
        "en": (
            "change between the previous and the latest wave, per lab and for the programme",
            "paired t test and Wilcoxon signed-rank test (same people), Welch t (other "
            "respondents), partially overlapping samples t test (the lab means of both waves; "
            "Derrick, Toher & White 2017)",
            "Holm and Benjamini–Hochberg across the scales per lab and analysis",
        ),
    },
    "longitudinal": {
        "nl": (
            "ontwikkeling over alle metingen en na de subsidie",
            "multilevelmodel met personen binnen labs (REML, gelijk aan lme4)",
            "geen",
        ),
        "en": (
            "development over all waves and after the subsidy",
            "mixed model with persons within labs (REML, as lme4)",
            "none",
        ),
    },
    "longitudinal_variance": {
        "nl": ("variantiecomponenten van die modellen", "REML", "geen"),
        "en": ("variance components of those models", "REML", "none"),
    },
    "trajectories": {
        "nl": (
            "verloop per lab over de metingen, met het programma ernaast",
            "gemeten gemiddelde en geschat labgemiddelde per meting; helling na de subsidie",
            "geen",
        ),
        "en": (
            "course per lab over the waves, with the programme beside it",
            "measured mean and estimated lab mean per wave; slope after the subsidy",
            "none",
        ),
    },
    "attrition": {
        "nl": (
            "wie bleef, wie vertrok en wie nieuw was tussen twee metingen",
            "aantallen",
            "geen",
        ),
        "en": ("who stayed, left or joined between two waves", "counts", "none"),
    },
    "attrition_baseline": {
        "nl": (
            "blijvers tegenover vertrekkers bij de eerdere meting",
            "Welch-t en Hedges' g",
            "geen",
        ),
        "en": ("stayers against leavers at the earlier wave", "Welch t and Hedges' g", "none"),
    },
    "open_themes": {
        "nl": (
            "hoe vaak elk thema van het codeerkader genoemd werd",
            "aantallen (menselijke codes waar die er zijn, anders het automatische voorstel)",
            "geen",
        ),
        "en": (
            "how often each theme of the coding frame was mentioned",
            "counts (human codes where present, else the automatic proposal)",
            "none",
        ),
    },
    "open_quotes": {
        "nl": ("korte citaten bij de meest genoemde thema's", "geen", "geen"),
        "en": ("short quotes under the themes mentioned most", "none", "none"),
    },
    "items": {
        "nl": ("antwoordverdeling en % eens per uitspraak", "geen toets", "geen"),
        "en": ("answer distribution and % agree per statement", "no test", "none"),
    },
    "responses": {
        "nl": (
            "aantal ingevulde vragenlijsten per lab en meting; veldwerkdata",
            "aantallen",
            "geen",
        ),
        "en": ("questionnaires per lab and wave; fieldwork dates", "counts", "none"),
    },
    "focus": {
        "nl": ("genoemde focusgebieden per lab en meting", "aantallen", "geen"),
        "en": ("focus areas named per lab and wave", "counts", "none"),
    },
    "screening": {
        "nl": ("ingelezen, behouden en uitgesloten vragenlijsten", "aantallen", "geen"),
        "en": ("questionnaires read, kept and excluded", "counts", "none"),
    },
    "merges": {
        "nl": ("kleine restgroepen die bij een genoemde groep zijn geteld", "geen", "geen"),
        "en": ("small residual groups counted with a named group", "none", "none"),
    },
    "suppression": {
        "nl": ("alle verborgen cellen met hun reden", "geen", "geen"),
        "en": ("every hidden cell with its reason", "none", "none"),
    },
}
