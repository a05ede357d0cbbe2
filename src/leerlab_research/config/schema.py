"""The clean response table's columns: the contract between cleaning and analysis.

``<out>/clean/responses.parquet`` (and ``.csv``) has exactly the columns that
:func:`clean_fields` lists, in that order. Later stages, the reports and users'
scripts rely on these names. Fields use Frictionless Table Schema vocabulary
(:class:`.contracts.Field`), so that :func:`table_schema` can be emitted as a
``tableschema.json`` and the same fields give the pandera schema that every later
stage checks the table with when it reads it.
"""

from __future__ import annotations

from typing import Any

from .codebook import VERSION_FIELD, Codebook
from .contracts import Contract, Field
from .labs import Labs

#: The clean response table under the output root.
CLEAN_TABLE = "clean/responses.parquet"

#: Length of the pseudonymised respondent id (hex characters of an HMAC-SHA256).
PSEUDONYM_HEX = 16

#: Careless-responding columns (indices, per-index flags, count, overall flag).
CARELESS_INDICES = ["seconds_per_item", "longstring", "irv", "mahalanobis", "evenodd"]


def n_items_column(scale: str) -> str:
    """Column holding the number of answered items behind a scale score."""
    return f"n_items_{scale}"


def careless_columns() -> list[str]:
    return (
        [f"cr_{name}" for name in CARELESS_INDICES]
        + [f"cr_flag_{name}" for name in CARELESS_INDICES]
        + ["cr_n_flags", "careless_flag"]
    )


def clean_contract(codebook: Codebook, labs: Labs | None = None) -> Contract:
    """The clean response table's contract: its fields in column order.

    The one source of the Frictionless Table Schema (:func:`table_schema`,
    ``leerlab codebook --format frictionless``) and of the pandera schema that later
    stages check ``clean/responses.parquet`` with when they read it
    (:func:`..contracts.read_table`).
    """
    fields: list[Field] = []
    for var in codebook.variables.values():
        if var.personal:
            continue
        common: dict[str, Any] = {"name": var.name, "type": var.type, "title": var.label.nl}
        if var.key:
            fields.append(
                Field(
                    **common,
                    description="HMAC-SHA256 pseudonym of the respondent key (hex prefix)",
                    required=True,
                    pattern=f"^[0-9a-f]{{{PSEUDONYM_HEX}}}$",
                )
            )
        elif var.name == "lab":
            enum = tuple(lab.id for lab in labs.labs) if labs is not None else None
            fields.append(
                Field(**common, description="lab id from labs.yaml", required=True, enum=enum)
            )
        else:
            enum = tuple(var.enum) if var.enum else None
            fields.append(Field(**common, required=var.required, enum=enum))
    for code in codebook.item_codes:
        lo, hi = codebook.item_range(code)
        reverse = code in codebook.reverse_items
        fields.append(
            Field(
                code,
                "integer",
                title=codebook.items[code].text.nl,
                description="after reverse keying (6 - x)" if reverse else "as answered",
                minimum=lo,
                maximum=hi,
            )
        )
    for name, scale in codebook.scales.items():
        lo, hi = codebook.item_range(scale.items[0])
        fields.append(
            Field(
                name,
                "number",
                title=scale.label.nl,
                description="mean of answered items (after keying) when enough items are answered",
                minimum=lo,
                maximum=hi,
            )
        )
    for name, scale in codebook.scales.items():
        fields.append(
            Field(
                n_items_column(name), "integer", required=True, minimum=0, maximum=len(scale.items)
            )
        )
    for col in careless_columns():
        if col.startswith("cr_flag_") or col == "careless_flag":
            fields.append(Field(col, "boolean"))
        elif col == "cr_n_flags":
            fields.append(Field(col, "integer", minimum=0))
        else:
            fields.append(Field(col, "number"))
    fields.append(
        Field(
            VERSION_FIELD,
            "string",
            description="codebook version the response was collected with (surveys built by "
            "leerlab instrument); empty for other exports",
        )
    )
    fields.append(Field("source_file", "string", required=True))
    fields.append(
        Field(
            "source_row",
            "integer",
            description="row in the source file as a spreadsheet shows it (header = row 1)",
            required=True,
            minimum=1,
        )
    )
    return Contract(
        table=CLEAN_TABLE,
        fields=tuple(fields),
        primary_key=("respondent_id", "wave"),
        stage="clean",
    )


def clean_fields(codebook: Codebook, labs: Labs | None = None) -> list[dict[str, Any]]:
    """Table Schema fields of the clean response table, in column order."""
    return [f.frictionless() for f in clean_contract(codebook, labs).fields]


def clean_columns(codebook: Codebook) -> list[str]:
    """Column names of the clean response table, in order."""
    return [f["name"] for f in clean_fields(codebook)]


def table_schema(codebook: Codebook, labs: Labs | None = None) -> dict[str, Any]:
    """A Frictionless Table Schema for ``responses.csv``."""
    return clean_contract(codebook, labs).table_schema()
