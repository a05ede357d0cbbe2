"""ReportData says what the published tables allow, and nothing else.

The report layer reads only published tables (``compare/``, ``measurement/``);
these tests feed it small hand-made tables and check the words it chooses: the
true reason of a hidden cell, and a sentence instead of an error when an earlier
stage could not estimate something (issue 11 §1, issue 12).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd

from leerlab_research import text as T
from leerlab_research.config.labs import Labs
from leerlab_research.config.study import Study, load_study
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
    assert "< 5" not in gorinchem and "| verborgen" in gorinchem  # complementary: not few


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


def test_site_search_holds_only_the_linked_reports(tmp_path):
    """A stray or old report HTML in the folder (a lab no longer in labs.yaml, a backup)
    never puts its text into the site's search."""
    from leerlab_research.report.site import site_content

    responses = _responses([("T0", "all", 40, ""), ("T0", "weert", 20, "")])
    _write_compare(tmp_path, responses=responses)
    reports = tmp_path / "reports"
    reports.mkdir()
    page = "<html><body><h2 id='s'>Samenvatting</h2><p>{}</p></body></html>"
    (reports / "lab-weert.html").write_text(page.format("Weert tekst"), "utf-8")
    (reports / "lab-oud.html").write_text(page.format("oude tekst"), "utf-8")
    (reports / "lab-weert.backup.html").write_text(page.format("kopie"), "utf-8")
    search = site_content(ReportData(study=_study(), out=tmp_path)).search
    assert {d["href"] for d in search} == {"../reports/lab-weert.html#s"}
    assert "Weert tekst" in search[0]["text"]


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


def _focus(rows: list[tuple[str, str, str, float, float, str]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "area": [r[0] for r in rows],
            "wave": [r[1] for r in rows],
            "lab": [r[2] for r in rows],
            "n": [r[3] for r in rows],
            "n_named": [r[4] for r in rows],
            "pct_named": [r[4] / r[3] * 100 if r[3] == r[3] else float("nan") for r in rows],
            "suppressed": [r[5] != "" for r in rows],
            "suppression_reason": [r[5] for r in rows],
        }
    )


def test_change_names_the_compared_waves_by_their_labels(tmp_path):
    """change.csv's from_wave/to_wave (any two waves, here T1 → T2) appear as the study's
    wave labels in the programme's change table and the lab's change caption."""
    paired = _change_rows("all", "T1", "T2")
    _write_compare(tmp_path, change=pd.concat([paired, paired.assign(analysis="waves")]))
    data = ReportData(study=_study(), out=tmp_path, figure_dir=tmp_path / "figures")
    table = data.programme_change_section()
    header = next(line for line in table.splitlines() if line.startswith("|"))
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


def test_focus_table_names_the_lab_choice_against_the_programme(tmp_path):
    nan = float("nan")
    focus = _focus(
        [
            ("curriculum", "T0", "all", 40, 30, ""),
            ("curriculum", "T0", "weert", 20, 19, ""),
            ("curriculum", "T0", "helmond", nan, nan, "primary"),
            ("leerling", "T0", "all", 40, 12, ""),
            ("leerling", "T0", "weert", 20, 4, ""),
            ("leerling", "T0", "helmond", nan, nan, "primary"),
        ]
    )
    _write_compare(tmp_path, focus=focus, responses=_responses([("T0", "weert", 20, "")]))
    study = _study()

    def rows_of(text: str) -> dict[str, str]:
        return {ln.split("|")[1].strip(): ln for ln in text.splitlines() if ln.startswith("|")}

    # Weert declares curriculum and leerling in this study: the declared focus, with
    # the respondents' shares beside it (leerling named by 20 % only, still chosen)
    # (new Labs, not model_copy: that would copy the cached by_id lookup)
    labs = Labs(
        version=study.labs.version,
        labs=[
            lab.model_copy(
                update={"focus": ["curriculum", "leerling"] if lab.id == "weert" else None}
            )
            for lab in study.labs.labs
        ],
    )
    data = ReportData(study=Study(study.path, study.config, study.codebook, labs), out=tmp_path)
    text = data.focus_table("weert")
    rows = rows_of(text)
    assert "| ja " in rows["Curriculum"] and "95%" in rows["Curriculum"]
    assert "75%" in rows["Curriculum"]  # the programme beside it
    assert "| ja " in rows["Leerling"] and "20%" in rows["Leerling"]
    assert "Docent" not in rows  # neither declared nor published: not shown
    assert "{#tbl-focus}" in text  # numbered and captioned
    assert "die het leerlab heeft opgegeven" in text and "afgeleid" not in text
    # without a declared focus the majority of the answers decides, and the text says so
    labs_none = Labs(
        version=labs.version, labs=[lab.model_copy(update={"focus": None}) for lab in labs.labs]
    )
    undeclared = ReportData(
        study=Study(study.path, study.config, study.codebook, labs_none), out=tmp_path
    )
    text = undeclared.focus_table("weert")
    rows = rows_of(text)
    assert "| ja " in rows["Curriculum"] and "| nee " in rows["Leerling"]
    assert "geen focus opgegeven" in text and "afgeleid uit de antwoorden" in text
    # a hidden lab × wave gets a sentence, not a table: with its declared focus if any
    assert undeclared.focus_table("helmond").startswith("In deze meting is de vraag")
    helmond = ReportData(study=study, out=tmp_path).focus_table("helmond")  # demo labs.yaml
    assert helmond.startswith("Het leerlab heeft als focus opgegeven: curriculum.")


def test_title_block_names_programme_lab_fieldwork_and_study(tmp_path):
    responses = _responses([("T0", "weert", 20, ""), ("T1", "weert", 18, "")])
    _write_compare(tmp_path, responses=responses)
    data = ReportData(study=_study(), out=tmp_path)
    block = data.title_block("weert")
    assert "Leerlabs Sterk Beroepsonderwijs" in block and "**Leerlab:** Weert" in block
    assert "september 2022–juni 2023 (2 metingen)" in block  # T0 and T1 have responses
    assert "Demo-studie" in block and "vragenlijst versie 1.0.0" in block
    assert not re.search(r"\bT[0-9]\b", block)  # no wave codes
    assert "Leerlab:" not in data.title_block()


def _change(
    reasons: dict[str, str], analysis: str = "waves", diffs: dict[str, float] | None = None
) -> pd.DataFrame:
    """change.csv rows of Weert for one analysis: hidden scales per ``reasons``, a change of
    ``diffs[scale]`` (interval ± 0.3) where given, else +0.1 with an interval across zero."""
    rows = []
    for scale in _study().codebook.scale_names:
        reason = reasons.get(scale, "")
        diff = (diffs or {}).get(scale, 0.1)
        half = 0.3
        nan = float("nan")
        rows.append(
            {
                "scale": scale,
                "lab": "weert",
                "analysis": analysis,
                "n_paired": nan if reason or analysis != "paired" else 12,
                "n_from": nan if reason or analysis != "waves" else 30,
                "n_to": nan if reason or analysis != "waves" else 24,
                "from_wave": "T0",
                "to_wave": "T1",
                "mean_from": nan if reason else 3.0,
                "mean_to": nan if reason else 3.0 + diff,
                "mean_diff": nan if reason else diff,
                "ci_low": nan if reason else diff - half,
                "ci_high": nan if reason else diff + half,
                "suppressed": bool(reason),
                "suppression_reason": reason,
            }
        )
    return pd.DataFrame(rows)


def _benchmark(waves: list[str]) -> pd.DataFrame:
    rows = [
        {"scale": s, "wave": w, "lab": "weert", "estimate": 3.5, "suppressed": False}
        for s in _study().codebook.scale_names
        for w in waves
    ]
    return pd.DataFrame(rows).assign(suppression_reason="")


def test_overview_trend_column_only_where_the_change_is_published(tmp_path):
    scales = _study().codebook.scale_names
    hidden_all = dict.fromkeys(scales, "complementary")
    _write_compare(tmp_path, change=_change(hidden_all), benchmark=_benchmark(["T0", "T1"]))
    text = ReportData(study=_study(), out=tmp_path).lab_overview("weert")
    header = next(line for line in text.splitlines() if line.startswith("|"))
    assert "Sinds vorige meting" not in header  # no column of dashes
    assert "niet te tonen" in text and "kleinere groep te beschermen" in text  # true reason
    _write_compare(
        tmp_path, change=_change({scales[0]: "primary"}), benchmark=_benchmark(["T0", "T1"])
    )
    text = ReportData(study=_study(), out=tmp_path).lab_overview("weert")
    assert "Sinds vorige meting" in next(ln for ln in text.splitlines() if ln.startswith("|"))
    assert text.count("| →") == len(scales) - 1  # unchanged, interval spans 0
    assert "te weinig antwoorden" in text  # the one hidden scale, primary
    assert "kleinere groep" not in text
    # one scale too few, another hidden to protect it: the shared note names both reasons
    mixed = {scales[0]: "primary", scales[1]: "complementary"}
    _write_compare(tmp_path, change=_change(mixed), benchmark=_benchmark(["T0", "T1"]))
    text = ReportData(study=_study(), out=tmp_path).lab_overview("weert")
    assert (
        "(te weinig antwoorden (minder dan 5) of verborgen om een kleinere groep te beschermen)"
        in text
    )


def test_school_type_figure_compares_mbo_with_vmbo_only(tmp_path, monkeypatch):
    """#12 §3: `anders` is not the visual centre of the vmbo–mbo comparison."""
    scales = _study().codebook.scale_names[:2]
    rows = [
        {
            "scale": s,
            "factor": "school_type",
            "level": level,
            "reference": "vmbo",
            "coef": coef,
            "ci_low": coef - 0.2,
            "ci_high": coef + 0.2,
            "p_holm": 0.5,
            "status": "ok",
        }
        for s in scales
        for level, coef in (("mbo", 0.1), ("anders", 0.9))
    ]
    _write_compare(tmp_path, mixedlm=pd.DataFrame(rows))
    from leerlab_research import plots

    drawn = []
    real = plots.forest
    monkeypatch.setattr(plots, "forest", lambda df, **kw: drawn.append(df) or real(df, **kw))
    data = ReportData(study=_study(), out=tmp_path, figure_dir=tmp_path / "figures")
    assert list(data.mixedlm_effects("school_type")["level"].unique()) == ["mbo", "anders"]
    text = data.group_forest("school_type")
    assert "vergelijkt mbo met vmbo" in text
    assert list(drawn[0]["group"].unique()) == ["mbo"]  # anders only in the text


def test_programme_likert_shows_reverse_items_marked_in_keyed_direction(tmp_path):
    """items.csv counts answers as given; the figure turns a reverse item's round."""
    counts = {"AMB3": [1, 2, 3, 4, 10], "AMB4": [10, 4, 3, 2, 1]}
    items = pd.DataFrame(
        [
            {
                "item": item,
                "scale": "ambitie",
                "wave": "all",
                "lab": "all",
                "n": sum(c),
                **{f"n_{k}": c[k - 1] for k in range(1, 6)},
                "pct_agree": 70.0,
                "n_dont_know": 0,
                "suppressed": False,
                "suppression_reason": "",
            }
            for item, c in counts.items()
        ]
    )
    _write_compare(tmp_path, items=items)
    data = ReportData(study=_study(), out=tmp_path)
    dist = data.likert_distribution(["ambitie"])
    text = {i: data.codebook.items[i].text.get("nl") for i in counts}
    reverse = dist[dist["label"] == text["AMB4"] + " (omgekeerd gesteld)"]
    plain = dist[dist["label"] == text["AMB3"]]
    # 'helemaal oneens' with a reverse-worded statement is the favourable answer
    assert reverse.sort_values("category")["n"].tolist() == [1, 2, 3, 4, 10]
    assert plain.sort_values("category")["n"].tolist() == [1, 2, 3, 4, 10]


def test_short_tables_stay_on_one_pdf_page_and_long_ones_break(tmp_path):
    """A short table sits in an unbreakable Typst block (its caption, header and one row
    were left at the foot of a page); a long one may break; HTML and DOCX drop the block."""
    from leerlab_research.report.context import KEEP_TOGETHER_ROWS

    data = ReportData(study=_study(), out=tmp_path)
    short = data.table(pd.DataFrame({"a": range(3)}), "Kort", "short")
    assert short.startswith("```{=typst}\n#leerlab-keep[\n```\n")
    assert short.rstrip().endswith("```{=typst}\n]\n```") and "{#tbl-short}" in short
    long = data.table(pd.DataFrame({"a": range(KEEP_TOGETHER_ROWS + 1)}), "Lang", "long")
    assert "{=typst}" not in long and "{#tbl-long}" in long
    assert data.table(pd.DataFrame(), "Leeg", "empty") == ""


def test_published_tables_are_read_once_per_file_version_and_handed_out_as_copies(tmp_path):
    study = _study()
    _write_compare(
        tmp_path, merges=pd.DataFrame({"lab": ["weert"], "wave": ["T1"], "group": ["a"]})
    )
    data = ReportData(study=study, out=tmp_path, lang="nl")
    first = data.compare_table("merges")
    first.loc[0, "group"] = "changed by a caller"
    assert data.compare_table("merges").loc[0, "group"] == "a"
    # rewritten at once with another value of the same length: read again
    write_csv(
        pd.DataFrame({"lab": ["weert"], "wave": ["T1"], "group": ["b"]}),
        tmp_path / "compare" / "merges.csv",
    )
    assert (
        ReportData(study=study, out=tmp_path, lang="nl").compare_table("merges").loc[0, "group"]
        == "b"
    )
    (tmp_path / "compare" / "merges.csv").unlink()
    assert data.compare_table("merges").empty


def test_lab_change_is_the_change_of_the_wave_means_with_the_paired_detail(tmp_path):
    """The overview arrow, the summary and the change section say the change of the lab's
    wave means; the paired change follows as detail, or why it is hidden, in plain Dutch."""
    study = _study()
    scales = study.codebook.scale_names
    up, down = scales[0], scales[1]
    waves = _change({}, "waves", {up: 0.5})
    hidden_split = pd.concat(
        [
            _change(dict.fromkeys(scales, "complementary"), "paired"),
            _change(dict.fromkeys(scales, "primary"), "unpaired"),
        ]
    )
    _write_compare(
        tmp_path, change=pd.concat([waves, hidden_split]), benchmark=_benchmark(["T0", "T1"])
    )
    data = ReportData(study=study, out=tmp_path, figure_dir=tmp_path / "figures")
    label = data.scale_label(up)
    overview = data.lab_overview("weert")
    row = next(ln for ln in overview.splitlines() if ln.startswith(f"| {label} |"))
    assert row.rstrip().endswith("| ↑ |") and overview.count("| →") == len(scales) - 1
    assert f"Sinds de vorige meting gestegen: {label}." in data.lab_summary("weert")
    section = data.change_section("weert")
    assert f"{label} is aantoonbaar gestegen: van 3,00 naar 3,50 (verschil +0,50" in section
    assert "n = 30 → 24" not in section  # the sizes are in the figure, not the text
    assert "niet apart te tonen" in section and "terug te rekenen" in section
    for code in ("T0", "T1", " p ", "p-waarde"):
        assert code not in section + overview
    paired = _change({}, "paired", {down: -0.6})
    _write_compare(tmp_path, change=pd.concat([waves, paired]), benchmark=_benchmark(["T0", "T1"]))
    data = ReportData(study=study, out=tmp_path, figure_dir=tmp_path / "figures")
    section = data.change_section("weert")
    assert (
        "Ter aanvulling, bij alleen de mensen die beide metingen invulden (12 personen): "
        f"gedaald: {data.scale_label(down)}; de andere voorwaarden" in section
    )
    # where the wave means are hidden, so is the change, with the true reason
    _write_compare(
        tmp_path,
        change=_change(dict.fromkeys(scales, "primary")),
        benchmark=_benchmark(["T0", "T1"]),
    )
    data = ReportData(study=study, out=tmp_path, figure_dir=tmp_path / "figures")
    assert "te weinig antwoorden (minder dan 5)" in data.change_section("weert")
    assert "gestegen" not in data.lab_summary("weert")


def test_achtje_summary_gives_the_gaps_true_reasons(tmp_path):
    """#12 §1: a group hidden to protect a smaller one is not "too small"."""
    scale = _study().codebook.scale_names[0]

    def gaps(reasons: list[str]) -> pd.DataFrame:
        pairs = [("gap_role", "leiding", "docent"), ("gap_school", "vmbo", "mbo")]
        return pd.DataFrame(
            [
                {"scale": scale, "wave": "T1", "lab": "weert", "measure": m, "group_a": a,
                 "group_b": b, "value": float("nan"), "ci_low": float("nan"),
                 "ci_high": float("nan"), "n_a": float("nan"), "n_b": float("nan"),
                 "suppressed": True, "suppression_reason": r}
                for (m, a, b), r in zip(pairs, reasons, strict=True)
            ]
        )  # fmt: skip

    _write_compare(tmp_path, agreement=gaps(["complementary"] * 2), benchmark=_benchmark(["T1"]))
    text = ReportData(study=_study(), out=tmp_path).achtje_summary("weert")
    assert text.endswith("niet te tonen: verborgen om een kleinere groep te beschermen.")
    _write_compare(
        tmp_path, agreement=gaps(["primary", "complementary"]), benchmark=_benchmark(["T1"])
    )
    text = ReportData(study=_study(), out=tmp_path, lang="en").achtje_summary("weert")
    assert text.endswith(
        "cannot be shown for this lab: too few responses (fewer than 5) or hidden to protect "
        "a smaller group."
    )


def test_focus_hidden_to_protect_a_smaller_group_says_so(tmp_path):
    """A lab × wave hidden by complementary suppression did not have "too few people"."""
    nan = float("nan")
    focus = _focus(
        [
            ("curriculum", "T0", "all", 40, 30, ""),
            ("curriculum", "T0", "gorinchem", nan, nan, "complementary"),
            ("curriculum", "T0", "helmond", nan, nan, "primary"),
        ]
    )
    _write_compare(tmp_path, focus=focus, responses=_responses([("T0", "weert", 20, "")]))
    data = ReportData(study=_study(), out=tmp_path)
    gorinchem = data.focus_table("gorinchem")
    assert "verborgen om een kleinere groep te beschermen" in gorinchem
    assert "te weinig" not in gorinchem
    assert "te weinig mensen" in data.focus_table("helmond")  # primary keeps its words
    en = ReportData(study=_study(), out=tmp_path, lang="en").focus_table("gorinchem")
    assert "hidden to protect a smaller group" in en and "too few" not in en


def _paired_detail(tmp_path, paired: pd.DataFrame, lang: str = "nl") -> tuple[str, ReportData]:
    """The change section's paired sentence of Weert for ``paired`` rows (wave means shown)."""
    _write_compare(
        tmp_path, change=pd.concat([_change({}), paired]), benchmark=_benchmark(["T0", "T1"])
    )
    data = ReportData(study=_study(), out=tmp_path, lang=lang, figure_dir=tmp_path / "figures")
    return data.paired_detail(data.lab_change("weert")), data


def test_paired_change_never_counts_hidden_conditions_as_unchanged(tmp_path):
    """Review of the lab report: with 8 of 9 paired rows hidden (Stadskanaal in the demo) the
    sentence said "de andere voorwaarden zijn … niet aantoonbaar veranderd. Bij enkele
    voorwaarden …": hidden rows were called unchanged, "enkele" meant 8 of 9, no reason."""
    scales = _study().codebook.scale_names
    up, same = scales[0], scales[1]
    hidden = scales[2:]
    reasons = dict.fromkeys(hidden, "complementary")
    text, data = _paired_detail(tmp_path, _change(reasons, "paired", {up: 0.6}))
    label = data.scale_label
    hidden_words = T.join_words([label(s) for s in hidden], "nl")
    assert text == (
        "Ter aanvulling, bij alleen de mensen die beide metingen invulden (12 personen): "
        f"gestegen: {label(up)}; niet aantoonbaar veranderd: {label(same)}. "
        f"Bij {hidden_words} is die verandering niet apart te tonen: verborgen om een "
        "kleinere groep te beschermen (minder dan 5 respondenten kwamen erbij of vielen af; "
        "hun antwoorden zouden anders uit de totalen terug te rekenen zijn)."
    )
    for untrue in ("de andere voorwaarden", "enkele"):
        assert untrue not in text
    en, data = _paired_detail(tmp_path, _change(reasons, "paired", {up: 0.6}), "en")
    assert (
        f"up: {data.scale_label(up)}; not demonstrably changed: {data.scale_label(same)}. For "
        in en
    )
    assert "that change cannot be shown separately: hidden to protect a smaller group" in en
    assert "the other conditions" not in en and "some" not in en
    # all but one hidden and no change among the shown: name the shown one, not "geen enkele"
    reasons = dict.fromkeys(scales[1:], "complementary") | {scales[-1]: "primary"}
    text, data = _paired_detail(tmp_path, _change(reasons, "paired"))
    assert f"(12 personen): geen aantoonbare verandering bij {label(up)}. Bij " in text
    assert "geen enkele" not in text
    assert text.endswith(
        "niet apart te tonen: te weinig antwoorden (minder dan 5) of verborgen om een kleinere "
        "groep te beschermen (minder dan 5 respondenten kwamen erbij of vielen af; hun "
        "antwoorden zouden anders uit de totalen terug te rekenen zijn)."
    )
    en, data = _paired_detail(tmp_path, _change(reasons, "paired"), "en")
    assert f"(12 people): no demonstrable change on {data.scale_label(up)}. For " in en
    # nothing hidden: "de andere voorwaarden" and "geen enkele" are true and stay
    text, _ = _paired_detail(tmp_path, _change({}, "paired", {up: 0.6}))
    assert text.endswith(f"gestegen: {label(up)}; de andere voorwaarden zijn bij hen niet "
                         "aantoonbaar veranderd.")  # fmt: skip
    text, _ = _paired_detail(tmp_path, _change({}, "paired"))
    assert text.endswith("(12 personen): bij geen enkele voorwaarde een aantoonbare verandering.")


def _gap_rows(gaps: list[tuple[str, str, str, float, str]]) -> pd.DataFrame:
    """agreement.csv gap rows of Weert: (scale, group_a, group_b, value, reason); the interval
    is value ± 0.2, nothing where a reason hides the row."""
    nan = float("nan")
    return pd.DataFrame(
        [
            {"scale": s, "wave": "T1", "lab": "weert",
             "measure": "gap_role" if a == "leiding" else "gap_school", "group_a": a,
             "group_b": b, "value": nan if r else v, "ci_low": nan if r else v - 0.2,
             "ci_high": nan if r else v + 0.2, "n_a": nan if r else 20.0,
             "n_b": nan if r else 20.0, "suppressed": bool(r), "suppression_reason": r}
            for s, a, b, v, r in gaps
        ]
    )  # fmt: skip


def test_achtje_summary_joins_the_pairs_in_plain_words(tmp_path):
    """Review: "Het achtje: tussen leiding en docenten; vmbo en mbo is geen …" is no Dutch."""
    s1, s2 = _study().codebook.scale_names[:2]

    def summary(gaps, lang="nl"):
        _write_compare(tmp_path, agreement=_gap_rows(gaps), benchmark=_benchmark(["T1"]))
        data = ReportData(study=_study(), out=tmp_path, lang=lang)
        return data.achtje_summary("weert"), data

    role, school = ("leiding", "docent"), ("vmbo", "mbo")
    both_same = [(s1, *role, 0.0, ""), (s1, *school, 0.0, "")]
    text, data = summary(both_same)
    lead, teachers = data.group_label("leiding"), data.group_label("docent")
    assert text == (
        f"Het achtje: tussen {lead} en {teachers} en tussen vmbo en mbo is geen aantoonbaar "
        "verschil in de verankering."
    )
    en, data_en = summary(both_same, "en")
    assert en == (
        f"The figure eight: between {data_en.group_label('leiding')} and "
        f"{data_en.group_label('docent')} and between vmbo and mbo there is no demonstrable "
        "difference in anchoring."
    )
    text, _ = summary([(s1, *school, 0.0, "")])
    assert text == "Het achtje: tussen vmbo en mbo is geen aantoonbaar verschil in de verankering."
    # both gaps demonstrable on two scales: one sentence, the scales joined
    text, data = summary([(s, *p, 0.5, "") for s in (s1, s2) for p in (role, school)])
    assert text == (
        f"Het achtje: tussen {lead} en {teachers} en tussen vmbo en mbo is een aantoonbaar "
        f"verschil bij {data.scale_label(s1)} en {data.scale_label(s2)}."
    )
    assert ";" not in text
    # one shown, one hidden: the hidden gap is named with its true reason, not left out
    text, data = summary([(s1, *role, 0.0, "complementary"), (s1, *school, 0.5, "")])
    assert text == (
        f"Het achtje: tussen vmbo en mbo is een aantoonbaar verschil bij {data.scale_label(s1)}. "
        f"Het verschil tussen {lead} en {teachers} is niet te tonen: verborgen om een kleinere "
        "groep te beschermen."
    )
    # hidden on one scale only: that scale is named
    gaps = [(s, *school, 0.0, "") for s in (s1, s2)]
    gaps += [(s1, *role, 0.0, "primary"), (s2, *role, 0.0, "")]
    en, data_en = summary(gaps, "en")
    assert en == (
        f"The figure eight: between {data_en.group_label('leiding')} and "
        f"{data_en.group_label('docent')} and between vmbo and mbo there is no demonstrable "
        f"difference in anchoring. The difference between {data_en.group_label('leiding')} and "
        f"{data_en.group_label('docent')} cannot be shown on {data_en.scale_label(s1)}: too few "
        "responses (fewer than 5)."
    )


def test_methods_caveat_counts_the_lab_change_arrows(tmp_path):
    """The multiplicity caveat also covers the lab reports' change arrows: shown waves rows
    of labs (not the programme, not the respondents of neither school, not hidden ones),
    and those whose interval excludes zero."""
    rows = [
        ("weert", "waves", 0.1, 0.5, False),  # up
        ("weert", "waves", -0.6, -0.1, False),  # down
        ("helmond", "waves", -0.2, 0.3, False),
        ("helmond", "waves", float("nan"), float("nan"), True),  # hidden
        ("all", "waves", 0.2, 0.4, False),  # programme
        ("buiten_scholen", "waves", 0.2, 0.4, False),
        ("weert", "paired", 0.2, 0.4, False),
    ]
    change = pd.DataFrame(
        {
            "lab": [r[0] for r in rows],
            "analysis": [r[1] for r in rows],
            "ci_low": [r[2] for r in rows],
            "ci_high": [r[3] for r in rows],
            "suppressed": [r[4] for r in rows],
        }
    )
    _write_compare(tmp_path, change=change)
    for lang, want in (
        ("nl", "van de 3 veranderingen van een labgemiddelde"),
        ("en", "of the 3 changes of a lab mean"),
    ):
        text = ReportData(study=_study(), out=tmp_path, lang=lang).caveats_text()
        assert want in text
        assert ("er zijn er 2." if lang == "nl" else "; 2 do.") in text
