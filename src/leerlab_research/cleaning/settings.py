"""Settings for the cleaning stage (``settings.cleaning`` in a study file)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class CarelessSettings(BaseModel):
    """Careless-responding indices and cut-offs (see ``shared`` survey-formats notes §3).

    A respondent is *flagged* when at least ``min_agree`` indices exceed their cut-off.
    """

    model_config = ConfigDict(extra="forbid")

    min_seconds_per_item: float = Field(
        2.0, description="speeder below this many s/item (Huang et al. 2012)"
    )
    max_longstring: int = Field(
        12, description="flag when the longest run of identical raw answers is at least this"
    )
    min_irv: float = Field(0.3, description="flag when intra-individual SD is at most this")
    mahalanobis_p: float = Field(
        0.001, description="flag when D² exceeds the chi² quantile 1-p, df = items"
    )
    min_evenodd: float = Field(
        0.3, description="flag when even-odd consistency (Spearman-Brown) is below this"
    )
    min_agree: int = Field(
        2, description="number of indices that must agree before a respondent is flagged"
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
        0.5, description="share of items with any answer (incl. 9) to count as complete"
    )
    scale_min_share: float = Field(
        2 / 3, description="share of a scale's items needed for a scale score"
    )
    duplicates: str = Field(
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
        description="export headers to ignore (e.g. extra questions); normalised match",
    )
