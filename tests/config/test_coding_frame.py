"""The coding frame is validated with the codebook: every problem names its YAML path."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from leerlab_research.config.codebook import load_codebook
from leerlab_research.errors import ConfigError

CODEBOOK = Path(__file__).resolve().parents[2] / "data" / "codebook" / "reflectie.yaml"


def _raw() -> dict:
    return yaml.safe_load(CODEBOOK.read_text(encoding="utf-8"))


def _themes(cb):
    return cb["coding_frame"]["themes"]


def _unknown_condition(cb):
    _themes(cb)["tijd_roosters"]["condition"] = "facilitering"
    return "coding_frame.themes.tijd_roosters.condition: unknown condition 'facilitering'"


def _condition_and_domain(cb):
    _themes(cb)["elkaar_kennen"]["domain"] = "samenwerking"
    return "coding_frame.themes.elkaar_kennen: give exactly one of condition (a scale) or domain"


def _unknown_domain(cb):
    _themes(cb)["afspraken_borgen"]["domain"] = "borging"
    return "coding_frame.themes.afspraken_borgen.domain: unknown domain 'borging'"


def _bad_term(cb):
    _themes(cb)["middelen"]["terms"][1] = "bud*get"
    return "coding_frame.themes.middelen.terms[1]: 'bud*get' is not a term"


def _no_english(cb):
    del _themes(cb)["evalueren"]["label"]["en"]
    return "coding_frame.themes.evalueren: label and description need an English text (en)"


def _bad_question(cb):
    _themes(cb)["procesbegeleiding"]["question"] = "slecht"
    return "coding_frame.themes.procesbegeleiding.question"


def _no_beter_theme(cb):
    for t in _themes(cb).values():
        t["question"] = "goed"
    return "coding_frame.themes: no theme for question 'beter'"


@pytest.mark.parametrize(
    "mutate",
    [
        _unknown_condition,
        _condition_and_domain,
        _unknown_domain,
        _bad_term,
        _no_english,
        _bad_question,
        _no_beter_theme,
    ],  # fmt: skip
    ids=lambda f: f.__name__.strip("_"),
)
def test_broken_frame_is_a_codebook_error(tmp_path, mutate):
    cb = _raw()
    expected = mutate(cb)
    path = tmp_path / "reflectie.yaml"
    path.write_text(yaml.safe_dump(cb, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_codebook(path)
    assert expected in str(info.value)


def test_the_frame_ties_every_theme_to_a_condition_or_domain(codebook):
    frame = codebook.coding_frame
    domains = {s.name: s.domain for s in codebook.scales.values()}
    assert len(frame.for_question("goed")) >= 6 and len(frame.for_question("beter")) >= 6
    assert frame.domain_of("tijd_roosters", domains) == "verankering"
    assert frame.domain_of("afspraken_borgen", domains) == "verankering"
    assert frame.themes["elkaar_kennen"].label.get("en") == "Knowing each other"
