"""Words for the waves and anchoring sections (report/panel.py helpers)."""

from __future__ import annotations

import datetime as dt
import math

from leerlab_research import text as T
from leerlab_research.report.panel import count_sentence, fmt_date, slope_sentence, verdict_word


def test_verdict_words_in_both_languages():
    assert [
        verdict_word(v) for v in ("houdt_stand", "neemt_af", "neemt_toe", "niet_te_zeggen")
    ] == [
        "houdt stand",
        "neemt af",
        "neemt toe",
        "niet te zeggen",
    ]
    assert verdict_word("neemt_af", "en") == "declines"
    assert verdict_word("") == "niet te zeggen"


def test_slope_sentence_uses_decimal_comma_and_minus_sign():
    assert slope_sentence("Commitment", "neemt_af", -0.31, -0.55, -0.07) == (
        "Commitment: neemt af (−0,31 per jaar, [−0,55; −0,07])."
    )
    en = slope_sentence("Commitment", "houdt_stand", 0.01, -0.1, 0.12, "en")
    assert en == "Commitment: holds (0.01 per year, [−0.10, 0.12])."
    blank = slope_sentence("Evalueren", "", math.nan, math.nan, math.nan)
    assert "niet te zeggen" in blank


def test_count_sentence_and_date():
    s = count_sentence(
        "Faciliteren", {"houdt_stand": 4, "neemt_af": 3, "neemt_toe": 1, "niet_te_zeggen": 4}
    )
    assert s.startswith("Faciliteren: 4 labs houden stand, 3 nemen af, 1 nemen toe")
    assert fmt_date(dt.date(2023, 8, 31)) == "31 augustus 2023"
    assert fmt_date(dt.date(2023, 8, 31), "en") == "31 August 2023"


def test_panel_messages_have_both_languages():
    keys = [k for k in T.MESSAGES if k.startswith(("panel_", "verdict_", "col_", "slope_"))]
    assert len(keys) > 20
    assert all(T.MESSAGES[k].get("nl") and T.MESSAGES[k].get("en") for k in keys)
