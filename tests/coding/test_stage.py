"""``leerlab code``: codes and sheet out, coded sheets back in (validation, agreement)."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from openpyxl import load_workbook
from typer.testing import CliRunner

from leerlab_research.cli import app
from leerlab_research.coding.agreement import cohen_kappa
from leerlab_research.config.study import load_study
from leerlab_research.demo.open_text import TEMPLATES
from leerlab_research.pipeline import run_stage
from leerlab_research.runtime import StageContext

REPO = Path(__file__).resolve().parents[2]
runner = CliRunner()


def _cli(*args):
    return runner.invoke(app, list(args), env={"COLUMNS": "200"})


@pytest.fixture
def coded_study(tmp_path):
    """A study whose clean/open_answers.parquet holds template answers with known themes."""
    src = tmp_path / "export.csv"
    src.write_text("x\n1\n", encoding="utf-8")
    study = {
        "name": "t",
        "codebook": str(REPO / "data" / "codebook" / "reflectie.yaml"),
        "labs": str(REPO / "data" / "codebook" / "labs.yaml"),
        "sources": [{"path": str(src), "platform": "csv", "wave": "T0"}],
        "settings": {"demo_key": True, "seed": 11},
    }
    path = tmp_path / "study.yaml"
    path.write_text(yaml.safe_dump(study), encoding="utf-8")
    rng = np.random.default_rng(5)
    from leerlab_research.demo.open_text import BETER, GOED

    recs, truth = [], {}
    for i in range(120):
        q, themes = ("goed", GOED) if i % 2 == 0 else ("beter", BETER)
        picked = sorted(set(rng.choice(themes, size=int(rng.integers(1, 3))).tolist()))
        text = " ".join(str(rng.choice(TEMPLATES[t])) for t in picked)
        aid = f"{i:016x}-T0-{q}"
        recs.append((aid, f"{i:016x}", "weert", "T0", "docent", "vmbo", q, text, "x.csv", i + 2))
        truth[aid] = set(picked)
    cols = ["answer_id", "respondent_id", "lab", "wave", "role", "school_type", "question",
            "text", "source_file", "source_row"]  # fmt: skip
    out = tmp_path / "out"
    (out / "clean").mkdir(parents=True)
    answers = out / "clean" / "open_answers.parquet"

    def made_by_clean(ctx) -> list[Path]:
        pd.DataFrame(recs, columns=cols).astype({"source_row": "int64"}).to_parquet(answers)
        return [answers]

    # Recorded in the manifest as the clean stage's output, so that `code` accepts it.
    run_stage("clean", StageContext(study=load_study(path), out=out), made_by_clean)
    return path, out, truth


def _fill(sheet: Path, target: Path, coder: str, truth: dict, flip: float, seed: int) -> Path:
    """A coder who follows the truth and errs on a share ``flip`` of the cells."""
    wb = load_workbook(sheet)
    rng = np.random.default_rng(seed)
    wb["instructie"]["B3"] = coder
    for q in ("goed", "beter"):
        ws = wb[q]
        header = [c.value for c in ws[1]]
        for row in ws.iter_rows(min_row=2):
            themes = truth[row[0].value]
            for j, name in enumerate(header[2:], start=2):
                yes = name in themes if name != "geen_thema" else not themes
                if name != "geen_thema" and rng.random() < flip:
                    yes = not yes
                row[j].value = "ja" if yes else "nee"
            if any(row[j].value == "ja" for j in range(2, len(header) - 1)):
                row[len(header) - 1].value = "nee"
    wb.save(target)
    return target


def test_code_writes_codes_and_a_deterministic_sheet(coded_study, tmp_path):
    study, out, truth = coded_study
    res = _cli("code", "--study", str(study), "--out", str(out))
    assert res.exit_code == 0, res.output
    codes = pd.read_csv(out / "clean" / "open_codes.csv", keep_default_na=False)
    assert list(codes.columns) == ["answer_id", "question", "theme", "source", "coder", "term"]
    assert set(codes["source"]) == {"auto"} and codes["term"].ne("").all()
    found = {(a, t) for a, t in zip(codes["answer_id"], codes["theme"], strict=True)}
    true = {(a, t) for a, ts in truth.items() for t in ts}
    assert len(found & true) / len(true) > 0.6 and len(found & true) / len(found) > 0.9
    sheet = out / "coding" / "codeerblad.xlsx"
    first = sheet.read_bytes()
    wb = load_workbook(sheet)
    assert wb.sheetnames == ["instructie", "kader", "goed", "beter"]
    ws = wb["beter"]
    assert [c.value for c in ws[1]][:3] == ["answer_id", "antwoord", "tijd_roosters"]
    assert ws.max_row == 61 and ws["C2"].value is None  # blind: no proposal in the sheet
    (dv,) = ws.data_validations.dataValidation
    assert dv.formula1 == '"ja,nee"' and "C2" in str(dv.sqref)
    shutil.rmtree(out / "coding")
    assert _cli("code", "--study", str(study), "--out", str(out)).exit_code == 0
    assert sheet.read_bytes() == first


def test_import_two_sheets_gives_agreement_and_human_codes(coded_study, tmp_path):
    study, out, truth = coded_study
    assert _cli("code", "--study", str(study), "--out", str(out)).exit_code == 0
    blank = out / "coding" / "codeerblad.xlsx"
    a = _fill(blank, tmp_path / "a.xlsx", "A", truth, 0.03, 1)
    b = _fill(blank, tmp_path / "b.xlsx", "B", truth, 0.06, 2)
    res = _cli("code", "--import", str(a), str(b), "--study", str(study), "--out", str(out))
    assert res.exit_code == 0, res.output
    agree = pd.read_csv(out / "coding" / "agreement.csv")
    assert set(agree["comparison"]) == {"coders", "coder_auto"}
    row = agree[(agree["theme"] == "tijd_roosters") & (agree["coders"] == "A × B")].iloc[0]
    human = pd.read_csv(out / "coding" / "human_codes.csv")
    h = human[human["theme"] == "tijd_roosters"].pivot(
        index="answer_id", columns="coder", values="value"
    )
    assert row["kappa"] == pytest.approx(cohen_kappa(h["A"].to_numpy(), h["B"].to_numpy()))
    assert row["n_answers"] == 60 and row["kappa_ci_low"] < row["kappa"] < row["kappa_ci_high"]
    assert row["alpha_ci_low"] < row["alpha"] < row["alpha_ci_high"]
    codes = pd.read_csv(out / "clean" / "open_codes.csv", keep_default_na=False)
    assert set(codes["source"]) <= {"human", "auto"} and (codes["source"] == "human").mean() > 0.8
    assert set(codes.loc[codes["source"] == "human", "coder"]) == {"A+B"}
    # Re-running `leerlab code` keeps the human codes in place of the automatic ones.
    assert _cli("code", "--study", str(study), "--out", str(out)).exit_code == 0
    again = pd.read_csv(out / "clean" / "open_codes.csv", keep_default_na=False)
    pd.testing.assert_frame_equal(codes, again)
    # ... and both records stay current, so later stages accept them (`make demo` imports,
    # then runs every stage; `code` taking clean/open_codes.csv over from `code --import`
    # made `code` stale at once)
    from leerlab_research.manifest import read_manifest, stale_reason

    loaded = load_study(study)
    manifest = read_manifest(out)
    assert stale_reason(loaded, out, manifest, "code") is None
    assert stale_reason(loaded, out, manifest, "code-import") is None


def test_import_names_every_bad_cell(coded_study, tmp_path):
    study, out, truth = coded_study
    assert _cli("code", "--study", str(study), "--out", str(out)).exit_code == 0
    a = _fill(out / "coding" / "codeerblad.xlsx", tmp_path / "a.xlsx", "A", truth, 0.0, 1)
    wb = load_workbook(a)
    wb["goed"]["B3"] = "Iets anders geschreven"
    wb["goed"]["C1"] = "sfeer"
    wb["beter"]["D4"] = "misschien"
    wb["beter"]["A5"] = "onbekend-id"
    wb.save(a)
    res = _cli("code", "--import", str(a), "--study", str(study), "--out", str(out))
    assert res.exit_code == 1 and "Traceback" not in res.output
    text = " ".join(res.output.split())
    assert "sheet 'goed', cell B3: the answer text was edited" in text
    assert "sheet 'goed', cell C1: unknown theme 'sfeer'" in text
    assert "sheet 'beter', cell D4: value 'misschien' is not ja or nee" in text
    assert "sheet 'beter', cell A5: unknown answer_id 'onbekend-id'" in text
    assert not (out / "coding" / "agreement.csv").exists()


def test_sheets_without_import_is_usage_error(coded_study):
    study, out, _ = coded_study
    res = _cli("code", "x.xlsx", "--study", str(study), "--out", str(out))
    assert res.exit_code == 2
    res = _cli("code", "--import", "missing.xlsx", "--study", str(study), "--out", str(out))
    assert res.exit_code == 1 and "missing.xlsx" in res.output
