"""Settings for the measurement stage (``settings.reliability`` in a study file)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class ReliabilitySettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ci: str = Field("bootstrap", description="'feldt', 'bootstrap' or 'none'")
    n_boot: int = Field(2000, description="bootstrap replicates")
    confidence: float = 0.95
    min_n: int = Field(30, description="groups below this n are flagged, not reported as reliable")
    by: list[str] = Field(default_factory=lambda: ["lab", "role", "school_type", "wave"])
    cfa: bool = True
    invariance_groups: list[str] = Field(default_factory=lambda: ["school_type", "wave"])
