"""Dutch open answers for the demo, drawn from theme templates, with planted personal data.

Each answer to *Wat gaat goed?* / *Wat kan beter?* is one or two sentences,
each written from a template of one theme of the codebook's coding frame
(:data:`TEMPLATES`; the wording deliberately differs from the frame's terms
now and then, so that the automatic coder's recall is a real measurement). A
few answers have no theme ("Geen idee.").

About a third of the answers carry one planted personal value:

``naam``      the respondent's own name ("Groet, Anna de Vries")
``collega``   the name of another respondent of the same lab
``telefoon``  a Dutch mobile number
``e-mail``    the respondent's own e-mail address
``school``    a school of the lab from ``labs.yaml`` (``schools:``)

The truth (:func:`open_truth`) records each answer's themes and every planted
value, so that tests can check that none survives in any output.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from ..config.labs import Labs

#: Sentences per theme; ``{school}`` is filled with a school of the lab (planted).
TEMPLATES: dict[str, tuple[str, ...]] = {
    "elkaar_kennen": (
        "We kennen elkaar nu echt, dat is veel waard.",
        "Korte lijnen met het mbo; we bellen elkaar gewoon.",
        "Er is vertrouwen tussen de docenten van beide scholen.",
        "Je weet nu wie je moet hebben aan de andere kant.",
    ),
    "gedeelde_ambitie": (
        "We hebben een gezamenlijk doel voor de leerroute.",
        "Iedereen wil dezelfde kant op.",
        "De visie op de doorlopende route is helder.",
    ),
    "begrip_belangen": (
        "Meer begrip voor elkaars belangen.",
        "We kijken nu in elkaars keuken.",
        "Het mbo snapt beter wat het vmbo nodig heeft.",
    ),
    "goede_organisatie": (
        "Goede bijeenkomsten met een duidelijke agenda.",
        "De taakverdeling is helder.",
        "Alles is goed voorbereid.",
    ),
    "procesbegeleiding": (
        "De procesbegeleider houdt ons scherp.",
        "Fijne begeleiding van het proces.",
        "Onze trekker zorgt dat we niet verslappen.",
    ),
    "betrokken_leiding": (
        "Het bestuur is betrokken.",
        "De directie staat er echt achter.",
        "Onze teamleider komt zelf naar de sessies.",
    ),
    "samen_ontwikkelen": (
        "Samen lessen ontwikkelen werkt.",
        "We maken samen lesmateriaal voor techniek.",
        "Het gezamenlijke project zorg loopt goed.",
    ),
    "leerlingen_centraal": (
        "Leerlingen lopen mee op het mbo.",
        'Het "warme overdracht"-gesprek loopt goed.',
        "Leerlingen merken dat de scholen samenwerken.",
        "Onze jongeren kennen het mbo al voor ze daar beginnen.",
    ),
    "tijd_roosters": (
        "Meer tijd in het rooster.",
        "Er zijn te weinig taakuren voor het leerlab.",
        "De werkdruk is hoog, we komen er niet aan toe.",
        "Het lukt niet om vrij te zijn op dezelfde middag.",
    ),
    "middelen": (
        "Er is geen budget voor materiaal.",
        "Een eigen lokaal zou helpen.",
        "De subsidie stopt straks, wat dan?",
    ),
    "afspraken_borgen": (
        "Afspraken beter vastleggen.",
        "Het hangt te veel aan een paar personen; het moet structureel worden.",
        "Wat we afspreken, verdwijnt weer.",
    ),
    "draagvlak_collegas": (
        "Communicatie naar collega's die niet in het leerlab zitten.",
        "Er is weinig draagvlak in de rest van het team.",
        "De rest van de school weet niet wat we doen.",
    ),
    "leiding_aansluiten": (
        "Het management moet vaker aansluiten.",
        "Meer sturing vanuit de directie.",
        "De leidinggevenden laten het te veel aan ons over.",
    ),
    "tempo_planning": (
        # A line break and a ';' inside a field: exports must quote them.
        "Tempo is te hoog; we lopen achter.\nEn de planning is onduidelijk.",
        "De planning is onduidelijk.",
        "Het gaat allemaal erg langzaam.",
    ),
    "minder_vergaderen": (
        "Minder vergaderen, meer doen.",
        "Het overleg moet concreter.",
        "We praten veel maar er gebeurt weinig.",
    ),
    "evalueren": (
        "Leerlingen meer betrekken bij de evaluatie.",
        "We kijken te weinig terug op wat het oplevert.",
        "Het is niet duidelijk of het iets uithaalt.",
    ),
    "aansluiting_programmas": (
        "Betere afstemming van de examenprogramma's (vmbo; mbo).",
        "De vakken sluiten nog niet op elkaar aan.",
        "Er zit overlap tussen wat vmbo en mbo geven.",
    ),
}
GOED = (
    "elkaar_kennen",
    "gedeelde_ambitie",
    "begrip_belangen",
    "goede_organisatie",
    "procesbegeleiding",
    "betrokken_leiding",
    "samen_ontwikkelen",
    "leerlingen_centraal",
)
BETER = tuple(t for t in TEMPLATES if t not in GOED)
NO_THEME = ("Geen idee.", "n.v.t.", "Niets bijzonders.")
PLANTED = ("naam", "collega", "telefoon", "e-mail", "school")

#: Sentences that carry a planted value.
_PLANT_TEXT = {
    "naam": "Groet, {value}",
    "collega": "Met {value} gaat het samenwerken goed.",
    "telefoon": "Bel me gerust: {value}.",
    "e-mail": "Mail gerust naar {value}",
    "school": "Op {value} merken we dat ook.",
}


def _phone(rng: np.random.Generator) -> str:
    digits = "".join(str(d) for d in rng.integers(0, 10, size=8))
    style = int(rng.integers(0, 3))
    if style == 0:
        return f"06-{digits}"
    if style == 1:
        return f"06 {digits[:4]} {digits[4:]}"
    return f"+31 6 {digits}"


def draw_answers(
    rows: pd.DataFrame, labs: Labs, rng: np.random.Generator, share: tuple[float, float]
) -> pd.DataFrame:
    """Open answers for every row, with their themes and planted values.

    Parameters
    ----------
    rows
        Export rows with ``lab``, ``name`` and ``email``.
    labs
        The labs (their ``schools`` are planted).
    rng
        The generator's random state (drawn in a fixed order).
    share
        Share of rows that answer ``goed`` and ``beter``.

    Returns
    -------
    pandas.DataFrame
        Per row: ``open_goed``, ``open_beter`` (``""`` = no answer),
        ``open_goed_themes``, ``open_beter_themes`` (``;``-joined) and
        ``open_goed_planted``, ``open_beter_planted`` (JSON list of [kind, value]).
    """
    n = len(rows)
    out = pd.DataFrame(index=rows.index)
    lab = rows["lab"].fillna("").to_numpy(dtype=object)
    names = rows["name"].to_numpy(dtype=object)
    emails = rows["email"].to_numpy(dtype=object)
    by_lab: dict[str, np.ndarray] = {str(k): np.flatnonzero(lab == k) for k in pd.unique(lab) if k}
    for question, themes, p in (("goed", GOED, share[0]), ("beter", BETER, share[1])):
        answers, theme_col, planted_col = [], [], []
        answer = rng.random(n) < p
        # One sentence per respondent: text generation per answer is inherent.
        for i in range(n):
            if not answer[i]:
                answers.append("")
                theme_col.append("")
                planted_col.append("[]")
                continue
            if rng.random() < 0.06:
                answers.append(str(NO_THEME[rng.integers(len(NO_THEME))]))
                theme_col.append("")
                planted_col.append("[]")
                continue
            k = 1 if rng.random() < 0.65 else 2
            chosen = sorted(rng.choice(len(themes), size=k, replace=False).tolist())
            picked = [themes[j] for j in chosen]
            sentences = [str(rng.choice(TEMPLATES[t])) for t in picked]
            planted: list[list[str]] = []
            if lab[i] and not names[i].startswith("Test") and rng.random() < 0.35:
                kind = str(PLANTED[rng.integers(len(PLANTED))])
                value = _plant_value(kind, i, lab[i], names, emails, by_lab, labs, rng)
                if value:
                    sentences.append(_PLANT_TEXT[kind].format(value=value))
                    planted.append([kind, value])
            answers.append(" ".join(sentences))
            theme_col.append(";".join(picked))
            planted_col.append(json.dumps(planted, ensure_ascii=False))
        out[f"open_{question}"] = np.array(answers, dtype=object)
        out[f"open_{question}_themes"] = np.array(theme_col, dtype=object)
        out[f"open_{question}_planted"] = np.array(planted_col, dtype=object)
    return out


def _plant_value(kind, i, lab, names, emails, by_lab, labs, rng) -> str | None:
    if kind == "naam":
        return str(names[i])
    if kind == "e-mail":
        return str(emails[i])
    if kind == "telefoon":
        return _phone(rng)
    if kind == "collega":
        others = [
            j for j in by_lab[lab] if names[j] != names[i] and not names[j].startswith("Test")
        ]
        return str(names[others[int(rng.integers(len(others)))]]) if others else None
    schools = labs.by_id[lab].schools
    return str(schools[int(rng.integers(len(schools)))]) if schools else None


def open_truth(rows: pd.DataFrame, exported: np.ndarray) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The truth tables ``open_answers.csv`` and ``open_spans.csv``.

    Parameters
    ----------
    rows
        Final export rows (``source_file``, ``source_row``, the ``open_*`` columns).
    exported
        Rows whose export file carries the open questions.
    """
    answers, spans = [], []
    for question in ("goed", "beter"):
        text = rows[f"open_{question}"].to_numpy(dtype=object)
        has = exported & (text != "")
        sel = rows[has]
        answers.append(
            pd.DataFrame(
                {
                    "source_file": sel["source_file"].to_numpy(),
                    "source_row": sel["source_row"].to_numpy(),
                    "question": question,
                    "themes": sel[f"open_{question}_themes"].to_numpy(),
                }
            )
        )
        for f, r, planted in zip(
            sel["source_file"], sel["source_row"], sel[f"open_{question}_planted"], strict=True
        ):
            for kind, value in json.loads(planted):
                spans.append((f, int(r), question, kind, value))
    a = pd.concat(answers, ignore_index=True).sort_values(
        ["source_file", "source_row", "question"], kind="stable"
    )
    s = pd.DataFrame(spans, columns=["source_file", "source_row", "question", "kind", "value"])
    s = s.sort_values(["source_file", "source_row", "question", "kind"], kind="stable")
    return a.reset_index(drop=True), s.reset_index(drop=True)
