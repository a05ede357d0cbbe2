"""The study file: everything needed to reproduce one analysis.

A study YAML names the codebook and labs files (relative to the study file), the
export files to read, and the settings of every stage. Loading it validates the
study, the codebook and the labs together and reports all problems at once.

Example (``analyses/demo/study.yaml``)::

    name: demo
    codebook: ../../data/codebook/reflectie.yaml
    labs: ../../data/codebook/labs.yaml
    waves:                       # in order; any number
      - id: T0
        label: {nl: Start subsidiejaar, en: Start of the subsidy year}
        fieldwork: {start: 2022-09-05, end: 2022-10-14}
    sources:
      - path: ../../data/demo/limesurvey_T0.csv
        platform: limesurvey
        wave: T0
    settings:
      min_cell: 5
      seed: 20190901
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, field_validator

from ..errors import ConfigError, LeerlabError
from .checks import study_problems
from .codebook import Codebook, LocalText, load_codebook
from .keys import DEMO_PSEUDONYM_KEY, KeyInfo, non_secret_env_problem, resolve_key
from .labs import Labs, Period, load_labs
from .loader import load_model
from .settings import CleaningSettings, CompareSettings, MeasurementSettings, ReportSettings

Platform = Literal[
    "auto", "limesurvey", "msforms", "qualtrics", "googleforms", "spss", "csv", "xlsx"
]

__all__ = ["DEMO_PSEUDONYM_KEY", "Source", "Settings", "Study", "StudyFile", "load_study"]


class Wave(BaseModel):
    """One wave (meting) of the study, declared in order in ``waves``.

    ``fieldwork`` dates place the wave in time: with the labs' subsidy periods they
    give each lab's phase (during / after the subsidy) at that wave.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]*$", description="e.g. T0")
    label: LocalText
    fieldwork: Period | None = None


class Source(BaseModel):
    """One export file."""

    model_config = ConfigDict(extra="forbid")

    path: str
    platform: Platform = "auto"
    wave: str | None = Field(
        None, description="the wave of every row of this export; one of the study's waves"
    )
    columns: dict[str, str] = Field(
        default_factory=dict, description="export header → codebook code"
    )
    values: dict[str, dict[str, str | int]] = Field(
        default_factory=dict,
        description="codebook code → {value as exported → value the codebook knows}; "
        "e.g. Qualtrics numeric codes: {role: {'1': bestuur, '2': management}}",
    )
    sheet: str | int | None = None
    resolved: Path | None = Field(None, exclude=True)


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    min_cell: int = Field(5, ge=1, description="smallest group shown in any output")
    seed: int = 20190901
    language: Literal["nl", "en"] = "nl"
    pseudonym_key_env: str = "LEERLAB_PSEUDONYM_KEY"
    demo_key: bool = Field(False, description="allow the public demo key when the env var is unset")
    open_answers: bool = Field(
        True, description="keep de-identified open answers (false: drop them with the identifiers)"
    )
    cleaning: CleaningSettings = Field(default_factory=CleaningSettings)
    # ``reliability`` is the section's name before 0.2 (the stage was renamed measurement).
    measurement: MeasurementSettings = Field(
        default_factory=MeasurementSettings,
        validation_alias=AliasChoices("measurement", "reliability"),
    )
    compare: CompareSettings = Field(default_factory=CompareSettings)
    report: ReportSettings = Field(default_factory=ReportSettings)

    @field_validator("pseudonym_key_env")
    @classmethod
    def _secret_variable(cls, v: str) -> str:
        problem = non_secret_env_problem(v)
        if problem:
            raise ValueError(problem)
        return v


class StudyFile(BaseModel):
    """The study YAML as written (paths still relative)."""

    model_config = ConfigDict(extra="forbid")

    name: str
    title: str | None = None
    codebook: str
    labs: str
    waves: list[Wave] = Field(
        default_factory=list,
        description="the study's waves in order; default: the sources' waves, sorted",
    )
    sources: list[Source] = Field(min_length=1)
    settings: Settings = Field(default_factory=Settings)
    output: str | None = None

    @field_validator("name")
    @classmethod
    def _name_is_slug(cls, v: str) -> str:
        if not v or any(c in v for c in "/\\ ") or v.startswith("."):
            raise ValueError("name must be a simple folder name (no slashes or spaces)")
        return v


class Study:
    """A loaded, validated study: config, codebook, labs and resolved paths."""

    def __init__(self, path: Path, config: StudyFile, codebook: Codebook, labs: Labs) -> None:
        self.path = path
        self.config = config
        self.codebook = codebook
        self.labs = labs

    @property
    def name(self) -> str:
        return self.config.name

    @property
    def settings(self) -> Settings:
        return self.config.settings

    @property
    def sources(self) -> list[Source]:
        return self.config.sources

    @property
    def waves(self) -> list[Wave]:
        """Declared waves in order; without a declaration the sources' waves, sorted."""
        if self.config.waves:
            return list(self.config.waves)
        ids = sorted({s.wave for s in self.config.sources if s.wave is not None})
        return [Wave(id=w, label=LocalText(nl=w)) for w in ids]

    @property
    def wave_ids(self) -> list[str]:
        return [w.id for w in self.waves]

    @property
    def base_dir(self) -> Path:
        return self.path.parent

    @property
    def codebook_path(self) -> Path:
        return (self.base_dir / self.config.codebook).resolve()

    @property
    def labs_path(self) -> Path:
        return (self.base_dir / self.config.labs).resolve()

    def output_root(self, override: str | Path | None = None) -> Path:
        """``--out`` if given, else ``output`` from the study file, else ``out/<name>``."""
        if override is not None:
            return Path(override)
        if self.config.output:
            return self.base_dir / self.config.output
        return Path("out") / self.name

    def pseudonym_key(self) -> bytes:
        """The HMAC key for pseudonymisation (see :func:`key_info`)."""
        return self.key_info().key

    def key_info(self) -> KeyInfo:
        """The key from the environment variable the study names, checked.

        Raises
        ------
        ConfigError
            If the variable is unset and the study does not allow the demo key,
            or it is empty or shorter than 16 bytes (:mod:`.keys`).
        """
        return resolve_key(
            self.path.name,
            self.settings.pseudonym_key_env,
            self.settings.demo_key,
            [(s.path, s.resolved) for s in self.sources],
        )

    def file_hash(self) -> str:
        return hashlib.sha256(self.path.read_bytes()).hexdigest()


def study_waves(codebook: Codebook) -> list[str]:
    """The waves a study may use: the values of the codebook's ``wave`` variable, in order."""
    var = codebook.variables.get("wave")
    return list(var.enum or []) if var is not None else []


def load_study(path: str | Path, *, check_sources: bool = True) -> Study:
    """Load a study file with its codebook and labs; collect all problems.

    Raises
    ------
    ConfigError
        Listing every problem in the study file, the codebook and the labs file.
    """
    path = Path(path)
    config, problems = load_model(path, StudyFile, "Study")
    fname = path.name
    base = path.parent
    for i, src in enumerate(config.sources):
        resolved = (base / src.path).resolve()
        src.resolved = resolved
        if check_sources and not resolved.exists():
            problems.append(
                f"{fname}: sources[{i}].path: file {src.path!r} does not exist ({resolved})"
            )
    codebook: Codebook | None = None
    labs: Labs | None = None
    for attr, loader in (("codebook", load_codebook), ("labs", load_labs)):
        target = (base / getattr(config, attr)).resolve()
        if not target.exists():
            problems.append(
                f"{fname}: {attr}: file {getattr(config, attr)!r} does not exist ({target})"
            )
            continue
        try:
            loaded = loader(target)
        except LeerlabError as exc:
            problems.extend([exc.message, *exc.problems])
            continue
        if isinstance(loaded, Codebook):
            codebook = loaded
        else:
            labs = loaded
    if codebook is not None:
        known = set(codebook.item_codes) | set(codebook.variables)
        for i, src in enumerate(config.sources):
            for header, code in src.columns.items():
                if code not in known:
                    problems.append(
                        f"{fname}: sources[{i}].columns.{header}: unknown codebook code {code!r}"
                    )
            for code in src.values:
                if code not in known:
                    problems.append(
                        f"{fname}: sources[{i}].values.{code}: unknown codebook code {code!r}"
                    )
    problems += _wave_problems(config, fname)
    if codebook is not None and labs is not None:
        problems += study_problems(config, codebook, labs, fname, _wave_ids(config))
    if problems or codebook is None or labs is None:
        raise ConfigError(f"Study {path} is invalid", problems)
    study = Study(path, config, codebook, labs)
    # the codebook's wave variable takes its values from the study's waves
    if config.waves:  # declared waves are the only values the wave variable takes
        study.codebook = codebook.with_enum("wave", study.wave_ids)
    return study


def _wave_ids(config: StudyFile) -> list[str]:
    """The study's waves: declared in order, else the sources' waves sorted."""
    if config.waves:
        return [w.id for w in config.waves]
    return sorted({s.wave for s in config.sources if s.wave is not None})


def _wave_problems(config: StudyFile, fname: str) -> list[str]:
    """Wave ids unique and declared in fieldwork order (sources and compare.waves are
    checked against the waves in :func:`.checks.study_problems`)."""
    p: list[str] = []
    seen: dict[str, int] = {}
    for i, w in enumerate(config.waves):
        if w.id in seen:
            p.append(
                f"{fname}: waves[{i}].id: wave {w.id!r} declared twice (also waves[{seen[w.id]}])"
            )
        seen.setdefault(w.id, i)
    dated = [(i, w.id, w.fieldwork) for i, w in enumerate(config.waves) if w.fieldwork]
    for (_, a_id, a), (i, b_id, b) in zip(dated, dated[1:], strict=False):
        if b.start < a.start:
            p.append(
                f"{fname}: waves[{i}].fieldwork.start: {b_id} starts before {a_id}; "
                "declare the waves in the order they were held"
            )
    return p
