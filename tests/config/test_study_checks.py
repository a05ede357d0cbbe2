"""Settings that used to reach a stage are refused when the study is loaded (issue 11 §1).

Each case goes through the CLI: exit 2, the YAML path of the setting in the message,
no traceback, and nothing read or written.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "cleaning"))

from cleaning_helpers import (  # noqa: E402
    dutch_frame,
    run_cli,
    write_dutch_csv,
    write_study,
)


@pytest.fixture
def export(tmp_path) -> str:
    write_dutch_csv(dutch_frame(8), tmp_path / "a_T0.csv")
    return "a_T0.csv"


def _refused(tmp_path, study, *expected: str, command: str = "validate") -> str:
    result = run_cli(command, "--study", str(study))
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and "internal error" not in result.output
    for text in expected:
        assert text in result.output, result.output
    assert not (tmp_path / "out").exists()
    return result.output


def test_a_source_listed_twice_by_another_spelling(tmp_path, export):
    study = write_study(
        tmp_path, [{"path": export, "wave": "T0"}, {"path": f"./{export}", "wave": "T1"}]
    )
    _refused(
        tmp_path,
        study,
        "sources[1].path: file './a_T0.csv' is listed twice (also sources[0]: 'a_T0.csv')",
        command="clean",
    )


def test_a_byte_identical_copy_listed_as_another_source(tmp_path, export):
    (tmp_path / "kopie_T1.csv").write_bytes((tmp_path / export).read_bytes())
    study = write_study(
        tmp_path, [{"path": export, "wave": "T0"}, {"path": "kopie_T1.csv", "wave": "T1"}]
    )
    _refused(tmp_path, study, "sources[1].path: file 'kopie_T1.csv' has the same content as")


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        ({"compare": {"groups": ["lab", "sector"]}}, "settings.compare.groups[1]: unknown"),
        ({"compare": {"posthoc_factors": ["rol"]}}, "settings.compare.posthoc_factors[0]"),
        ({"compare": {"waves": ["T0", "T9"]}}, "settings.compare.waves[1]: unknown wave 'T9'"),
        ({"compare": {"waves": ["T1", "T1"]}}, "compares a wave with itself"),
        ({"measurement": {"by": ["lab", "regio"]}}, "settings.measurement.by[1]: unknown"),
        (
            {"measurement": {"invariance_groups": ["geslacht"]}},
            "settings.measurement.invariance_groups[0]: unknown column 'geslacht'",
        ),
        (
            {"measurement": {"invariance_levels": {"school_type": ["vmbo", "havo"]}}},
            "settings.measurement.invariance_levels.school_type[1]: 'havo' is not a value",
        ),
        (
            {"cleaning": {"scale_min_share": 7}},
            "settings.cleaning.scale_min_share: Input should be less than or equal to 1",
        ),
        ({"cleaning": {"scale_min_share": 0}}, "settings.cleaning.scale_min_share"),
        ({"cleaning": {"min_items_answered": 1.5}}, "settings.cleaning.min_items_answered"),
        ({"cleaning": {"careless": {"mahalanobis_p": 5}}}, "careless.mahalanobis_p"),
        ({"cleaning": {"careless": {"min_agree": 0}}}, "careless.min_agree"),
        ({"cleaning": {"duplicates": "keep_first"}}, "settings.cleaning.duplicates"),
        ({"compare": {"n_boot": 0}}, "settings.compare.n_boot"),
        ({"measurement": {"n_boot_groups": 0}}, "settings.measurement.n_boot_groups"),
        ({"report": {"workers": 0}}, "settings.report.workers"),
        ({"report": {"kinds": ["lab", "school"]}}, "settings.report.kinds[1]"),
    ],
)
def test_settings_are_checked_when_the_study_is_loaded(tmp_path, export, settings, expected):
    study = write_study(tmp_path, [{"path": export, "wave": "T0"}], settings)
    _refused(tmp_path, study, expected)


def test_bad_report_format_in_the_study_is_not_blamed_on_the_option(tmp_path, export):
    study = write_study(
        tmp_path, [{"path": export, "wave": "T0"}], {"report": {"formats": ["html", "odt"]}}
    )
    out = _refused(tmp_path, study, "settings.report.formats[1]", "'odt'", command="report")
    assert "--format" not in out


def _declare_waves(study, *ids: str):
    """Declare the study's waves (issue 13: waves come from the study file)."""
    data = yaml.safe_load(study.read_text(encoding="utf-8"))
    data["waves"] = [{"id": w, "label": {"nl": w}} for w in ids]
    study.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return data


def test_source_wave_must_be_one_of_the_studys_waves(tmp_path, export):
    study = write_study(tmp_path, [{"path": export, "wave": "T2"}])
    _declare_waves(study, "T0", "T1")
    _refused(tmp_path, study, "sources[0].wave: unknown wave 'T2'; the study's waves are T0, T1")


def test_the_studys_wave_list_is_used(tmp_path, export):
    study = write_study(tmp_path, [{"path": export, "wave": "T2"}])
    data = _declare_waves(study, "T0", "T1", "T2")
    data["settings"]["compare"] = {"waves": ["T1", "T2"]}
    study.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    result = run_cli("validate", "--study", str(study))
    assert result.exit_code == 0, result.output


def test_a_source_without_wave_gets_one_message_with_the_hint(tmp_path, export):
    study = write_study(tmp_path, [{"path": export}])
    _declare_waves(study, "T0", "T1")
    result = run_cli("validate", "--study", str(study))
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "sources[0].wave (one of T0, T1)" in result.output
    assert "required value 'wave' is blank" not in result.output
    text = (tmp_path / "out" / "clean" / "validation.csv").read_text(encoding="utf-8")
    assert text.count("\n") == 2  # header + the one failure
