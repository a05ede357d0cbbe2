"""The demo study: a deterministic programme dataset in real export layouts, with ground truth.

``generate_demo(seed, out)`` writes twelve exports (one platform per lab, three
labs per platform, three waves: the start and end of the 2022 round's subsidy year
and one year later) and the ground truth::

    limesurvey_T0.csv … limesurvey_T2.csv   LimeSurvey CSV, code headings, answer codes
    msforms_T0.xlsx … msforms_T2.xlsx       Microsoft Forms 'Open in Excel'
    excel_nl_T0.csv … excel_nl_T2.csv       Dutch Excel CSV (; cp1252 CRLF, decimal comma)
    spss_T0.sav … spss_T2.sav               SPSS with value labels, 9 user-missing
    truth/respondents.csv  truth/items.csv  truth/anchoring.csv  truth/parameters.json
    truth/open_answers.csv truth/open_spans.csv   themes and planted personal data (open_text)

The same seed gives byte-identical files (no clock, locale or path is written).

Latent model
------------
Nine correlated scale factors (codebook order). For a person in lab *l*, role
*r*, school type *s* at wave *w*::

    eta = lab_intercept[l] + role_effect[r] + school_effect[l, s] + [w > first]·change[l]
          + slope_after[l]·(after[l, w] − after[l, first]) + residual

``after`` is the number of years since the lab's subsidy ended (0 while it runs);
``slope_after`` (verankering scales only) makes some labs decline after the subsidy,
one rise and the rest hold (:data:`.params.SLOPE_AFTER`). About a third of each wave's
respondents does not answer the next one and 3–10 newcomers join per lab and wave.
Residuals ~ N(0, factor correlation), AR(1) over the waves (lag-1 correlation .6). Lab
intercepts have ICC 0.06–0.18 per scale. Items follow a graded-response model
(loadings 0.5–0.85, four thresholds each); reverse-keyed items are written as
``6 − k``. All values are in ``truth/parameters.json``.

Conventions the cleaning stage relies on
----------------------------------------
*Persistent key* (same person, same key in every wave): LimeSurvey ``token``,
MS Forms ``Email``, Dutch CSV ``Respondentnummer``, SPSS ``respondent_id``.

*Test rows* (1–2 per file, ``is_test``). Every test row carries a test identity:

* LimeSurvey: ``token`` is ``test`` or ``TESTRESPONS`` (real tokens never start with t/T);
* MS Forms: ``Email`` ``test@leerlabadvies.example`` / ``test.account@…``, ``Name`` ``Test`` / ``Test Persoon``;
* Dutch CSV: ``Naam`` ``Test`` / ``Test Persoon``, ``E-mail`` ``test@…`` / ``test.account@…``,
  ``Respondentnummer`` 99901 / 99902 (real numbers are 10000–98999);
* SPSS: ``respondent_id`` ``TEST`` / ``TEST2``, ``naam`` ``Test`` / ``Test Persoon``, ``email`` as above.

The first test row of a file has lab ``TEST``, ``Test`` or ``test`` (no real
lab); a second one names a real lab. Rule that finds all of them: the key,
name or e-mail starts with ``test`` (case-insensitive), or the lab is ``test``.

*No consent* (``no_consent``): LimeSurvey ``consent`` = ``N``, routed to the end:
``submitdate`` set, ``lastpage`` = 1, all later questions NULL. MS Forms
``Toestemming`` = ``Nee``, Dutch CSV ``nee``, SPSS ``consent`` = 0: these forms
have no routing, so the items *are* answered and must still be dropped.

*Incomplete* (``is_incomplete``): LimeSurvey ``submitdate`` empty and ``lastpage``
1–3 (< 5 pages); pages after ``lastpage`` are NULL (unquoted empty). Other
platforms: no submit time (MS Forms ``Completion time``, CSV ``Verstuurd op`` and
``Duur (min)``, SPSS ``submitted_at``) and only the first 0–8 items answered.
Some incomplete rows are abandoned first attempts of a person who later
submitted a complete response with the same key (earlier in the file).

*Duplicates* (``is_duplicate``): the same key twice in one file, both complete;
the earlier (by start time) is flagged and is the one to drop.

*Speeders* (``is_speeder``): submit − start 25–60 s (< 2 s × 34 items = 68 s),
random answers; everybody else takes ≥ 180 s (test rows ≥ 150 s), also when
the Dutch CSV truncates both times to whole minutes.
*Straightliners*: one raw code for all 34 items (no 9, no blank); no other
complete row is constant. Speeders and straightliners are kept (flag, don't drop).

*Aliases* (``is_alias``): about 20 % of rows spell the lab with a labs.yaml alias
or a lower-case variant (upper/lower case for labs without aliases); every
spelling resolves with ``Labs.resolve``. Test rows are never ``is_alias``.

*Exclusion precedence* in ``expected_reason``: test > no_consent > incomplete > duplicate.

Platform details
----------------
LimeSurvey: ``lab`` free text, ``schooltype``/``rol`` answer codes, ``consent``
``Y``/``N``, ``focus[...]`` ``Y``/``""``, items ``AMB[SQ001]`` … (n-th item of a
scale is ``SQ00n``), 1–5, 9, ``""`` shown-but-unanswered, NULL not shown; 5 pages
(1 background, 2–4 one per domain, 5 open questions). MS Forms: answer labels
from the codebook until the form was edited (``msforms_label_switch`` in
parameters.json), the codebook's 'mee eens' aliases and ``Weet niet`` after;
Schooltype ``vmbo``/``mbo``/``Anders``, Rol capitalised (``Docent``), Toestemming
and focus ``Ja``/``Nee``. SPSS: ``school_type`` 1 vmbo 2 mbo 3 anders, ``role``
1 bestuur 2 management 3 docent 4 procesbegeleider 5 anders, ``consent`` 1/0.
Personal data (names, e-mail under ``.example``, IPs in RFC 5737 ranges) is fake.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from ..config.codebook import Codebook, load_codebook
from ..config.labs import load_labs
from ..errors import ConfigError
from ..outputs import atomic_path, write_csv, write_json, write_with
from . import exports
from .open_text import open_truth
from .params import PLATFORMS, WAVES, draw_parameters
from .record import write_record
from .simulate import FILE_EXT, simulate
from .truth import anchoring_table, items_table, parameters_json, respondents_table

__all__ = ["CONVENTIONS", "default_codebook_path", "generate_demo"]

CONVENTIONS: dict[str, Any] = {
    "person_key": {
        "limesurvey": "token",
        "msforms": "Email",
        "excel_nl": "Respondentnummer",
        "spss": "respondent_id",
    },
    "test_rows": {
        "rule": "key, name or e-mail starts with 'test' (case-insensitive), or lab normalises to 'test'",
        "limesurvey": {"token": ["test", "TESTRESPONS"]},
        "msforms": {
            "Email": ["test@leerlabadvies.example", "test.account@leerlabadvies.example"],
            "Name": ["Test", "Test Persoon"],
        },
        "excel_nl": {
            "Respondentnummer": ["99901", "99902"],
            "Naam": ["Test", "Test Persoon"],
            "E-mail": ["test@leerlabadvies.example", "test.account@leerlabadvies.example"],
        },
        "spss": {
            "respondent_id": ["TEST", "TEST2"],
            "naam": ["Test", "Test Persoon"],
            "email": ["test@leerlabadvies.example", "test.account@leerlabadvies.example"],
        },
        "lab": "first test row of a file: TEST/Test/test; second: a real lab name",
    },
    "no_consent": {
        "limesurvey": "consent = N; submitdate set; lastpage = 1; later questions NULL",
        "msforms": "Toestemming = Nee; items answered",
        "excel_nl": "Toestemming = nee; items answered",
        "spss": "consent = 0; items answered",
    },
    "incomplete": {
        "limesurvey": "submitdate empty; lastpage in 1..3 (< 5); pages after lastpage NULL",
        "msforms": "Completion time empty; only the first 0-8 items answered",
        "excel_nl": "Verstuurd op and Duur (min) empty; only the first 0-8 items answered",
        "spss": "submitted_at missing; only the first 0-8 items answered",
    },
    "duplicate": "same key twice in one file, both complete: the earlier start is the duplicate",
    "speeder": "submit - start < 68 s (2 s x 34 items); all other rows >= 150 s (also with minute-truncated times)",
    "straightliner": "all 34 raw answers identical (no 9, no blank)",
    "alias": "lab written as a labs.yaml alias or lower/upper-case variant of the display name",
    "precedence": ["test", "no_consent", "incomplete", "duplicate"],
}


def _bytes_writer(data: bytes) -> Callable[[Path], int]:
    """A writer for :func:`write_with` that writes ``data`` (bound now, not when called)."""
    return lambda path: path.write_bytes(data)


def default_codebook_path() -> Path:
    """``data/codebook/reflectie.yaml`` of the source checkout this package lives in."""
    return Path(__file__).resolve().parents[3] / "data" / "codebook" / "reflectie.yaml"


def _check_codebook(cb: Codebook) -> None:
    """The generator writes codes 1–5 and 9: refuse an instrument it cannot represent."""
    problems = []
    for item in cb.item_codes:
        vs = cb.value_set_of(item)
        if vs.type != "likert" or cb.item_range(item) != (1, 5) or 9 not in vs.missing:
            problems.append(f"items.{item}: the demo needs a 1-5 Likert item with missing code 9")
    if problems:
        raise ConfigError("The demo generator cannot use this codebook", problems)


def generate_demo(
    seed: int,
    out: Path,
    codebook: Path | None = None,
    labs: Path | None = None,
) -> list[Path]:
    """Generate the demo study exports and ground truth into ``out``.

    Parameters
    ----------
    seed
        Seed for ``numpy.random.default_rng``; the same seed gives byte-identical files.
    out
        Output folder (created if needed). Existing files of the same name are replaced.
    codebook
        Codebook YAML; default ``data/codebook/reflectie.yaml`` of the checkout.
    labs
        Labs YAML; default ``labs.yaml`` next to the codebook.

    Returns
    -------
    list of Path
        The twelve exports followed by ``truth/respondents.csv``, ``truth/items.csv``,
        ``truth/open_answers.csv``, ``truth/open_spans.csv``, ``truth/anchoring.csv`` and
        ``truth/parameters.json``.

    Raises
    ------
    ConfigError
        When the seed is negative, or the codebook or labs file is invalid or unusable.
    """
    if seed < 0:
        raise ConfigError(f"--seed must be 0 or larger, got {seed}")
    cb_path = Path(codebook) if codebook is not None else default_codebook_path()
    labs_path = Path(labs) if labs is not None else cb_path.parent / "labs.yaml"
    for what, path in (("codebook", cb_path), ("labs file", labs_path)):
        if not path.is_file():
            raise ConfigError(f"demo: {what} not found: {path}")
    cb = load_codebook(cb_path)
    lab_list = load_labs(labs_path)
    _check_codebook(cb)

    rng = np.random.default_rng(seed)
    params = draw_parameters(seed, cb, lab_list, rng)
    sim = simulate(cb, lab_list, params, rng)

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    label_switch: dict[str, str] = {}
    for platform in PLATFORMS:
        for wave in WAVES:
            name = f"{platform}_{wave}.{FILE_EXT[platform]}"
            sel = (sim.rows["source_file"] == name).to_numpy()
            rows, codes = sim.rows[sel].reset_index(drop=True), sim.codes[sel]
            target = out / name
            if platform == "limesurvey":
                data = exports.limesurvey_csv(rows, codes, cb, sim.n_pages)
            elif platform == "msforms":
                data = exports.msforms_xlsx(rows, codes, cb)
                label_switch[wave] = str(exports.msforms_label_switch(rows))
            elif platform == "excel_nl":
                data = exports.excel_nl_csv(rows, codes, cb)
            else:
                with atomic_path(target) as tmp:
                    exports.spss_sav(rows, codes, cb, tmp, wave)
                written.append(target)
                continue
            written.append(write_with(_bytes_writer(data), target))

    # SPSS exports carry no open questions; the other three platforms do.
    exported = sim.rows["platform"].ne("spss").to_numpy()
    open_answers, open_spans = open_truth(sim.rows, exported)
    truth = respondents_table(sim, params)
    written.append(write_csv(truth, out / "truth" / "respondents.csv"))
    written.append(write_csv(items_table(sim, params), out / "truth" / "items.csv"))
    written.append(write_csv(open_answers, out / "truth" / "open_answers.csv"))
    written.append(write_csv(open_spans, out / "truth" / "open_spans.csv"))
    written.append(write_csv(anchoring_table(sim, params), out / "truth" / "anchoring.csv"))
    written.append(
        write_json(
            parameters_json(
                params, truth, cb, sim.n_pages, label_switch, CONVENTIONS, sim.lab_focus
            ),
            out / "truth" / "parameters.json",
        )
    )
    # The sha256 of every file, so that the key rules recognise the demo's exports.
    write_record(out, written)
    return written
