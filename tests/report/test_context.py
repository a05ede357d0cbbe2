"""ReportData says what the published tables allow, and nothing else.

The report layer reads only published tables (``compare/``, ``measurement/``);
these tests feed it small hand-made tables and check the words it chooses: the
true reason of a hidden cell, and a sentence instead of an error when an earlier
stage could not estimate something (issue 11 §1, issue 12).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd

from leerlab_research.config.study import load_study
from leerlab_research.outputs import write_csv
from leerlab_research.report.context import ReportData

REPO = Path(__file__).resolve().parents[2]


def _study():
    return load_study(REPO / "analyses" / "demo" / "study.yaml", check_sources=False)


def _write_compare(out: Path, **tables: pd.DataFrame) -> None:
    (out / "compare").mkdir(parents=True, exist_ok=True)
    index = {"tables": {}}
    for name, df in tables.items():
        write_csv(df, out / "compare" / f"{name}.csv")
        index["tables"][name] = {"file": f"{name}.csv"}
    (out / "compare" / "results.json").write_text(json.dumps(index), encoding="utf-8")


def _responses(rows: list[tuple[str, str, float, str]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "wave": [r[0] for r in rows],
            "lab": [r[1] for r in rows],
            "n": [r[2] for r in rows],
            "n_people": [float("nan")] * len(rows),
            "suppressed": [r[3] != "" for r in rows],
            "suppression_reason": [r[3] for r in rows],
        }
    )


def test_response_table_shows_published_counts_and_true_reasons(tmp_path):
    responses = _responses(
        [
            ("T0", "all", float("nan"), "complementary"),
            ("T0", "weert", 12, ""),
            ("T0", "helmond", float("nan"), "primary"),
            ("T0", "gorinchem", float("nan"), "complementary"),
        ]
    )
    _write_compare(tmp_path, responses=responses)
    data = ReportData(study=_study(), out=tmp_path)
    table = data.response_table()
    weert = next(line for line in table.splitlines() if "Weert" in line)
    helmond = next(line for line in table.splitlines() if "Helmond" in line)
    gorinchem = next(line for line in table.splitlines() if "Gorinchem" in line)
    assert "| 12 " in weert
    assert "< 5" in helmond  # primary: fewer than min_cell
    assert "< 5" not in gorinchem and "–" in gorinchem  # complementary: not "too few"


def test_missing_tables_become_sentences_not_errors(tmp_path):
    """An empty output folder: every section renders and says what is missing."""
    data = ReportData(study=_study(), out=tmp_path, figure_dir=tmp_path / "figures")
    for method in (
        data.response_table,
        data.response_text,
        data.domain_overview,
        data.reliability_sentences,
        data.reliability_table,
        data.cfa_section,
        data.careless_text,
        data.disclosure_text,
        data.programme_summary,
    ):
        assert isinstance(method(), str)
    assert "niet" in data.cfa_section()
    assert data.item_table("weert") == data.t("not_available") + "\n"


def test_failed_invariance_models_are_reported_in_words(tmp_path):
    """Invariance models that failed ('Singular matrix') have no cfi column (issue 11 §1)."""
    (tmp_path / "measurement").mkdir()
    pd.DataFrame(
        {
            "group": ["school_type"],
            "levels": ["vmbo / mbo"],
            "step": ["metric"],
            "reason": ["Singular matrix"],
        }
    ).to_csv(tmp_path / "measurement" / "invariance.csv", index=False)
    pd.DataFrame(
        {"scale": ["ambitie"], "group": ["all"], "n": [4], "alpha": [float("nan")],
         "omega": [float("nan")], "reason": ["too few respondents"]}
    ).to_csv(tmp_path / "measurement" / "reliability.csv", index=False)  # fmt: skip
    data = ReportData(study=_study(), out=tmp_path)
    text = data.cfa_section()
    assert "niet geschat: Singular matrix" in text
    assert "too few respondents" in data.reliability_table()


def test_site_index_links_existing_reports_only(tmp_path):
    from leerlab_research.report.site import site_index

    responses = _responses(
        [("T0", "all", 40, ""), ("T0", "weert", 20, ""), ("T0", "helmond", 20, "")]
    )
    _write_compare(tmp_path, responses=responses)
    (tmp_path / "reports").mkdir()
    (tmp_path / "reports" / "lab-weert.pdf").write_bytes(b"%PDF")
    page = site_index(ReportData(study=_study(), out=tmp_path))
    assert '<a href="../reports/lab-weert.pdf">PDF</a>' in page
    assert "lab-weert.html" not in page and "lab-helmond" not in page
    weert = next(line for line in page.splitlines() if "Weert" in line)
    assert "<td>20</td>" in weert
    assert "<script" not in page and "http" not in page


def _change_rows(lab: str, w0: str, w1: str) -> pd.DataFrame:
    """Paired change.csv rows of one lab for every scale (the columns the report reads)."""
    scales = _study().codebook.scale_names
    return pd.DataFrame(
        {
            "scale": scales,
            "lab": lab,
            "analysis": "paired",
            "from_wave": w0,
            "to_wave": w1,
            "n_paired": 12,
            "mean_from": 3.0,
            "mean_to": 3.5,
            "mean_diff": 0.5,
            "ci_low": 0.2,
            "ci_high": 0.8,
            "suppressed": False,
            "suppression_reason": "",
        }
    )


def test_change_names_the_compared_waves_by_their_labels(tmp_path):
    """change.csv's from_wave/to_wave (any two waves, here T1 → T2) appear as the study's
    wave labels in the programme's change table and the lab's change caption."""
    _write_compare(tmp_path, change=pd.concat([_change_rows("all", "T1", "T2")]))
    data = ReportData(study=_study(), out=tmp_path, figure_dir=tmp_path / "figures")
    table = data.programme_change_section()
    header = table.splitlines()[0]
    assert "Gemiddelde Einde subsidiejaar" in header and "Gemiddelde Een jaar later" in header
    assert "| 3,00 " in table and "| 3,50 " in table
    assert "T1" not in header and "T2" not in header
    lab = data.lab_change("all")
    assert (lab["mean_from"] == 3.0).all() and (lab["to_wave"] == "T2").all()


def test_report_kernel_does_not_import_the_analysis_packages():
    # Every report runs in its own notebook kernel; importing the compare package
    # (statsmodels, scipy.stats, pingouin) there cost about a second per report.
    code = (
        "import sys, leerlab_research.report.context; "
        "print(sorted(m for m in ('leerlab_research.compare', 'leerlab_research.measurement', "
        "'statsmodels', 'scipy.stats', 'pingouin', 'semopy') if m in sys.modules))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stdout.strip() == "[]"
