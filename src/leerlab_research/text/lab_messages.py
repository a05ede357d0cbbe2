"""Fixed report texts added after the split (nl, en): the title block, the lab report's focus
areas and trend column, open-answer, figure and grouping texts.

Split from :mod:`.report_messages` (module length); see :mod:`leerlab_research.text`.
"""

from __future__ import annotations

LAB_MESSAGES: dict[str, dict[str, str]] = {
    # ---- title block (report/context.py: title_block)
    "title_programme": {
        "nl": "**Programma:** Leerlabs Sterk Beroepsonderwijs",
        "en": "**Programme:** Leerlabs Sterk Beroepsonderwijs",
    },
    "title_lab": {"nl": "**Leerlab:** {lab}", "en": "**Leerlab:** {lab}"},
    "title_fieldwork": {
        "nl": "**Veldwerk:** {period} ({n} metingen)",
        "en": "**Fieldwork:** {period} ({n} waves)",
    },
    "title_fieldwork_one": {"nl": "**Veldwerk:** {period}", "en": "**Fieldwork:** {period}"},
    "title_wave": {
        "nl": "**Dit rapport beschrijft vooral:** de meting van {period}",
        "en": "**This report describes mainly:** the wave of {period}",
    },
    "title_study_version": {
        "nl": "**Studie:** {study}; studiebestand {sha}, vragenlijst versie {codebook}, "
        "leerlab-research {software}",
        "en": "**Study:** {study}; study file {sha}, questionnaire version {codebook}, "
        "leerlab-research {software}",
    },
    "trend_hidden_all": {
        "nl": "De verandering sinds de vorige meting is voor dit lab niet te tonen: {reason}.",
        "en": "The change since the previous wave cannot be shown for this lab: {reason}.",
    },
    "note_trend": {
        "nl": "*Sinds vorige meting*: of het gemiddelde van het lab sinds de meting van {period} "
        "aantoonbaar is gestegen (↑), gedaald (↓) of gelijk gebleven (→).",
        "en": "*Since previous wave*: whether the lab's mean has demonstrably risen (↑), fallen "
        "(↓) or stayed the same (→) since the wave of {period}.",
    },
    "trend_hidden_some": {
        "nl": "Een streepje bij *Sinds vorige meting*: die verandering is niet te tonen ({reason}).",
        "en": "A dash under *Since previous wave*: that change cannot be shown ({reason}).",
    },
    "trend_one_wave": {
        "nl": "Er is nog geen eerdere meting van dit lab, dus nog geen verandering.",
        "en": "There is no earlier wave of this lab yet, so no change.",
    },
    "change_hidden_reason": {
        "nl": "verborgen om een kleinere groep te beschermen (minder dan {min_cell} "
        "respondenten kwamen erbij of vielen af; hun antwoorden zouden anders uit de totalen "
        "terug te rekenen zijn)",
        "en": "hidden to protect a smaller group (fewer than {min_cell} respondents joined or "
        "left; their answers could otherwise be worked out from the totals)",
    },
    # ---- change since the previous wave (report/sections_change.py)
    "change_intro": {
        "nl": "De figuur vergelijkt het gemiddelde van het lab bij de vorige en de laatste "
        "meting: alle respondenten van het lab bij elke meting, dezelfde gemiddelden als elders "
        "in dit rapport. Niet iedereen vulde beide keren in; het interval houdt rekening met de "
        "mensen die dat wel deden.",
        "en": "The figure compares the lab's mean at the previous and the latest wave: all of "
        "the lab's respondents at each wave, the same means as elsewhere in this report. Not "
        "everyone answered both times; the interval takes those who did into account.",
    },
    "cap_change": {
        "nl": "Verandering van het labgemiddelde van de meting van {earlier} naar die van "
        "{later} (gemiddelden en verschil met 95%-interval; n: respondenten bij elke meting).",
        "en": "Change of the lab mean from the wave of {earlier} to that of {later} (means and "
        "difference with 95% interval; n: respondents at each wave).",
    },
    "change_up": {
        "nl": "Sinds de vorige meting gestegen: {scales}.",
        "en": "Up since the previous wave: {scales}.",
    },
    "change_down": {"nl": "Gedaald: {scales}.", "en": "Down: {scales}."},
    "change_none": {
        "nl": "Sinds de vorige meting is geen voorwaarde aantoonbaar veranderd.",
        "en": "No condition changed demonstrably since the previous wave.",
    },
    "change_one_wave": {
        "nl": "Er is nog maar één meting; verandering volgt na de volgende meting.",
        "en": "There is only one wave so far; change follows after the next wave.",
    },
    "change_same": {
        "nl": "Niet aantoonbaar veranderd: {scales}.",
        "en": "Not demonstrably changed: {scales}.",
    },
    "change_down_alone": {
        "nl": "Sinds de vorige meting gedaald: {scales}.",
        "en": "Down since the previous wave: {scales}.",
    },
    "change_n": {"nl": "n = {n_from} → {n_to}", "en": "n = {n_from} → {n_to}"},
    "change_line": {
        "nl": "{scale} is aantoonbaar {direction}: van {mean_from} naar {mean_to} (verschil "
        "{diff} {interval}).",
        "en": "{scale} has demonstrably {direction}: from {mean_from} to {mean_to} (difference "
        "{diff} {interval}).",
    },
    "paired_detail": {
        "nl": "Ter aanvulling, bij alleen de mensen die beide metingen invulden ({n} personen): "
        "{what}.",
        "en": "In addition, among only the people who answered both waves ({n} people): {what}.",
    },
    "range_words": {"nl": "{low} tot {high}", "en": "{low} to {high}"},
    "paired_increase": {"nl": "gestegen: {scales}", "en": "up: {scales}"},
    "paired_decrease": {"nl": "gedaald: {scales}", "en": "down: {scales}"},
    "paired_rest": {
        "nl": "de andere voorwaarden zijn bij hen niet aantoonbaar veranderd",
        "en": "the other conditions did not change demonstrably among them",
    },
    "paired_none": {
        "nl": "bij geen enkele voorwaarde een aantoonbare verandering",
        "en": "no demonstrable change on any condition",
    },
    "paired_same": {
        "nl": "niet aantoonbaar veranderd: {scales}",
        "en": "not demonstrably changed: {scales}",
    },
    "paired_none_shown": {
        "nl": "geen aantoonbare verandering bij {scales}",
        "en": "no demonstrable change on {scales}",
    },
    "paired_some_hidden": {
        "nl": "Bij {scales} is die verandering niet apart te tonen: {reason}.",
        "en": "For {scales} that change cannot be shown separately: {reason}.",
    },
    "paired_hidden": {
        "nl": "De verandering bij alleen de mensen die beide metingen invulden is voor dit lab "
        "niet apart te tonen: {reason}.",
        "en": "The change among only the people who answered both waves cannot be shown "
        "separately for this lab: {reason}.",
    },
    "caveat_two_changes": {
        "nl": "**Twee veranderingscijfers.** Het labrapport toont de verandering van het "
        "labgemiddelde: het verschil tussen de gemiddelden van alle respondenten van het lab bij "
        "de twee metingen, dezelfde gemiddelden als elders in de rapporten. Omdat een deel van "
        "de mensen beide keren invulde, houden interval en toets rekening met hun samenhang "
        "(t-toets voor gedeeltelijk overlappende steekproeven, Derrick, Toher & White 2017; in R "
        "`Partiallyoverlapping::Partover.test`). De verandering bij alleen dezelfde personen "
        "(gepaarde t-toets, de maat van het programmarapport) staat daar als aanvulling bij, "
        "maar is niet te tonen in labs met 1 tot {below} nieuwkomers of vertrekkers: de kleine "
        "groep zou dan uit de totalen terug te rekenen zijn. In die labs gebruiken interval en "
        "toets de samenhang niet (Welch-toets op de gepubliceerde gemiddelden, spreidingen en "
        "aantallen): de breedte van het interval zou anders verraden hoeveel mensen beide keren "
        "invulden. Het interval is daar iets ruimer.",
        "en": "**Two change figures.** The lab report shows the change of the lab mean: the "
        "difference between the means of all the lab's respondents at the two waves, the same "
        "means as elsewhere in the reports. Since some people answered both times, interval and "
        "test take their correlation into account (partially overlapping samples t test, "
        "Derrick, Toher & White 2017; in R `Partiallyoverlapping::Partover.test`). The change "
        "among the same people only (paired t test, the programme report's measure) is added "
        "as detail, but cannot be shown in labs with 1 to {below} newcomers or leavers: the "
        "small group could then be worked out from the totals. In those labs interval and test "
        "leave the correlation out (Welch's test on the published means, SDs and sizes): the "
        "interval's width would otherwise give away how many people answered both times. The "
        "interval is a little wider there.",
    },
    # ---- the summary's achtje sentences (report/sections_lab.py: achtje_summary)
    "achtje_pair": {"nl": "tussen {a} en {b}", "en": "between {a} and {b}"},
    "achtje_summary_none": {
        "nl": "Het achtje (verschillen tussen niveaus en schooltypen) is in dit lab niet te tonen: {reason}.",
        "en": "The figure eight (differences between levels and school types) cannot be shown for this lab: {reason}.",
    },
    "achtje_summary_same": {
        "nl": "Het achtje: {pairs} is geen aantoonbaar verschil in de verankering.",
        "en": "The figure eight: {pairs} there is no demonstrable difference in anchoring.",
    },
    "achtje_summary_gap": {
        "nl": "Het achtje: {pairs} is een aantoonbaar verschil bij {scales}.",
        "en": "The figure eight: {pairs} there is a demonstrable difference on {scales}.",
    },
    "achtje_summary_hidden": {
        "nl": "Het verschil {pairs} is bij {scales} niet te tonen: {reason}.",
        "en": "The difference {pairs} cannot be shown on {scales}: {reason}.",
    },
    "achtje_summary_hidden_all": {
        "nl": "Het verschil {pairs} is niet te tonen: {reason}.",
        "en": "The difference {pairs} cannot be shown: {reason}.",
    },
    # ---- focus areas (report/sections_lab.py: focus_table)
    "focus_heading": {"nl": "Focus van het leerlab", "en": "Focus of the leerlab"},
    "focus_area_curriculum": {"nl": "Curriculum", "en": "Curriculum"},
    "focus_area_leerling": {"nl": "Leerling", "en": "Pupil"},
    "focus_area_docent": {"nl": "Docent", "en": "Teacher"},
    "col_focus_area": {"nl": "Focusgebied", "en": "Focus area"},
    "col_focus_lab": {"nl": "Genoemd in het lab", "en": "Named in the lab"},
    "col_focus_programme": {"nl": "Genoemd in het programma", "en": "Named in the programme"},
    "col_focus_chosen": {"nl": "Gekozen focus", "en": "Chosen focus"},
    "focus_chosen": {"nl": "ja", "en": "yes"},
    "focus_not_chosen": {"nl": "nee", "en": "no"},
    "cap_focus": {
        "nl": "Focusgebieden van {lab} (meting van {period})",
        "en": "Focus areas of {lab} (wave of {period})",
    },
    "note_focus_declared": {
        "nl": "*Gekozen focus*: de gebieden die het leerlab heeft opgegeven; *genoemd*: het "
        "deel van de respondenten dat ze in de vragenlijst aankruiste.",
        "en": "*Chosen focus*: the areas the leerlab stated; *named*: the share of "
        "respondents who ticked them in the questionnaire.",
    },
    "note_focus_derived": {
        "nl": "Het leerlab heeft geen focus opgegeven; *gekozen focus* is afgeleid uit de "
        "antwoorden: de gebieden die meer dan de helft van de respondenten aankruiste.",
        "en": "The leerlab has not stated its focus; *chosen focus* is derived from the "
        "answers: the areas that more than half of the respondents ticked.",
    },
    "focus_declared": {
        "nl": "Het leerlab heeft als focus opgegeven: {areas}.",
        "en": "The leerlab stated as its focus: {areas}.",
    },
    "focus_hidden": {
        "nl": "In deze meting zijn de antwoorden van dit lab op de vraag naar de focusgebieden "
        "verborgen om een kleinere groep te beschermen.",
        "en": "In this wave the lab's answers on the focus areas are hidden to protect a "
        "smaller group.",
    },
    "focus_declared_only": {
        "nl": "Het leerlab heeft als focus opgegeven: {areas}. In deze meting is de vraag naar "
        "de focusgebieden in dit lab niet (of door te weinig mensen) beantwoord.",
        "en": "The leerlab stated as its focus: {areas}. In this wave the question on the focus "
        "areas was not answered in this lab (or by too few people).",
    },
    "focus_none": {
        "nl": "In deze meting is de vraag naar de focusgebieden in dit lab niet (of door te "
        "weinig mensen) beantwoord.",
        "en": "In this wave the question on the focus areas was not answered in this lab "
        "(or by too few people).",
    },
    # ---- open answers beside their condition (report/open_answers.py: condition_quotes)
    "open_condition_theme": {
        "nl": "Bij *{question}* {theme}: genoemd in {n} van de {total} antwoorden.",
        "en": "Under *{question}* {theme}: mentioned in {n} of {total} answers.",
    },
    "open_intro_where": {
        "nl": "De citaten over een voorwaarde staan bij die voorwaarde, onder *De voorwaarden "
        "één voor één*; hier staan de thema's op een rij en de citaten over thema's die een heel "
        "bord betreffen.",
        "en": "Quotes on a condition stand with that condition, under *The conditions one by "
        "one*; here are the themes at a glance and the quotes on themes that concern a whole "
        "board.",
    },
    "cap_likert_n": {
        "nl": "Per uitspraak {low} tot {high} inhoudelijke antwoorden.",
        "en": "{low} to {high} substantive answers per statement.",
    },
    # ---- grouping variables named in the methods report
    "school_type": {"nl": "schooltype", "en": "school type"},
    "role": {"nl": "rol", "en": "role"},
    "wave": {"nl": "meting", "en": "wave"},
    "note_forest_anders": {
        "nl": "De figuur vergelijkt mbo met vmbo. Respondenten die bij geen van beide scholen "
        "horen (*anders*, vaak de procesbegeleider) zijn weinig in aantal en hebben brede "
        "intervallen; een aantoonbaar verschil van die groep staat in de lijst hieronder.",
        "en": "The figure compares mbo with vmbo. Respondents of neither school (*other*, often "
        "the process facilitator) are few and have wide intervals; a demonstrable difference of "
        "that group is listed below.",
    },
}
