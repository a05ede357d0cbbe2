"""The reflection instrument as a typed, validated codebook.

The codebook (``data/codebook/reflectie.yaml``) is the single source of truth for
item codes, scales, reverse keying, value labels and missing codes. Loading it
collects *all* problems at once and names each by its YAML path and value, e.g.
``reflectie.yaml: scales.ambitie.items[1]: item 'AMB1' listed twice``.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Literal, cast

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ..errors import ConfigError
from ..normalise import normalise_label
from .coding_frame import CodingFrame, frame_problems
from .loader import load_model

Language = Literal["nl", "en"]

#: The field in which generated surveys (``leerlab instrument``) store the codebook
#: version; LimeSurvey calls it ``codebookversion`` (see :func:`limesurvey_code`).
VERSION_FIELD = "codebook_version"


def limesurvey_code(name: str) -> str:
    """LimeSurvey question code of a variable: its name without underscores.

    LimeSurvey codes are letters and digits only (``open_goed`` → ``opengoed``);
    the column mapping recognises both spellings.
    """
    return name.replace("_", "")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LocalText(_Model):
    """A text in Dutch (required) and English (optional)."""

    nl: str
    en: str | None = None

    def get(self, lang: str = "nl") -> str:
        """The text in ``lang``, falling back to Dutch."""
        return getattr(self, lang, None) or self.nl


class MissingCode(_Model):
    """A code that means 'no substantive answer' (e.g. 9 = weet niet / n.v.t.)."""

    label: LocalText
    reason: str
    aliases: list[str] = Field(default_factory=list)


class ValueSet(_Model):
    """Allowed codes for a set of items, with labels and missing codes."""

    type: Literal["likert", "nominal", "boolean"]
    min: int | None = None
    max: int | None = None
    labels: dict[int, LocalText] = Field(default_factory=dict)
    aliases: dict[int, list[str]] = Field(default_factory=dict)
    missing: dict[int, MissingCode] = Field(default_factory=dict)

    @property
    def valid_codes(self) -> list[int]:
        if self.min is not None and self.max is not None:
            return list(range(self.min, self.max + 1))
        return sorted(self.labels)


class Domain(_Model):
    label: LocalText
    description: LocalText | None = None


class Scale(_Model):
    """A scale: its items, reverse-keyed items, labels and conversation prompts."""

    name: str = ""
    code: str
    domain: str
    label: LocalText
    description: LocalText
    prompts: dict[Language, list[str]]
    items: list[str]
    reverse: list[str] = Field(default_factory=list)

    def prompts_for(self, lang: str = "nl") -> list[str]:
        """The *gespreksvragen* in ``lang`` (Dutch when no translation exists)."""
        return self.prompts.get(cast(Language, lang)) or self.prompts["nl"]


class Item(_Model):
    code: str = ""
    value_set: str
    text: LocalText


class Variable(_Model):
    """A respondent variable (Frictionless Table Schema vocabulary for ``type``)."""

    name: str = ""
    type: Literal["string", "integer", "number", "boolean", "date", "datetime"]
    required: bool = False
    key: bool = False
    personal: bool = False
    enum: list[str] | None = None
    label: LocalText
    description: LocalText | None = None
    value_labels: dict[str, LocalText] | None = None
    question: LocalText | None = None
    codes: dict[str, int] | None = Field(
        None, description="answer code of each enum value in generated surveys"
    )

    def question_text(self, lang: str = "nl") -> str:
        """The question as a generated survey asks it (the label when none is given)."""
        return (self.question or self.label).get(lang)


class SurveyTexts(_Model):
    """Texts of the generated questionnaire around the items (``leerlab instrument``)."""

    intro: LocalText
    consent: LocalText
    matrix: LocalText
    focus: LocalText
    end: LocalText
    background: LocalText  # title of the first page
    closing: LocalText  # title of the page with the open questions


class ItemChange(_Model):
    """How an item changed in a codebook version."""

    harmless: bool = False
    previous: LocalText | None = None
    note: str | None = None


class VersionChange(_Model):
    """One codebook version and the items whose wording changed in it."""

    version: str
    note: str | None = None
    items: dict[str, ItemChange] = Field(default_factory=dict)


def version_key(version: str) -> tuple[int, ...] | None:
    """``"1.2.0"`` → ``(1, 2, 0)``; None when the text is not a dotted version."""
    parts = str(version).strip().split(".")
    if not parts or not all(p.isdigit() for p in parts):
        return None
    return tuple(int(p) for p in parts)


class Metadata(_Model):
    description: LocalText
    references: list[str]
    note: LocalText | None = None
    license: str | None = None


class Codebook(_Model):
    """The validated instrument. Use :func:`load_codebook` to build one from YAML."""

    name: str
    version: str
    title: LocalText
    metadata: Metadata
    domains: dict[str, Domain]
    value_sets: dict[str, ValueSet]
    scales: dict[str, Scale]
    items: dict[str, Item]
    variables: dict[str, Variable]
    personal_columns: list[str] = Field(default_factory=list)
    survey: SurveyTexts | None = None
    changes: list[VersionChange] = Field(default_factory=list)
    coding_frame: CodingFrame | None = None
    source_path: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _fill_names(cls, data: object) -> object:
        # Names are the YAML keys; copy them into the objects for convenience.
        if isinstance(data, dict):
            for section in ("scales", "items", "variables"):
                block = data.get(section)
                if isinstance(block, dict):
                    key = "code" if section == "items" else "name"
                    data[section] = {
                        k: ({**v, key: k} if isinstance(v, dict) else v) for k, v in block.items()
                    }
        return data

    # ----------------------------------------------------------------- queries
    @cached_property
    def item_codes(self) -> list[str]:
        """All item codes in scale order (AMB1 … INH4)."""
        return [code for scale in self.scales.values() for code in scale.items]

    @cached_property
    def scale_names(self) -> list[str]:
        """Scale names in codebook order (ambitie … inhoud)."""
        return list(self.scales)

    @cached_property
    def reverse_items(self) -> list[str]:
        return [code for scale in self.scales.values() for code in scale.reverse]

    @cached_property
    def scale_of_item(self) -> dict[str, str]:
        return {code: s.name for s in self.scales.values() for code in s.items}

    def scales_in_domain(self, domain: str) -> list[str]:
        return [s.name for s in self.scales.values() if s.domain == domain]

    def with_enum(self, variable: str, values: list[str]) -> Codebook:
        """A copy whose ``variable`` allows exactly ``values`` (the study's waves for ``wave``)."""
        var = self.variables[variable].model_copy(update={"enum": list(values)})
        return self.model_copy(update={"variables": {**self.variables, variable: var}})

    def value_set_of(self, item: str) -> ValueSet:
        return self.value_sets[self.items[item].value_set]

    def item_range(self, item: str) -> tuple[int, int]:
        vs = self.value_set_of(item)
        codes = vs.valid_codes
        return codes[0], codes[-1]

    @cached_property
    def personal_variables(self) -> list[str]:
        return [v.name for v in self.variables.values() if v.personal]

    @cached_property
    def key_variable(self) -> str:
        keys = [v.name for v in self.variables.values() if v.key]
        return keys[0]

    def changed_since(self, version: str) -> dict[str, ItemChange]:
        """Items whose wording changed after ``version`` up to this codebook's version.

        Raises
        ------
        ValueError
            When ``version`` is not a dotted version, is newer than this codebook, or
            is neither this version nor one listed under ``changes``.
        """
        got, current = version_key(version), version_key(self.version)
        known = {version_key(c.version) for c in self.changes} | {current}
        if got is None or current is None or got > current or got not in known:
            raise ValueError(version)
        out: dict[str, ItemChange] = {}
        for change in sorted(self.changes, key=lambda c: version_key(c.version) or ()):
            if got < (version_key(change.version) or ()) <= current:
                for code, item in change.items.items():
                    # A later harmful change outweighs an earlier harmless one.
                    if code not in out or not item.harmless:
                        out[code] = item
        return out


def _semantic_problems(cb: Codebook, fname: str) -> list[str]:
    """Cross-reference checks pydantic cannot express; all collected, none raised."""
    p: list[str] = []
    owner: dict[str, str] = {}
    for sname, scale in cb.scales.items():
        base = f"{fname}: scales.{sname}"
        if scale.domain not in cb.domains:
            p.append(
                f"{base}.domain: unknown domain {scale.domain!r} (known: {', '.join(cb.domains)})"
            )
        if "nl" not in scale.prompts or not scale.prompts["nl"]:
            p.append(f"{base}.prompts.nl: a scale needs Dutch gespreksvragen")
        seen: set[str] = set()
        for i, code in enumerate(scale.items):
            if code in seen:
                p.append(f"{base}.items[{i}]: item {code!r} listed twice")
                continue
            seen.add(code)
            if code not in cb.items:
                p.append(f"{base}.items[{i}]: unknown item {code!r} (not defined under items)")
                continue
            if code in owner:
                p.append(
                    f"{base}.items[{i}]: item {code!r} already belongs to scale {owner[code]!r}"
                )
            owner[code] = sname
        for i, code in enumerate(scale.reverse):
            where = f"{base}.reverse[{i}]"
            if code not in scale.items:
                p.append(f"{where}: reverse-keyed item {code!r} is not an item of this scale")
                continue
            item = cb.items.get(code)
            if item is None:
                continue
            vs = cb.value_sets.get(item.value_set)
            if vs is not None and vs.type != "likert":
                p.append(
                    f"{where}: item {code!r} is reverse-keyed but is not a Likert item "
                    f"(value set {item.value_set!r} is {vs.type})"
                )
    for code, item in cb.items.items():
        if item.value_set not in cb.value_sets:
            p.append(
                f"{fname}: items.{code}.value_set: unknown value set {item.value_set!r} "
                f"(known: {', '.join(cb.value_sets)})"
            )
        if code not in owner:
            p.append(f"{fname}: items.{code}: item belongs to no scale")
    for vname, vs in cb.value_sets.items():
        if vs.type == "likert" and (vs.min is None or vs.max is None):
            p.append(f"{fname}: value_sets.{vname}: a likert value set needs min and max")
            continue
        if vs.min is not None and vs.max is not None and vs.min >= vs.max:
            p.append(f"{fname}: value_sets.{vname}.max: max {vs.max} must exceed min {vs.min}")
        for mcode in vs.missing:
            if vs.min is not None and vs.max is not None and vs.min <= mcode <= vs.max:
                p.append(
                    f"{fname}: value_sets.{vname}.missing.{mcode}: missing code {mcode} lies "
                    f"inside the valid range {vs.min}-{vs.max}"
                )
        spelled: dict[str, int] = {}
        spellings = [(c, t) for c, lab in vs.labels.items() for t in (lab.nl, lab.en) if t]
        spellings += [(c, a) for c, al in vs.aliases.items() for a in al]
        spellings += [
            (c, t) for c, m in vs.missing.items() for t in (m.label.nl, m.label.en, *m.aliases) if t
        ]
        for vcode, text in spellings:
            key = normalise_label(text)
            if key in spelled and spelled[key] != vcode:
                p.append(
                    f"{fname}: value_sets.{vname}: label {text!r} maps to both code "
                    f"{spelled[key]} and code {vcode}"
                )
            spelled.setdefault(key, vcode)
        for vcode in vs.labels:
            if vs.min is not None and vs.max is not None and not vs.min <= vcode <= vs.max:
                p.append(
                    f"{fname}: value_sets.{vname}.labels.{vcode}: label for code {vcode} outside "
                    f"the valid range {vs.min}-{vs.max}"
                )
    p += _survey_problems(cb, fname)
    keys = [v.name for v in cb.variables.values() if v.key]
    if len(keys) != 1:
        p.append(f"{fname}: variables: exactly one variable needs key: true (found {keys})")
    for required in ("lab", "wave"):
        if required not in cb.variables:
            p.append(f"{fname}: variables.{required}: required respondent variable is missing")
    clash = set(cb.variables) & (set(cb.items) | set(cb.scales))
    for name in sorted(clash):
        p.append(f"{fname}: variables.{name}: name also used for an item or scale")
    return p


def _survey_problems(cb: Codebook, fname: str) -> list[str]:
    """Answer codes of generated surveys and the version history."""
    p: list[str] = []
    for name, var in cb.variables.items():
        if not var.codes:
            continue
        where = f"{fname}: variables.{name}.codes"
        for value in var.codes:
            if value not in (var.enum or []):
                p.append(f"{where}.{value}: not a value of the variable's enum")
        numbers = list(var.codes.values())
        if len(set(numbers)) != len(numbers) or min(numbers) < 0:
            p.append(f"{where}: codes must be distinct whole numbers of 0 or more")
        for value in var.enum or []:
            if value not in var.codes:
                p.append(f"{where}: enum value {value!r} has no answer code")
    current = version_key(cb.version)
    if current is None:
        p.append(f"{fname}: version: {cb.version!r} is not a dotted version such as 1.0.0")
    seen: set[str] = set()
    for i, change in enumerate(cb.changes):
        where = f"{fname}: changes[{i}]"
        key = version_key(change.version)
        if key is None or (current is not None and key > current):
            p.append(
                f"{where}.version: {change.version!r} must be a dotted version no newer "
                f"than the codebook's version {cb.version}"
            )
        if change.version in seen:
            p.append(f"{where}.version: version {change.version} listed twice")
        seen.add(change.version)
        for code in change.items:
            if code not in cb.items:
                p.append(f"{where}.items.{code}: unknown item")
    if cb.changes and cb.version not in seen:
        p.append(f"{fname}: changes: the codebook's own version {cb.version} is not listed")
    return p


def load_codebook(path: str | Path) -> Codebook:
    """Load and validate a codebook YAML file.

    Parameters
    ----------
    path
        Path to the codebook, e.g. ``data/codebook/reflectie.yaml``.

    Returns
    -------
    Codebook

    Raises
    ------
    ConfigError
        With *every* problem found, each naming its YAML path and value.
    """
    path = Path(path)
    cb, problems = load_model(
        path, Codebook, "Codebook", extra={"source_path": str(path)}, checks=_semantic_problems
    )
    if cb.coding_frame is not None:
        scales = {s.name: s.domain for s in cb.scales.values()}
        problems += frame_problems(cb.coding_frame, scales, list(cb.domains), path.name)
    if problems:
        raise ConfigError(f"Codebook {path} is invalid", problems)
    return cb
