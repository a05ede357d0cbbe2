"""The programme's leerlabs: stable ids, display names and export aliases."""

from __future__ import annotations

import datetime as dt
from functools import cached_property
from pathlib import Path
from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ..errors import ConfigError
from ..normalise import normalise_label
from .loader import load_model

#: A focus area of the instrument (the survey's boolean columns ``focus_<area>``).
FocusArea = Literal["curriculum", "leerling", "docent"]
#: The focus areas in the instrument's order; the one definition for every layer.
FOCUS_AREAS: tuple[str, ...] = get_args(FocusArea)


class Period(BaseModel):
    """A date range (inclusive): a subsidy period or a wave's fieldwork."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    start: dt.date
    end: dt.date

    @model_validator(mode="after")
    def _ordered(self) -> Period:
        if self.end < self.start:
            raise ValueError(f"end {self.end} is before start {self.start}")
        return self

    @property
    def midpoint(self) -> dt.date:
        return self.start + (self.end - self.start) / 2


class Lab(BaseModel):
    """One leerlab. ``demo`` holds attributes invented for the demo study.

    ``round`` (the programme round the lab started in, e.g. 2019 or 2022), ``line``
    (``samenwerking``: network building; ``leerroute``: continuous learning routes)
    and ``subsidy`` (its subsidised period) place the lab in the programme; the
    anchoring models ask what happens after ``subsidy.end``. ``focus`` lists the focus
    areas the lab chose (curriculum, leerling, docent); without it the lab report derives
    the lab's focus from its respondents' answers and says so.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    name: str
    aliases: list[str] = Field(default_factory=list)
    code: int | None = Field(None, ge=1, description="answer code in generated surveys")
    schools: list[str] = Field(
        default_factory=list, description="school/college names, scrubbed from open answers"
    )
    round: int | None = Field(None, ge=2000, le=2100, description="programme round (year)")
    line: Literal["samenwerking", "leerroute"] | None = None
    subsidy: Period | None = Field(None, description="subsidised period {start, end}")
    focus: list[FocusArea] | None = Field(
        None,
        min_length=1,
        description="focus areas the lab chose (curriculum, leerling, docent); leave it out "
        "when the lab chose none, and the report derives them from the answers",
    )
    demo: dict[str, object] | None = None

    @field_validator("id")
    @classmethod
    def _slug(cls, v: str) -> str:
        if (
            not v
            or v != v.lower()
            or any(c not in "abcdefghijklmnopqrstuvwxyz0123456789-" for c in v)
        ):
            raise ValueError("lab id must be a lowercase slug (a-z, 0-9, '-')")
        return v

    @field_validator("focus")
    @classmethod
    def _focus_once(cls, v: list[str] | None) -> list[str] | None:
        if v is not None and len(set(v)) != len(v):
            raise ValueError("a focus area is listed twice")
        return v


class Labs(BaseModel):
    """The validated list of labs, with alias lookup."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str
    labs: list[Lab]

    @cached_property
    def by_id(self) -> dict[str, Lab]:
        return {lab.id: lab for lab in self.labs}

    @cached_property
    def lookup(self) -> dict[str, str]:
        """Normalised name/alias/id → lab id."""
        table: dict[str, str] = {}
        for lab in self.labs:
            for spelling in (lab.id, lab.name, *lab.aliases):
                table[normalise_label(spelling)] = lab.id
        return table

    def resolve(self, value: object) -> str | None:
        """Return the lab id for a name as it appears in an export, or None."""
        return self.lookup.get(normalise_label(value))

    @cached_property
    def by_code(self) -> dict[int, str]:
        """Survey answer code → lab id (``leerlab instrument`` lab question)."""
        return {lab.code: lab.id for lab in self.labs if lab.code is not None}

    def name_of(self, lab_id: str) -> str:
        return self.by_id[lab_id].name


def _alias_problems(labs: Labs, fname: str) -> list[str]:
    """Ids, names and aliases must each resolve to one lab after normalisation.

    Ids and names are registered first so that a conflicting *alias* is the one
    reported (an alias is the usual mistake, not a lab's own name).
    """
    p: list[str] = []
    seen_ids: dict[str, int] = {}
    owner: dict[str, tuple[str, str]] = {}

    def claim(i: int, lab: Lab, where: str, spelling: str) -> None:
        key = normalise_label(spelling)
        if not key:
            p.append(f"{fname}: labs[{i}].{where}: empty name or alias {spelling!r}")
            return
        if key in owner and owner[key][0] != lab.id:
            other_id, other_spelling = owner[key]
            p.append(
                f"{fname}: labs[{i}].{where}: alias {spelling!r} is shared by labs "
                f"{other_id!r} ({other_spelling!r}) and {lab.id!r}"
            )
        else:
            owner.setdefault(key, (lab.id, spelling))

    for i, lab in enumerate(labs.labs):
        if lab.id in seen_ids:
            p.append(
                f"{fname}: labs[{i}].id: lab id {lab.id!r} used twice (also labs[{seen_ids[lab.id]}])"
            )
        seen_ids.setdefault(lab.id, i)
        claim(i, lab, "id", lab.id)
        claim(i, lab, "name", lab.name)
    for i, lab in enumerate(labs.labs):
        for j, alias in enumerate(lab.aliases):
            claim(i, lab, f"aliases[{j}]", alias)
    codes: dict[int, str] = {}
    for i, lab in enumerate(labs.labs):
        if lab.code is not None and lab.code in codes:
            p.append(
                f"{fname}: labs[{i}].code: code {lab.code} also used by lab {codes[lab.code]!r}"
            )
        elif lab.code is not None:
            codes[lab.code] = lab.id
    return p


def _programme_problems(labs: Labs, fname: str) -> list[str]:
    """A subsidy must start in the lab's round year (the round is the year it started)."""
    p: list[str] = []
    for i, lab in enumerate(labs.labs):
        if lab.round is not None and lab.subsidy is not None:
            if lab.subsidy.start.year != lab.round:
                p.append(
                    f"{fname}: labs[{i}].subsidy.start: {lab.subsidy.start} is not in the lab's "
                    f"round {lab.round}"
                )
    return p


def _checks(labs: Labs, fname: str) -> list[str]:
    return _alias_problems(labs, fname) + _programme_problems(labs, fname)


def load_labs(path: str | Path) -> Labs:
    """Load and validate ``labs.yaml``; every problem is reported at once.

    Raises
    ------
    ConfigError
        Naming the YAML path and value of each problem (e.g. an alias shared by two labs).
    """
    path = Path(path)
    labs, problems = load_model(path, Labs, "Labs file", checks=_checks)
    if problems:
        raise ConfigError(f"Labs file {path} is invalid", problems)
    return labs
