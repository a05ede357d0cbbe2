"""The codebook's survey answer codes and version history: validation and `changed_since`."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from leerlab_research.config.codebook import load_codebook
from leerlab_research.config.labs import load_labs
from leerlab_research.errors import ConfigError

REPO = Path(__file__).resolve().parents[2]
CODEBOOK = REPO / "data" / "codebook" / "reflectie.yaml"
LABS = REPO / "data" / "codebook" / "labs.yaml"


def _write(tmp_path: Path, data: dict, name: str = "reflectie.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def _data() -> dict:
    return yaml.safe_load(CODEBOOK.read_text(encoding="utf-8"))


def test_bad_answer_codes_and_history_are_all_reported(tmp_path):
    data = _data()
    data["variables"]["role"]["codes"] = {"bestuur": 1, "management": 1, "directeur": 3}
    data["changes"] = [{"version": "2.0.0", "items": {"XYZ9": {"harmless": True}}}]
    with pytest.raises(ConfigError) as err:
        load_codebook(_write(tmp_path, data))
    text = str(err.value)
    assert "variables.role.codes.directeur: not a value of the variable's enum" in text
    assert "codes must be distinct" in text
    assert "enum value 'docent' has no answer code" in text
    assert "changes[0].version: '2.0.0' must be a dotted version no newer" in text
    assert "changes[0].items.XYZ9: unknown item" in text
    assert "own version 1.0.0 is not listed" in text


def test_changed_since_collects_later_changes_harmful_wins(tmp_path):
    data = _data()
    data["version"] = "1.2.0"
    data["changes"] += [
        {"version": "1.1.0", "items": {"AMB2": {"harmless": True}, "BEL1": {"harmless": False}}},
        {"version": "1.2.0", "items": {"AMB2": {"harmless": False}}},
    ]
    cb = load_codebook(_write(tmp_path, data))
    assert {k: v.harmless for k, v in cb.changed_since("1.0.0").items()} == {
        "AMB2": False,
        "BEL1": False,
    }
    assert {k: v.harmless for k, v in cb.changed_since("1.1.0").items()} == {"AMB2": False}
    assert cb.changed_since("1.2.0") == {}
    for unknown in ("0.9.0", "1.3.0", "1.0.5", "latest"):
        with pytest.raises(ValueError):
            cb.changed_since(unknown)


def test_lab_codes_are_unique(tmp_path):
    data = yaml.safe_load(LABS.read_text(encoding="utf-8"))
    data["labs"][1]["code"] = data["labs"][0]["code"]
    with pytest.raises(ConfigError, match=r"labs\[1\]\.code: code 1 also used by lab"):
        load_labs(_write(tmp_path, data, "labs.yaml"))
    assert load_labs(LABS).by_code[6] == "weert"
