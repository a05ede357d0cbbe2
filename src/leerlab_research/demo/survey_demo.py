"""``leerlab demo --survey FILE``: demo responses to a generated survey, with their truth.

The demo's simulated LimeSurvey respondents of the survey's wave (hidden field
``wave``; T0 when the survey has none) answer the survey in ``FILE`` (``.lss``
or ``.qsf``); with a hidden ``lab`` only that lab's respondents do. The export
is written as ``<out>/<survey stem>.csv`` in the platform's layout
(:mod:`.survey_exports`) and its ground truth as
``<out>/truth/<survey stem>_respondents.csv`` and ``_items.csv``: the rows of
``truth/respondents.csv``/``items.csv`` of the same respondents with
``source_file``/``source_row`` of the new export (LimeSurvey: header = row 1;
Qualtrics: first data row = 4).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..config.codebook import load_codebook
from ..config.labs import load_labs
from ..errors import ConfigError
from ..outputs import write_csv, write_with
from . import _check_codebook, default_codebook_path
from .params import draw_parameters
from .simulate import simulate
from .survey_exports import NOT_A_SURVEY, hidden_fields, limesurvey_export, qualtrics_export
from .truth import items_table, respondents_table

FIRST_ROW = {".lss": 2, ".qsf": 4}


def generate_survey_export(
    survey: Path,
    out: Path,
    *,
    seed: int = 7,
    codebook: Path | None = None,
    labs: Path | None = None,
    stem: str | None = None,
) -> list[Path]:
    """Write the demo export of ``survey`` and its truth into ``out``.

    The files are named after ``stem`` (default: the survey's file name without
    its extension): ``<stem>.csv`` and ``truth/<stem>_respondents.csv``, ….

    Raises
    ------
    ConfigError
        When the file is not a ``.lss``/``.qsf``, cannot be parsed, or its lab has
        no simulated LimeSurvey respondents.
    """

    survey = Path(survey)
    if survey.suffix not in FIRST_ROW or not survey.is_file():
        raise ConfigError(f"--survey: {survey} is not an existing .lss or .qsf file")
    data = survey.read_bytes()
    try:
        hidden = hidden_fields(data)
    except NOT_A_SURVEY as exc:
        raise ConfigError(f"--survey: {survey} cannot be read as a survey file ({exc})") from None
    cb_path = Path(codebook) if codebook is not None else default_codebook_path()
    labs_path = Path(labs) if labs is not None else cb_path.parent / "labs.yaml"
    cb, lab_list = load_codebook(cb_path), load_labs(labs_path)
    _check_codebook(cb)
    rng = np.random.default_rng(seed)
    params = draw_parameters(seed, cb, lab_list, rng)
    sim = simulate(cb, lab_list, params, rng)

    wave = hidden.get("wave") or "T0"
    rows = sim.rows
    sel = rows["platform"].eq("limesurvey").to_numpy() & rows["wave"].eq(wave).to_numpy()
    lab = hidden.get("lab")
    if lab:
        sel &= rows["lab"].eq(lab).to_numpy()
        if not sel.any():
            have = sorted(set(rows.loc[rows["platform"].eq("limesurvey"), "lab"]) - {""})
            raise ConfigError(
                f"--survey: the demo has no simulated respondents in lab {lab!r}; "
                f"build the survey for one of: {', '.join(have)}"
            )
    idx = np.flatnonzero(sel)
    picked, codes = rows.iloc[idx].reset_index(drop=True), sim.codes[idx]
    writer = limesurvey_export if survey.suffix == ".lss" else qualtrics_export
    export = writer(data, picked, codes, cb, lab_list)

    out = Path(out)
    stem = stem or survey.stem
    name = f"{stem}.csv"
    written = [write_with(lambda p: p.write_bytes(export), out / name)]
    keys = set(zip(picked["source_file"], picked["source_row"], strict=True))
    new_row = {
        (f, r): i + FIRST_ROW[survey.suffix]
        for i, (f, r) in enumerate(zip(picked["source_file"], picked["source_row"], strict=True))
    }
    for table, suffix in (
        (respondents_table(sim, params), "respondents"),
        (items_table(sim, params), "items"),
    ):
        pairs = list(zip(table["source_file"], table["source_row"], strict=True))
        mask = np.array([p in keys for p in pairs], dtype=bool)
        sub = table[mask].copy()
        sub["source_row"] = [new_row[p] for p, m in zip(pairs, mask, strict=True) if m]
        sub["source_file"] = name
        sub = sub.sort_values("source_row", kind="stable").reset_index(drop=True)
        written.append(write_csv(sub, out / "truth" / f"{stem}_{suffix}.csv"))
    return written


def export_stems(surveys: list[Path]) -> list[str]:
    """The file stem of each survey's demo export, distinct when two surveys share one.

    ``leerlab instrument`` names its LimeSurvey and Qualtrics files alike
    (``reflectie-1.0.0-nl-helmond-T1.lss`` / ``.qsf``); their exports would both be
    ``reflectie-1.0.0-nl-helmond-T1.csv``. Such stems get the platform appended
    (``…-T1-limesurvey``, ``…-T1-qualtrics``).
    """
    stems = [Path(s).stem for s in surveys]
    platform = {".lss": "limesurvey", ".qsf": "qualtrics"}
    return [
        f"{stem}-{platform.get(Path(s).suffix, Path(s).suffix.lstrip('.'))}"
        if stems.count(stem) > 1
        else stem
        for s, stem in zip(surveys, stems, strict=True)
    ]
