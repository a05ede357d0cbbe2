"""Settings for the report stage (``settings.report`` in a study file)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class ReportSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    formats: list[str] = Field(default_factory=lambda: ["html", "docx", "pdf"])
    kinds: list[str] = Field(default_factory=lambda: ["lab", "programme", "methods"])
    templates: str | None = Field(
        None, description="template folder; default the package's reports/"
    )
    workers: int = Field(2, description="parallel renders")
