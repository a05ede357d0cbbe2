"""Unit tests of the cleaning steps: mapping, values, pseudonyms, keying, careless indices.

Raw exports are built by hand as :class:`leerlab_research.io.RawExport` objects
laid out like the platforms' real exports (reference notes §1).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from leerlab_research.cleaning.audit import CleaningLog, Failures
from leerlab_research.cleaning.careless import (
    careless_indices,
    even_odd,
    irv,
    longstring,
    mahalanobis,
)
from leerlab_research.cleaning.harmonise import harmonise
from leerlab_research.cleaning.mapping import map_columns
from leerlab_research.cleaning.pseudonymise import normalise_key, pseudonymise
from leerlab_research.cleaning.scoring import apply_reverse_keying, min_items, scale_scores
from leerlab_research.cleaning.values import parse_category, parse_datetime, parse_item
from leerlab_research.config.settings import CarelessSettings, CleaningSettings
from leerlab_research.config.study import Source

KEY = b"unit-test-key"


# ------------------------------------------------------------------ mapping
def test_limesurvey_codes_both_forms(codebook):
    headers = ["id", "submitdate", "token", "lab", "schooltype", "rol", "consent",
               "focus[curriculum]", "AMB[SQ001]", "AMB_SQ004", "FAC[SQ003]", "ipaddr"]  # fmt: skip
    cmap = map_columns(headers, codebook, explicit={"token": "respondent_id"})
    assert cmap.to_code["AMB1"] == "AMB[SQ001]"
    assert cmap.to_code["AMB4"] == "AMB_SQ004"
    assert cmap.to_code["FAC3"] == "FAC[SQ003]"
    assert cmap.to_code["school_type"] == "schooltype" and cmap.to_code["role"] == "rol"
    assert cmap.to_code["focus_curriculum"] == "focus[curriculum]"
    assert cmap.how["respondent_id"] == "study"
    assert {"token", "ipaddr"} <= set(cmap.personal)
    assert cmap.unknown == []


def test_item_text_headers_nl_en_and_platform_wrappers(codebook):
    amb1 = codebook.items["AMB1"].text
    headers = [
        amb1.nl.upper() + "  ",  # case and spacing
        "Over het leerlab - " + codebook.items["AMB2"].text.nl,  # Qualtrics 'question - statement'
        f"Stellingen [{codebook.items['AMB3'].text.en}]",  # LimeSurvey full heading, English
        "Leerlab", "Schooltype", "Rol", "Toestemming", "Begonnen op",
        "Wat is je lievelingskleur?",
    ]  # fmt: skip
    cmap = map_columns(headers, codebook)
    assert cmap.to_code["AMB1"] == headers[0] and cmap.how["AMB1"] == "text"
    assert cmap.to_code["AMB2"] == headers[1]
    assert cmap.to_code["AMB3"] == headers[2]
    assert cmap.to_code["lab"] == "Leerlab" and cmap.to_code["started_at"] == "Begonnen op"
    assert cmap.unknown == ["Wat is je lievelingskleur?"]


def test_header_text_for_qualtrics_tags_and_spss_labels(codebook):
    headers = ["Q5_1", "Q5_2", "v_lab"]
    header_text = {
        "Q5_1": "Hoe kijk je naar het leerlab? - " + codebook.items["REL1"].text.nl,
        "Q5_2": codebook.items["REL2"].text.en,
        "v_lab": "Leerlab",
    }
    cmap = map_columns(headers, codebook, header_text=header_text)
    assert cmap.to_code["REL1"] == "Q5_1" and cmap.how["REL1"] == "label"
    assert cmap.to_code["REL2"] == "Q5_2"
    assert cmap.to_code["lab"] == "v_lab"


def test_two_columns_for_one_item_is_a_conflict(codebook):
    cmap = map_columns(["AMB1", "AMB[SQ001]"], codebook)
    assert cmap.conflicts == [("AMB[SQ001]", "AMB1", "AMB1")]


# ------------------------------------------------------------------ values
def test_item_values_labels_numbers_missing(codebook):
    vs = codebook.value_set_of("AMB1")
    s = pd.Series(["Helemaal mee eens", "Strongly disagree", "Niet eens, niet oneens", "4,0", " 2 ",
                   "9", "Weet niet", "n.v.t.", np.nan, "", "A3", "7", "3,5", "Soms"])  # fmt: skip
    p = parse_item(s, vs)
    np.testing.assert_array_equal(p.values[:8], [5, 1, 3, 4, 2, 9, 9, 9])
    assert list(p.reason[5:10]) == ["dont_know"] * 3 + ["blank", "blank"]
    assert p.values[10] == 3
    assert list(p.bad) == [False] * 11 + [True, True, True]
    assert "out of range" in p.messages[11]


def test_spss_user_missing_and_labels(codebook):
    vs = codebook.value_set_of("AMB1")
    s = pd.Series([1.0, 5.0, 9.0, 8.0, np.nan])
    p = parse_item(
        s,
        vs,
        user_missing=[8.0, 9.0],
        value_labels={8.0: "Geen antwoord", 9.0: "Weet niet / n.v.t."},
    )
    assert list(p.values[:4]) == [1, 5, 9, 8]
    assert list(p.reason) == [None, None, "dont_know", "user_missing", "blank"]
    assert not p.bad.any()


def test_categories_with_spss_labels_and_yes_no(codebook):
    st = parse_category(pd.Series([1.0, 2.0, 3.0]), codebook, "school_type",
                        value_labels={1.0: "vmbo", 2.0: "mbo", 3.0: "anders"})  # fmt: skip
    assert list(st.values) == ["vmbo", "mbo", "anders"]
    c = parse_category(
        pd.Series(["Y", "N", "Ja", "nee", "1", 0.0, "Yes", "misschien"]), codebook, "consent"
    )
    assert list(c.values[:7]) == ["ja", "nee", "ja", "nee", "ja", "nee", "ja"]
    assert c.bad.tolist() == [False] * 7 + [True]
    role = parse_category(pd.Series(["Docent", "teacher", "Process facilitator"]), codebook, "role")
    assert list(role.values) == ["docent", "docent", "procesbegeleider"]


def test_dates_dayfirst():
    p = parse_datetime(
        pd.Series(["03-02-2024 10:00", "", "31-12-2024 23:59", "gisteren"]), dayfirst=True
    )
    assert pd.Timestamp(p.values[0]) == pd.Timestamp("2024-02-03 10:00")
    assert pd.isna(p.values[1]) and not p.bad[1]
    assert pd.Timestamp(p.values[2]) == pd.Timestamp("2024-12-31 23:59")
    assert p.bad.tolist() == [False, False, False, True]


# ------------------------------------------------------------------ pseudonyms
def test_pseudonyms_link_spellings_of_one_key():
    keys = pd.Series(
        [" Anna@School.nl", "anna@school.nl ", "LL12345", 17.0, "17", np.nan, "anonymous"]
    )
    ids = pseudonymise(keys, KEY)
    assert ids[0] == ids[1] and ids[3] == ids[4] and ids[0] != ids[2]
    assert ids[:5].str.fullmatch(r"[0-9a-f]{16}").all()
    assert ids[5:].isna().all()
    assert pseudonymise(keys, b"other-key")[0] != ids[0]
    assert normalise_key("AbC") == "AbC"  # tokens stay case-sensitive


# ------------------------------------------------------------------ keying and scores
def test_reverse_keying_and_scores(codebook):
    k = len(codebook.item_codes)
    items = np.full((2, k), 4.0)
    items[1, :] = np.nan
    amb = [codebook.item_codes.index(c) for c in codebook.scales["ambitie"].items]
    items[1, amb[:3]] = [5, 4, 3]  # 3 of 4 answered → score; AMB4 missing
    keyed = apply_reverse_keying(items, codebook)
    assert keyed[0, codebook.item_codes.index("AMB4")] == 2
    scores, counts = scale_scores(keyed, codebook, 2 / 3)
    assert scores["ambitie"][1] == pytest.approx(4.0) and counts["ambitie"][1] == 3
    assert np.isnan(scores["belangen"][1]) and counts["belangen"][1] == 0
    assert min_items(3, 2 / 3) == 2 and min_items(4, 2 / 3) == 3


# ------------------------------------------------------------------ careless
def test_longstring_irv():
    raw = np.array([[1, 1, 2, 2, 2, 9, 9], [3, np.nan, 3, 3, 1, 1, 5], [4] * 7], dtype=float)
    assert longstring(raw).tolist() == [3, 2, 7]
    assert irv(raw[2:3])[0] == 0
    assert irv(raw[:1, :5])[0] == pytest.approx(np.std([1, 1, 2, 2, 2], ddof=1))


def test_mahalanobis_matches_scipy_and_uses_items_as_df(codebook):
    rng = np.random.default_rng(3)
    x = rng.normal(size=(300, 6))
    d2 = mahalanobis(x)
    inv = np.linalg.inv(np.cov(x, rowvar=False))
    want = np.einsum("ij,jk,ik->i", x - x.mean(0), inv, x - x.mean(0))
    np.testing.assert_allclose(d2, want, rtol=1e-8)
    # df = number of items (34), not the number of respondents (R careless::mahad's bug)
    cfg = CarelessSettings()
    crit = stats.chi2.ppf(1 - cfg.mahalanobis_p, df=34)
    assert 60 < crit < 70


def test_even_odd_high_for_consistent_low_for_random(codebook):
    rng = np.random.default_rng(0)
    k = len(codebook.item_codes)
    scale_idx = np.array(
        [list(codebook.scales).index(codebook.scale_of_item[c]) for c in codebook.item_codes]
    )
    level = rng.integers(1, 6, size=(200, len(codebook.scales)))
    consistent = level[:, scale_idx].astype(float)
    random = rng.integers(1, 6, size=(200, k)).astype(float)
    eo_c = even_odd(consistent, codebook)
    eo_r = even_odd(random, codebook)
    assert np.nanmedian(eo_c) > 0.9
    assert np.nanmedian(eo_r) < 0.3


def test_careless_flags_need_agreement(codebook):
    rng = np.random.default_rng(1)
    n, k = 400, len(codebook.item_codes)
    scale_idx = np.array(
        [list(codebook.scales).index(codebook.scale_of_item[c]) for c in codebook.item_codes]
    )
    eta = rng.normal(size=(n, 1)) + rng.normal(scale=0.7, size=(n, len(codebook.scales)))
    raw = np.clip(np.round(3 + eta[:, scale_idx] + rng.normal(scale=0.6, size=(n, k))), 1, 5)
    raw[0] = 4  # straightliner
    keyed = raw.copy()
    dur = np.full(n, 600.0)
    dur[1] = 30  # fast but otherwise normal: one index only
    cr = careless_indices(raw, keyed, dur, codebook, CarelessSettings())
    assert (
        cr.loc[0, "careless_flag"] and cr.loc[0, "cr_flag_longstring"] and cr.loc[0, "cr_flag_irv"]
    )
    assert cr.loc[1, "cr_flag_seconds_per_item"] and cr.loc[1, "cr_n_flags"] == 1
    assert not cr.loc[1, "careless_flag"]
    assert cr["careless_flag"].mean() < 0.05


# ------------------------------------------------------------------ hand-built RawExports
def _raw(frame, platform, **kw):
    from leerlab_research.io import RawExport

    return RawExport(path=Path(f"x.{platform}"), platform=platform, frame=frame,
                     source_rows=np.arange(len(frame)) + kw.pop("first_row", 2), **kw)  # fmt: skip


def _harmonise(raw, codebook, labs, wave="T0", columns=None):
    failures, log = Failures(), CleaningLog()
    src = Source(path=f"x.{raw.platform}", platform=raw.platform, wave=wave, columns=columns or {})
    h = harmonise(raw, src, 0, codebook, labs, CleaningSettings(), KEY, failures, log)
    return h, failures


def test_qualtrics_like_export(codebook, labs):
    """Export tags, question text in header_text, Finished/Status system columns, preview row."""
    items = codebook.item_codes
    rows = []
    for i, (status, finished) in enumerate(
        [("IP Address", "True"), ("Survey Preview", "True"), ("IP Address", "False")]
    ):
        rec = {"StartDate": "2024-03-05 10:00:00", "EndDate": "2024-03-05 10:12:00", "Status": status,
               "Finished": finished, "ResponseId": f"R_{i}abc", "RecipientEmail": f"p{i}@x.nl",
               "ExternalReference": f"EXT{i}", "Q1": "Weert", "Q2": "mbo", "Q3": "Docent", "Q4": "Ja"}  # fmt: skip
        rec.update({f"Q10_{j + 1}": "Agree" for j in range(len(items))})
        rows.append(rec)
    frame = pd.DataFrame(rows)
    header_text = {"Q1": "Leerlab", "Q2": "Schooltype", "Q3": "Rol", "Q4": "Toestemming"}
    header_text.update(
        {f"Q10_{j + 1}": f"Stellingen - {codebook.items[c].text.en}" for j, c in enumerate(items)}
    )
    raw = _raw(frame, "qualtrics", first_row=4, header_text=header_text,
               system={"started_at": "StartDate", "submitted_at": "EndDate", "status": "Status",
                       "finished": "Finished", "response_id": "ResponseId", "email": "RecipientEmail"})  # fmt: skip
    h, failures = _harmonise(raw, codebook, labs, columns={"ExternalReference": "respondent_id"})
    assert failures.blocking == [], failures.rows
    df = h.frame
    assert df["lab"].tolist() == ["weert"] * 3
    assert df["_test"].tolist() == [False, True, False]
    assert df["_submitted"].tolist() == [1.0, 1.0, 0.0]
    assert (df[items].to_numpy() == 4).all()
    assert df["source_row"].tolist() == [4, 5, 6]
    assert "RecipientEmail" in h.cmap.personal and "ExternalReference" in h.cmap.personal


def test_spss_like_export(codebook, labs):
    """Numeric codes with value labels and user-missing 9, like pyreadstat with user_missing=True."""
    items = codebook.item_codes
    frame = pd.DataFrame({"respondent_id": ["LL1", "LL2"], "naam": ["A B", "C D"], "lab": ["Weert", "NH"],
                          "school_type": [1.0, 2.0], "role": [3.0, 1.0], "consent": [1.0, 0.0]})  # fmt: skip
    for c in items:
        frame[c] = [4.0, 9.0]
    labels = {"school_type": {1.0: "vmbo", 2.0: "mbo", 3.0: "anders"},
              "role": {1.0: "bestuur", 2.0: "management", 3.0: "docent"}}  # fmt: skip
    labels.update({c: {1.0: "Helemaal oneens", 9.0: "Weet niet / n.v.t."} for c in items})
    raw = _raw(frame, "spss", value_labels=labels, missing_values={c: [9.0] for c in items})
    h, failures = _harmonise(raw, codebook, labs)
    assert failures.blocking == []
    df = h.frame
    assert df["school_type"].tolist() == ["vmbo", "mbo"] and df["role"].tolist() == [
        "docent",
        "bestuur",
    ]
    assert df["consent"].tolist() == ["ja", "nee"] and df["lab"].tolist() == [
        "weert",
        "noord-holland",
    ]
    assert set(h.reasons[1]) == {"dont_know"}
    assert "naam" not in df.columns and "respondent_id" in df.columns
    assert df["respondent_id"].str.len().eq(16).all()
