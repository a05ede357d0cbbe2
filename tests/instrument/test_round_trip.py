"""Codebook → survey file → simulated platform export → `leerlab clean`, with no mapping.

The surveys come from `leerlab instrument`; `leerlab demo --survey` plays
LimeSurvey and Qualtrics (respondents pick options by their text, the platform
stores the option's code); the study file has no `columns`, no `values` and no
`wave`. The clean table must equal the ground truth the demo writes.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from leerlab_research.cli import app

REPO = Path(__file__).resolve().parents[2]
CODEBOOK = REPO / "data" / "codebook" / "reflectie.yaml"
LABS = REPO / "data" / "codebook" / "labs.yaml"
runner = CliRunner()


def _cli(*args: str):
    return runner.invoke(app, [str(a) for a in args])


def _study(root: Path, codebook: Path, files: list[str], platforms: list[str]) -> Path:
    study = {
        "name": "roundtrip",
        "codebook": str(codebook),
        "labs": str(LABS),
        "sources": [
            {"path": f"data/{f}", "platform": p} for f, p in zip(files, platforms, strict=True)
        ],
        "settings": {"demo_key": True},
    }
    path = root / "study.yaml"
    path.write_text(yaml.safe_dump(study, sort_keys=False), encoding="utf-8")
    return path


def _surveys(root: Path, codebook: Path) -> list[str]:
    """LimeSurvey T0 with the lab question; Qualtrics T1 for one lab (lab hidden)."""
    study = _study(root, codebook, ["x.csv"], ["auto"])
    for args in (
        ["--format", "lss", "--wave", "T0"],
        ["--format", "qsf", "--wave", "T1", "--lab", "Den Bosch"],
    ):
        r = _cli("instrument", *args, "--study", study, "--out", root / "surveys")
        assert r.exit_code == 0, r.output
    surveys = sorted((root / "surveys").iterdir())
    args = [a for s in surveys for a in ("--survey", s)]
    r = _cli("demo", *args, "--out", root / "data")
    assert r.exit_code == 0, r.output
    return [f"{s.stem}.csv" for s in surveys]


@pytest.fixture(scope="module")
def round_trip(tmp_path_factory):
    root = tmp_path_factory.mktemp("roundtrip")
    files = _surveys(root, CODEBOOK)
    platforms = ["limesurvey" if "T0" in f else "qualtrics" for f in files]
    study = _study(root, CODEBOOK, files, platforms)
    assert "columns" not in study.read_text() and "values" not in study.read_text()
    r = _cli("clean", "--study", study, "--out", root / "out")
    assert r.exit_code == 0, r.output
    clean = root / "out" / "clean"
    return {"root": root, "files": files, "clean": clean, "study": study}


def test_exports_are_in_the_platform_layouts(round_trip):
    lime, qualtrics = (round_trip["root"] / "data" / f for f in round_trip["files"])
    head = lime.read_bytes()[:80]
    assert head.startswith(b'\xef\xbb\xbf"id","submitdate","lastpage"')
    rows = qualtrics.read_text(encoding="utf-8").splitlines()
    assert rows[0].startswith("StartDate,EndDate,Status") and "AMB1" in rows[0].split(",")
    assert rows[2].startswith('"{""ImportId"":""startDate""}"')


def test_clean_table_equals_the_ground_truth(round_trip):
    from leerlab_research.config.codebook import load_codebook

    cb = load_codebook(CODEBOOK)
    resp = pd.read_parquet(round_trip["clean"] / "responses.parquet")
    excl = pd.read_csv(round_trip["clean"] / "exclusions.csv")
    for df in (resp, excl):
        df["file"] = df["source_file"].map(os.path.basename)
    for name in round_trip["files"]:
        stem = name.removesuffix(".csv")
        truth = pd.read_csv(round_trip["root"] / "data" / "truth" / f"{stem}_respondents.csv")
        items = pd.read_csv(round_trip["root"] / "data" / "truth" / f"{stem}_items.csv")
        got = excl[excl["file"] == name].set_index("source_row")["reason"].sort_index()
        want = truth[truth["expected_status"] == "excluded"].set_index("source_row")
        assert got.to_dict() == want["expected_reason"].sort_index().to_dict()
        kept = resp[resp["file"] == name]
        assert len(kept) == int((truth["expected_status"] == "kept").sum()) > 20
        m = kept.merge(truth, on="source_row", suffixes=("", "_t")).merge(
            items, on="source_row", suffixes=("", "_raw")
        )
        for col in ("lab", "school_type", "role", "wave"):
            assert (m[col] == m[f"{col}_t"]).all(), col
        assert (m["codebook_version"] == cb.version).all()
        for code in cb.item_codes:
            raw = m[f"{code}_raw"].where(m[f"{code}_raw"].between(1, 5))
            want_item = 6 - raw if code in cb.reverse_items else raw
            assert np.array_equal(m[code].astype(float).fillna(-1), want_item.fillna(-1)), code
        for scale in cb.scales:
            assert np.allclose(m[scale].fillna(-9), m[f"obs_{scale}"].fillna(-9)), scale


def _codebook_v11(root: Path, *, harmless: bool) -> Path:
    """Version 1.1.0 of the codebook: AMB2 reworded since 1.0.0."""
    data = yaml.safe_load(CODEBOOK.read_text(encoding="utf-8"))
    old = data["items"]["AMB2"]["text"]
    data["items"]["AMB2"]["text"] = {
        "nl": old["nl"].replace("helder", "duidelijk"),
        "en": old["en"],
    }
    data["version"] = "1.1.0"
    data["changes"].append(
        {"version": "1.1.0", "items": {"AMB2": {"harmless": harmless, "previous": old}}}
    )
    path = root / ("harmless" if harmless else "harmful") / "reflectie.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.parametrize("harmless", [False, True])
def test_older_version_responses_refuse_changed_items_unless_harmless(round_trip, harmless):
    root = round_trip["root"]
    codebook = _codebook_v11(root, harmless=harmless)
    study = _study(root / ("harmless" if harmless else "harmful"), codebook, [], [])
    files = round_trip["files"]
    data = yaml.safe_load(study.read_text())
    data["sources"] = [{"path": str(root / "data" / f)} for f in files]
    study.write_text(yaml.safe_dump(data), encoding="utf-8")
    out = study.parent / "out"
    r = _cli("clean", "--study", study, "--out", out)
    assert r.exit_code == 0, r.output
    resp = pd.read_parquet(out / "clean" / "responses.parquet")
    validation = pd.read_csv(out / "clean" / "validation.csv")
    log = pd.read_csv(out / "clean" / "cleaning_log.csv")
    assert (resp["codebook_version"] == "1.0.0").all()
    assert "mixed_codebook_versions" in set(validation["rule"])
    detail = log.loc[log["step"] == "codebook_version", "detail"].item()
    assert "1.0.0: " in detail and "codebook 1.1.0" in detail
    if harmless:
        assert resp["AMB2"].notna().sum() > 100
        assert "declared harmless" in detail
    else:
        assert resp["AMB2"].isna().all() and resp["AMB1"].notna().sum() > 100
        assert "wording_changed" in set(validation["rule"])
        missing = pd.read_csv(out / "clean" / "item_missing.csv")
        assert "wording_changed" in set(missing.loc[missing["item"] == "AMB2", "reason"])


def test_a_version_the_codebook_does_not_know_blocks_cleaning(round_trip):
    root = round_trip["root"] / "unknown"
    root.mkdir()
    src = round_trip["root"] / "data" / round_trip["files"][0]
    text = src.read_text(encoding="utf-8-sig").replace('"1.0.0"', '"0.9.0"')
    (root / "data").mkdir()
    (root / "data" / src.name).write_text("\ufeff" + text, encoding="utf-8", newline="")
    study = _study(root, CODEBOOK, [src.name], ["limesurvey"])
    r = _cli("clean", "--study", study, "--out", root / "out")
    assert r.exit_code == 1, r.output
    assert "codebook version '0.9.0'" in r.output and "unknown_codebook_version" in r.output
    assert "Traceback" not in r.output


@pytest.mark.parametrize("name", ["missing.lss", "notes.txt"])
def test_demo_survey_needs_a_survey_file(tmp_path, name):
    if name.endswith(".txt"):
        (tmp_path / name).write_text("not a survey", encoding="utf-8")
    r = _cli("demo", "--survey", tmp_path / name, "--out", tmp_path / "out")
    assert r.exit_code == 2, r.output
    assert "is not an existing .lss or .qsf file" in r.output and "Traceback" not in r.output


@pytest.mark.parametrize(
    "name,content",
    [
        ("s.lss", "<survey><questions>"),  # XML that does not parse
        ("s.lss", "<document><questions><row><qid>1</qid></row></questions></document>"),
        ("s.qsf", "{not json"),
        ("s.qsf", "[1, 2]"),
        ("s.qsf", '{"SurveyElements": []}'),
        ("s.qsf", "\udcff"),
    ],
)
def test_demo_survey_that_is_not_a_survey(tmp_path, name, content):
    (tmp_path / name).write_text(content, encoding="utf-8", errors="surrogateescape")
    r = _cli("demo", "--survey", tmp_path / name, "--out", tmp_path / "out")
    assert r.exit_code == 2, r.output
    assert "cannot be read as a survey file" in r.output and "Traceback" not in r.output


def test_demo_survey_bug_is_not_taken_for_a_bad_file(tmp_path, monkeypatch):
    from leerlab_research.demo import survey_demo

    def broken(data: bytes) -> dict[str, str]:
        raise AttributeError("a bug")

    monkeypatch.setattr(survey_demo, "hidden_fields", broken)
    (tmp_path / "s.lss").write_text("<document/>", encoding="utf-8")
    r = _cli("demo", "--survey", tmp_path / "s.lss", "--out", tmp_path / "out")
    assert r.exit_code == 3, r.output
    assert "internal error: AttributeError: a bug" in r.output


def test_a_lss_and_a_qsf_of_one_name_give_two_exports(tmp_path):
    # `leerlab instrument` names both platforms' files alike; both exports were
    # <stem>.csv and the second move failed with an internal error (exit 3).
    from leerlab_research.demo.survey_demo import export_stems

    assert export_stems([Path("a.lss"), Path("a.qsf"), Path("b.lss")]) == [
        "a-limesurvey",
        "a-qualtrics",
        "b",
    ]
    study = _study(tmp_path, CODEBOOK, ["x.csv"], ["auto"])
    for fmt in ("lss", "qsf"):
        args = ["--format", fmt, "--wave", "T1", "--lab", "Den Bosch"]
        r = _cli("instrument", *args, "--study", study, "--out", tmp_path / "surveys")
        assert r.exit_code == 0, r.output
    surveys = sorted((tmp_path / "surveys").iterdir())
    assert len({s.stem for s in surveys}) == 1
    args = [a for s in surveys for a in ("--survey", s)]
    r = _cli("demo", *args, "--out", tmp_path / "data")
    assert r.exit_code == 0, r.output
    stem = surveys[0].stem
    assert sorted(p.name for p in (tmp_path / "data").glob("*.csv")) == [
        f"{stem}-limesurvey.csv",
        f"{stem}-qualtrics.csv",
    ]
