"""Published theme counts and quotes of the open answers: counts, disclosure, no attribution."""

from __future__ import annotations

import pandas as pd
import pytest

from leerlab_research.coding.matcher import propose, term_pattern
from leerlab_research.compare.common import ALL
from leerlab_research.compare.open_themes import QUOTE_COLUMNS, quote_table, theme_table, trim_quote


def _data(sizes: dict[str, int]):
    resp, ans = [], []
    texts = [
        "Meer tijd in het rooster. Verder prima.",
        "Minder vergaderen, meer doen.",
        "Het budget is op.",
    ]
    for lab, n in sizes.items():
        for i in range(n):
            rid = f"{lab[:3]}{i:013d}"
            resp.append((rid, lab, "T0", "docent" if i % 2 else "bestuur", "vmbo"))
            ans.append((f"{rid}-T0-beter", rid, lab, "T0", "docent", "vmbo", "beter", texts[i % 3]))
    r = pd.DataFrame(resp, columns=["respondent_id", "lab", "wave", "role", "school_type"])
    a = pd.DataFrame(
        ans,
        columns=[
            "answer_id",
            "respondent_id",
            "lab",
            "wave",
            "role",
            "school_type",
            "question",
            "text",
        ],
    )
    return r, a


@pytest.fixture
def tables(codebook):
    r, a = _data({"weert": 12, "helmond": 9, "gorinchem": 3, "stadskanaal": 6})
    codes = propose(a, codebook.coding_frame)
    domains = {s.name: s.domain for s in codebook.scales.values()}
    t = theme_table(r, a, codes, codebook.coding_frame, domains, min_cell=5)
    return t, quote_table(t, a, codes, codebook.coding_frame), a


def test_counts_per_lab_and_programme(tables):
    t, _, _ = tables
    row = t[(t["lab"] == "weert") & (t["theme"] == "tijd_roosters")].iloc[0]
    assert (row["n_respondents"], row["n_answers"], row["n_mentions"], row["n_auto"]) == (
        12,
        12,
        4,
        4,
    )
    assert row["share"] == pytest.approx(4 / 12) and row["domain"] == "verankering"
    prog = t[(t["lab"] == ALL) & (t["theme"] == "tijd_roosters")].iloc[0]
    assert prog["n_respondents"] == 30 and prog["n_mentions"] == 4 + 3 + 1 + 2


def test_small_lab_suppressed_and_protected_by_another(tables):
    t, q, _ = tables
    reasons = t[t["lab"] != ALL].groupby("lab")["suppression_reason"].agg(set)
    assert reasons["gorinchem"] == {"primary"}
    # programme total − shown labs would reveal gorinchem: the smallest other lab goes too
    assert reasons["stadskanaal"] == {"complementary"}
    assert reasons["weert"] == {""} and reasons["helmond"] == {""}
    assert t.loc[t["suppressed"], ["n_mentions", "n_respondents", "share"]].isna().all().all()
    assert set(q["lab"]) == {"weert", "helmond"}


def test_quotes_are_short_unique_and_unattributed(tables):
    _, q, answers = tables
    assert list(q.columns) == QUOTE_COLUMNS
    assert not {"answer_id", "respondent_id", "role", "school_type"} & set(q.columns)
    assert not q.duplicated(["wave", "lab", "question", "quote"]).any()
    weert = q[q["lab"] == "weert"]
    assert weert["rank"].max() <= 3 and weert.groupby("theme").size().max() <= 3
    assert "Meer tijd in het rooster." in set(weert["quote"])  # the sentence, not the answer
    assert all(any(x in t for t in answers["text"]) for x in q["quote"])


def test_trim_quote():
    pat = term_pattern("budget*")
    assert (
        trim_quote("Goed. Het budget is op. Verder niets.", pat)
        == "Het budget is op. Verder niets."
    )
    long = "Het budget " + "is heel erg op " * 30
    out = trim_quote(long, pat)
    assert len(out) <= 202 and out.endswith("…")


def _with_outsiders(n_out: int):
    """Weert and Helmond school members plus ``n_out`` outsiders (school type anders) who
    named Weert as their lab and all want more time ('Meer tijd in het rooster.')."""
    r, a = _data({"weert": 12, "helmond": 9})
    out_r, out_a = _data({"weert": n_out})
    out_r = out_r.assign(school_type="anders", respondent_id="x" + out_r["respondent_id"])
    out_a = out_a.assign(
        school_type="anders",
        respondent_id="x" + out_a["respondent_id"],
        answer_id="x" + out_a["answer_id"],
        text="Meer tijd in het rooster, zegt de buitenstaander.",
    )
    return pd.concat([r, out_r], ignore_index=True), pd.concat([a, out_a], ignore_index=True)


@pytest.mark.parametrize("n_out", [2, 6])
def test_a_labs_counts_are_its_school_members(codebook, n_out):
    """Publication design (compare/publication.py): non-members never count in a lab; they are
    the buiten_scholen group, part of the programme, shown only from min_cell on, and never
    quoted. With fewer than min_cell outsiders their row is hidden and protected, so the
    programme total minus the labs cannot reveal them."""
    from leerlab_research.compare.open_themes import open_tables
    from leerlab_research.compare.publication import OUTSIDE

    r, a = _with_outsiders(n_out)
    codes = propose(a, codebook.coding_frame)
    t, q = open_tables(r, (a, codes), codebook, min_cell=5)
    t = t[t["question"] == "beter"].set_index(["lab", "theme"])
    weert = t.loc[("weert", "tijd_roosters")]
    assert (weert["n_respondents"], weert["n_answers"], weert["n_mentions"]) == (12, 12, 4)
    outside = t.loc[(OUTSIDE, "tijd_roosters")]
    prog = t.loc[(ALL, "tijd_roosters")]
    if n_out >= 5:
        assert not outside["suppressed"] and outside["n_mentions"] == n_out
        assert prog["n_respondents"] == 21 + n_out and prog["n_mentions"] == 4 + 3 + n_out
    else:
        assert outside["suppression_reason"] == "primary"
        # Σ shown rows must not equal the programme: another row is hidden too
        rows = t.xs("tijd_roosters", level="theme")
        assert rows["suppressed"].sum() >= 2 or prog["suppressed"]
    assert OUTSIDE not in set(q["lab"])
    assert not q["quote"].str.contains("buitenstaander").any()
