"""The automatic proposal: whole words, folding, wildcards, question-specific themes."""

from __future__ import annotations

import pandas as pd

from leerlab_research.coding.matcher import (
    CODE_COLUMNS,
    Matcher,
    fold,
    propose,
    term_pattern,
)


def test_fold_and_terms():
    assert fold("Coördinatie ÉN Overleg") == "coordinatie en overleg"
    assert term_pattern("rooster*").search("de roosters van volgend jaar")
    assert not term_pattern("les").search("lessen")
    assert term_pattern("korte lijn*").search("korte, lijnen")
    assert not term_pattern("tijd").search("tijdschrift") and term_pattern("tijd").search(
        fold("Tijd!")
    )


def test_themes_only_of_their_question(codebook):
    m = Matcher.from_frame(codebook.coding_frame)
    assert [t for t, _ in m.themes_of("Meer tijd in het rooster.", "beter")] == ["tijd_roosters"]
    assert m.themes_of("Meer tijd in het rooster.", "goed") == []


def test_propose_names_the_term_and_is_sorted(codebook):
    answers = pd.DataFrame(
        {
            "answer_id": ["b-T0-beter", "a-T0-goed", "c-T0-goed"],
            "question": ["beter", "goed", "goed"],
            "text": [
                "Minder vergaderen; meer tijd.",
                "De procesbegeleider houdt ons scherp.",
                "Geen idee.",
            ],
        }
    )
    codes = propose(answers, codebook.coding_frame)
    assert list(codes.columns) == CODE_COLUMNS
    assert codes[["answer_id", "theme", "term"]].values.tolist() == [
        ["a-T0-goed", "procesbegeleiding", "procesbegeleid*"],
        ["b-T0-beter", "tijd_roosters", "tijd"],
        ["b-T0-beter", "minder_vergaderen", "vergader*"],
    ]
    assert set(codes["source"]) == {"auto"}
