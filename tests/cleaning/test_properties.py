"""Property tests (hypothesis, few small examples): order invariance, keying, accounting."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from cleaning_helpers import dutch_frame, write_dutch_csv, write_study
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from rich.console import Console

from leerlab_research.cleaning.scoring import reverse_key
from leerlab_research.cleaning.stage import run_clean
from leerlab_research.config.study import load_study
from leerlab_research.errors import DataError
from leerlab_research.runtime import StageContext

# Each example runs the whole stage (~0.3 s): few examples, and no shrinking (a failing
# example is printed as drawn, which is readable enough for these small inputs).
FAST = settings(
    max_examples=4,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
)


def _base() -> pd.DataFrame:
    """40 respondents plus a test row, a refusal, an abandoned attempt and a resubmission."""
    df = dutch_frame(40, seed=11)
    extra = df.iloc[[0, 1, 2, 3]].copy()
    extra.iloc[0, extra.columns.get_loc("Naam")] = "Test"
    extra.iloc[0, extra.columns.get_loc("Respondentnummer")] = "99901"
    extra.iloc[1, extra.columns.get_loc("Toestemming")] = "Nee"
    extra.iloc[1, extra.columns.get_loc("Respondentnummer")] = "99902"
    extra.iloc[2, extra.columns.get_loc("Verstuurd op")] = (
        np.nan
    )  # abandoned earlier attempt of person 2
    extra.iloc[3, extra.columns.get_loc("Verstuurd op")] = (
        "01-03-2024 08:00:00"  # earlier duplicate of person 3
    )
    return pd.concat([df, extra], ignore_index=True)


def _clean(
    folder: Path, frames: dict[str, pd.DataFrame]
) -> tuple[pd.DataFrame, pd.DataFrame, Path]:
    sources = []
    for name, df in frames.items():
        write_dutch_csv(df, folder / name)
        sources.append({"path": name, "platform": "csv", "wave": "T1" if "T1" in name else "T0"})
    study = load_study(write_study(folder, sources))
    ctx = StageContext(study=study, out=folder / "out", console=Console(file=io.StringIO()))
    run_clean(ctx)
    clean = folder / "out" / "clean"
    return (
        pd.read_parquet(clean / "responses.parquet"),
        pd.read_csv(clean / "exclusions.csv"),
        clean,
    )


BASE = _base()
_reference: dict[str, object] = {}


def _reference_tables():
    if not _reference:
        with tempfile.TemporaryDirectory() as d:
            resp, excl, clean = _clean(Path(d), {"s_T0.csv": BASE})
            _reference.update(
                resp=resp, excl=excl, files={p.name: p.read_bytes() for p in clean.iterdir()}
            )
    return _reference


def test_deterministic_bytes():
    ref = _reference_tables()
    with tempfile.TemporaryDirectory() as d:
        _, _, clean = _clean(Path(d), {"s_T0.csv": BASE})
        again = {p.name: p.read_bytes() for p in clean.iterdir()}
    assert again == ref["files"]


@FAST
@given(rows=st.permutations(range(len(BASE))), cols=st.permutations(list(BASE.columns)))
def test_shuffling_rows_and_columns_gives_the_same_table(rows, cols):
    ref = _reference_tables()
    shuffled = BASE.iloc[list(rows)][list(cols)].reset_index(drop=True)
    with tempfile.TemporaryDirectory() as d:
        resp, excl, _ = _clean(Path(d), {"s_T0.csv": shuffled})
    # source_row moves with the shuffle; everything else must be identical
    pd.testing.assert_frame_equal(
        resp.drop(columns="source_row"), ref["resp"].drop(columns="source_row")
    )
    key = ["respondent_id", "reason"]
    a = excl.drop(columns=["source_row", "detail"]).sort_values(key).reset_index(drop=True)
    b = ref["excl"].drop(columns=["source_row", "detail"]).sort_values(key).reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b)


@given(
    arrays(float, st.integers(1, 50), elements=st.sampled_from([1.0, 2.0, 3.0, 4.0, 5.0, np.nan]))
)
def test_reverse_keying_twice_is_identity(x):
    np.testing.assert_array_equal(reverse_key(reverse_key(x, 1, 5), 1, 5), x)
    ok = ~np.isnan(x)
    assert ((reverse_key(x, 1, 5)[ok] >= 1) & (reverse_key(x, 1, 5)[ok] <= 5)).all()


CORRUPTIONS = ["test", "no_consent", "blank_consent", "not_submitted", "blank_items", "duplicate",
               "dont_know", "english_label", "bad_lab", "out_of_range"]  # fmt: skip


def _corrupt(df: pd.DataFrame, edits: list[tuple[int, str]]) -> pd.DataFrame:
    df = df.copy()
    items = [c for c in df.columns if c[:3].isupper() and c[-1].isdigit()]
    extra = []
    for row, kind in edits:
        r = row % len(df)
        if kind == "test":
            df.loc[r, "Leerlab"] = "TEST"
        elif kind == "no_consent":
            df.loc[r, "Toestemming"] = "Nee"
        elif kind == "blank_consent":
            df.loc[r, "Toestemming"] = np.nan
        elif kind == "not_submitted":
            df.loc[r, "Verstuurd op"] = np.nan
        elif kind == "blank_items":
            df.loc[r, items[5:]] = np.nan
        elif kind == "duplicate":
            extra.append(df.loc[[r]].assign(**{"Verstuurd op": "01-03-2024 07:00:00"}))
        elif kind == "dont_know":
            df.loc[r, items[r % len(items)]] = "Weet niet"
        elif kind == "english_label":
            df.loc[r, items[0]] = "Strongly agree"
        elif kind == "bad_lab":
            df.loc[r, "Leerlab"] = "Atlantis"
        elif kind == "out_of_range":
            df.loc[r, items[1]] = "6"
    return pd.concat([df, *extra], ignore_index=True)


@FAST
@example(edits=[(100, "test"), (186, "blank_consent"), (11, "test"), (64, "not_submitted")])
@given(edits=st.lists(st.tuples(st.integers(0, 200), st.sampled_from(CORRUPTIONS)), max_size=8))
def test_rows_in_equal_kept_plus_excluded_under_corruption(edits):
    t0 = _corrupt(dutch_frame(25, seed=5), edits)
    t1 = _corrupt(dutch_frame(20, seed=6, wave_day="2025-03-03"), edits[::-1])
    with tempfile.TemporaryDirectory() as d:
        try:
            resp, excl, _ = _clean(Path(d), {"c_T0.csv": t0, "c_T1.csv": t1})
        except DataError as exc:
            # Only invalid values may stop the run, and then nothing is written.
            assert any(k in {"bad_lab", "out_of_range"} for _, k in edits), str(exc)
            assert not (Path(d) / "out" / "clean" / "responses.csv").exists()
            return
    for name, df in {"c_T0.csv": t0, "c_T1.csv": t1}.items():
        rows = set(resp.loc[resp["source_file"] == name, "source_row"]) | set(
            excl.loc[excl["source_file"] == name, "source_row"]
        )
        n_kept = int((resp["source_file"] == name).sum())
        n_excl = int((excl["source_file"] == name).sum())
        assert n_kept + n_excl == len(df) == len(rows)
        assert rows == set(range(2, len(df) + 2))


@pytest.mark.parametrize("exclude", [False, True])
def test_careless_exclusion_is_a_setting(tmp_path, exclude):
    df = dutch_frame(60, seed=3)
    items = [c for c in df.columns if c[:3].isupper() and c[-1].isdigit()]
    df.loc[0, items] = "4"  # straightliner
    write_dutch_csv(df, tmp_path / "k_T0.csv")
    study = load_study(
        write_study(
            tmp_path,
            [{"path": "k_T0.csv", "platform": "csv", "wave": "T0"}],
            {"cleaning": {"careless": {"exclude_flagged": exclude}}},
        )
    )
    ctx = StageContext(study=study, out=tmp_path / "out", console=Console(file=io.StringIO()))
    run_clean(ctx)
    resp = pd.read_csv(tmp_path / "out" / "clean" / "responses.csv")
    excl = pd.read_csv(tmp_path / "out" / "clean" / "exclusions.csv")
    log = pd.read_csv(tmp_path / "out" / "clean" / "cleaning_log.csv")
    assert log["rule"].str.contains(f"exclude_flagged={str(exclude).lower()}").any()
    if exclude:
        assert 2 in set(excl.loc[excl["reason"] == "careless", "source_row"])
        assert 2 not in set(resp["source_row"])
    else:
        assert resp.loc[resp["source_row"] == 2, "careless_flag"].item()
    assert len(resp) + len(excl) == 60
