"""The demo's simulated coders: sheets the import accepts, deterministic, realistic agreement."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from leerlab_research.coding.sheets import read_sheets, write_sheet
from leerlab_research.demo.coders import CODERS, fill_coding_sheets


@pytest.fixture(scope="module")
def demo_answers(codebook):
    """400 answers per question, each with one or two generating themes (and a few with none)."""
    frame = codebook.coding_frame
    rng = np.random.default_rng(1)
    rows, truth = [], []
    for question in ("goed", "beter"):
        names = [t.name for t in frame.for_question(question)]
        for i in range(400):
            k = int(rng.integers(0, 3)) if i % 10 else 0
            themes = list(rng.choice(names, size=k, replace=False))
            src = f"data/demo/export_{question}.csv"
            rows.append((f"r{i:04d}-T0-{question}", question, f"Antwoord {i}.", src, i + 2))
            truth.append((f"export_{question}.csv", i + 2, question, ";".join(themes)))
    answers = pd.DataFrame(
        rows, columns=["answer_id", "question", "text", "source_file", "source_row"]
    )
    truth = pd.DataFrame(truth, columns=["source_file", "source_row", "question", "themes"])
    return answers, truth


def _fill(tmp_path, codebook, demo_answers, seed, name):
    answers, truth = demo_answers
    blank = write_sheet(answers, codebook.coding_frame, tmp_path / f"blank_{name}.xlsx")
    return fill_coding_sheets(blank, answers, truth, tmp_path / name, seed=seed)


def test_sheets_pass_the_import_and_disagree_realistically(tmp_path, codebook, demo_answers):
    """Both sheets read back without a problem (texts untouched, ja/nee only, coder letters in
    B3); each coder finds most generating themes, adds few, and the two coders' Cohen's kappa
    per theme is high but below 1 (sklearn as the reference)."""
    from sklearn.metrics import cohen_kappa_score

    answers, truth = demo_answers
    paths = _fill(tmp_path, codebook, demo_answers, 7, "a")
    sheets = read_sheets(paths, answers, codebook.coding_frame)
    assert [s.coder for s in sheets] == list(CODERS)
    true = {
        (f"r{int(r) - 2:04d}-T0-{q}", th)
        for f, r, q, ths in truth.itertuples(index=False)
        for th in ths.split(";")
        if th
    }
    codes = [s.codes.set_index(["answer_id", "theme"])["value"] for s in sheets]
    for c in codes:
        n_themes = sum(len(codebook.coding_frame.for_question(q)) for q in ("goed", "beter"))
        assert len(c) == n_themes * 400
        marked = set(c[c == 1].index)
        recall = len(marked & true) / len(true)
        precision = len(marked & true) / len(marked)
        assert 0.8 < recall < 0.97 and precision > 0.8, (recall, precision)
    both = pd.concat(codes, axis=1, keys=["a", "b"])
    kappas = both.groupby(level="theme").apply(lambda d: cohen_kappa_score(d["a"], d["b"]))
    assert 0.6 < kappas.median() < 0.95 and (kappas < 1).all(), kappas


def test_same_seed_same_bytes_other_seed_other_codes(tmp_path, codebook, demo_answers):
    one = _fill(tmp_path, codebook, demo_answers, 7, "one")
    two = _fill(tmp_path, codebook, demo_answers, 7, "two")
    other = _fill(tmp_path, codebook, demo_answers, 8, "other")
    assert [p.read_bytes() for p in one] == [p.read_bytes() for p in two]
    assert one[0].read_bytes() != other[0].read_bytes()


def test_an_answer_without_themes_gets_geen_thema(tmp_path, codebook, demo_answers):
    from openpyxl import load_workbook

    answers, truth = demo_answers
    path = _fill(tmp_path, codebook, demo_answers, 7, "none")[0]
    ws = load_workbook(path)["goed"]
    header = [c.value for c in ws[1]]
    row = next(r for r in ws.iter_rows(min_row=2, values_only=True) if r[0] == "r0000-T0-goed")
    assert truth.loc[0, "themes"] == ""  # answer 0 has no generating theme
    values = dict(zip(header, row, strict=True))
    themes = [values[h] for h in header[2:] if h != "geen_thema"]
    # coder A may add a theme by chance; when it added none, the row says geen_thema
    assert values["geen_thema"] == ("nee" if "ja" in themes else "ja")
