"""Harmonising one export to the clean layout (cleaning/harmonise.py) for raw exports
laid out like the platforms' real exports (reference notes §1).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from cleaning_helpers import KEY

from leerlab_research.cleaning.audit import CleaningLog, Failures
from leerlab_research.cleaning.harmonise import harmonise
from leerlab_research.config.settings import CleaningSettings
from leerlab_research.config.study import Source


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
