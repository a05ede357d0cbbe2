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
    assert s == "Faciliteren: 4 labs houden stand, 3 nemen af, 1 neemt toe; bij 4 niet te zeggen."
    one = count_sentence("Evalueren", {"houdt_stand": 1, "neemt_af": 1, "neemt_toe": 0}, "en")
    assert one == "Evalueren: 1 lab holds, 1 declines, 0 rise; 0 cannot tell."
    assert fmt_date(dt.date(2023, 8, 31)) == "31 augustus 2023"
    assert fmt_date(dt.date(2023, 8, 31), "en") == "31 August 2023"


def test_panel_messages_have_both_languages():
    keys = [k for k in T.MESSAGES if k.startswith(("panel_", "verdict_", "col_", "slope_"))]
    assert len(keys) > 20
    assert all(T.MESSAGES[k].get("nl") and T.MESSAGES[k].get("en") for k in keys)


def test_anchoring_groups_are_named_from_the_catalogue():
    from leerlab_research.report.panel import group_label

    assert group_label("slope_after[line=samenwerking]") == "Samenwerkingslijn"
    assert group_label("slope_after[line=leerroute]", "en") == "Continuous learning route line"
    assert group_label("slope_after[round=2022]") == "Ronde 2022"
    assert group_label("slope_after[round=2019]", "en") == "Round 2019"


def _panel_data(tmp_path, lang="nl"):
    import json
    from pathlib import Path

    import pandas as pd

    from leerlab_research.config.study import load_study
    from leerlab_research.outputs import write_csv
    from leerlab_research.report.context import ReportData

    repo = Path(__file__).resolve().parents[2]
    study = load_study(repo / "analyses" / "demo" / "study.yaml", check_sources=False)
    terms = ["slope_after", "slope_after[line=leerroute]", "slope_after[round=2019]"]
    long = pd.DataFrame(
        {
            "scale": "commitment",
            "model": ["anchoring", "line", "round"],
            "term": terms,
            "estimate": -0.2,
            "ci_low": -0.4,
            "ci_high": -0.05,
            "verdict": "neemt_af",
        }
    )
    traj = pd.DataFrame(
        {
            "scale": "commitment",
            "lab": "weert",
            "wave": ["T0", "T1", "T2"],
            "wave_order": [0, 1, 2],
            "time": [0.0, 0.69, 1.69],
            "after": [0.0, 0.0, 0.75],
            "phase": ["during", "during", "after"],
            "n": 20,
            "raw_mean": [3.5, 3.6, 3.3],
            "estimate": [3.5, 3.6, 3.3],
            "ci_low": [3.3, 3.4, 3.1],
            "ci_high": [3.7, 3.8, 3.5],
            "programme_estimate": 3.5,
            "programme_ci_low": 3.4,
            "programme_ci_high": 3.6,
            "verdict": "neemt_af",
            "suppressed": False,
            "suppression_reason": "",
        }
    )
    (tmp_path / "compare").mkdir()
    index = {"tables": {}}
    for name, df in {"longitudinal": long, "trajectories": traj}.items():
        write_csv(df, tmp_path / "compare" / f"{name}.csv")
        index["tables"][name] = {"file": f"{name}.csv"}
    (tmp_path / "compare" / "results.json").write_text(json.dumps(index), encoding="utf-8")
    return ReportData(study=study, out=tmp_path, figure_dir=tmp_path / "figures", lang=lang)


def test_anchoring_table_names_line_and_round_in_words(tmp_path):
    text = _panel_data(tmp_path).anchoring_programme()
    assert "Doorlopende-leerroutelijn" in text and "Ronde 2019" in text
    assert "line:" not in text and "round:" not in text and "leerroute |" not in text


def test_trajectory_figures_show_the_study_wave_labels(tmp_path, monkeypatch):
    """The x-axis of the trajectory figures carries the waves' labels (study file), not ids."""
    from leerlab_research.report import panel

    seen = {}
    real = panel.trajectory_plot

    def spy(*args, **kwargs):
        seen.update(kwargs["wave_labels"])
        return real(*args, **kwargs)

    monkeypatch.setattr(panel, "trajectory_plot", spy)
    data = _panel_data(tmp_path, lang="en")
    data.trajectory_figures("weert")
    assert seen == {
        "T0": "Start of the subsidy year",
        "T1": "End of the subsidy year",
        "T2": "One year later",
    }
