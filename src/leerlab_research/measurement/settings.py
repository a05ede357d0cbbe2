"""Settings for the measurement stage (``settings.reliability`` in a study file)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class ReliabilitySettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ci: Literal["feldt", "bootstrap", "none"] = Field(
        "bootstrap", description="'feldt', 'bootstrap' or 'none'"
    )
    n_boot: int = Field(2000, ge=1, description="bootstrap replicates")
    n_boot_groups: int | None = Field(
        None,
        description="bootstrap replicates for the per-group table (default: n_boot); "
        "lower it only to save time on very many groups",
    )
    confidence: float = Field(0.95, gt=0, lt=1)
    min_n: int = Field(30, description="groups below this n are flagged, not reported as reliable")
    by: list[str] = Field(default_factory=lambda: ["lab", "role", "school_type", "wave"])
    omega: bool = Field(True, description="also report omega total (one-factor ML)")
    cfa: bool = True
    cfa_missing: Literal["fiml", "listwise"] = Field(
        "fiml",
        description="CFA and invariance: full-information ML (lavaan missing='ml') or complete rows",
    )
    invariance_groups: list[str] = Field(default_factory=lambda: ["school_type", "wave"])
    invariance_levels: dict[str, list[str]] = Field(
        default_factory=lambda: {"school_type": ["vmbo", "mbo"], "wave": ["T0", "T1"]},
        description="groups compared per invariance variable (others are left out)",
    )
