"""Fixtures for the figure tests: headless backend, sample tables, text helpers."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import re  # noqa: E402

import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.text import Text  # noqa: E402


def all_texts(fig: Figure) -> list[str]:
    """Every visible text on the figure: tick labels, titles, legends, annotations."""
    fig.canvas.draw()  # resolve tick labels
    return [t.get_text() for t in fig.findobj(Text) if t.get_visible() and t.get_text()]


def numbers_in(texts: list[str]) -> set[str]:
    """The numeric tokens in ``texts`` (e.g. ``3,4``, ``12``, ``33``)."""
    return {m for t in texts for m in re.findall(r"\d+(?:[.,]\d+)?", t)}


def by_gid(fig_or_ax, gid: str) -> list:
    """Artists with ``gid`` (the figure functions tag what they draw)."""
    return list(fig_or_ax.findobj(lambda a: a.get_gid() == gid))


class Helpers:
    all_texts = staticmethod(all_texts)
    numbers_in = staticmethod(numbers_in)
    by_gid = staticmethod(by_gid)


@pytest.fixture
def h() -> type[Helpers]:
    """Text/artist helpers for the tests (importable fixtures, not modules)."""
    return Helpers


@pytest.fixture
def profile_table(codebook) -> pd.DataFrame:
    """A lab profile over the nine codebook scales; 'faciliteren' suppressed."""
    estimates = [3.41, 3.12, 3.93, 2.64, 3.05, 3.52, 4.37, 3.78, 3.26]
    rows = []
    for est, (name, scale) in zip(estimates, codebook.scales.items(), strict=True):
        rows.append(
            {
                "scale": name,
                "scale_label": scale.label.get("nl"),
                "domain": scale.domain,
                "domain_label": codebook.domains[scale.domain].label.get("nl"),
                "estimate": est,
                "ci_low": est - 0.31,
                "ci_high": est + 0.27,
                "programme_mean": 3.3,
                "raw_mean": est + 0.08,
                "n": 23,
                "suppressed": name == "faciliteren",
            }
        )
    df = pd.DataFrame(rows)
    df.loc[df["scale"] == "faciliteren", "n"] = 3
    return df


@pytest.fixture
def likert_table() -> pd.DataFrame:
    data = {
        "Gedeelde ambitie": ([3, 4, 6, 8, 9], 3, False),
        "Recht doen aan belangen": ([1, 2, 0, 0, 0], 0, True),
        "Passend proces": ([0, 0, 10, 10, 0], 0, False),
    }
    rows = []
    for label, (counts, missing, supp) in data.items():
        for k, n in enumerate(counts, start=1):
            rows.append(
                {"label": label, "category": k, "n": n, "n_missing": missing, "suppressed": supp}
            )
    return pd.DataFrame(rows)
