"""Adaptive report text: comparison words only when the interval supports them."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from leerlab_research import text


@pytest.mark.parametrize(
    ("low", "high", "mean", "expected"),
    [
        (3.6, 4.0, 3.5, "above"),
        (3.0, 3.4, 3.5, "below"),
        (3.4, 3.8, 3.5, "indistinguishable"),
        (3.5, 3.8, 3.5, "indistinguishable"),  # touching the mean is not 'above'
        (math.nan, 3.8, 3.5, "suppressed"),
    ],
)
def test_versus_programme(low, high, mean, expected):
    assert text.versus_programme(low, high, mean) == expected


def test_comparison_words_only_when_interval_says_so():
    status = text.versus_programme(3.4, 3.8, 3.5)
    sentence = text.profile_sentence("Gedeelde ambitie", status)
    assert "hoger" not in sentence and "lager" not in sentence
    assert "niet te onderscheiden" in sentence
    assert "hoger dan het programmagemiddelde" in text.profile_sentence(
        "X", text.versus_programme(3.6, 3.9, 3.5)
    )


def test_numbers_dutch_and_english():
    assert text.fmt_num(3.456, 1) == "3,5"
    assert text.fmt_num(3.456, 2, "en") == "3.46"
    assert text.fmt_num(-0.01, 1) == "0,0"
    assert text.fmt_num(float("nan")) == "–"
    assert text.fmt_interval(3.1, 3.6) == "[3,1; 3,6]"
    assert text.fmt_interval(3.1, 3.6, lang="en") == "[3.1, 3.6]"


def test_join_words():
    assert text.join_words(["a"]) == "a"
    assert text.join_words(["a", "b"]) == "a en b"
    assert text.join_words(["a", "b", "c"]) == "a, b en c"
    assert text.join_words(["a", "b", "c"], "en") == "a, b, and c"


def test_summary_paragraph_adapts():
    p = text.summary_paragraph(
        "Weert", 41, ["Gedeelde ambitie"], [], "Gedeelde ambitie", "Faciliteren"
    )
    assert p.startswith("In leerlab Weert hebben 41 respondenten")
    assert "Hoger dan het programmagemiddelde: Gedeelde ambitie." in p
    assert "Lager" not in p
    q = text.summary_paragraph("Weert", 41, [], [], None, None)
    assert "wijkt het lab aantoonbaar af" in q and "hoger" not in q.lower()
    e = text.summary_paragraph("Weert", 41, [], ["Facilitating"], "A", "B", lang="en")
    assert "Lower than the programme average: Facilitating." in e


@pytest.mark.parametrize(
    ("low", "high", "expected"),
    [
        (0.1, 0.5, "increase"),
        (-0.5, -0.1, "decrease"),
        (-0.1, 0.3, "no_change"),
        (math.nan, 1, "suppressed"),
    ],
)
def test_change_direction(low, high, expected):
    assert text.change_direction(low, high) == expected


def test_reliability_sentence():
    assert (
        text.reliability_sentence("Ambitie", 0.84, 0.85, True)
        == "Ambitie is betrouwbaar (α = 0,84, ω = 0,85)."
    )
    assert "voldoende betrouwbaar" in text.reliability_sentence("A", 0.74, None, True)
    assert "onvoldoende" in text.reliability_sentence("A", 0.6, None, True)
    assert text.reliability_sentence("A", 0.9, None, False) == "A: te weinig antwoorden."
    assert "is reliable" in text.reliability_sentence("A", 0.9, None, True, lang="en")


def test_every_message_has_dutch_and_english_with_the_same_fields():
    import string

    fmt = string.Formatter()
    for key, entry in text.MESSAGES.items():
        assert set(entry) == {"nl", "en"}, key
        assert entry["nl"].strip() and entry["en"].strip(), key
        fields = [{f for _, f, _, _ in fmt.parse(entry[lang]) if f} for lang in ("nl", "en")]
        assert fields[0] == fields[1], key


def test_no_language_branches_outside_the_catalogue():
    """Language-specific text lives in the text catalogue (leerlab_research.text) only."""
    import re

    import leerlab_research

    src = Path(leerlab_research.__file__).parent
    catalogue = Path(text.__file__).parent
    pattern = re.compile(r"""lang\s*==\s*["'](nl|en)["']""")
    offenders = [
        str(p.relative_to(src))
        for p in src.rglob("*.py")
        if catalogue not in p.parents and pattern.search(p.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_summary_names_the_wave():
    # the report passes the wave's fieldwork months, never a code such as T1
    p = text.summary_paragraph("Weert", 25, [], [], None, None, wave="mei–juni 2023")
    assert p.startswith(
        "In leerlab Weert hebben 25 respondenten het reflectie-instrument ingevuld "
        "(meting van mei–juni 2023)."
    )
    e = text.summary_paragraph("Weert", 25, [], [], None, None, lang="en", wave="May–June 2023")
    assert "completed the reflection instrument (wave of May–June 2023)." in e


def test_signed_numbers_use_one_minus_sign():
    assert text.fmt_num(-0.25, 2) == "−0,25"
    assert text.fmt_num(-0.25, 2, "en") == "−0.25"
    assert text.fmt_signed(0.12, 2) == "+0,12"
    assert text.fmt_signed(-0.3, 2, "en") == "−0.30"
    assert text.fmt_signed(0.0, 2) == "0,00"
    assert text.fmt_interval(-0.4, 0.49, 2) == "[−0,40; 0,49]"


def test_typeset_names_with_an_elided_article():
    assert text.typeset("'s-Hertogenbosch") == "’s-Hertogenbosch"
    assert text.typeset("Weert") == "Weert"


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_change_summary_in_both_languages(lang):
    none = text.change_summary([], [], lang)
    assert none == text.msg("change_none", lang)
    both = text.change_summary(["A", "B"], ["C"], lang)
    assert text.join_words(["A", "B"], lang) in both and "C" in both
    assert both != none
    # a decrease alone still says since when (it read "Gedaald: C." on its own)
    down = text.change_summary([], ["C"], lang)
    assert down == text.msg("change_down_alone", lang, scales="C")
    assert ("vorige meting" if lang == "nl" else "previous wave") in down


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_summary_without_a_published_n(lang):
    p = text.summary_paragraph("Weert", None, [], [], None, None, lang, wave="T1")
    assert "Weert" in p and "None" not in p


def test_every_compare_table_is_described_in_dutch_and_english():
    """The methods report lists the tables in words; a new table needs its entry."""
    from leerlab_research.compare.registry import REGISTRY

    for name in REGISTRY:
        for lang in ("nl", "en"):
            words = text.table_method(name, lang)
            assert words is not None and all(words), (name, lang)
    assert text.table_method("descriptives", "nl")[2] == "geen"
    assert text.table_method("no_such_table") is None


def test_period_and_date_in_words():
    import datetime as dt

    d = dt.date
    assert text.fmt_period(d(2024, 5, 13), d(2024, 6, 21)) == "mei–juni 2024"
    assert text.fmt_period(d(2022, 9, 5), d(2022, 9, 30)) == "september 2022"
    assert text.fmt_period(d(2022, 12, 1), d(2023, 1, 9), "en") == "December 2022–January 2023"
    assert text.fmt_date(d(2024, 6, 3)) == "3 juni 2024"
    assert text.fmt_date(d(2024, 6, 3), "en") == "3 June 2024"


@pytest.mark.parametrize(
    ("reason", "lang", "short", "expected"),
    [
        ("primary", "nl", False, "te weinig antwoorden (minder dan 5)"),
        ("complementary", "nl", False, "verborgen om een kleinere groep te beschermen"),
        ("", "nl", False, "niet geschat"),
        ("primary", "en", False, "too few responses (fewer than 5)"),
        ("complementary", "en", False, "hidden to protect a smaller group"),
        ("", "en", False, "not estimated"),
        ("primary", "nl", True, "n < 5"),
        ("complementary", "nl", True, "verborgen"),
        ("complementary", "en", True, "hidden"),
        ("", "nl", True, "–"),
    ],
)
def test_hidden_reason_says_the_true_reason(reason, lang, short, expected):
    assert text.hidden_reason(reason, lang, 5, short) == expected


def test_hidden_reason_names_the_threshold_and_never_mixes_reasons():
    assert text.hidden_reason("primary", "nl", 10) == "te weinig antwoorden (minder dan 10)"
    assert text.hidden_reason("primary", "nl", None) == "te weinig antwoorden"
    for lang in ("nl", "en"):
        for short in (False, True):
            words = text.hidden_reason("complementary", lang, 5, short)
            assert "weinig" not in words and "few" not in words and "5" not in words


def test_every_disclosure_reason_has_its_own_words():
    """A reason compare/disclosure.py writes has catalogue words; an unknown one is an error."""
    from leerlab_research.compare import disclosure

    reasons = {disclosure.PRIMARY, disclosure.COMPLEMENTARY}
    assert reasons == set(text.HIDDEN_REASONS)
    said = {text.hidden_reason(r, lang) for r in reasons for lang in ("nl", "en")}
    assert len(said) == 2 * len(reasons)
    with pytest.raises(ValueError, match="unknown suppression_reason 'secret'"):
        text.hidden_reason("secret")


def test_hidden_reasons_names_each_distinct_reason_once():
    """Cells hidden for different reasons: the shared sentence is true for every one."""
    both = text.hidden_reasons(["complementary", "primary", "complementary"], "nl", 5)
    assert both == (
        "te weinig antwoorden (minder dan 5) of verborgen om een kleinere groep te beschermen"
    )
    assert text.hidden_reasons(["complementary"], "en") == "hidden to protect a smaller group"
    assert text.hidden_reasons(["", "complementary"], "en") == (
        "hidden to protect a smaller group or not estimated"
    )
