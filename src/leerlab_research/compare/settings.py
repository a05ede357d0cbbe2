"""Settings for the comparison stage (``settings.compare`` in a study file)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class CompareSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    confidence: float = 0.95
    groups: list[str] = Field(default_factory=lambda: ["lab", "role", "school_type"])
    n_boot: int = 2000
