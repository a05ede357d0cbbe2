"""``leerlab instrument``: the questionnaire from the codebook, for the field.

Three artefacts from one structure (:func:`.spec.build_survey`):

* ``lss``: LimeSurvey survey structure (:mod:`.lss`);
* ``qsf``: Qualtrics survey file (:mod:`.qsf`);
* ``print``: HTML and PDF through the report engine (:mod:`.printable`,
  template ``reports/questionnaire.qmd``).

Files are named ``<codebook>-<version>-<lang>[-<lab id>][-<wave>].<ext>``, e.g.
``reflectie-1.0.0-nl-weert-T0.lss``. The same inputs give byte-identical
``.lss`` and ``.qsf`` files.
"""

from __future__ import annotations

from pathlib import Path

from ..config.codebook import Codebook
from ..config.labs import Labs
from ..errors import ConfigError
from ..outputs import write_with
from .lss import to_lss
from .printable import render_printable
from .qsf import to_qsf
from .spec import Survey, build_survey

FORMATS = ("lss", "qsf", "print")

__all__ = ["FORMATS", "Survey", "build_survey", "file_stem", "write_instrument"]


def file_stem(survey: Survey) -> str:
    """``reflectie-1.0.0-nl[-<lab id>][-<wave>]``."""
    parts = [survey.name, survey.version, survey.lang]
    if survey.lab:
        parts.append(survey.lab)
    if survey.wave:
        parts.append(survey.wave)
    return "-".join(parts)


def write_instrument(
    codebook: Codebook,
    labs: Labs,
    fmt: str,
    out: Path,
    *,
    lang: str = "nl",
    lab: str | None = None,
    wave: str | None = None,
    codebook_path: Path | None = None,
    labs_path: Path | None = None,
    templates: Path | None = None,
) -> list[Path]:
    """Write the instrument in one format into ``out``.

    Parameters
    ----------
    codebook, labs
        The instrument and the labs.
    fmt
        ``lss``, ``qsf`` or ``print``.
    out
        Output folder (created when needed).
    lang, lab, wave
        See :func:`.spec.build_survey`.
    codebook_path, labs_path, templates
        Needed for ``print``: the files the template reads and the template folder.

    Returns
    -------
    list of Path
        The files written.

    Raises
    ------
    ConfigError
        Unknown format, language, lab or wave.
    """
    if fmt not in FORMATS:
        raise ConfigError(f"--format: unknown format {fmt!r} (choose from {', '.join(FORMATS)})")
    survey = build_survey(codebook, labs, lang=lang, lab=lab, wave=wave)
    out = Path(out)
    stem = file_stem(survey)
    if fmt == "lss":
        data = to_lss(survey)
        return [write_with(lambda p: p.write_bytes(data), out / f"{stem}.lss")]
    if fmt == "qsf":
        data = to_qsf(survey, codebook)
        return [write_with(lambda p: p.write_bytes(data), out / f"{stem}.qsf")]

    if codebook_path is None or labs_path is None or templates is None:
        raise ConfigError("--format print needs the codebook, labs and template paths")
    template = templates / "questionnaire.qmd"
    if not template.is_file():
        raise ConfigError(f"template {template} does not exist")
    return render_printable(
        survey,
        template=template,
        codebook=codebook_path,
        labs=labs_path,
        out_dir=out,
        stem=stem,
    )
