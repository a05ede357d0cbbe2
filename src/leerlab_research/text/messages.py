"""Fixed texts of figures and report headings (nl, en); see :mod:`leerlab_research.text`."""

from __future__ import annotations

#: Fixed texts of the reports. Keys are stable; add a language by adding a column.
BASE_MESSAGES: dict[str, dict[str, str]] = {
    "above": {"nl": "hoger dan het programmagemiddelde", "en": "higher than the programme average"},
    "below": {"nl": "lager dan het programmagemiddelde", "en": "lower than the programme average"},
    "indistinguishable": {
        "nl": "niet te onderscheiden van het programmagemiddelde",
        "en": "not distinguishable from the programme average",
    },
    "above_short": {"nl": "hoger", "en": "higher"},
    "below_short": {"nl": "lager", "en": "lower"},
    "indistinguishable_short": {
        "nl": "geen verschil aantoonbaar",
        "en": "no demonstrable difference",
    },
    "suppressed_short": {"nl": "te weinig antwoorden", "en": "too few responses"},
    "suppressed": {"nl": "te weinig antwoorden om te tonen", "en": "too few responses to show"},
    "too_few": {"nl": "te weinig antwoorden", "en": "too few responses"},
    "increase": {"nl": "gestegen", "en": "increased"},
    "decrease": {"nl": "gedaald", "en": "decreased"},
    "no_change": {"nl": "niet aantoonbaar veranderd", "en": "not demonstrably changed"},
    "and": {"nl": "en", "en": "and"},
    # opening paragraph of a lab report (str.format fields in braces)
    "summary_wave": {"nl": " (meting van {wave})", "en": " (wave of {wave})"},
    "summary_n": {
        "nl": "In leerlab {lab} hebben {n} respondenten het reflectie-instrument ingevuld{when}.",
        "en": "In leerlab {lab}, {n} respondents completed the reflection instrument{when}.",
    },
    "survey_about_you": {"nl": "Over u", "en": "About you"},
    "survey_finally": {"nl": "Tot slot", "en": "Finally"},
    "summary_no_n": {
        "nl": "Uitkomsten van leerlab {lab}{when}.",
        "en": "Results of leerlab {lab}{when}.",
    },
    "summary_strong_weak": {
        "nl": "Vergeleken met de andere voorwaarden scoren de respondenten *{strongest}* het "
        "hoogst en *{weakest}* het laagst.",
        "en": "Relative to the other conditions, respondents rate *{strongest}* highest and "
        "*{weakest}* lowest.",
    },
    "summary_above": {
        "nl": "Hoger dan het programmagemiddelde: {scales}.",
        "en": "Higher than the programme average: {scales}.",
    },
    "summary_below": {
        "nl": "Lager dan het programmagemiddelde: {scales}.",
        "en": "Lower than the programme average: {scales}.",
    },
    "summary_none": {
        "nl": "Op geen enkele voorwaarde wijkt het lab aantoonbaar af van het programmagemiddelde.",
        "en": "On no condition does the lab differ demonstrably from the programme average.",
    },
    "respondents": {"nl": "respondenten", "en": "respondents"},
    "reliable": {"nl": "betrouwbaar", "en": "reliable"},
    "acceptable": {"nl": "voldoende betrouwbaar", "en": "acceptably reliable"},
    "unreliable": {"nl": "onvoldoende betrouwbaar", "en": "not reliable enough"},
    "vmbo": {"nl": "vmbo", "en": "vmbo"},
    "mbo": {"nl": "mbo", "en": "mbo"},
    "bestuur": {"nl": "bestuur", "en": "board"},
    "management": {"nl": "management", "en": "management"},
    "docent": {"nl": "docenten", "en": "teachers"},
    # headings of the three reports
    "summary": {"nl": "Samenvatting", "en": "Summary"},
    "profile": {
        "nl": "Profiel ten opzichte van het programma",
        "en": "Profile against the programme",
    },
    "strong_weak": {
        "nl": "Sterkste en zwakste voorwaarden",
        "en": "Strongest and weakest conditions",
    },
    "achtje": {
        "nl": "Het achtje: commitment op alle niveaus",
        "en": "The figure eight: commitment at every level",
    },
    "change": {"nl": "Verandering sinds de vorige meting", "en": "Change since the previous wave"},
    "conditions": {
        "nl": "De voorwaarden één voor één, met gespreksvragen",
        "en": "The conditions one by one, with conversation prompts",
    },
    "about": {"nl": "Over deze rapportage", "en": "About this report"},
    "response": {"nl": "Respons", "en": "Response"},
    "overall": {"nl": "Het totaalbeeld per bord", "en": "The overall picture per board"},
    "labs": {"nl": "De labs naast elkaar", "en": "The labs side by side"},
    "groups": {
        "nl": "Verschillen tussen vmbo en mbo en tussen rollen",
        "en": "Differences between vmbo and mbo and between roles",
    },
    "reliability": {"nl": "Betrouwbaarheid van de schalen", "en": "Reliability of the scales"},
    "dataflow": {"nl": "Gegevensstroom", "en": "Data flow"},
    "cleaning": {"nl": "Opschonen en uitsluiten", "en": "Cleaning and exclusions"},
    "careless": {"nl": "Onzorgvuldig invullen", "en": "Careless responding"},
    "measurement": {
        "nl": "Betrouwbaarheid en factorstructuur",
        "en": "Reliability and factor structure",
    },
    "tests": {"nl": "Toetsen en correcties", "en": "Tests and corrections"},
    "disclosure": {"nl": "Bescherming van kleine groepen", "en": "Protection of small groups"},
    "software": {"nl": "Software en reproduceerbaarheid", "en": "Software and reproducibility"},
    "colophon": {"nl": "Colofon", "en": "Colophon"},
    "prompts": {"nl": "Gespreksvragen", "en": "Conversation prompts"},
    # ---- figures (axis titles, legends, placeholders); ``fig_`` where a report key
    # of the same name reads differently
    "fig_too_few": {"nl": "te weinig antwoorden", "en": "too few responses"},
    "no_data": {"nl": "geen gegevens om te tonen", "en": "no data to show"},
    "too_few_n": {
        "nl": "te weinig antwoorden (minder dan {min_cell})",
        "en": "too few responses (fewer than {min_cell})",
    },
    "hidden_complementary": {
        "nl": "verborgen om een kleinere groep te beschermen",
        "en": "hidden to protect a smaller group",
    },
    "fig_leiding": {"nl": "Leiding", "en": "Leadership"},
    "leiding": {"nl": "leiding", "en": "leadership"},
    "short_too_few": {"nl": "n < {min_cell}", "en": "n < {min_cell}"},
    "short_too_few_plain": {"nl": "–", "en": "–"},
    # small cells (heatmap tiles, trajectory points): the true reason in one word
    "short_hidden_complementary": {"nl": "verborgen", "en": "hidden"},
    "no_answers": {"nl": "geen antwoorden", "en": "no answers"},
    "or_word": {"nl": "of", "en": "or"},
    "dont_know": {"nl": "Weet niet / n.v.t.", "en": "Don't know / n.a."},
    "pct_substantive": {
        "nl": "% van de inhoudelijke antwoorden",
        "en": "% of substantive answers",
    },
    "pct_all": {"nl": "% van alle antwoorden", "en": "% of all answers"},
    "mean_axis": {
        "nl": "Gemiddelde (1 = helemaal oneens, 5 = helemaal eens)",
        "en": "Mean (1 = strongly disagree, 5 = strongly agree)",
    },
    "lab_estimate": {
        "nl": "Leerlab, met {level}%-interval",
        "en": "Leerlab, with {level}% interval",
    },
    "raw_mean": {"nl": "Ongecorrigeerd gemiddelde", "en": "Unadjusted mean"},
    "programme_mean": {"nl": "Programmagemiddelde", "en": "Programme mean"},
    "lab_mean": {"nl": "Labgemiddelde", "en": "Lab mean"},
    "fig_bestuur": {"nl": "Bestuur", "en": "Board"},
    "fig_management": {"nl": "Management", "en": "Management"},
    "fig_docent": {"nl": "Docenten", "en": "Teachers"},
    "fig_vmbo": {"nl": "vmbo", "en": "vmbo"},
    "fig_mbo": {"nl": "mbo", "en": "mbo"},
    "diff_programme": {
        "nl": "Verschil met het programmagemiddelde",
        "en": "Difference from the programme mean",
    },
    "heatmap_note": {
        "nl": "Lichte, gearceerde cellen: niet te onderscheiden van het programmagemiddelde.",
        "en": "Light, hatched cells: not distinguishable from the programme mean.",
    },
    "difference": {"nl": "Verschil", "en": "Difference"},
    "p_adj": {"nl": "p (gecorr.)", "en": "p (adj.)"},
    "wave_earlier": {"nl": "Eerdere meting", "en": "Earlier wave"},
    "wave_later": {"nl": "Latere meting", "en": "Later wave"},
    "fig_change": {
        "nl": "Verandering: {earlier} → {later}",
        "en": "Change: {earlier} → {later}",
    },
    "reliability_axis": {"nl": "Betrouwbaarheid (α)", "en": "Reliability (α)"},
    "threshold": {"nl": "grens {value}", "en": "cut-off {value}"},
    "fig_unreliable": {
        "nl": "te kleine groep (geen interval)",
        "en": "group too small (no interval)",
    },
    "interval_suffix": {"nl": "{level}%-interval", "en": "{level}% interval"},
    # open answers (issue 14)
    "open_heading": {"nl": "In hun eigen woorden", "en": "In their own words"},
    "open_intro": {
        "nl": "Wat respondenten in de meting van {wave} op de open vragen antwoordden, gecodeerd naar de "
        "thema's van het codeerkader. Elk thema hoort bij een voorwaarde; de citaten zijn "
        "ontdaan van namen, scholen en contactgegevens en worden niet aan een rol of schooltype "
        "toegeschreven. Thema's en citaten staan hier alleen als het lab in deze meting ten "
        "minste {min_cell} respondenten en {min_cell} antwoorden op de vraag heeft.",
        "en": "What respondents answered to the open questions in the wave of {wave}, coded to the themes "
        "of the coding frame. Each theme belongs to a condition; the quotes are stripped of names, "
        "schools and contact details and are not attributed to a role or school type. Themes and "
        "quotes appear only when the lab has at least {min_cell} respondents and {min_cell} "
        "answers to the question in this wave.",
    },
    "open_condition_quotes": {
        "nl": "In hun eigen woorden (open vragen, meting van {wave}):",
        "en": "In their own words (open questions, wave of {wave}):",
    },
    "open_none": {
        "nl": "Er zijn geen gecodeerde open antwoorden.",
        "en": "There are no coded open answers.",
    },
    "open_hidden_complementary": {
        "nl": "Thema's en citaten zijn hier verborgen om een kleinere groep te beschermen.",
        "en": "Themes and quotes are hidden here to protect a smaller group.",
    },
    "open_suppressed": {
        "nl": "Te weinig antwoorden om thema's of citaten te tonen (minder dan {min_cell}).",
        "en": "Too few answers to show themes or quotes (fewer than {min_cell}).",
    },
    "open_no_theme": {
        "nl": "Geen van de antwoorden past bij een thema van het codeerkader.",
        "en": "None of the answers fits a theme of the coding frame.",
    },
    "open_col_theme": {"nl": "Thema", "en": "Theme"},
    "open_col_condition": {"nl": "Voorwaarde of domein", "en": "Condition or domain"},
    "open_col_mentions": {"nl": "Genoemd (van antwoorden)", "en": "Mentioned (of answers)"},
    "open_col_labs": {"nl": "Labs", "en": "Labs"},
    "open_col_question": {"nl": "Vraag", "en": "Question"},
    "open_col_description": {"nl": "Omschrijving", "en": "Description"},
    "open_col_type": {"nl": "Vervangen door", "en": "Replaced by"},
    "open_col_replaced": {"nl": "Aantal", "en": "Count"},
    "open_col_coders": {"nl": "Vergelijking", "en": "Comparison"},
    "open_programme_heading": {
        "nl": "Open antwoorden: thema's per domein",
        "en": "Open answers: themes by domain",
    },
    "open_programme_intro": {
        "nl": "Hoe vaak elk thema in de meting van {wave} over alle labs heen genoemd werd, per domein, en "
        "in hoeveel labs (alleen labs die groot genoeg zijn om te tonen).",
        "en": "How often each theme was mentioned across all labs in the wave of {wave}, by domain, and in "
        "how many labs (only labs large enough to show).",
    },
    "open_methods_heading": {"nl": "Open antwoorden", "en": "Open answers"},
    "frame_heading": {"nl": "Codeerkader", "en": "Coding frame"},
    "frame_intro": {
        "nl": "De open antwoorden zijn gecodeerd met het codeerkader uit het codeboek (versie "
        "{version}). Een automatisch voorstel zoekt de termen van elk thema (hele woorden, "
        "zonder onderscheid naar hoofdletters en accenten; een * staat voor elke uitgang); "
        "codeurs coderen blind op een codeerblad, en hun codes vervangen het voorstel.",
        "en": "The open answers were coded with the coding frame of the codebook (version "
        "{version}). An automatic proposal looks for each theme's terms (whole words, ignoring "
        "case and accents; a * stands for any ending); coders code blind on a coding sheet, and "
        "their codes replace the proposal.",
    },
    "deid_heading": {"nl": "De-identificatie", "en": "De-identification"},
    "deid_intro": {
        "nl": "Voordat iets werd opgeslagen zijn de {n} open antwoorden ontdaan van "
        "persoonsgegevens met deduce (Menger e.a. 2018) en de eigen context van de studie "
        "(namen en e-mailadressen uit de exports, de scholen uit labs.yaml, e-mail- en "
        "telefoonpatronen). Vervangen, per soort:",
        "en": "Before anything was stored, the {n} open answers were stripped of personal data "
        "with deduce (Menger et al. 2018) and the study's own context (names and e-mail "
        "addresses from the exports, the schools in labs.yaml, e-mail and phone patterns). "
        "Replaced, by type:",
    },
    "coding_sources": {
        "nl": "De aantallen per thema rusten op {human} codes van codeurs en {auto} codes van het "
        "automatische voorstel.",
        "en": "The theme counts rest on {human} codes by coders and {auto} codes of the "
        "automatic proposal.",
    },
    "agreement_heading": {"nl": "Overeenstemming tussen codeurs", "en": "Agreement between coders"},
    "agreement_none": {
        "nl": "Er zijn (nog) geen codeerbladen ingelezen; de thema's rusten op het automatische "
        "voorstel.",
        "en": "No coding sheets have been imported (yet); the themes rest on the automatic "
        "proposal.",
    },
    "agreement_intro": {
        "nl": "Overeenstemming per thema: Cohens kappa (twee codeurs) en Krippendorffs alfa "
        "(nominaal), met 95%-bootstrapintervallen over de antwoorden; tussen de codeurs en van "
        "elke codeur met het automatische voorstel.",
        "en": "Agreement per theme: Cohen's kappa (two coders) and Krippendorff's alpha "
        "(nominal), with 95% bootstrap intervals over the answers; between the coders and of "
        "each coder with the automatic proposal.",
    },
    # printable questionnaire (leerlab instrument --format print)
    "survey_lab": {"nl": "Leerlab: {lab}", "en": "Leerlab: {lab}"},
    "survey_wave": {"nl": "Meting: {wave}", "en": "Wave: {wave}"},
    "survey_codebook": {"nl": "Codebook: {name} {version}", "en": "Codebook: {name} {version}"},
    "survey_part": {"nl": "Deel {n}: {title}", "en": "Part {n}: {title}"},
    "subsidy_end": {"nl": "einde subsidie", "en": "end of subsidy"},
    # ---- waves and anchoring after the subsidy (report/panel.py)
    "after_subsidy": {"nl": "Na de subsidieperiode", "en": "After the subsidy period"},
    "trajectories": {"nl": "Verloop over de metingen", "en": "Course across the waves"},
    "anchoring_after_subsidy": {
        "nl": "Verankering na de subsidie",
        "en": "Anchoring after the subsidy",
    },
    "panel_methods": {
        "nl": "Metingen, verankering en uitval",
        "en": "Waves, anchoring and attrition",
    },
    "verdict_houdt_stand": {"nl": "houdt stand", "en": "holds"},
    "verdict_neemt_af": {"nl": "neemt af", "en": "declines"},
    "verdict_neemt_toe": {"nl": "neemt toe", "en": "rises"},
    "verdict_niet_te_zeggen": {"nl": "niet te zeggen", "en": "cannot tell"},
    "panel_no_trajectory": {
        "nl": "Voor dit lab is (nog) geen verloop over meerdere metingen te tonen.",
        "en": "No course across several waves can be shown for this lab (yet).",
    },
    "panel_trajectory_intro": {
        "nl": "Hoe de voorwaarden zich in het lab over de metingen ontwikkelen, per bord "
        "tegenover het programma: {figures}.",
        "en": "How the conditions develop in the lab across the waves, per domain against the "
        "programme: {figures}.",
    },
    "panel_trajectory_caption": {
        "nl": "{domain}: het lab (blauw, 95%-interval; open rondjes: ongecorrigeerde gemiddelden) "
        "tegenover het programma (grijs); de stippellijn is het einde van de subsidie.",
        "en": "{domain}: the lab (blue, 95% interval; open circles: unadjusted means) against the "
        "programme (grey); the dotted line is the end of the subsidy.",
    },
    "panel_no_subsidy": {
        "nl": "Zonder subsidieperiode of gedateerde metingen is niet te zeggen hoe het na de "
        "subsidie gaat.",
        "en": "Without a subsidy period or dated waves, what happens after the subsidy cannot be told.",
    },
    "panel_not_yet_after": {
        "nl": "De subsidie van dit lab liep tot {end}; er is nog geen meting van daarna.",
        "en": "This lab's subsidy ran until {end}; there is no wave after it yet.",
    },
    "panel_after_intro": {
        "nl": "De subsidie van dit lab liep tot {end}. Sindsdien ontwikkelen de voorwaarden voor "
        "verankering zich zo (per jaar, 95%-interval; *houdt stand*: de verandering is zeker "
        "klein; *niet te zeggen*: te weinig gegevens; schattingen lenen kracht van het programma):",
        "en": "This lab's subsidy ran until {end}. Since then the conditions for anchoring have "
        "developed as follows (per year, 95% interval; *holds*: the change is surely small; "
        "*cannot tell*: too little data; estimates borrow strength from the programme):",
    },
    "slope_sentence": {
        "nl": "{label}: {verdict} ({slope} per jaar, {interval}).",
        "en": "{label}: {verdict} ({slope} per year, {interval}).",
    },
    "slope_sentence_blank": {
        "nl": "{label}: niet te zeggen (de labs zijn hierop niet van elkaar te onderscheiden).",
        "en": "{label}: cannot tell (the labs cannot be told apart on this).",
    },
    "count_sentence": {
        "nl": "{label}: {holds}, {declines}, {rises}; bij {unknown} niet te zeggen.",
        "en": "{label}: {holds}, {declines}, {rises}; {unknown} cannot tell.",
    },
    # the verb agrees with the count (1 lab houdt stand, 3 labs houden stand)
    "count_holds_one": {"nl": "1 lab houdt stand", "en": "1 lab holds"},
    "count_holds": {"nl": "{n} labs houden stand", "en": "{n} labs hold"},
    "count_declines_one": {"nl": "1 neemt af", "en": "1 declines"},
    "count_declines": {"nl": "{n} nemen af", "en": "{n} decline"},
    "count_rises_one": {"nl": "1 neemt toe", "en": "1 rises"},
    "count_rises": {"nl": "{n} nemen toe", "en": "{n} rise"},
    "panel_programme": {"nl": "programma", "en": "programme"},
    "panel_programme_intro": {
        "nl": "Verandering per jaar na de subsidie op de voorwaarden voor verankering, voor het "
        "programma, per lijn en per ronde (95%-interval). Labs tellen alleen mee waar hun "
        "interval een oordeel toelaat.",
        "en": "Change per year after the subsidy on the conditions for anchoring, for the "
        "programme, by line and by round (95% interval). Labs count only where their interval "
        "allows a verdict.",
    },
    # the groups of the by-line and by-round anchoring models (labs.yaml line / round)
    "panel_line_samenwerking": {"nl": "Samenwerkingslijn", "en": "Collaboration line"},
    "panel_line_leerroute": {
        "nl": "Doorlopende-leerroutelijn",
        "en": "Continuous learning route line",
    },
    "panel_round": {"nl": "Ronde {level}", "en": "Round {level}"},
    "panel_retention": {
        "nl": "Van de meting van {w0} naar die van {w1} vulde {pct} opnieuw in en kwamen "
        "{new} nieuwe mensen bij.",
        "en": "From the wave of {w0} to that of {w1}, {pct} answered again and {new} new people "
        "joined.",
    },
    "panel_attrition_same": {
        "nl": "Wie afhaakte scoorde vooraf op verankering niet aantoonbaar anders dan wie bleef.",
        "en": "Those who left did not score demonstrably differently on anchoring beforehand.",
    },
    "panel_attrition_differs": {
        "nl": "Wie afhaakte scoorde vooraf anders op: {scales}; lees die verandering voorzichtig.",
        "en": "Those who left scored differently beforehand on: {scales}; read that change with care.",
    },
    "panel_methods_models": {
        "nl": "Per schaal een gemengd model met random intercepts voor lab en persoon binnen lab "
        "(REML; gelijk aan lme4 `lmer(y ~ … + (1 | lab/person))` tot op 1e-4). Het "
        "verankeringsmodel laat de helling na het einde van de subsidie veranderen, met per lab "
        "een eigen helling (empirical Bayes, geen rangorde), ook per lijn en ronde. *Houdt stand*: "
        "interval binnen ±{margin} per jaar; *neemt af*/*toe*: interval onder/boven nul; "
        "anders *niet te zeggen*.",
        "en": "Per scale a mixed model with random intercepts for lab and person within lab "
        "(REML; equal to lme4 `lmer(y ~ … + (1 | lab/person))` to 1e-4). The anchoring model "
        "lets the slope change at the end of the subsidy, with each lab's own slope (empirical "
        "Bayes, no ranking), also by line and round. *Holds*: interval within ±{margin} per year; "
        "*declines*/*rises*: interval below/above zero; otherwise *cannot tell*.",
    },
    "panel_methods_invariance": {
        "nl": "Meetinvariantie over de metingen op het panel (dezelfde personen, gecorreleerde "
        "residuen van hetzelfde item; full-information ML, als lavaan; Chen 2007):",
        "en": "Measurement invariance across waves on the panel (the same persons, correlated "
        "residuals of the same item; full-information ML, as lavaan; Chen 2007):",
    },
    "caveat_multiplicity_change": {
        "nl": "Hetzelfde geldt voor de pijlen bij de verandering in de labrapporten: van de "
        "{total} veranderingen van een labgemiddelde (labs × voorwaarden) zouden er zonder "
        "echte verandering door toeval ongeveer {expected} aantoonbaar lijken; er zijn er "
        "{flagged}.",
        "en": "The same holds for the change arrows in the lab reports: of the {total} changes "
        "of a lab mean (labs × conditions), about {expected} would look demonstrable by chance "
        "without real change; {flagged} do.",
    },
    "panel_methods_attrition": {
        "nl": "Uitval: de modellen nemen aan dat uitval alleen afhangt van wat erin zit (missing "
        "at random). Gevoeligheidsanalyse: verandering sinds de eerste meting volgens het model "
        "naast die bij alleen wie beide metingen invulde.",
        "en": "Attrition: the models assume leaving depends only on what they contain (missing at "
        "random). Sensitivity check: change since the first wave according to the model next to "
        "that among only those who answered both waves.",
    },
    "col_scale": {"nl": "Schaal", "en": "Scale"},
    "col_group": {"nl": "Groep", "en": "Group"},
    "col_slope": {"nl": "Per jaar", "en": "Per year"},
    "col_interval": {"nl": "95%-interval", "en": "95% interval"},
    "col_verdict": {"nl": "Oordeel", "en": "Verdict"},
    "col_step": {"nl": "Stap", "en": "Step"},
    "col_supported": {"nl": "Houdt", "en": "Holds"},
    "col_wave": {"nl": "Meting", "en": "Wave"},
    "col_model_change": {"nl": "Model", "en": "Model"},
    "col_paired_change": {"nl": "Alleen gepaard", "en": "Paired only"},
    "col_n_paired": {"nl": "n gepaard", "en": "n paired"},
    "yes": {"nl": "ja", "en": "yes"},
    "no": {"nl": "nee", "en": "no"},
}
BASE_MESSAGES["demo_key_warning"] = {"nl": "WAARSCHUWING: de respondentcodes in dit rapport zijn gemaakt met de openbare demosleutel, maar de gegevens zijn niet de demo-exports ({files}). Iedereen kan deze codes herleiden. Deel of bewaar deze uitvoer niet; maak de codes opnieuw met een geheime sleutel.", "en": "WARNING: the respondent ids in this report were made with the public demo key, but the data are not the demo exports ({files}). Anybody can trace these ids. Do not share or keep these outputs; make the ids again with a secret key."}  # fmt: skip
