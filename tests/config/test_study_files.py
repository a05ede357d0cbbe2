"""Codebook, labs and study loading: structure, and every validation message.

Each broken variant must exit 2 at the CLI with a message naming the YAML path and
the offending value, and no traceback.
"""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from leerlab_research.cli import app
from leerlab_research.config.codebook import load_codebook
from leerlab_research.config.labs import load_labs
from leerlab_research.config.study import load_study
from leerlab_research.errors import ConfigError

REPO = Path(__file__).resolve().parents[2]
CODEBOOK = REPO / "data" / "codebook" / "reflectie.yaml"
LABS = REPO / "data" / "codebook" / "labs.yaml"

runner = CliRunner()

EXPECTED_SCALES = {
    "ambitie": ("AMB", "samenwerking", 4, ["AMB4"]),
    "belangen": ("BEL", "samenwerking", 4, ["BEL3"]),
    "relaties": ("REL", "samenwerking", 4, ["REL4"]),
    "organisatie": ("ORG", "samenwerking", 4, ["ORG2"]),
    "proces": ("PRO", "samenwerking", 4, ["PRO3"]),
    "commitment": ("COM", "verankering", 4, []),
    "faciliteren": ("FAC", "verankering", 3, []),
    "evalueren": ("EVA", "verankering", 3, []),
    "inhoud": ("INH", "inhoud", 4, []),
}


def test_instrument_structure(codebook):
    assert len(codebook.item_codes) == 34
    assert list(codebook.scales) == list(EXPECTED_SCALES)
    for name, (code, domain, k, reverse) in EXPECTED_SCALES.items():
        scale = codebook.scales[name]
        assert scale.code == code
        assert scale.domain == domain
        assert scale.items == [f"{code}{i}" for i in range(1, k + 1)]
        assert scale.reverse == reverse
        assert 2 <= len(scale.prompts_for("nl")) <= 3
        assert len(scale.prompts_for("en")) == len(scale.prompts_for("nl"))
        assert scale.description.nl and scale.description.en
    vs = codebook.value_sets["likert5"]
    assert vs.valid_codes == [1, 2, 3, 4, 5]
    assert 9 in vs.missing and vs.missing[9].reason == "dont_know"
    assert all(codebook.items[c].text.en for c in codebook.item_codes)
    assert any("Kaats" in ref for ref in codebook.metadata.references)


def test_respondent_variables(codebook):
    v = codebook.variables
    assert v["school_type"].enum == ["vmbo", "mbo", "anders"]
    assert v["role"].enum == ["bestuur", "management", "docent", "procesbegeleider", "anders"]
    assert v["wave"].enum is None  # a study that declares its waves sets them
    assert v["consent"].enum == ["ja", "nee"]
    assert codebook.key_variable == "respondent_id"
    assert set(codebook.personal_variables) == {"open_goed", "open_beter"}
    for name in [
        "started_at",
        "submitted_at",
        "focus_curriculum",
        "focus_leerling",
        "focus_docent",
    ]:
        assert name in v


def test_labs_aliases(labs):
    assert len(labs.labs) == 12
    assert labs.resolve("Den Bosch") == "s-hertogenbosch"
    assert labs.resolve("’s-Hertogenbosch") == "s-hertogenbosch"
    assert labs.resolve("'s-Hertogenbosch") == "s-hertogenbosch"
    assert labs.resolve("s-Hertogenbosch") == "s-hertogenbosch"
    assert labs.resolve("Ijburg") == "amsterdam-ijburg"
    assert labs.resolve("Amsterdam Ĳburg") == "amsterdam-ijburg"
    assert labs.resolve("  weert ") == "weert"
    assert labs.resolve("Utrecht") is None
    assert labs.name_of("s-hertogenbosch") == "'s-Hertogenbosch"


# ------------------------------------------------------------------ broken variants
def _raw_codebook() -> dict:
    return yaml.safe_load(CODEBOOK.read_text(encoding="utf-8"))


def _write_study(
    tmp: Path,
    codebook: dict | str | None = None,
    labs: dict | None = None,
    sources: list | None = None,
) -> Path:
    cb_path = tmp / "reflectie.yaml"
    if isinstance(codebook, str):
        cb_path.write_text(codebook, encoding="utf-8")
    else:
        cb_path.write_text(
            yaml.safe_dump(codebook or _raw_codebook(), allow_unicode=True), encoding="utf-8"
        )
    labs_path = tmp / "labs.yaml"
    labs_data = labs or yaml.safe_load(LABS.read_text(encoding="utf-8"))
    labs_path.write_text(yaml.safe_dump(labs_data, allow_unicode=True), encoding="utf-8")
    data_file = tmp / "export.csv"
    data_file.write_text("a,b\n1,2\n", encoding="utf-8")
    study = {
        "name": "broken",
        "codebook": "reflectie.yaml",
        "labs": "labs.yaml",
        "sources": sources or [{"path": "export.csv", "platform": "csv", "wave": "T0"}],
        "settings": {"demo_key": True},
    }
    path = tmp / "study.yaml"
    path.write_text(yaml.safe_dump(study), encoding="utf-8")
    return path


def _dup_in_scale(cb):
    cb["scales"]["ambitie"]["items"] = ["AMB1", "AMB1", "AMB3", "AMB4"]
    return "reflectie.yaml: scales.ambitie.items[1]: item 'AMB1' listed twice"


def _item_in_two_scales(cb):
    cb["scales"]["belangen"]["items"] = ["BEL1", "BEL2", "BEL3", "BEL4", "AMB2"]
    return "scales.belangen.items[4]: item 'AMB2' already belongs to scale 'ambitie'"


def _unknown_item(cb):
    cb["scales"]["relaties"]["items"][2] = "REL9"
    return "scales.relaties.items[2]: unknown item 'REL9'"


def _reverse_non_likert(cb):
    cb["value_sets"]["janee"] = {"type": "nominal", "labels": {0: {"nl": "nee"}, 1: {"nl": "ja"}}}
    cb["items"]["ORG2"]["value_set"] = "janee"
    return "scales.organisatie.reverse[0]: item 'ORG2' is reverse-keyed but is not a Likert item"


def _missing_in_range(cb):
    cb["value_sets"]["likert5"]["missing"][3] = cb["value_sets"]["likert5"]["missing"].pop(9)
    return "value_sets.likert5.missing.3: missing code 3 lies inside the valid range 1-5"


def _unknown_domain(cb):
    cb["scales"]["proces"]["domain"] = "samenwerkng"
    return "scales.proces.domain: unknown domain 'samenwerkng'"


def _wrong_type(cb):
    cb["variables"]["role"]["type"] = "categorical"
    return "variables.role.type: Input should be"


BROKEN_CODEBOOKS = [
    _dup_in_scale,
    _item_in_two_scales,
    _unknown_item,
    _reverse_non_likert,
    _missing_in_range,
    _unknown_domain,
    _wrong_type,
]


@pytest.mark.parametrize("mutate", BROKEN_CODEBOOKS, ids=lambda f: f.__name__.strip("_"))
def test_broken_codebook_exits_2_with_yaml_path(tmp_path, mutate):
    cb = _raw_codebook()
    expected = mutate(cb)
    study = _write_study(tmp_path, cb)
    result = runner.invoke(app, ["codebook", "--study", str(study)])
    assert result.exit_code == 2, result.output
    assert expected in result.output
    assert "Traceback" not in result.output
    # the API raises the same message
    with pytest.raises(ConfigError) as info:
        load_codebook(tmp_path / "reflectie.yaml")
    assert expected in str(info.value)


def test_all_problems_reported_at_once(tmp_path):
    cb = _raw_codebook()
    messages = [_dup_in_scale(cb), _unknown_domain(cb), _missing_in_range(cb)]
    (tmp_path / "reflectie.yaml").write_text(
        yaml.safe_dump(cb, allow_unicode=True), encoding="utf-8"
    )
    with pytest.raises(ConfigError) as info:
        load_codebook(tmp_path / "reflectie.yaml")
    for m in messages:
        assert m in str(info.value)


def test_duplicate_yaml_key_is_reported(tmp_path):
    text = CODEBOOK.read_text(encoding="utf-8")
    block = "  AMB1:\n    value_set: likert5\n"
    assert block in text
    text = text.replace(block, block.replace("AMB1", "AMB2"), 1)  # AMB2 now defined twice
    study = _write_study(tmp_path, text)
    result = runner.invoke(app, ["codebook", "--study", str(study)])
    assert result.exit_code == 2
    assert "key 'AMB2' defined twice" in result.output


def test_invalid_yaml_names_line(tmp_path):
    study = _write_study(tmp_path, "name: x\nscales: [unclosed\n")
    result = runner.invoke(app, ["codebook", "--study", str(study)])
    assert result.exit_code == 2
    assert "invalid YAML" in result.output and "line" in result.output
    assert "Traceback" not in result.output


def test_lab_alias_shared_by_two_labs(tmp_path):
    labs = yaml.safe_load(LABS.read_text(encoding="utf-8"))
    labs["labs"][5]["aliases"] = ["Den Bosch"]  # weert claims 's-Hertogenbosch's alias
    study = _write_study(tmp_path, labs=labs)
    result = runner.invoke(app, ["codebook", "--study", str(study)])
    assert result.exit_code == 2
    assert (
        "labs[5].aliases[0]: alias 'Den Bosch' is shared by labs 's-hertogenbosch'" in result.output
    )
    assert "Traceback" not in result.output
    with pytest.raises(ConfigError, match="shared by labs"):
        load_labs(tmp_path / "labs.yaml")


def test_lab_alias_shared_after_normalisation(tmp_path):
    labs = yaml.safe_load(LABS.read_text(encoding="utf-8"))
    labs["labs"][0]["aliases"].append("’s Hertogenbosch")
    (tmp_path / "labs.yaml").write_text(yaml.safe_dump(labs, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"labs\[0\]\.aliases\[3\]"):
        load_labs(tmp_path / "labs.yaml")


def test_lab_id_must_be_slug(tmp_path):
    labs = yaml.safe_load(LABS.read_text(encoding="utf-8"))
    labs["labs"][1]["id"] = "Noord Drenthe"
    (tmp_path / "labs.yaml").write_text(yaml.safe_dump(labs, allow_unicode=True), encoding="utf-8")
    with pytest.raises(
        ConfigError,
        match=r"labs\.yaml: labs\[1\]\.id: Value error, lab id must be a lowercase slug",
    ):
        load_labs(tmp_path / "labs.yaml")


def test_study_source_path_missing(tmp_path):
    study = _write_study(tmp_path, sources=[{"path": "nowhere.csv", "platform": "csv"}])
    with pytest.raises(ConfigError) as info:
        load_study(study)
    assert "study.yaml: sources[0].path: file 'nowhere.csv' does not exist" in str(info.value)
    result = runner.invoke(app, ["run", "--study", str(study)])
    assert result.exit_code == 2
    assert "sources[0].path: file 'nowhere.csv' does not exist" in result.output
    assert "Traceback" not in result.output


def test_study_unknown_setting_and_platform(tmp_path):
    study = _write_study(tmp_path, sources=[{"path": "export.csv", "platform": "surveymonkey"}])
    data = yaml.safe_load(study.read_text())
    data["settings"]["min_cel"] = 5
    study.write_text(yaml.safe_dump(data))
    with pytest.raises(ConfigError) as info:
        load_study(study)
    msg = str(info.value)
    assert "sources[0].platform" in msg and "'surveymonkey'" in msg
    assert "settings.min_cel: Extra inputs are not permitted" in msg


def test_study_column_mapping_to_unknown_code(tmp_path):
    study = _write_study(tmp_path, sources=[{"path": "export.csv", "columns": {"Vraag 1": "AMB9"}}])
    with pytest.raises(
        ConfigError, match=r"sources\[0\]\.columns\.Vraag 1: unknown codebook code 'AMB9'"
    ):
        load_study(study)


def test_study_missing_codebook_file(tmp_path):
    study = _write_study(tmp_path)
    (tmp_path / "reflectie.yaml").unlink()
    result = runner.invoke(app, ["codebook", "--study", str(study)])
    assert result.exit_code == 2
    assert "codebook: file 'reflectie.yaml' does not exist" in result.output


def test_pseudonym_key_required_outside_demo(tmp_path, monkeypatch):
    study_path = _write_study(tmp_path)
    data = yaml.safe_load(study_path.read_text())
    data["settings"] = {"pseudonym_key_env": "LEERLAB_TEST_KEY"}
    study_path.write_text(yaml.safe_dump(data))
    st = load_study(study_path)
    monkeypatch.delenv("LEERLAB_TEST_KEY", raising=False)
    with pytest.raises(ConfigError, match="LEERLAB_TEST_KEY is not set"):
        st.pseudonym_key()
    monkeypatch.setenv("LEERLAB_TEST_KEY", "s3cret-of-sixteen-bytes")
    assert st.pseudonym_key() == b"s3cret-of-sixteen-bytes"


def test_output_root_defaults(tmp_path):
    st = load_study(_write_study(tmp_path))
    assert st.output_root() == Path("out") / "broken"
    assert st.output_root(tmp_path / "x") == tmp_path / "x"


def test_codebook_is_not_mutated_by_loading():
    raw = _raw_codebook()
    before = copy.deepcopy(raw)
    load_codebook(CODEBOOK)
    assert raw == before
