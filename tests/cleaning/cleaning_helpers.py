"""Helpers for the cleaning tests: small exports built in the test, temp studies, the CLI."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from typer.testing import CliRunner

REPO = Path(__file__).resolve().parents[2]
CODEBOOK = REPO / "data" / "codebook" / "reflectie.yaml"
LABS = REPO / "data" / "codebook" / "labs.yaml"

runner = CliRunner()

DUTCH_HEADER = [
    "Respondentnummer", "Naam", "E-mail", "Leerlab", "Schooltype", "Rol", "Toestemming",
    "Begonnen op", "Verstuurd op", "Duur (min)",
]  # fmt: skip


def item_codes() -> list[str]:
    from leerlab_research.config.codebook import load_codebook

    return load_codebook(CODEBOOK).item_codes


def reverse_items() -> list[str]:
    from leerlab_research.config.codebook import load_codebook

    return load_codebook(CODEBOOK).reverse_items


def dutch_frame(
    n: int = 40, seed: int = 0, *, first_id: int = 10001, wave_day: str = "2024-03-04"
) -> pd.DataFrame:
    """A Dutch Excel export as strings: attentive answers driven by one factor per person.

    Answers are reverse-written for reverse items (the instrument's layout) so
    that keyed answers correlate positively, like real data.
    """
    rng = np.random.default_rng(seed)
    items = item_codes()
    rev = np.array([c in set(reverse_items()) for c in items])
    eta = rng.normal(0, 1, size=(n, 1))
    y = 0.7 * eta + 0.7 * rng.normal(0, 1, size=(n, len(items)))
    k = 1 + np.digitize(y, [-1.3, -0.5, 0.3, 1.1])
    k = np.where(rev, 6 - k, k)
    labs = np.array(["Gorinchem", "Den Bosch", "West Brabant", "Weert"])
    start = pd.Timestamp(wave_day) + pd.to_timedelta(rng.integers(8 * 3600, 20 * 3600, n), unit="s")
    dur = rng.integers(300, 900, n)
    submit = start + pd.to_timedelta(dur, unit="s")
    df = pd.DataFrame(
        {
            "Respondentnummer": [str(first_id + i) for i in range(n)],
            "Naam": [f"Persoon {chr(65 + i % 26)}{i} Jansen" for i in range(n)],
            "E-mail": [f"persoon{i}.jansen@school{i % 3}.example" for i in range(n)],
            "Leerlab": labs[rng.integers(0, len(labs), n)],
            "Schooltype": rng.choice(["vmbo", "mbo"], n),
            "Rol": rng.choice(["docent", "management", "bestuur"], n),
            "Toestemming": "Ja",
            "Begonnen op": start.strftime("%d-%m-%Y %H:%M:%S"),
            "Verstuurd op": submit.strftime("%d-%m-%Y %H:%M:%S"),
            "Duur (min)": [f"{d / 60:.1f}".replace(".", ",") for d in dur],
        }
    )
    for j, code in enumerate(items):
        df[code] = k[:, j].astype(str)
    return df


def write_dutch_csv(df: pd.DataFrame, path: Path, encoding: str = "cp1252") -> Path:
    """Write like Dutch Excel: ';', cp1252, CRLF, empty cells for NaN."""
    text = df.to_csv(sep=";", index=False, lineterminator="\r\n")
    path.write_bytes(text.encode(encoding))
    return path


def write_study(
    tmp: Path, sources: list[dict], settings: dict | None = None, name: str = "t"
) -> Path:
    """A study file pointing at the repository codebook and labs by absolute path."""
    study = {
        "name": name,
        "codebook": str(CODEBOOK),
        "labs": str(LABS),
        "sources": sources,
        "settings": {"demo_key": True, **(settings or {})},
        "output": str(tmp / "out"),
    }
    path = tmp / "study.yaml"
    path.write_text(yaml.safe_dump(study, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def run_cli(*args: str):
    from leerlab_research.cli import app

    return runner.invoke(app, list(args), env={"COLUMNS": "200", "LEERLAB_PSEUDONYM_KEY": None})


KEY = b"unit-test-key"


def assert_failed(result, out: Path, *needles: str) -> None:
    text = result.output
    assert result.exit_code in (1, 2), text
    assert "Traceback" not in text
    for needle in needles:
        assert needle in text, f"{needle!r} not in output:\n{text}"
    assert not (out / "clean" / "responses.csv").exists()
    assert not (out / "clean" / "responses.parquet").exists()


def study_with_file(tmp_path: Path, name: str, data: bytes, platform: str = "auto") -> Path:
    (tmp_path / name).write_bytes(data)
    return write_study(tmp_path, [{"path": name, "platform": platform, "wave": "T0"}])


def xlsx_bytes(df: pd.DataFrame) -> bytes:
    buf = io.BytesIO()
    df.to_excel(buf, index=False)
    return buf.getvalue()


HEADER_ONLY = ";".join(dutch_frame(1).columns).encode("cp1252") + b"\r\n"
