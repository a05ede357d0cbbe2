"""Settings models of every stage, one per stage and named after it.

They live here, below the stages, so that loading a study validates every setting
before any stage runs and no stage package is imported by the configuration.
Each model is the ``settings.<stage>`` section of a study file.
"""

from __future__ import annotations

from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator


class CarelessSettings(BaseModel):
    """Careless-responding indices and cut-offs (see ``shared`` survey-formats notes §3).

    A respondent is *flagged* when at least ``min_agree`` indices exceed their cut-off.
    """

    model_config = ConfigDict(extra="forbid")

    min_seconds_per_item: float = Field(
        2.0, ge=0, description="speeder below this many s/item (Huang et al. 2012)"
    )
    max_longstring: int = Field(
        12, ge=2, description="flag when the longest run of identical raw answers is at least this"
    )
    min_irv: float = Field(0.3, ge=0, description="flag when intra-individual SD is at most this")
    mahalanobis_p: float = Field(
        0.001, gt=0, lt=1, description="flag when D² exceeds the chi² quantile 1-p, df = items"
    )
    min_evenodd: float = Field(
        0.3,
        ge=-1,
        le=1,
        description="flag when even-odd consistency (Spearman-Brown) is below this",
    )
    min_agree: int = Field(
        2,
        ge=1,
        le=5,
        description="number of indices that must agree before a respondent is flagged",
    )
    exclude_flagged: bool = Field(
        False, description="exclude flagged respondents (default: flag, don't drop)"
    )


class CleaningSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    require_submitted: bool = Field(
        True, description="a response without submit date / Finished is incomplete"
    )
    min_items_answered: float = Field(
        0.5, ge=0, le=1, description="share of items with any answer (incl. 9) to count as complete"
    )
    scale_min_share: float = Field(
        2 / 3, gt=0, le=1, description="share of a scale's items needed for a scale score"
    )
    duplicates: Literal["keep_last_complete"] = Field(
        "keep_last_complete", description="rule for several submissions of one person in one wave"
    )
    careless: CarelessSettings = Field(default_factory=CarelessSettings)
    duplicates_across_files: Literal["error", "keep_last"] = Field(
        "error",
        description="same pseudonym and wave in two source files: a validation error (ids collide "
        "across exports, or one export was listed twice), or treat as duplicates (keep the last)",
    )
    unknown_columns: Literal["error", "warn"] = Field(
        "error",
        description="an export column that maps to nothing known: blocking error or warning",
    )
    ignore_columns: list[str] = Field(
        default_factory=list,
        description="export headers to ignore (e.g. extra questions, a platform's Timestamp); "
        "normalised match; wins over every mapping rule except a source's own columns",
    )
    time_zone: str = Field(
        "Europe/Amsterdam",
        description="IANA zone of the clean table's local times: timestamps that name their "
        "zone (CET, GMT+1, Z, Qualtrics' timeZone) are converted to it",
    )

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(
                f"unknown time zone {value!r}; use an IANA name such as 'Europe/Amsterdam'"
            ) from exc
        return value


class MeasurementSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ci: Literal["feldt", "bootstrap", "none"] = Field(
        "bootstrap", description="'feldt', 'bootstrap' or 'none'"
    )
    n_boot: int = Field(2000, ge=1, description="bootstrap replicates")
    n_boot_groups: int | None = Field(
        None,
        ge=1,
        description="bootstrap replicates for the per-group table (default: n_boot); "
        "lower it only to save time on very many groups",
    )
    confidence: float = Field(0.95, gt=0, lt=1)
    min_n: int = Field(
        30, ge=1, description="groups below this n are flagged, not reported as reliable"
    )
    by: list[str] = Field(default_factory=lambda: ["lab", "role", "school_type", "wave"])
    omega: bool = Field(True, description="also report omega total (one-factor ML)")
    cfa: bool = True
    cfa_missing: Literal["fiml", "listwise"] = Field(
        "fiml",
        description="CFA and invariance: full-information ML (lavaan missing='ml') or complete rows",
    )
    invariance_groups: list[str] = Field(default_factory=lambda: ["school_type", "wave"])
    invariance_levels: dict[str, list[str]] = Field(
        default_factory=lambda: {"school_type": ["vmbo", "mbo"]},
        description="groups compared per invariance variable (others are left out); "
        "waves default to all the study's waves",
    )
    workers: int | None = Field(
        None,
        ge=1,
        description="processes for the CFA and invariance fits (default: the available cores)",
    )


class CompareSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    confidence: float = Field(0.95, gt=0, lt=1, description="level of every interval")
    groups: list[str] = Field(
        default_factory=lambda: ["lab", "role", "school_type"],
        description="grouping variables for the group tests (programme level)",
    )
    n_boot: int = Field(2000, ge=1, description="bootstrap replicates")
    posthoc_factors: list[str] = Field(
        default_factory=lambda: ["role", "school_type"],
        description="factors with pairwise post hoc tests; labs are compared with the programme "
        "in benchmark.csv instead of in all lab pairs",
    )
    max_posthoc_groups: int = Field(
        30, ge=2, description="post hoc pairs only for factors with at most this many groups"
    )
    exclude_careless: bool = Field(
        False, description="drop respondents with careless_flag before comparing"
    )
    waves: tuple[str, str] | None = Field(
        None,
        description="the two waves compared in change.csv; default the previous and the "
        "latest of the study's waves",
    )
    anchoring_margin: float = Field(
        0.15,
        gt=0,
        description="a slope after the subsidy (scale points per year) whose interval lies "
        "within ± this margin 'houdt stand'",
    )


ReportFormat = Literal["html", "docx", "pdf"]
ReportKind = Literal["lab", "programme", "methods"]


def _all_formats() -> list[ReportFormat]:
    return ["html", "docx", "pdf"]


def _all_kinds() -> list[ReportKind]:
    return ["lab", "programme", "methods"]


class ReportSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    formats: list[ReportFormat] = Field(default_factory=_all_formats, min_length=1)
    kinds: list[ReportKind] = Field(default_factory=_all_kinds, min_length=1)
    templates: str | None = Field(
        None, description="template folder; default the package's reports/"
    )
    workers: int = Field(2, ge=1, description="parallel renders")
