"""The demo study generator: determinism, real-reader compatibility and ground truth.

The demo is generated three times per module (seed 7 via the CLI, seed 7 via the
function, seed 8) into temporary folders; every test reads those.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from leerlab_research.cli import app
from leerlab_research.config.codebook import load_codebook
from leerlab_research.config.labs import load_labs
from leerlab_research.demo import generate_demo
from leerlab_research.demo.exports import limesurvey_item_columns
from leerlab_research.demo.params import WAVE_FIELDWORK
from leerlab_research.normalise import normalise_label

REPO = Path(__file__).resolve().parents[1]
CODEBOOK = REPO / "data" / "codebook" / "reflectie.yaml"
LABS = REPO / "data" / "codebook" / "labs.yaml"

EXPORTS = [
    f"{platform}_{wave}.{ext}"
    for platform, ext in (
        ("limesurvey", "csv"),
        ("msforms", "xlsx"),
        ("excel_nl", "csv"),
        ("spss", "sav"),
    )
    for wave in ("T0", "T1", "T2")
]
TRUTH = [
    "truth/respondents.csv",
    "truth/items.csv",
    "truth/open_answers.csv",
    "truth/open_spans.csv",
    "truth/anchoring.csv",
    "truth/parameters.json",
]
FLAGS = [
    "is_straightliner",
    "is_speeder",
    "is_duplicate",
    "is_test",
    "no_consent",
    "is_incomplete",
    "is_alias",
]


# ----------------------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def cli_run(tmp_path_factory):
    """Seed 7 through ``leerlab demo`` (the CLI test and the main data set)."""
    out = tmp_path_factory.mktemp("demo_cli")
    result = CliRunner().invoke(app, ["demo", "--seed", "7", "--out", str(out)])
    return out, result


@pytest.fixture(scope="module")
def demo(cli_run) -> Path:
    out, result = cli_run
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def demo_again(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("demo_again") / "nested" / "B"
    generate_demo(seed=7, out=out)
    return out


@pytest.fixture(scope="module")
def demo_seed8(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("demo_seed8")
    generate_demo(seed=8, out=out)
    return out


@pytest.fixture(scope="module")
def cb():
    return load_codebook(CODEBOOK)


@pytest.fixture(scope="module")
def truth(demo) -> pd.DataFrame:
    return pd.read_csv(
        demo / "truth" / "respondents.csv",
        dtype={"person_key": str, "lab": str, "expected_reason": str},
        keep_default_na=False,
        na_values=[""],
    )


@pytest.fixture(scope="module")
def items(demo) -> pd.DataFrame:
    return pd.read_csv(demo / "truth" / "items.csv")


@pytest.fixture(scope="module")
def params(demo) -> dict:
    return json.loads((demo / "truth" / "parameters.json").read_text(encoding="utf-8"))


# ----------------------------------------------------------------------------- readers
def _label_codes(cb) -> dict[str, int]:
    """Normalised answer label (codebook labels, aliases, missing labels) → code."""
    vs = cb.value_sets["likert5"]
    table = {normalise_label(t.nl): c for c, t in vs.labels.items()}
    table.update({normalise_label(a): c for c, al in vs.aliases.items() for a in al})
    for c, m in vs.missing.items():
        table[normalise_label(m.label.nl)] = c
        table.update({normalise_label(a): c for a in m.aliases})
    return table


def read_export(path: Path, cb) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(row info with key, lab, consent, start, submit; items as codes 1–5/9/NA)."""
    name = path.name
    codes = cb.item_codes
    if name.startswith("limesurvey"):
        df = pd.read_csv(path, encoding="utf-8-sig", dtype={"token": str})
        ls_cols = limesurvey_item_columns(cb)
        items = df[[ls_cols[i] for i in codes]].set_axis(codes, axis=1)
        info = pd.DataFrame(
            {
                "key": df["token"],
                "lab": df["lab"],
                "consent": df["consent"].eq("Y"),
                "start": pd.to_datetime(df["startdate"]),
                "submit": pd.to_datetime(df["submitdate"]),
            }
        )
    elif name.startswith("msforms"):
        df = pd.read_excel(path, engine="openpyxl")
        text_to_code = {cb.items[i].text.nl: i for i in codes}
        lookup = _label_codes(cb)
        items = (
            df[[cb.items[i].text.nl for i in codes]]
            .rename(columns=text_to_code)
            .apply(
                lambda col: col.map(lambda v: np.nan if pd.isna(v) else lookup[normalise_label(v)])
            )
        )
        info = pd.DataFrame(
            {
                "key": df["Email"],
                "name": df["Name"],
                "email": df["Email"],
                "lab": df["Leerlab"],
                "consent": df["Toestemming"].eq("Ja"),
                "start": df["Start time"],
                "submit": df["Completion time"],
            }
        )
    elif name.startswith("excel_nl"):
        df = pd.read_csv(
            path, sep=";", decimal=",", encoding="cp1252", dtype={"Respondentnummer": str}
        )
        items = df[codes]
        fmt = "%d-%m-%Y %H:%M"
        info = pd.DataFrame(
            {
                "key": df["Respondentnummer"],
                "name": df["Naam"],
                "email": df["E-mail"],
                "lab": df["Leerlab"],
                "consent": df["Toestemming"].eq("ja"),
                "start": pd.to_datetime(df["Begonnen op"], format=fmt),
                "submit": pd.to_datetime(df["Verstuurd op"], format=fmt),
                "duration_s": df["Duur (min)"] * 60,
            }
        )
    else:
        import pyreadstat

        df, _ = pyreadstat.read_sav(str(path), user_missing=True)
        items = df[codes]
        info = pd.DataFrame(
            {
                "key": df["respondent_id"],
                "name": df["naam"],
                "email": df["email"],
                "lab": df["lab"],
                "consent": df["consent"].eq(1),
                "start": df["started_at"],
                "submit": df["submitted_at"],
            }
        )
    return info, items.astype("Float64").astype("Int64")


@pytest.fixture(scope="module")
def exports(demo, cb) -> dict[str, tuple[pd.DataFrame, pd.DataFrame]]:
    return {name: read_export(demo / name, cb) for name in EXPORTS}


# ----------------------------------------------------------------------------- CLI and files
def test_cli_demo_exits_0_and_writes_every_file(cli_run):
    out, result = cli_run
    assert result.exit_code == 0, result.output
    for rel in EXPORTS + TRUTH:
        assert (out / rel).is_file(), rel
    written = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    # truth/demo_files.json: the sha256 of every file the demo wrote (config/keys.py)
    assert written == sorted([*EXPORTS, *TRUTH, "truth/demo_files.json"])


def test_same_seed_gives_byte_identical_trees(demo, demo_again):
    files_a = sorted(p.relative_to(demo).as_posix() for p in demo.rglob("*") if p.is_file())
    files_b = sorted(
        p.relative_to(demo_again).as_posix() for p in demo_again.rglob("*") if p.is_file()
    )
    assert files_a == files_b
    for rel in files_a:
        assert (demo / rel).read_bytes() == (demo_again / rel).read_bytes(), rel


def test_other_seed_gives_other_data(demo, demo_seed8):
    for rel in EXPORTS + TRUTH:
        assert (demo / rel).read_bytes() != (demo_seed8 / rel).read_bytes(), rel
    assert json.loads((demo_seed8 / "truth/parameters.json").read_text())["seed"] == 8


def test_negative_seed_is_a_usage_error(tmp_path):
    result = CliRunner().invoke(app, ["demo", "--seed", "-1", "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert "seed" in result.output and "Traceback" not in result.output


# ----------------------------------------------------------------------------- layouts
LS_RECORD = re.compile(r'(?:"(?:[^"]|"")*"|)(?:,(?:"(?:[^"]|"")*"|))*')


def test_limesurvey_bytes_follow_csvwriter(demo, cb):
    raw = (demo / "limesurvey_T0.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert raw.endswith(b"\r\n\r\n") and not raw.endswith(b"\r\n\r\n\r\n")
    text = raw[3:].decode("utf-8")
    records = text.split("\r\n")[:-2]
    assert "\r" not in "".join(records)
    # Every field is either double-quoted or empty (NULL); no bare values.
    for record in records:
        assert LS_RECORD.fullmatch(record), record[:120]
    header = next(csv.reader(io.StringIO(records[0])))
    assert header[:9] == [
        "id",
        "submitdate",
        "lastpage",
        "startlanguage",
        "seed",
        "token",
        "startdate",
        "datestamp",
        "ipaddr",
    ]
    assert header[9:13] == ["lab", "schooltype", "rol", "consent"]
    assert header[16] == "AMB[SQ001]" and header[-3] == "INH[SQ004]"
    assert header[-2:] == ["open_goed", "open_beter"]
    # NULL (never shown, unquoted) and "" (shown, unanswered) both occur.
    assert any(",," in r for r in records[1:]) and any(',"",' in r for r in records[1:])


def test_limesurvey_reads_with_pandas(exports, demo):
    df = pd.read_csv(demo / "limesurvey_T1.csv", encoding="utf-8-sig")
    assert df["id"].tolist() == list(range(1, len(df) + 1))
    assert set(df["consent"]) <= {"Y", "N"}
    assert set(df["schooltype"]) <= {"vmbo", "mbo", "anders"}
    assert set(df["rol"]) <= {"bestuur", "management", "docent", "procesbegeleider", "anders"}
    assert set(df["focus[curriculum]"].dropna()) == {"Y"}
    pd.to_datetime(df["startdate"], format="%Y-%m-%d %H:%M:%S")
    _, items = exports["limesurvey_T1.csv"]
    assert set(items.stack().dropna().unique()) == {1, 2, 3, 4, 5, 9}


def test_dutch_csv_needs_its_dialect(demo):
    path = demo / "excel_nl_T0.csv"
    raw = path.read_bytes()
    assert raw.endswith(b"\r\n") and b"\r" not in raw.replace(b"\r\n", b"")
    assert (
        raw.splitlines()[0]
        .decode("cp1252")
        .startswith(
            "Respondentnummer;Naam;E-mail;Leerlab;Schooltype;Rol;Toestemming;Begonnen op;Verstuurd op;Duur (min);AMB1;"
        )
    )
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    df = pd.read_csv(path, sep=";", decimal=",", encoding="cp1252")
    assert df.shape[1] == 10 + 34 + 2
    assert df["Duur (min)"].dtype == float and df["Duur (min)"].notna().any()
    assert df["Naam"].str.contains("ë|é|ï|ö|ü").any()
    assert set(df["Toestemming"]) <= {"ja", "nee"}
    starts = pd.to_datetime(df["Begonnen op"], format="%d-%m-%Y %H:%M")
    begin, end = (pd.Timestamp(d) for d in WAVE_FIELDWORK[path.stem.rsplit("_", 1)[1]])
    assert starts.between(begin, end + pd.Timedelta(days=30)).all()  # within the fieldwork
    assert set(df["AMB1"].dropna()) <= {1, 2, 3, 4, 5, 9}


def test_msforms_workbook(demo, cb):
    from openpyxl import load_workbook

    ws = load_workbook(demo / "msforms_T0.xlsx").active
    rows = list(ws.iter_rows(values_only=True))
    header = rows[0]
    assert header[:6] == (
        "ID",
        "Start time",
        "Completion time",
        "Email",
        "Name",
        "Last modified time",
    )
    assert header[6:13] == (
        "Leerlab",
        "Schooltype",
        "Rol",
        "Toestemming",
        "Focus: curriculum",
        "Focus: leerling",
        "Focus: docent",
    )
    assert list(header[13:47]) == [cb.items[i].text.nl for i in cb.item_codes]
    assert header[-2:] == ("Wat gaat goed?", "Wat kan beter?")
    assert all(hasattr(r[1], "year") for r in rows[1:])  # real Excel datetimes
    answers = {v for r in rows[1:] for v in r[13:47] if v is not None}
    assert {"Helemaal oneens", "Helemaal mee eens", "Weet niet / n.v.t."} <= answers
    lookup = _label_codes(cb)
    assert all(normalise_label(a) in lookup for a in answers)
    assert {r[9] for r in rows[1:]} <= {"Ja", "Nee"}


def test_spss_user_missing_and_labels(demo, cb):
    import pyreadstat

    df, meta = pyreadstat.read_sav(str(demo / "spss_T0.sav"), user_missing=True)
    assert list(df.columns[:9]) == [
        "respondent_id",
        "naam",
        "email",
        "lab",
        "school_type",
        "role",
        "consent",
        "started_at",
        "submitted_at",
    ]
    assert list(df.columns[9:]) == cb.item_codes
    item_values = set(pd.unique(df[cb.item_codes].stack().dropna()))
    assert 9 in item_values and item_values <= {1, 2, 3, 4, 5, 9}
    assert meta.missing_ranges["AMB1"] == [{"lo": 9.0, "hi": 9.0}]
    assert meta.variable_value_labels["AMB1"][9.0] == "Weet niet / n.v.t."
    assert meta.variable_value_labels["role"][1.0] == "bestuur"
    assert meta.variable_measure["AMB1"] == "ordinal"
    assert meta.column_names_to_labels["INH4"] == cb.items["INH4"].text.nl
    assert pd.api.types.is_datetime64_any_dtype(df["started_at"])
    plain, _ = pyreadstat.read_sav(str(demo / "spss_T0.sav"))
    assert not (plain[cb.item_codes] == 9).any().any()  # 9 is user-missing


# ----------------------------------------------------------------------------- ground truth
def test_every_export_row_is_in_the_truth_once(exports, truth, items):
    assert not truth.duplicated(["source_file", "source_row"]).any()
    assert truth[["source_file", "source_row"]].equals(items[["source_file", "source_row"]])
    for name, (info, export_items) in exports.items():
        t = truth[truth["source_file"].eq(name)]
        assert t["source_row"].tolist() == list(range(2, len(info) + 2)), name
        assert t["person_key"].tolist() == info["key"].astype(str).tolist(), name
        assert t["lab_written"].tolist() == info["lab"].tolist(), name
        raw = items[items["source_file"].eq(name)][export_items.columns].astype("Int64")
        pd.testing.assert_frame_equal(
            raw.reset_index(drop=True), export_items.reset_index(drop=True), check_names=False
        )


def test_observed_scores_recompute_from_items(truth, items, cb):
    raw = items[cb.item_codes].to_numpy(dtype=float)
    for scale in cb.scales.values():
        cols = [cb.item_codes.index(i) for i in scale.items]
        x = raw[:, cols]
        answered = (x >= 1) & (x <= 5)
        rev = np.array([i in scale.reverse for i in scale.items])
        keyed = np.where(rev, 6 - x, x)
        n = answered.sum(axis=1)
        with np.errstate(invalid="ignore"):
            mean = np.where(answered, keyed, 0).sum(axis=1) / n
        expected = np.where(n / len(cols) >= 2 / 3 - 1e-9, mean, np.nan)
        np.testing.assert_allclose(truth[f"obs_{scale.name}"], expected, rtol=0, atol=1e-12)
        assert (truth[f"obs_n_{scale.name}"] == n).all()


def test_true_lab_effects_are_recoverable(truth, params):
    t0 = truth[truth["wave"].eq("T0") & truth["person"].notna()].drop_duplicates("person")
    corrs = []
    for s in params["scales"]:
        adjusted = (
            t0[f"true_{s}"]
            - t0["role"].map(lambda r, s=s: params["role_effects"][r][s])
            - [
                params["school_effects"][lab][st][s]
                for lab, st in zip(t0["lab"], t0["school_type"], strict=True)
            ]
        )
        means = adjusted.groupby(t0["lab"]).mean()
        intercepts = pd.Series({lab: params["lab_intercepts"][lab][s] for lab in means.index})
        corrs.append(np.corrcoef(means, intercepts)[0, 1])
        raw_means = t0[f"true_{s}"].groupby(t0["lab"]).mean()
        assert np.corrcoef(raw_means, intercepts)[0, 1] > 0.6, s
    assert min(corrs) > 0.7 and np.mean(corrs) > 0.85, corrs
    for s, icc in params["icc"].items():
        assert 0.05 <= icc["target"] <= 0.2, s
        assert 0.02 <= icc["empirical_true_T0"] <= 0.3, s


def test_residuals_follow_the_generating_model(truth, params):
    """true − (lab + role + school + change) ~ N(0, factor correlation)."""
    t = truth[truth["person"].notna()].drop_duplicates(["person", "wave"])
    scales = params["scales"]
    resid = np.column_stack(
        [
            t[f"true_{s}"]
            - t["lab"].map(lambda lab, s=s: params["lab_intercepts"][lab][s])
            - t["role"].map(lambda r, s=s: params["role_effects"][r][s])
            - [
                params["school_effects"][lab][st][s]
                for lab, st in zip(t["lab"], t["school_type"], strict=True)
            ]
            - np.where(
                t["wave"].ne("T0"),
                t["lab"].map(lambda lab, s=s: params["change_effects"][lab][s]),
                0,
            )
            - [
                since(params, lab, w) * params["slope_after"][lab][s]
                for lab, w in zip(t["lab"], t["wave"], strict=True)
            ]
            for s in scales
        ]
    )
    assert np.abs(resid.mean(axis=0)).max() < 0.15
    assert np.abs(resid.std(axis=0) - 1).max() < 0.12
    target = np.array(params["factor_correlation"]["matrix"])
    assert np.abs(np.corrcoef(resid, rowvar=False) - target).max() < 0.12


def since(params: dict, lab: str, wave: str) -> float:
    """Years after the subsidy at ``wave`` minus those at the first wave (the slope's clock)."""
    years = params["programme"][lab]["years_after_subsidy"]
    return years[wave] - years["T0"]


def test_change_effects_show_in_matched_persons(truth, params):
    assert len(params["labs_with_change"]) == 4
    t = (
        truth[truth["person"].notna()]
        .drop_duplicates(["person", "wave"])
        .set_index(["person", "wave"])
    )
    both = t.xs("T0", level="wave").index.intersection(t.xs("T1", level="wave").index)
    t0, t1 = t.xs("T0", level="wave").loc[both], t.xs("T1", level="wave").loc[both]
    diffs, changes = [], []
    for s in params["scales"]:
        d = (t1[f"true_{s}"] - t0[f"true_{s}"]).groupby(t0["lab"]).mean()
        diffs += d.tolist()
        changes += [
            params["change_effects"][lab][s]
            + since(params, lab, "T1") * params["slope_after"][lab][s]
            for lab in d.index
        ]
    slope = np.polyfit(changes, diffs, 1)[0]
    assert 0.5 < slope < 1.5
    for lab in params["labs"]:
        nonzero = any(v != 0 for v in params["change_effects"][lab].values())
        assert nonzero == (lab in params["labs_with_change"])


def test_fault_counts_match_parameters(truth, params):
    counts = params["fault_counts"]
    for flag in FLAGS:
        assert counts["total"][flag.removeprefix("is_")] == int(truth[flag].sum()), flag
        assert truth[flag].sum() > 0, flag
    for name, group in truth.groupby("source_file"):
        by_file = counts["by_file"][name]
        assert by_file["rows"] == len(group)
        for flag in FLAGS:
            assert by_file[flag.removeprefix("is_")] == int(group[flag].sum()), (name, flag)
    for reason, n in counts["expected_exclusions"].items():
        assert n == int(truth["expected_reason"].eq(reason).sum())
    assert params["n_rows"] == len(truth)


def test_expected_reason_follows_precedence(truth):
    precedence = [
        ("is_test", "test"),
        ("no_consent", "no_consent"),
        ("is_incomplete", "incomplete"),
        ("is_duplicate", "duplicate"),
    ]
    for _, row in truth.iterrows():
        want = next((why for flag, why in precedence if row[flag]), "")
        assert (row["expected_reason"] if isinstance(row["expected_reason"], str) else "") == want
        assert row["expected_status"] == ("excluded" if want else "kept")


def test_faults_are_visible_in_the_exports(exports, truth, items, cb):
    """Each injected fault is detectable from the export alone, as documented."""
    raw = items[cb.item_codes]
    complete_answers = raw.notna().all(axis=1) & ~raw.isin([9]).any(axis=1)
    constant = complete_answers & raw.nunique(axis=1).eq(1)
    assert (constant == truth["is_straightliner"]).all()

    dur = truth["duration_seconds"]
    assert (dur[truth["is_speeder"]] < 68).all()
    assert (dur[~truth["is_speeder"]].dropna() >= 150).all()
    assert truth.loc[truth["is_incomplete"], "submitted_at"].isna().all()
    assert truth.loc[~truth["is_incomplete"], "submitted_at"].notna().all()

    test_marker = re.compile(r"^test", re.IGNORECASE)
    for name, (info, _) in exports.items():
        t = truth[truth["source_file"].eq(name)].reset_index(drop=True)
        # The documented rule: key, name or e-mail starts with 'test', or the lab is 'test'.
        idents = [c for c in ("key", "name", "email") if c in info]
        marked = info["lab"].map(normalise_label).eq("test")
        for col in idents:
            marked |= info[col].fillna("").astype(str).str.match(test_marker)
        assert (marked.to_numpy() == t["is_test"].to_numpy()).all(), name
        assert (~info["consent"].to_numpy() == t["no_consent"].to_numpy()).all(), name
        # A duplicate's key comes back later in the same file with a complete response.
        for pos in np.flatnonzero(t["is_duplicate"]):
            later = t.index > pos
            again = t["person_key"].eq(t.at[pos, "person_key"]) & later
            assert again.any() and t.loc[again, "submitted_at"].notna().all()
            assert (t.loc[again, "started_at"] > t.at[pos, "submitted_at"]).all()
        # An abandoned attempt followed by a complete one: incomplete first, same key.
        restarts = t["is_incomplete"] & t.duplicated("person_key", keep=False)
        for pos in np.flatnonzero(restarts):
            same = t["person_key"].eq(t.at[pos, "person_key"]) & (t.index != pos)
            assert (t.loc[same, "started_at"] > t.at[pos, "started_at"]).all()
            assert t.loc[same, "submitted_at"].notna().all()
        # Speeders show in the exported times too, even at whole minutes (Dutch CSV).
        seconds = (info["submit"] - info["start"]).dt.total_seconds()
        assert ((seconds < 68).to_numpy() == t["is_speeder"].to_numpy()).all(), name
        if "excel_nl" in name:
            speeder = info["duration_s"] < 68
            assert (speeder.to_numpy() == t["is_speeder"].to_numpy()).all()


def test_limesurvey_incomplete_and_no_consent_conventions(demo, truth):
    for wave in ("T0", "T1", "T2"):
        df = pd.read_csv(demo / f"limesurvey_{wave}.csv", encoding="utf-8-sig")
        t = truth[truth["source_file"].eq(f"limesurvey_{wave}.csv")].reset_index(drop=True)
        incomplete = df["submitdate"].isna() & (df["lastpage"] < 5)
        assert (incomplete == t["is_incomplete"]).all()
        nc = df["consent"].eq("N")
        assert (nc == t["no_consent"]).all()
        assert df.loc[nc, "lastpage"].eq(1).all() and df.loc[nc, "submitdate"].notna().all()
        assert df.loc[nc, "AMB[SQ001]"].isna().all()


def test_aliases_resolve_to_the_true_lab(truth):
    labs = load_labs(LABS)
    real = truth[~truth["is_test"]]
    resolved = real["lab_written"].map(labs.resolve)
    assert (resolved == real["lab"]).all()
    names = real["lab"].map(labs.name_of)
    assert ((real["lab_written"] != names) == real["is_alias"]).all()
    written = set(real.loc[real["is_alias"], "lab_written"])
    assert {"Den Bosch", "’s-Hertogenbosch"} & written
    assert written & {"Ijburg", "Amsterdam IJburg", "IJburg", "Amsterdam Ĳburg"}


def test_waves_share_persons_and_keys(truth):
    people = truth[truth["person"].notna()]
    t0 = set(people.loc[people["wave"].eq("T0"), "person"])
    t1 = set(people.loc[people["wave"].eq("T1"), "person"])
    returning, new = t1 & t0, t1 - t0
    assert 0.5 < len(returning) / len(t0) < 0.8
    assert len(new) > 12
    t2 = set(people.loc[people["wave"].eq("T2"), "person"])
    assert 0.5 < len(t2 & t1) / len(t1) < 0.8  # about a third leaves again
    assert not (t2 - t1) & t0  # who left does not come back
    # One key per person, the same in every wave; no key shared by two persons.
    keys = people.groupby("person")["person_key"].nunique()
    assert keys.eq(1).all()
    assert people.groupby("person_key")["person"].nunique().eq(1).all()
    # Persons stay in their lab, role and school type.
    assert people.groupby("person")[["lab", "role", "school_type"]].nunique().eq(1).all().all()


def test_population_shape(truth):
    kept0 = truth[truth["wave"].eq("T0") & truth["expected_status"].eq("kept")]
    per_lab = (
        truth[truth["wave"].eq("T0") & truth["person"].notna()].groupby("lab")["person"].nunique()
    )
    assert len(per_lab) == 12 and per_lab.between(20, 60).all()
    roles = kept0.groupby(["lab", "role"]).size().unstack(fill_value=0)
    assert (roles["procesbegeleider"] == 1).all()
    assert (roles["bestuur"] == 1).sum() >= 3  # small cells
    assert (roles["docent"] > roles["management"]).all()
    assert set(kept0["school_type"]) == {"vmbo", "mbo", "anders"}
    # Each platform holds three labs, in both waves.
    for platform in ("limesurvey", "msforms", "excel_nl", "spss"):
        labs = truth.loc[truth["platform"].eq(platform) & truth["lab"].notna(), "lab"].unique()
        assert len(labs) == 3, platform


def test_missing_codes_at_realistic_rates(items, truth, cb):
    complete = (
        truth["expected_status"].eq("kept") & ~truth["is_speeder"] & ~truth["is_straightliner"]
    )
    raw = items.loc[complete, cb.item_codes]
    share_9 = raw.eq(9).to_numpy().mean()
    share_blank = raw.isna().to_numpy().mean()
    assert 0.01 < share_9 < 0.05
    assert 0.002 < share_blank < 0.03


# ----------------------------------------------------------------------------- open answers
def test_open_answers_carry_their_truth(demo, cb):
    """Every exported answer is in the truth with its themes; planted values are in the text."""
    from leerlab_research.io import read_export as read_with_package

    answers = pd.read_csv(demo / "truth" / "open_answers.csv", keep_default_na=False)
    spans = pd.read_csv(demo / "truth" / "open_spans.csv")
    assert answers["question"].isin(["goed", "beter"]).all()
    assert answers["themes"].ne("").mean() > 0.85
    assert set(spans["kind"]) == {"naam", "collega", "telefoon", "e-mail", "school"}
    headers = {q: {f"open_{q}", cb.variables[f"open_{q}"].label.nl} for q in ("goed", "beter")}
    texts = {}
    for name in EXPORTS:
        raw = read_with_package(demo / name)
        for q, names in headers.items():
            col = [c for c in raw.frame.columns if c in names]
            if not col:
                continue
            for row, text in zip(raw.source_rows, raw.frame[col[0]].tolist(), strict=True):
                if isinstance(text, str) and text.strip():
                    texts[(name, int(row), q)] = text
    assert len(texts) == len(answers)
    for rec in spans.itertuples():
        assert rec.value in texts[(rec.source_file, rec.source_row, rec.question)]


def test_anchoring_truth_holds_the_generating_slopes(demo, params):
    """truth/anchoring.csv: the generating slope after the subsidy per lab × scale, its
    scale-score equivalent (latent slope × the item model's gradient) and the programme
    mean; labs of both lines and rounds, declines, one rise and holds on verankering."""
    anc = pd.read_csv(demo / "truth" / "anchoring.csv")
    labs = anc[anc["lab"] != "programme"]
    assert set(labs["round"]) == {2019, 2022} and set(labs["line"]) == {"samenwerking", "leerroute"}
    ver = labs[labs["scale"].isin(["commitment", "faciliteren", "evalueren"])]
    other = labs[~labs["scale"].isin(["commitment", "faciliteren", "evalueren"])]
    assert (other["slope_after_latent"] == 0).all()
    per_lab = ver.groupby("lab")["slope_after_latent"].first()
    assert (per_lab < 0).sum() >= 3 and (per_lab > 0).sum() == 1 and (per_lab == 0).sum() >= 4
    for lab, slope in per_lab.items():
        assert params["slope_after"][lab]["commitment"] == slope
    assert np.allclose(
        ver["slope_after_observed"], ver["slope_after_latent"] * ver["gradient"], atol=1e-5
    )
    assert ver["gradient"].between(0.2, 1.2).all()
    # both rounds decline by the same mean amount (the programme slope does not
    # depend on how a model weighs the rounds)
    by_round = ver.groupby("round")["slope_after_latent"].mean()
    assert by_round[2019] == pytest.approx(by_round[2022])
