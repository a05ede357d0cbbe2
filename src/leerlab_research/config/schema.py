"""The clean response table's columns: the contract between cleaning and analysis.

``<out>/clean/responses.parquet`` (and ``.csv``) has exactly the columns that
:func:`clean_fields` lists, in that order. Later stages, the reports and users'
scripts rely on these names. Fields use Frictionless Table Schema vocabulary so
that :func:`table_schema` can be emitted as a ``tableschema.json``.
"""

from __future__ import annotations

from typing import Any

from .codebook import VERSION_FIELD, Codebook
from .labs import Labs

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


def clean_fields(codebook: Codebook, labs: Labs | None = None) -> list[dict[str, Any]]:
    """Table Schema fields of the clean response table, in column order."""
    fields: list[dict[str, Any]] = []
    for var in codebook.variables.values():
        if var.personal:
            continue
        f: dict[str, Any] = {"name": var.name, "type": var.type, "title": var.label.nl}
        constraints: dict[str, Any] = {}
        if var.key:
            f["description"] = "HMAC-SHA256 pseudonym of the respondent key (hex prefix)"
            constraints["required"] = True
            constraints["pattern"] = f"^[0-9a-f]{{{PSEUDONYM_HEX}}}$"
        elif var.name == "lab":
            f["description"] = "lab id from labs.yaml"
            constraints["required"] = True
            if labs is not None:
                constraints["enum"] = [lab.id for lab in labs.labs]
        else:
            if var.required:
                constraints["required"] = True
            if var.enum:
                constraints["enum"] = list(var.enum)
        if constraints:
            f["constraints"] = constraints
        fields.append(f)
    for code in codebook.item_codes:
        lo, hi = codebook.item_range(code)
        reverse = code in codebook.reverse_items
        fields.append(
            {
                "name": code,
                "type": "integer",
                "title": codebook.items[code].text.nl,
                "description": "after reverse keying (6 - x)" if reverse else "as answered",
                "constraints": {"minimum": lo, "maximum": hi},
            }
        )
    for name, scale in codebook.scales.items():
        lo, hi = codebook.item_range(scale.items[0])
        fields.append(
            {
                "name": name,
                "type": "number",
                "title": scale.label.nl,
                "description": "mean of answered items (after keying) when enough items are answered",
                "constraints": {"minimum": lo, "maximum": hi},
            }
        )
    for name, scale in codebook.scales.items():
        fields.append(
            {
                "name": n_items_column(name),
                "type": "integer",
                "constraints": {"required": True, "minimum": 0, "maximum": len(scale.items)},
            }
        )
    for col in careless_columns():
        is_flag = col.startswith("cr_flag_") or col == "careless_flag"
        if is_flag:
            fields.append({"name": col, "type": "boolean"})
        elif col == "cr_n_flags":
            fields.append({"name": col, "type": "integer", "constraints": {"minimum": 0}})
        else:
            fields.append({"name": col, "type": "number"})
    fields.append(
        {
            "name": VERSION_FIELD,
            "type": "string",
            "description": "codebook version the response was collected with (surveys built by "
            "leerlab instrument); empty for other exports",
        }
    )
    fields.append({"name": "source_file", "type": "string", "constraints": {"required": True}})
    fields.append(
        {
            "name": "source_row",
            "type": "integer",
            "description": "row in the source file as a spreadsheet shows it (header = row 1)",
            "constraints": {"required": True, "minimum": 1},
        }
    )
    return fields


def clean_columns(codebook: Codebook) -> list[str]:
    """Column names of the clean response table, in order."""
    return [f["name"] for f in clean_fields(codebook)]


def table_schema(codebook: Codebook, labs: Labs | None = None) -> dict[str, Any]:
    """A Frictionless Table Schema for ``responses.csv``."""
    return {
        "fields": clean_fields(codebook, labs),
        "missingValues": [""],
        "primaryKey": ["respondent_id", "wave"],
    }
