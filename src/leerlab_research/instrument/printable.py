"""The printable questionnaire: Markdown for ``reports/questionnaire.qmd``, rendered by the report engine.

The template is the one source of the printed layout (HTML and PDF, like the
reports); this module only turns a :class:`~.spec.Survey` into Markdown and
asks the engine to render it. Boxes (☐) replace the platform's widgets; a
matrix becomes a table with one column per answer code, the missing code last.
"""

from __future__ import annotations

from pathlib import Path

from ..config.codebook import load_codebook
from ..config.labs import load_labs
from ..report.engine import RenderRequest, render
from ..report.engine.request import ZIP_EPOCH, epoch_from_env
from ..text import msg
from .spec import Question, Survey, build_survey

BOX = "☐"
FORMATS = ("html", "pdf")


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _question(number: int, q: Question) -> list[str]:
    out = [f"**{number}. {q.text}**", ""]
    if q.help and q.kind != "matrix":
        out += [f"*{q.help}*", ""]
    if q.kind == "yesno":
        out += ["  ".join(f"{BOX} {opt.text}" for opt in q.options), ""]
    elif q.kind in ("single", "dropdown", "multi"):
        # A typographic apostrophe: smart quotes would turn 's-Hertogenbosch into ‘s-.
        out += [f"- {BOX} {opt.text.replace(chr(39), '’')}" for opt in q.options] + [""]
    elif q.kind == "matrix":
        if q.help:
            out[0] = f"**{number}. {q.help}**"
            out += [q.text, ""]
        header = [""] + [f"{_cell(o.text)} ({o.code})" for o in q.options]
        out.append("| " + " | ".join(header) + " |")
        # Pandoc sizes wrapped pipe-table columns by their dashes: statements get ~half.
        out.append("|" + "|".join([":" + "-" * 36] + [":" + "-" * 7 + ":"] * len(q.options)) + "|")
        for row in q.rows:
            out.append("| " + " | ".join([_cell(row.text)] + [BOX] * len(q.options)) + " |")
        out.append("")
    else:
        out += ["", "\\_" * 60, "", "\\_" * 60, ""]
    return out


def questionnaire_markdown(survey: Survey) -> str:
    """The questionnaire as Markdown: intro, numbered questions per part, closing text.

    Parameters
    ----------
    survey
        From :func:`~.spec.build_survey`; its language picks the fixed words from
        the text catalogue (:data:`leerlab_research.text.MESSAGES`).
    """
    lang = survey.lang
    meta = []
    if survey.lab_name:
        meta.append(msg("survey_lab", lang, lab=survey.lab_name))
    if survey.wave:
        meta.append(msg("survey_wave", lang, wave=survey.wave))
    meta.append(msg("survey_codebook", lang, name=survey.name, version=survey.version))
    lines = [" · ".join(meta), "", survey.intro, ""]
    number = 0
    for p, page in enumerate(survey.pages, start=1):
        lines += [f"## {msg('survey_part', lang, n=p, title=page.title)}", ""]
        for q in page.questions:
            number += 1
            lines += _question(number, q)
    lines += [survey.end, ""]
    return "\n".join(lines)


def markdown_for(codebook: str, labs: str, lang: str = "nl", lab: str = "", wave: str = "") -> str:
    """Build the survey from file paths and return its Markdown (called by the template)."""
    survey = build_survey(
        load_codebook(codebook), load_labs(labs), lang=lang, lab=lab or None, wave=wave or None
    )
    return questionnaire_markdown(survey)


def render_printable(
    survey: Survey,
    *,
    template: Path,
    codebook: Path,
    labs: Path,
    out_dir: Path,
    stem: str,
    formats: tuple[str, ...] = FORMATS,
) -> list[Path]:
    """Render ``questionnaire.qmd`` to ``<out_dir>/<stem>.html`` and ``.pdf``."""

    result = render(
        RenderRequest(
            template=template,
            output_dir=out_dir,
            output_stem=stem,
            params={
                "codebook": str(Path(codebook).resolve()),
                "labs": str(Path(labs).resolve()),
                "lang": survey.lang,
                "lab": survey.lab or "",
                "wave": survey.wave or "",
            },
            formats=list(formats),
            lang=survey.lang,
            metadata={"title": survey.title},
            # No data to date it by: a fixed date keeps the PDF byte-identical.
            source_date_epoch=epoch_from_env(ZIP_EPOCH),
        )
    )
    return list(result.outputs)
