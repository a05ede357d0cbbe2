"""Property: the column order of a delimited export does not change what is read."""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leerlab_research.io import read_export

HEADER = st.text(alphabet="abcdefghijkAMBQ_[]0123456789ë ", min_size=1, max_size=12).filter(
    lambda s: s.strip() == s and s != ""
)
VALUE = st.one_of(
    st.none(),
    st.sampled_from(["A1", "Mee eens", "3,5", "9", "03-02-2024", "Joëlle", "x, y", "y;z"]),
    st.text(alphabet='ab ë,;"\n1', max_size=8),
)


@st.composite
def exports(draw):
    n_cols = draw(st.integers(2, 6))
    headers = draw(st.lists(HEADER, min_size=n_cols, max_size=n_cols, unique=True))
    n_rows = draw(st.integers(1, 6))
    rows = [[draw(VALUE) for _ in range(n_cols)] for _ in range(n_rows)]
    # A record needs at least one value, or it is a blank row and skipped.
    rows = [[v if i or any(r) else "x" for i, v in enumerate(r)] for r in rows]
    order = draw(st.permutations(range(n_cols)))
    sep = draw(st.sampled_from([",", ";", "\t"]))
    # LimeSurvey quotes everything; Excel/Google quote only where needed.
    writer = draw(st.sampled_from(["limesurvey_csv", "plain_csv"]))
    return headers, rows, list(order), sep, writer


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(exports())
def test_column_shuffle_gives_same_frame(build, case):
    headers, rows, order, sep, writer = case
    write = getattr(build, writer)
    shuffled = [[r[i] for i in order] for r in [headers, *rows]]
    with tempfile.TemporaryDirectory() as tmp:
        a, b = Path(tmp, "a.csv"), Path(tmp, "b.csv")
        a.write_bytes(write([headers, *rows], sep=sep))
        b.write_bytes(write(shuffled, sep=sep))
        ra, rb = read_export(a), read_export(b)
    assert set(ra.frame.columns) == set(headers)
    pd.testing.assert_frame_equal(ra.frame, rb.frame[list(ra.frame.columns)])
    np.testing.assert_array_equal(ra.source_rows, rb.source_rows)
    for key in ("encoding", "delimiter", "decimal", "dayfirst", "platform"):
        assert ra.detected[key] == rb.detected[key], key
    assert ra.detected["delimiter"] == sep
