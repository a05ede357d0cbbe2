"""Fixed texts of the report sections (nl, en); see :mod:`leerlab_research.text`."""

from __future__ import annotations

REPORT_MESSAGES: dict[str, dict[str, str]] = {
    # ---- report sections (report/sections_*.py); fields in braces
    "outside_schools": {
        "nl": "Niet verbonden aan een school",
        "en": "Not attached to either school",
    },
    "not_estimated": {"nl": "niet geschat", "en": "not estimated"},
    "not_available": {
        "nl": "Deze uitkomst is niet beschikbaar: de vorige stap kon haar niet berekenen.",
        "en": "This result is not available: the earlier stage could not compute it.",
    },
    "total": {"nl": "Totaal", "en": "Total"},
    "col_domain": {"nl": "Bord", "en": "Board"},
    "col_condition": {"nl": "Voorwaarde", "en": "Condition"},
    "col_measured": {"nl": "Gemeten gemiddelde", "en": "Measured mean"},
    "col_estimated": {
        "nl": "Geschat labgemiddelde (95%-interval)",
        "en": "Estimated lab mean (95% interval)",
    },
    "col_positive": {"nl": "% positief", "en": "% positive"},
    "col_vs_programme": {"nl": "Ten opzichte van het programma", "en": "Against the programme"},
    "col_trend": {"nl": "Sinds vorige meting", "en": "Since previous wave"},
    "col_n": {"nl": "Aantal", "en": "Number"},
    # short: the profile table's condition column needs the width; the note defines it
    "col_programme": {"nl": "Programma", "en": "Programme"},
    "col_comparison": {"nl": "Vergelijking", "en": "Comparison"},
    "col_statement": {"nl": "Uitspraak", "en": "Statement"},
    "col_lab_agree": {"nl": "% eens in het lab", "en": "% agree in the lab"},
    "col_programme_agree": {"nl": "% eens in het programma", "en": "% agree in the programme"},
    "col_lab": {"nl": "Lab", "en": "Lab"},
    "col_wave": {"nl": "Meting {wave}", "en": "Wave {wave}"},
    "col_mean_wave": {"nl": "Gemiddelde {wave}", "en": "Mean {wave}"},
    "col_agree_wave": {"nl": "% eens {wave}", "en": "% agree {wave}"},
    "col_change": {"nl": "Verandering (95%-interval)", "en": "Change (95% interval)"},
    "col_demonstrable": {"nl": "Aantoonbaar?", "en": "Demonstrable?"},
    "col_n_paired": {"nl": "Personen met beide metingen", "en": "People with both waves"},
    "col_reason": {"nl": "Reden", "en": "Reason"},
    "col_scale": {"nl": "Schaal", "en": "Scale"},
    "col_alpha": {"nl": "α (95%-interval)", "en": "α (95% interval)"},
    "col_index": {"nl": "Maat", "en": "Index"},
    "col_value": {"nl": "Waarde", "en": "Value"},
    "col_loadings": {"nl": "Item: lading", "en": "Item: loading"},
    "col_group": {"nl": "Groep", "en": "Group"},
    "col_step": {"nl": "Stap", "en": "Step"},
    "col_verdict": {"nl": "Oordeel", "en": "Verdict"},
    "col_package": {"nl": "Pakket", "en": "Package"},
    "col_version": {"nl": "Versie", "en": "Version"},
    "col_src_file": {"nl": "Bestand", "en": "File"},
    "col_src_platform": {"nl": "Platform", "en": "Platform"},
    "col_src_wave": {"nl": "Meting", "en": "Wave"},
    "col_src_rows": {"nl": "Rijen", "en": "Rows"},
    "col_src_kept": {"nl": "Behouden", "en": "Kept"},
    "col_src_excluded": {"nl": "Uitgesloten", "en": "Excluded"},
    "mark_above": {"nl": "▲ hoger", "en": "▲ higher"},
    "mark_below": {"nl": "▼ lager", "en": "▼ lower"},
    "mark_indistinguishable": {"nl": "● gelijk", "en": "● same"},
    "mark_suppressed": {"nl": "–", "en": "–"},
    "increase_word": {"nl": "ja, gestegen", "en": "yes, increased"},
    "decrease_word": {"nl": "ja, gedaald", "en": "yes, decreased"},
    "no_change_word": {"nl": "nee", "en": "no"},
    "cap_overview": {
        "nl": "In één oogopslag: {lab}, meting van {wave}",
        "en": "At a glance: {lab}, wave of {wave}",
    },
    "note_overview": {
        "nl": "*% positief*: het deel van de respondenten met een score van 4 of hoger "
        "(gemiddeld *eens* of *helemaal eens*). *Ten opzichte van het programma*: ▲ hoger of "
        "▼ lager alleen als het verschil aantoonbaar is, anders ● gelijk.",
        "en": "*% positive*: the share of respondents with a score of 4 or higher (on average "
        "*agree* or *strongly agree*). *Against the programme*: ▲ higher or ▼ lower only when "
        "the difference is demonstrable, otherwise ● same.",
    },
    "summary_start": {
        "nl": "Begin het gesprek bij {scales}: daar is het gemeten gemiddelde het laagst; de "
        "gespreksvragen staan hieronder bovenaan.",
        "en": "Start the conversation with {scales}: the measured mean is lowest there; their "
        "conversation prompts come first below.",
    },
    "cap_profile": {
        "nl": "Profiel van {lab}: geschat labgemiddelde met 95%-interval (punt en lijn) en het programmagemiddelde (streepje), per bord.",
        "en": "Profile of {lab}: estimated lab mean with 95% interval (dot and line) and the programme mean (stripe), per board.",
    },
    "cap_profile_table": {
        "nl": "Gemeten en geschat labgemiddelde naast het programmagemiddelde",
        "en": "Measured and estimated lab mean beside the programme mean",
    },
    "note_estimate": {
        "nl": "Het *gemeten gemiddelde* is het gewone gemiddelde van de antwoorden in het lab. Het "
        "*geschatte labgemiddelde* houdt rekening met het aantal antwoorden: bij weinig antwoorden "
        "ligt het dichter bij het programmagemiddelde, zodat een klein lab niet toevallig als "
        "hoogste of laagste uitkomt. 'Hoger' of 'lager' staat er alleen als het hele interval "
        "boven of onder het programmagemiddelde ligt. Het *programmagemiddelde* (kolom "
        "*Programma*) is het gemiddelde van alle respondenten in het programma.",
        "en": "The *measured mean* is the plain mean of the lab's answers. The *estimated lab mean* "
        "takes the number of answers into account: with few answers it lies closer to the programme "
        "mean, so a small lab does not come out highest or lowest by chance. 'Higher' or 'lower' is "
        "said only when the whole interval lies above or below the programme mean. The *programme "
        "mean* (column *Programme*) is the mean of all respondents in the programme.",
    },
    "note_measured_fallback": {
        "nl": "\\* Hier kon het model geen schatting maken (de labs verschillen te weinig); het gemeten gemiddelde met zijn interval staat er in plaats daarvan.",
        "en": "\\* Here the model could not make an estimate (the labs differ too little); the measured mean with its interval is shown instead.",
    },
    "note_alpha_caveat": {
        "nl": "Let op: {scales} meet minder betrouwbaar (α onder 0,70); lees kleine verschillen daar met voorzichtigheid.",
        "en": "Note: {scales} is measured less reliably (α below .70); read small differences there with caution.",
    },
    "alpha_caveat_short": {
        "nl": "Deze schaal meet minder betrouwbaar (α onder 0,70).",
        "en": "This scale is measured less reliably (α below .70).",
    },
    "reverse_marker": {"nl": "*(omgekeerd gesteld)*", "en": "*(reverse-worded)*"},
    # the same marker in a figure's labels, where Markdown is not read
    "reverse_marker_plain": {"nl": "(omgekeerd gesteld)", "en": "(reverse-worded)"},
    "cap_items": {
        "nl": "Uitspraken van het bord {domain}: % eens in het lab en in het programma",
        "en": "Statements of the {domain} board: % agree in the lab and in the programme",
    },
    "note_items": {
        "nl": "*% eens*: het deel van de antwoorden *eens* of *helemaal eens*. Bij een uitspraak "
        "die *(omgekeerd gesteld)* is, telt *oneens* als eens, zodat hoger overal beter is.",
        "en": "*% agree*: the share of answers *agree* or *strongly agree*. For a *(reverse-worded)* "
        "statement, *disagree* counts as agreement, so higher is better everywhere.",
    },
    "fig_docent_merged": {"nl": "Docenten en overige rollen", "en": "Teachers and other roles"},
    "cap_achtje": {
        "nl": "Het achtje in {lab}: commitment per niveau en per schooltype (gemiddelde met 95%-interval en aantal respondenten).",
        "en": "The figure eight in {lab}: commitment per level and per school type (mean with 95% interval and number of respondents).",
    },
    "note_achtje": {
        "nl": "*Leiding* is bestuur en management samen. Het lab bestaat hier uit de mensen van de "
        "twee scholen (vmbo en mbo); wie bij geen van beide scholen hoort, telt alleen mee in de "
        "programmacijfers. Niveaus en scholen staan apart: de groepen per niveau én school zijn "
        "binnen één lab te klein om te tonen.",
        "en": "*Leadership* is board and management together. Here the lab consists of the people "
        "of its two schools (vmbo and mbo); anyone from neither school counts only in the "
        "programme figures. Levels and schools are shown separately: the groups per level and "
        "school are too small to show within one lab.",
    },
    "note_merged": {
        "nl": "Een kleine groep met een andere rol is bij de docenten geteld (*docenten en overige rollen*), zodat geen grote groep verborgen hoeft te worden.",
        "en": "A small group with another role is counted with the teachers (*teachers and other roles*), so that no large group has to be hidden.",
    },
    "gap_intro": {
        "nl": "Verschillen binnen het lab op de voorwaarden van het bord verankering (verschil met 95%-interval):",
        "en": "Differences within the lab on the anchoring board's conditions (difference with 95% interval):",
    },
    "gap_line": {
        "nl": "{scale}: {a} ten opzichte van {b}: {value} {interval} ({n_a} en {n_b} respondenten)",
        "en": "{scale}: {a} compared with {b}: {value} {interval} ({n_a} and {n_b} respondents)",
    },
    "conditions_intro": {
        "nl": "De voorwaarden staan hier van laag naar hoog gemeten gemiddelde: begin bovenaan.",
        "en": "The conditions are listed from low to high measured mean: start at the top.",
    },
    "result_line": {
        "nl": "**Resultaat:** gemeten gemiddelde {measured}; geschat labgemiddelde {estimate} {interval}, {verdict} ({programme}).",
        "en": "**Result:** measured mean {measured}; estimated lab mean {estimate} {interval}, {verdict} ({programme}).",
    },
    "about_lab": {
        "nl": "Dit rapport is gemaakt met leerlab-research uit de gepubliceerde tabellen van studie "
        "*{study}*. Groepen met minder dan {min_cell} respondenten worden niet getoond, ook niet "
        "indirect (door aftrekken van totalen); soms is daarvoor ook een grotere groep verborgen. "
        "Namen, e-mailadressen en andere persoonsgegevens zijn niet gebruikt; de open antwoorden "
        "zijn eerst ontdaan van namen, scholen en contactgegevens. De verantwoording van de "
        "methode staat in het methodenrapport.",
        "en": "This report was made with leerlab-research from the published tables of study "
        "*{study}*. Groups with fewer than {min_cell} respondents are not shown, not even "
        "indirectly (by subtracting from totals); sometimes a larger group is hidden for that. "
        "Names, e-mail addresses and other personal data were not used; the open answers were "
        "first stripped of names, schools and contact details. The methods report documents the "
        "method.",
    },
    "cap_response": {
        "nl": "Ingevulde vragenlijsten per lab en meting",
        "en": "Questionnaires per lab and wave",
    },
    "response_text": {
        "nl": "Er kwamen {n_in} ingevulde vragenlijsten binnen uit {n_labs} labs. Daarvan zijn er "
        "{n_excluded} niet meegenomen ({detail}); de analyses gebruiken {n_kept} vragenlijsten "
        "van {n_people} personen.",
        "en": "{n_in} questionnaires came in from {n_labs} labs. {n_excluded} were not used "
        "({detail}); the analyses use {n_kept} questionnaires from {n_people} people.",
    },
    "excl_test": {"nl": "testinvullingen", "en": "test entries"},
    "excl_no_consent": {"nl": "zonder toestemming", "en": "without consent"},
    "excl_incomplete": {"nl": "onvolledig", "en": "incomplete"},
    "excl_duplicate": {"nl": "dubbel ingevuld", "en": "duplicates"},
    "excl_careless": {"nl": "onzorgvuldig ingevuld", "en": "careless"},
    "prog_summary_levels": {
        "nl": "Bij de meting van {wave} scoort het programma het hoogst op {high} en het laagst op {low}.",
        "en": "In the wave of {wave} the programme scores highest on {high} and lowest on {low}.",
    },
    "prog_summary_labs": {
        "nl": "Van de {total} vergelijkingen van een lab met het programma wijken er {n} aantoonbaar af.",
        "en": "Of the {total} comparisons of a lab with the programme, {n} differ demonstrably.",
    },
    "note_programme_mean": {
        "nl": "Het *programmagemiddelde* is het gemiddelde van alle respondenten in het programma; "
        "de labrapporten gebruiken hetzelfde getal. *% eens*: het deel van de respondenten met een "
        "score van 4 of hoger (gemiddeld *eens* of *helemaal eens*).",
        "en": "The *programme mean* is the mean of all respondents in the programme; the lab "
        "reports use the same number. *% agree*: the share of respondents with a score of 4 or "
        "higher (on average *agree* or *strongly agree*).",
    },
    "cap_domain": {
        "nl": "Programmagemiddelde en % eens, bord {domain}",
        "en": "Programme mean and % agree, {domain} board",
    },
    "cap_prog_change": {
        "nl": "Verandering in het programma bij dezelfde personen, per bord",
        "en": "Change in the programme among the same people, per board",
    },
    "note_prog_change": {
        "nl": "Alleen mensen die beide metingen invulden tellen mee. *Aantoonbaar* betekent: het "
        "95%-interval van de verandering ligt helemaal boven of onder nul.",
        "en": "Only people who answered both waves count. *Demonstrable* means: the 95% interval "
        "of the change lies entirely above or below zero.",
    },
    "cap_likert": {
        "nl": "Antwoorden op de uitspraken van het bord {domain} (alle labs en metingen; 'weet niet / n.v.t.' apart).",
        "en": "Answers to the statements of the {domain} board (all labs and waves; 'don't know / n.a.' apart).",
    },
    "cap_likert_reverse": {
        "nl": "Bij een uitspraak die *(omgekeerd gesteld)* is, staan de antwoorden omgedraaid: *oneens* telt als eens, zodat rechts overal gunstig is.",
        "en": "For a *(reverse-worded)* statement the answers are turned round: *disagree* counts as agreement, so the right is favourable everywhere.",
    },
    "heatmap_intro": {
        "nl": "Per meting hoe elk lab op elke voorwaarde afwijkt van het programmagemiddelde: "
        "{figures}.",
        "en": "Per wave, how each lab differs from the programme mean on each condition: "
        "{figures}.",
    },
    "cap_heatmap": {
        "nl": "Labs naast elkaar (meting van {wave}, alfabetisch): verschil van het geschatte labgemiddelde met het programmagemiddelde. Lichte cellen zijn niet te onderscheiden van het gemiddelde; er is geen rangorde.",
        "en": "Labs side by side (wave of {wave}, alphabetical): difference between the estimated lab mean and the programme mean. Light cells are indistinguishable from the mean; there is no ranking.",
    },
    "cap_forest_school_type": {
        "nl": "Verschillen naar schooltype ten opzichte van {ref} (verschil met 95%-interval; rekening gehouden met lab, meting en rol).",
        "en": "Differences by school type relative to {ref} (difference with 95% interval; accounting for lab, wave and role).",
    },
    "cap_forest_role": {
        "nl": "Verschillen tussen bestuur, management en andere rollen ten opzichte van {ref} (verschil met 95%-interval; rekening gehouden met lab, meting en schooltype).",
        "en": "Differences between board, management and other roles relative to {ref} (difference with 95% interval; accounting for lab, wave and school type).",
    },
    "groups_none": {
        "nl": "Geen enkel verschil is aantoonbaar, ook niet na correctie voor het toetsen van negen voorwaarden tegelijk.",
        "en": "No difference is demonstrable after correcting for testing nine conditions at once.",
    },
    "groups_intro": {
        "nl": "Aantoonbaar verschil (na correctie voor het toetsen van negen voorwaarden tegelijk):",
        "en": "Demonstrable difference (after correcting for testing nine conditions at once):",
    },
    "group_line_up": {
        "nl": "{scale}: {group} hoger dan {ref} ({value} {interval})",
        "en": "{scale}: {group} higher than {ref} ({value} {interval})",
    },
    "group_line_down": {
        "nl": "{scale}: {group} lager dan {ref} ({value} {interval})",
        "en": "{scale}: {group} lower than {ref} ({value} {interval})",
    },
    "procesbegeleider": {"nl": "procesbegeleiders", "en": "process facilitators"},
    "anders": {"nl": "anders", "en": "other"},
    "overige": {"nl": "overige rollen", "en": "other roles"},
    "dataflow_text": {
        "nl": "De exports van de enquêteplatforms zijn ingelezen tegen het codeboek (kolommen en "
        "antwoordlabels gekoppeld aan itemcodes), in één keer gecontroleerd (alle fouten tegelijk "
        "gemeld), gepseudonimiseerd (HMAC-SHA256 met een geheime sleutel; namen, e-mail en "
        "IP-adressen direct verwijderd, open antwoorden apart bewaard en ontdaan van namen, "
        "scholen en contactgegevens) en in vaste stappen opgeschoond. Daarna "
        "volgen betrouwbaarheid, vergelijkingen en deze rapporten. Alle getallen in de rapporten "
        "komen uit gepubliceerde tabellen die door één controle op kleine groepen zijn gegaan. "
        "Elke stap is opnieuw uit te voeren vanaf het studiebestand.",
        "en": "The survey platforms' exports were read against the codebook (columns and answer "
        "labels mapped to item codes), checked in one pass (all failures reported at once), "
        "pseudonymised (HMAC-SHA256 with a secret key; names, e-mail and IP addresses dropped at "
        "once, open answers kept apart and stripped of names, schools and contact details) and "
        "cleaned in fixed steps. Reliability, comparisons and these "
        "reports follow. Every number in the reports comes from published tables that went "
        "through one small-group check. Every step reruns from the study file.",
    },
    "cap_sources": {"nl": "Bronbestanden", "en": "Source files"},
    "cap_exclusions": {
        "nl": "Uitgesloten vragenlijsten per reden",
        "en": "Excluded questionnaires per reason",
    },
    "no_exclusions": {
        "nl": "Er zijn geen vragenlijsten uitgesloten.",
        "en": "No questionnaires were excluded.",
    },
    "cleaning_steps": {
        "nl": "Vaste stappen: uitsluiten (test, geen toestemming, onvolledig, dubbel), ontbrekende "
        "codes (9 = weet niet) leeg maken, omgekeerd gestelde items omscoren (6 − x), "
        "indicatoren voor onzorgvuldig invullen berekenen en schaalscores maken (gemiddelde van de "
        "beantwoorde items als genoeg items beantwoord zijn).",
        "en": "Fixed steps: exclusions (test, no consent, incomplete, duplicate), missing codes "
        "(9 = don't know) set to blank, reverse-worded items rescored (6 − x), careless-responding "
        "indices computed and scale scores made (mean of the answered items when enough items "
        "were answered).",
    },
    "careless_intro": {
        "nl": "Per respondent zijn vijf indicatoren berekend (Curran 2016; Meade & Craig 2012): "
        "seconden per item (grens {seconds} s; Huang e.a. 2012), de langste reeks gelijke "
        "antwoorden (ten minste {longstring}), de spreiding binnen de persoon (IRV ten hoogste "
        "{irv}; Dunn e.a. 2018), Mahalanobis D² met df = {k} items (p < {p}) en de "
        "even-oneven-consistentie (onder {evenodd}). Een respondent is gemarkeerd als minstens "
        "{agree} indicatoren dat aangeven.",
        "en": "Five indices were computed per respondent (Curran 2016; Meade & Craig 2012): "
        "seconds per item (cut-off {seconds} s; Huang et al. 2012), the longest run of identical "
        "answers (at least {longstring}), intra-individual response variability (IRV at most "
        "{irv}; Dunn et al. 2018), Mahalanobis D² with df = {k} items (p < {p}) and even-odd "
        "consistency (below {evenodd}). A respondent is flagged when at least {agree} indices agree.",
    },
    "careless_flagged": {
        "nl": "Gemarkeerd: {n} van {total} vragenlijsten.",
        "en": "Flagged: {n} of {total} questionnaires.",
    },
    "careless_excluded": {
        "nl": "Besluit: gemarkeerde respondenten zijn uitgesloten.",
        "en": "Decision: flagged respondents were excluded.",
    },
    "careless_kept": {
        "nl": "Besluit: gemarkeerde respondenten zijn **niet** uitgesloten (markeren, niet verwijderen).",
        "en": "Decision: flagged respondents were **not** excluded (flag, don't drop).",
    },
    "cap_careless": {
        "nl": "Vragenlijsten per indicator boven de grens",
        "en": "Questionnaires beyond the cut-off per index",
    },
    "cr_seconds_per_item": {"nl": "seconden per item", "en": "seconds per item"},
    "cr_longstring": {"nl": "langste reeks gelijke antwoorden", "en": "longest string"},
    "cr_irv": {"nl": "spreiding binnen de persoon (IRV)", "en": "response variability (IRV)"},
    "cr_mahalanobis": {"nl": "Mahalanobis D²", "en": "Mahalanobis D²"},
    "cr_evenodd": {"nl": "even-oneven-consistentie", "en": "even-odd consistency"},
    "evenodd_discussion": {
        "nl": "De even-oneven-indicator markeert {evenodd} van de vragenlijsten, tegen gemiddeld "
        "{others} voor de andere vier. Met vier items per schaal worden de twee halve schalen "
        "elk uit twee items gevormd; hun correlatie is dan zelfs bij zorgvuldig invullen vaak "
        "laag, en de grens van de literatuur (gemaakt voor langere schalen) markeert daardoor te "
        "veel. Omdat een markering pas telt als meerdere indicatoren het eens zijn, weegt deze "
        "indicator niet alleen; een strengere grens of weglaten bij korte schalen is te overwegen.",
        "en": "The even-odd index flags {evenodd} of the questionnaires, against {others} on "
        "average for the other four. With four items per scale each half-scale has two items; "
        "their correlation is often low even for careful respondents, so the cut-off from the "
        "literature (made for longer scales) flags too many. Since a flag counts only when "
        "several indices agree, this index does not decide alone; a stricter cut-off or leaving "
        "it out for short scales is worth considering.",
    },
    "cap_reliability": {"nl": "Betrouwbaarheid per schaal", "en": "Reliability per scale"},
    "cap_reliability_group": {
        "nl": "Cronbachs α per schaal en {group}, met 95%-interval; open symbolen: te weinig respondenten.",
        "en": "Cronbach's α per scale and {group}, with 95% interval; hollow symbols: too few respondents.",
    },
    "dim_school_type": {"nl": "schooltype", "en": "school type"},
    "dim_role": {"nl": "rol", "en": "role"},
    "cfa_missing": {
        "nl": "De confirmatieve factoranalyse kon niet worden geschat; er zijn geen fitmaten.",
        "en": "The confirmatory factor analysis could not be estimated; there are no fit indices.",
    },
    "cap_cfa": {
        "nl": "Confirmatieve factoranalyse (negen factoren, FIML): fit",
        "en": "Confirmatory factor analysis (nine factors, FIML): fit",
    },
    "cap_loadings": {"nl": "Gestandaardiseerde ladingen", "en": "Standardised loadings"},
    "cap_open_lab": {
        "nl": "Meest genoemde thema's bij ‘{question}’",
        "en": "Themes mentioned most for ‘{question}’",
    },
    "cap_open_programme": {
        "nl": "Thema's bij ‘{question}’, {domain}",
        "en": "Themes for ‘{question}’, {domain}",
    },
    "cap_panel_slopes": {
        "nl": "Verandering per jaar na de subsidie op de voorwaarden voor verankering",
        "en": "Change per year after the subsidy on the conditions for anchoring",
    },
    "cap_panel_invariance": {
        "nl": "Meetinvariantie over de metingen (dezelfde personen)",
        "en": "Measurement invariance across waves (the same persons)",
    },
    "cap_panel_paired": {
        "nl": "Verandering sinds de eerste meting: volgens het model en bij alleen wie beide "
        "metingen invulde",
        "en": "Change since the first wave: according to the model and among only those who "
        "answered both waves",
    },
    "cap_frame": {"nl": "Het codeerkader", "en": "The coding frame"},
    "cap_deid": {
        "nl": "Vervangen persoonsgegevens per soort",
        "en": "Personal data replaced, by type",
    },
    "cap_agreement": {
        "nl": "Overeenstemming tussen codeurs per thema",
        "en": "Agreement between coders per theme",
    },
    "invariance_missing": {
        "nl": "De meetinvariantie kon niet worden getoetst (geen uitkomsten).",
        "en": "Measurement invariance could not be tested (no results).",
    },
    "cap_invariance": {
        "nl": "Meetinvariantie (Chen 2007: ΔCFI ten minste −0,010, ΔRMSEA ten hoogste 0,015)",
        "en": "Measurement invariance (Chen 2007: ΔCFI at least −.010, ΔRMSEA at most .015)",
    },
    "inv_configural": {"nl": "configuraal", "en": "configural"},
    "inv_metric": {"nl": "metrisch (gelijke ladingen)", "en": "metric (equal loadings)"},
    "inv_scalar": {"nl": "scalair (gelijke intercepten)", "en": "scalar (equal intercepts)"},
    "inv_failed": {"nl": "niet geschat: {reason}", "en": "not estimated: {reason}"},
    "inv_baseline": {"nl": "basismodel", "en": "baseline"},
    "inv_supported": {"nl": "ondersteund", "en": "supported"},
    "inv_not_supported": {"nl": "niet ondersteund", "en": "not supported"},
    "test_line": {
        "nl": "**`{file}`**: {unit}; toets of schatter: {test}; correctie voor meervoudig "
        "toetsen: {correction}.",
        "en": "**`{file}`**: {unit}; test or estimator: {test}; correction for multiple "
        "testing: {correction}.",
    },
    "caveat_repeated": {
        "nl": "**Dezelfde personen in twee metingen.** De modellen per meting en het model over "
        "beide metingen behandelen de vragenlijsten als onafhankelijk, terwijl een deel van de "
        "mensen beide keren invulde. De intervallen van vergelijkingen over metingen heen zijn "
        "daardoor iets te smal; de verandering bij dezelfde personen (gepaarde toets) heeft dit "
        "probleem niet.",
        "en": "**The same people in two waves.** The models per wave and the model across both "
        "waves treat questionnaires as independent, while some people answered both times. "
        "Intervals of comparisons across waves are therefore a little too narrow; the change "
        "among the same people (paired test) does not have this problem.",
    },
    "caveat_multiplicity": {
        "nl": "**Veel vergelijkingen tegelijk.** Er zijn {total} vergelijkingen van een lab met het "
        "programma (labs × voorwaarden × metingen), elk met een 95%-interval. Zonder echte "
        "verschillen wijken er door toeval ongeveer {expected} af; er wijken er {flagged} af. "
        "Een enkele afwijking in een labrapport is dus een aanleiding voor gesprek, geen bewijs.",
        "en": "**Many comparisons at once.** There are {total} comparisons of a lab with the "
        "programme (labs × conditions × waves), each with a 95% interval. Without real "
        "differences about {expected} would differ by chance; {flagged} do. A single difference "
        "in a lab report is a reason for conversation, not proof.",
    },
    "disclosure_text": {
        "nl": "Minimale groepsgrootte: {min_cell}. Een groep met minder dan {min_cell} respondenten "
        "wordt niet getoond (primair). Waar een verborgen groep anders uit totalen terug te "
        "rekenen zou zijn, wordt ook een andere groep verborgen (aanvullend); rapporten noemen "
        "dan de echte reden. Binnen een lab tellen alleen de mensen van de twee scholen mee, "
        "bestuur en management vormen samen de leiding, en een kleine restgroep wordt bij een "
        "genoemde buurgroep geteld. In totaal zijn {n} cellen verborgen (zie "
        "`compare/suppression.csv`).",
        "en": "Minimum group size: {min_cell}. A group with fewer than {min_cell} respondents is "
        "not shown (primary). Where a hidden group could otherwise be recomputed from totals, "
        "another group is hidden too (complementary); reports then give the true reason. Within "
        "a lab only the people of its two schools count, board and management together form the "
        "leadership, and a small residual group is counted with a named neighbouring group. In "
        "total {n} cells are hidden (see `compare/suppression.csv`).",
    },
    "gl_alpha": {
        "nl": "**Cronbachs α**: hoe goed de items van een schaal samen één ding meten (0–1; vanaf 0,70 voldoende).",
        "en": "**Cronbach's α**: how well a scale's items measure one thing together (0–1; .70 or more is acceptable).",
    },
    "gl_omega": {
        "nl": "**McDonalds ω**: als α, maar zonder aan te nemen dat alle items even sterk meten.",
        "en": "**McDonald's ω**: like α, without assuming every item measures equally strongly.",
    },
    "gl_cfa": {
        "nl": "**Confirmatieve factoranalyse (CFA)**: toetst of de items bij de bedoelde schalen horen; CFI, TLI, RMSEA en SRMR zeggen hoe goed dat past.",
        "en": "**Confirmatory factor analysis (CFA)**: tests whether the items belong to their intended scales; CFI, TLI, RMSEA and SRMR say how well that fits.",
    },
    "gl_invariance": {
        "nl": "**Meetinvariantie**: of de vragenlijst in groepen (vmbo/mbo, metingen) hetzelfde meet, zodat groepen te vergelijken zijn.",
        "en": "**Measurement invariance**: whether the questionnaire measures the same in groups (vmbo/mbo, waves), so groups can be compared.",
    },
    "gl_multilevel": {
        "nl": "**Multilevelmodel**: een model dat rekening houdt met respondenten die binnen labs vallen.",
        "en": "**Multilevel model**: a model that accounts for respondents nested in labs.",
    },
    "gl_eb": {
        "nl": "**Geschat labgemiddelde (empirical Bayes)**: het labgemiddelde uit het multilevelmodel, bij weinig antwoorden naar het programmagemiddelde getrokken.",
        "en": "**Estimated lab mean (empirical Bayes)**: the lab mean from the multilevel model, pulled towards the programme mean when there are few answers.",
    },
    "gl_rwg": {
        "nl": "**r~wg(J)~**: overeenstemming tussen respondenten binnen een lab (0 = geen, 1 = volledig).",
        "en": "**r~wg(J)~**: agreement between respondents within a lab (0 = none, 1 = complete).",
    },
    "gl_holm": {
        "nl": "**Holm-correctie (p gecorrigeerd)**: houdt rekening met het toetsen van negen voorwaarden tegelijk.",
        "en": "**Holm correction (adjusted p)**: accounts for testing nine conditions at once.",
    },
    "gl_suppression": {
        "nl": "**Primair / aanvullend verbergen**: een te kleine groep wordt verborgen; een andere groep soms ook, zodat de kleine niet terug te rekenen is.",
        "en": "**Primary / complementary suppression**: a group that is too small is hidden; sometimes another group too, so the small one cannot be recomputed.",
    },
    "gl_careless": {
        "nl": "**Onzorgvuldig invullen**: patronen die erop wijzen dat iemand de vragen niet las (zeer snel, steeds hetzelfde antwoord).",
        "en": "**Careless responding**: patterns suggesting someone did not read the questions (very fast, the same answer throughout).",
    },
    "cap_software": {"nl": "Gebruikte software", "en": "Software used"},
    "colophon_text": {
        "nl": "Studie: *{study}* (studiebestand sha256 `{sha}`), codeboek *{codebook}* versie "
        "{version}, seed {seed}. Alle tabellen en rapporten zijn opnieuw te maken met `leerlab "
        "run --study {file}`; `manifest.json` bevat de controlegetallen van alle in- en uitvoer.",
        "en": "Study: *{study}* (study file sha256 `{sha}`), codebook *{codebook}* version "
        "{version}, seed {seed}. Every table and report can be rebuilt with `leerlab run --study "
        "{file}`; `manifest.json` holds the checksums of all inputs and outputs.",
    },
    "glossary": {"nl": "Verklarende woordenlijst", "en": "Glossary"},
    "overview": {"nl": "In één oogopslag", "en": "At a glance"},
    "items": {"nl": "De uitspraken één voor één", "en": "The statements one by one"},
    "prog_change": {"nl": "Verandering in het programma", "en": "Change in the programme"},
    "caveats": {"nl": "Kanttekeningen", "en": "Caveats"},
    "site_fieldwork": {"nl": "Veldwerk", "en": "Fieldwork"},
    "site_programme": {"nl": "Het programma", "en": "The programme"},
    "site_programme_report": {"nl": "Programmaoverzicht", "en": "Programme overview"},
    "site_methods_report": {"nl": "Verantwoording van de methode", "en": "Methods appendix"},
    "site_labs": {"nl": "De labs", "en": "The labs"},
    "site_search": {"nl": "Zoeken in de rapporten", "en": "Search the reports"},
    "site_n": {"nl": "Respons ({wave})", "en": "Response ({wave})"},
    "site_mark": {"nl": "Ten opzichte van het programma", "en": "Against the programme"},
    "site_report": {"nl": "Rapport", "en": "Report"},
    "site_marks": {
        "nl": "{above} voorwaarde(n) hoger, {below} lager",
        "en": "{above} condition(s) higher, {below} lower",
    },
    "site_note": {
        "nl": "Alle getallen komen uit de gepubliceerde tabellen; groepen met minder dan vijf "
        "respondenten worden nergens getoond.",
        "en": "Every number comes from the published tables; groups with fewer than five "
        "respondents are shown nowhere.",
    },
}
