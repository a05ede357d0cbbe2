"""read_export stays fast on a big Dutch Excel CSV (100,000 rows × 45 columns)."""

from __future__ import annotations

import time

from leerlab_research.io import read_export


def test_100k_dutch_csv_is_fast(tmp_path):
    header = ["Naam", "Lab", "Datum", "Score"] + [f"Q{i}" for i in range(1, 42)]
    items = ";".join(str(1 + i % 5) for i in range(41))
    # Two alternating rows; byte repetition builds the 10 MB file in milliseconds.
    rows = (
        f"Joëlle;'s-Hertogenbosch;03-02-2024 10:15;3,5;{items}\r\n"
        f"Piet;Zwolle;14-02-2024 09:00;;{items}\r\n"
    )
    p = tmp_path / "big.csv"
    p.write_bytes((";".join(header) + "\r\n" + rows * 50_000).encode("cp1252"))

    start = time.perf_counter()
    r = read_export(p)
    seconds = time.perf_counter() - start

    assert r.frame.shape == (100_000, 45)
    assert r.detected["encoding"] == "cp1252" and r.detected["delimiter"] == ";"
    assert r.detected["decimal"] == "," and r.detected["dayfirst"] is True
    assert r.source_rows[-1] == 100_001
    assert r.frame["Naam"].iloc[-2] == "Joëlle"
    assert r.frame["Score"].isna().sum() == 50_000
    # Target is "a few seconds"; the bound leaves room for a busy CI machine.
    assert seconds < 8, f"read_export took {seconds:.1f} s"
