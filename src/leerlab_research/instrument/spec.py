"""The questionnaire as a platform-neutral structure, built from the codebook only.

:func:`build_survey` turns the codebook (item order and wording, answer scale,
variable questions, survey texts) and the labs into a :class:`Survey`: pages of
questions plus hidden fields. The writers (:mod:`.lss`, :mod:`.qsf`,
:mod:`.printable`) only lay this structure out in a platform's format, so every
format asks the same questions in the same order with the same answer codes.

Field names are chosen so that the platforms' CSV exports map to the codebook
without a ``columns`` entry (see :mod:`leerlab_research.cleaning.mapping`):

=============== ======================== ==========================
codebook        LimeSurvey heading        Qualtrics export tag
=============== ======================== ==========================
consent         ``consent``               ``consent``
lab             ``lab``                   ``lab``
school_type     ``schooltype``            ``school_type``
role            ``role``                  ``role``
focus_<area>    ``focus[<area>]``         ``focus_<area>``
item AMB1       ``AMB[SQ001]``            ``AMB1``
open_goed       ``opengoed``              ``open_goed``
wave            ``wave`` (hidden)         ``wave`` (embedded data)
version         ``codebookversion``       ``codebook_version``
=============== ======================== ==========================

Answer codes: items 1–5 and the missing code (9); school type, role and lab
the numbers the codebook (``variables.<name>.codes``) and labs.yaml (``code``)
declare; consent yes/no (LimeSurvey ``Y``/``N``, Qualtrics 1/0).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from ..config.codebook import VERSION_FIELD, Codebook
from ..config.labs import Labs
from ..errors import ConfigError

Kind = Literal["yesno", "single", "dropdown", "multi", "matrix", "text"]

#: Background variables asked on the first page, in this order (focus areas follow).
BACKGROUND = ("lab", "school_type", "role")
#: Free-text variables asked on the last page.
OPEN = ("open_goed", "open_beter")
FOCUS_PREFIX = "focus_"


@dataclass(frozen=True)
class Option:
    """An answer option (``code``, shown ``text``) or a matrix/multi row (``code`` = codebook code)."""

    code: str
    text: str


@dataclass(frozen=True)
class Question:
    """One question.

    ``name`` is the codebook variable (the scale code for a matrix, ``focus`` for
    the focus areas); ``options`` are the answer options (for ``multi``: the
    boxes, with the codebook variable as ``code``); ``rows`` the matrix
    statements with the item code as ``code``.
    """

    name: str
    kind: Kind
    text: str
    options: tuple[Option, ...] = ()
    rows: tuple[Option, ...] = ()
    help: str = ""
    mandatory: bool = False


@dataclass(frozen=True)
class Page:
    key: str
    title: str
    questions: tuple[Question, ...]


@dataclass(frozen=True)
class Survey:
    """The questionnaire for one language, lab (optional) and wave (optional)."""

    name: str
    title: str
    version: str
    lang: str
    intro: str
    end: str
    pages: tuple[Page, ...]
    hidden: tuple[tuple[str, str], ...] = field(default_factory=tuple)
    lab: str | None = None
    lab_name: str | None = None
    wave: str | None = None

    @property
    def questions(self) -> list[Question]:
        return [q for page in self.pages for q in page.questions]


def _value_options(cb: Codebook, var: str, lang: str) -> tuple[Option, ...]:
    v = cb.variables[var]
    labels = v.value_labels or {}
    codes = v.codes or {}
    missing = [value for value in v.enum or [] if value not in codes]
    if missing:
        raise ConfigError(
            f"{cb.name}: variables.{var}.codes: a generated survey needs an answer code for "
            f"every value; missing: {', '.join(missing)}"
        )
    return tuple(
        Option(str(codes[value]), labels[value].get(lang) if value in labels else value)
        for value in v.enum or []
    )


def _scale_options(cb: Codebook, item: str, lang: str) -> tuple[Option, ...]:
    vs = cb.value_set_of(item)
    opts = [Option(str(code), vs.labels[code].get(lang)) for code in vs.valid_codes]
    opts += [Option(str(code), m.label.get(lang)) for code, m in sorted(vs.missing.items())]
    return tuple(opts)


def check_codebook(cb: Codebook) -> None:
    """Refuse a codebook the generated surveys cannot represent (all problems at once)."""
    problems = []
    if cb.survey is None:
        problems.append("survey: the codebook needs the survey texts (intro, consent, ...)")
    for var in (*BACKGROUND, "consent", "wave", *OPEN):
        if var not in cb.variables:
            problems.append(f"variables.{var}: the questionnaire asks this variable")
    for scale in cb.scales.values():
        code = scale.code
        if not (code[:1].isalpha() and code.isalnum() and len(code) <= 20):
            problems.append(
                f"scales.{scale.name}.code: {code!r} is not a valid LimeSurvey question code "
                "(a letter, then letters/digits, at most 20 characters)"
            )
        sets = {cb.items[i].value_set for i in scale.items}
        if len(sets) != 1:
            problems.append(f"scales.{scale.name}: items of one matrix need one value set")
    if problems:
        raise ConfigError(f"Cannot build a survey from codebook {cb.name}", problems)


def build_survey(
    cb: Codebook, labs: Labs, *, lang: str = "nl", lab: str | None = None, wave: str | None = None
) -> Survey:
    """Build the questionnaire from the codebook.

    Parameters
    ----------
    cb, labs
        The instrument and the labs.
    lang
        ``nl`` or ``en``.
    lab
        A lab (id, name or alias): the lab question is replaced by a hidden field.
    wave
        A wave of the codebook's ``wave`` variable, stored in a hidden field.

    Raises
    ------
    ConfigError
        Unknown language, lab or wave, or a codebook the survey cannot represent.
    """
    if lang not in ("nl", "en"):
        raise ConfigError(f"--lang: unknown language {lang!r} (use nl or en)")
    check_codebook(cb)
    assert cb.survey is not None
    lab_id = None
    if lab is not None:
        lab_id = labs.resolve(lab)
        if lab_id is None:
            raise ConfigError(
                f"--lab: unknown lab {lab!r} (known: {', '.join(x.id for x in labs.labs)})"
            )
    waves = cb.variables["wave"].enum or []  # the study's waves (none for a bare codebook)
    if wave is not None and waves and wave not in waves:
        raise ConfigError(f"--wave: unknown wave {wave!r} (known: {', '.join(waves)})")
    texts = cb.survey
    var = cb.variables

    first: list[Question] = [
        Question(
            "consent",
            "yesno",
            var["consent"].question_text(lang),
            # Codebook values as codes: each platform writes its own yes/no code.
            tuple(
                Option(v, (var["consent"].value_labels or {})[v].get(lang)) for v in ("ja", "nee")
            ),
            help=texts.consent.get(lang),
            mandatory=True,
        )
    ]
    if lab_id is None:
        missing = [x.id for x in labs.labs if x.code is None]
        if missing:
            raise ConfigError(
                "labs.yaml: every lab needs a `code` for the lab question of a survey without "
                f"--lab; missing for: {', '.join(missing)}"
            )
        lab_opts = tuple(Option(str(x.code), x.name) for x in labs.labs)
        first.append(
            Question("lab", "dropdown", var["lab"].question_text(lang), lab_opts, mandatory=True)
        )
    for name in BACKGROUND[1:]:
        first.append(
            Question(
                name,
                "single",
                var[name].question_text(lang),
                _value_options(cb, name, lang),
                mandatory=True,
            )
        )
    focus = [n for n, v in var.items() if n.startswith(FOCUS_PREFIX) and v.type == "boolean"]
    if focus:
        first.append(
            Question(
                "focus",
                "multi",
                texts.focus.get(lang),
                tuple(Option(n, var[n].question_text(lang)) for n in focus),
            )
        )
    pages = [Page("achtergrond", texts.background.get(lang), tuple(first))]
    for dname, domain in cb.domains.items():
        qs = []
        for sname in cb.scales_in_domain(dname):
            scale = cb.scales[sname]
            rows = tuple(Option(i, cb.items[i].text.get(lang)) for i in scale.items)
            qs.append(
                Question(
                    scale.code,
                    "matrix",
                    texts.matrix.get(lang),
                    _scale_options(cb, scale.items[0], lang),
                    rows,
                    help=scale.label.get(lang),
                )
            )
        if qs:
            pages.append(Page(dname, domain.label.get(lang), tuple(qs)))
    pages.append(
        Page(
            "open",
            texts.closing.get(lang),
            tuple(Question(n, "text", var[n].question_text(lang)) for n in OPEN),
        )
    )
    hidden: list[tuple[str, str]] = []
    if lab_id is not None:
        hidden.append(("lab", lab_id))
    if wave is not None:
        hidden.append(("wave", wave))
    hidden.append((VERSION_FIELD, cb.version))
    parts = [cb.title.get(lang)]
    if lab_id is not None:
        parts.append(labs.name_of(lab_id))
    if wave is not None:
        parts.append(wave)
    parts.append(f"codebook {cb.version}")
    return Survey(
        name=cb.name,
        title=" · ".join(parts),
        version=cb.version,
        lang=lang,
        intro=texts.intro.get(lang),
        end=texts.end.get(lang),
        pages=tuple(pages),
        hidden=tuple(hidden),
        lab=lab_id,
        lab_name=labs.name_of(lab_id) if lab_id else None,
        wave=wave,
    )
