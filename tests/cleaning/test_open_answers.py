"""De-identification of open answers: context patterns, span merging, deduce, the study switch."""

from __future__ import annotations

import gc

import pandas as pd
import pytest
import yaml
from cleaning_helpers import CODEBOOK, DUTCH_HEADER, LABS, dutch_frame, run_cli

from leerlab_research.cleaning.deidentify import (
    Context,
    Deidentifier,
    Span,
    merge_spans,
    redact,
)


def _ctx(**kw) -> Context:
    return Context(**kw)


def test_known_names_full_and_in_parts():
    ctx = _ctx(names=["Anna van den Berg"])
    text = "Dank aan Anna van den Berg, en anna van den berg. Ook Berg en Anna. Een berg werk."
    kinds = {(text[s.start : s.end], s.kind) for s in merge_spans(ctx.spans(text))}
    assert ("Anna van den Berg", "naam") in kinds
    assert ("anna van den berg", "naam") in kinds  # full names case-insensitive
    assert ("Berg", "naam") in kinds and ("Anna", "naam") in kinds
    assert ("berg", "naam") not in kinds  # a single lower-case word is a word


def test_common_words_are_no_name_parts():
    ctx = _ctx(names=["Pieter van der Meer"], common=lambda w: w in {"meer"})
    out = redact(
        "Meer tijd. Groet, Pieter van der Meer",
        merge_spans(ctx.spans("Meer tijd. Groet, Pieter van der Meer")),
    )
    assert out == "Meer tijd. Groet, [naam]"
    out = "Vraag het van der Meer"
    assert redact(out, merge_spans(ctx.spans(out))) == "Vraag het [naam]"


@pytest.mark.parametrize(
    "phone",
    [
        "06-12345678",
        "06 1234 5678",
        "+31 6 12345678",
        "0031 6 1234 5678",
        "010-1234567",
        "0485 123456",
    ],
)
def test_dutch_phone_numbers(phone):
    text = f"Bel {phone} even."
    assert redact(text, merge_spans(_ctx().spans(text))) == "Bel [telefoon] even."


def test_phone_pattern_leaves_years_and_counts():
    text = "Sinds 2019 met 12 docenten en 3 klassen, 1234567 euro"
    assert _ctx().spans(text) == []


def test_email_any_domain_and_schools():
    ctx = _ctx(schools=["Vakcollege De Horst"])
    text = "Mail a.b@roc-weert.example; op het vakcollege de horst gaat het goed."
    assert (
        redact(text, merge_spans(ctx.spans(text)))
        == "Mail [e-mail]; op het [school] gaat het goed."
    )


def test_merge_prefers_specific_types():
    spans = [
        Span(0, 10, "naam"),
        Span(5, 20, "e-mail"),
        Span(30, 35, "plaats"),
        Span(35, 40, "naam"),
    ]
    assert merge_spans(spans) == [Span(0, 20, "e-mail"), Span(30, 40, "naam")]


def test_deduce_finds_unknown_names_and_keeps_lab_names(deduce_model):
    deid = Deidentifier(deduce_model)
    ctx = Context(schools=["Beroepscollege Zuidwal"], keep=["Weert", "Gorinchem"])
    out = deid(
        "In Weert werkt Jan de Vries goed samen met Beroepscollege Zuidwal; bel 0495-123456.", ctx
    )
    assert out == "In Weert werkt [naam] goed samen met [school]; bel [telefoon]."
    assert deid.counts == {"naam": 1, "school": 1, "telefoon": 1}


def test_deduce_load_leaves_collector_on_and_lookup_frozen(deduce_model):
    # The collector is paused while the lookup structures unpickle (6 s → 1.6 s)
    # and must be on again afterwards; the structures (millions of objects) are
    # frozen so that later full collections of the stage skip them.
    assert gc.isenabled()
    assert gc.get_freeze_count() > 1_000_000


def _study(tmp_path, frame, *, open_answers=True):
    src = tmp_path / "export.csv"
    frame.to_csv(src, sep=";", index=False, encoding="utf-8")
    study = {
        "name": "t",
        "codebook": str(CODEBOOK),
        "labs": str(LABS),
        "sources": [{"path": str(src), "platform": "csv", "wave": "T0"}],
        "settings": {"demo_key": True, "open_answers": open_answers},
    }
    path = tmp_path / "study.yaml"
    path.write_text(yaml.safe_dump(study), encoding="utf-8")
    return path


def test_open_answers_table_and_audit(tmp_path, deduce_model):
    df = dutch_frame(12)
    assert list(df.columns[: len(DUTCH_HEADER)]) == DUTCH_HEADER
    first = ["Sanne", "Bram", "Fatima", "Kees", "Ilse", "Youssef"]
    last = ["Hoekstra", "van Dam", "Bouzid", "de Graaf"]
    df["Naam"] = [f"{first[i % 6]} {last[i % 4]}" for i in range(12)]
    name = str(df.loc[3, "Naam"])
    df["Wat gaat goed?"] = ""
    df.loc[3, "Wat gaat goed?"] = f"Met {df.loc[5, 'Naam']} gaat het goed. Groet, {name}"
    df.loc[4, "Wat gaat goed?"] = f"Mail {df.loc[4, 'E-mail']} of bel 06-12345678"
    df["Wat kan beter?"] = ""
    df.loc[6, "Wat kan beter?"] = "Meer tijd in het rooster."
    study = _study(tmp_path, df)
    res = run_cli("clean", "--study", str(study), "--out", str(tmp_path / "out"))
    assert res.exit_code == 0, res.output
    oa = pd.read_parquet(tmp_path / "out" / "clean" / "open_answers.parquet")
    assert list(oa.columns) == [
        "answer_id", "respondent_id", "lab", "wave", "role", "school_type", "question", "text",
        "source_file", "source_row",
    ]  # fmt: skip
    texts = dict(zip(oa["source_row"], oa["text"], strict=True))
    assert texts[5] == "Met [naam] gaat het goed. Groet, [naam]"
    assert texts[6] == "Mail [e-mail] of bel [telefoon]"
    assert oa.loc[oa["source_row"] == 8, "text"].tolist() == ["Meer tijd in het rooster."]
    assert set(oa["question"]) == {"goed", "beter"}
    log = pd.read_csv(tmp_path / "out" / "clean" / "cleaning_log.csv")
    row = log[log["step"] == "open_answers"].iloc[0]
    assert row["detail"] == "3 answers; replaced e-mail: 1; naam: 2; telefoon: 1"
    audit = pd.read_csv(tmp_path / "out" / "clean" / "deidentification.csv")
    assert dict(zip(audit["kind"], audit["n"], strict=True)) == {
        "answers": 3, "e-mail": 1, "naam": 2, "telefoon": 1,
    }  # fmt: skip
    body = (tmp_path / "out" / "clean" / "cleaning_log.csv").read_text(encoding="utf-8")
    assert name not in body and "06-12345678" not in body
    resp = (tmp_path / "out" / "clean" / "responses.csv").read_text(encoding="utf-8")
    assert "rooster" not in resp


def test_open_answers_false_drops_them(tmp_path):
    df = dutch_frame(8)
    df["Wat gaat goed?"] = "Goede sfeer."
    out = tmp_path / "out"
    stale = out / "clean" / "open_answers.parquet"
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"old")
    res = run_cli(
        "clean", "--study", str(_study(tmp_path, df, open_answers=False)), "--out", str(out)
    )
    assert res.exit_code == 0, res.output
    assert not stale.exists()
    log = pd.read_csv(out / "clean" / "cleaning_log.csv")
    assert "settings.open_answers: false" in set(log["rule"])
    for path in (out / "clean").iterdir():
        assert "sfeer" not in path.read_bytes().decode("utf-8", "replace"), path.name


def _answers_frame():
    df = dutch_frame(12)
    df["Naam"] = [f"Persoon {chr(65 + i)} Jansen" for i in range(12)]
    df["Wat gaat goed?"] = ""
    df.loc[3, "Wat gaat goed?"] = f"Met {df.loc[5, 'Naam']} gaat het goed."
    df.loc[4, "Wat gaat goed?"] = "Bel 06-12345678"
    df["Wat kan beter?"] = ""
    df.loc[6, "Wat kan beter?"] = "Meer tijd in het rooster."
    return df


def test_deduce_worker_gives_the_same_files(tmp_path, deduce_model, monkeypatch):
    # `leerlab clean` loads deduce in a worker process while it reads the exports and
    # de-identifies there; in a process that has deduce already it does so in
    # process. Both routes must write the same bytes.
    from leerlab_research import workers
    from leerlab_research.cleaning import open_answers

    study = _study(tmp_path, _answers_frame())
    res = run_cli("clean", "--study", str(study), "--out", str(tmp_path / "here"))
    assert res.exit_code == 0, res.output
    beside = []

    def recording_pool(n, *, beside_main=False):
        beside.append(beside_main)
        return workers.pool(n, beside_main=beside_main)

    monkeypatch.setattr(open_answers, "deduce_loaded", lambda: False)
    monkeypatch.setattr(open_answers, "available_cores", lambda: 2)
    monkeypatch.setattr(open_answers, "pool", recording_pool)
    res = run_cli("clean", "--study", str(study), "--out", str(tmp_path / "worker"))
    assert res.exit_code == 0, res.output
    assert beside == [True]  # a worker process of its own did the work
    files = sorted(p.name for p in (tmp_path / "here" / "clean").iterdir())
    assert "open_answers.parquet" in files
    for name in files:
        a = (tmp_path / "here" / "clean" / name).read_bytes()
        assert a == (tmp_path / "worker" / "clean" / name).read_bytes(), name


def test_build_leaves_out_rows_that_do_not_stay(deduce_model):
    # The answers of every kept row are sent before careless responding is decided;
    # a row excluded afterwards must leave neither its text nor its counts behind.
    import numpy as np

    from leerlab_research.cleaning.audit import CleaningLog
    from leerlab_research.cleaning.open_answers import RawOpen, build, start
    from leerlab_research.workers import pool

    kept = pd.DataFrame(
        {
            "_source_index": [0, 0, 0],
            "_pos": [2, 0, 1],
            "respondent_id": ["r3", "r1", "r2"],
            "lab": ["weert"] * 3,
            "wave": ["T0"] * 3,
            "role": ["docent"] * 3,
            "school_type": ["vmbo"] * 3,
            "source_file": ["x.csv"] * 3,
            "source_row": [4, 2, 3],
        }
    )
    texts = np.array(["Bel 06-12345678", None, "Mail a@b.example of 06-87654321"], dtype=object)
    raw = {0: RawOpen(texts={"goed": texts}, names=[], emails=[])}
    with pool(1) as inline:
        scrubbing = start(kept, raw, [], [], inline)
    log, audit = CleaningLog(), []
    stay = np.array([False, True, True])  # r3 goes; r2 (no answer) and r1 stay
    table = build(kept, stay, scrubbing, {0: "x.csv"}, log, audit)
    assert table["respondent_id"].tolist() == ["r1"]
    assert table["text"].tolist() == ["Bel [telefoon]"]
    assert audit == [("x.csv", "answers", 1), ("x.csv", "telefoon", 1)]
    everyone = build(kept, np.ones(3, dtype=bool), scrubbing, {0: "x.csv"}, CleaningLog(), [])
    assert sorted(everyone["respondent_id"]) == ["r1", "r3"]
