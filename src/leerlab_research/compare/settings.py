"""Settings for the comparison stage (``settings.compare`` in a study file)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class CompareSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    confidence: float = Field(0.95, gt=0, lt=1, description="level of every interval")
    groups: list[str] = Field(
        default_factory=lambda: ["lab", "role", "school_type"],
        description="grouping variables for the group tests (programme level)",
    )
    n_boot: int = 2000
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
    waves: tuple[str, str] = Field(("T0", "T1"), description="the two waves compared in change.csv")
