"""Views of the codebook for ``leerlab codebook``: rich table, Markdown, JSON, Table Schema."""

from __future__ import annotations

import json

from rich.table import Table

from .codebook import Codebook
from .labs import Labs
from .schema import table_schema


def _rows(cb: Codebook, lang: str) -> list[tuple[str, str, str, str, str]]:
    rows = []
    for scale in cb.scales.values():
        for code in scale.items:
            rows.append(
                (
                    code,
                    scale.name,
                    cb.domains[scale.domain].label.get(lang),
                    "R" if code in scale.reverse else "",
                    cb.items[code].text.get(lang),
                )
            )
    return rows


def rich_table(cb: Codebook, lang: str = "nl", labs: Labs | None = None) -> Table:
    """The instrument as a rich table: code, scale, domain, reverse, text."""
    table = Table(
        title=f"{cb.title.get(lang)} (v{cb.version}): {len(cb.item_codes)} items, {len(cb.scales)} scales"
    )
    for col in ("code", "scale", "domain", "reverse", "text"):
        table.add_column(col, overflow="fold")
    for row in _rows(cb, lang):
        table.add_row(*row)
    return table


def to_markdown(cb: Codebook, lang: str = "nl", labs: Labs | None = None) -> str:
    lines = [
        f"# {cb.title.get(lang)} (v{cb.version})",
        "",
        "| code | scale | domain | reverse | text |",
        "|---|---|---|---|---|",
    ]
    for row in _rows(cb, lang):
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in row) + " |")
    return "\n".join(lines) + "\n"


def to_json(cb: Codebook, lang: str = "nl", labs: Labs | None = None) -> str:
    data = cb.model_dump(mode="json", exclude={"source_path"})
    return json.dumps(data, indent=2, ensure_ascii=False, sort_keys=False) + "\n"


def to_frictionless_json(cb: Codebook, lang: str = "nl", labs: Labs | None = None) -> str:
    """Frictionless Table Schema for the clean response table (``responses.csv``)."""
    return json.dumps(table_schema(cb, labs), indent=2, ensure_ascii=False) + "\n"
