"""The building blocks of the compare-table registry: shared columns and :class:`CompareTable`.

Split from :mod:`.registry` so that groups of tables can be declared in their own
modules (:mod:`.registry_reports`) and still be listed once in
:data:`.registry.REGISTRY`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..config.contracts import Contract, Field

#: The suppression rule of a table whose rows are group cells.
CELL_RULE = (
    "a row whose cell has 0 < n < min_cell is blanked (primary); cells that would reveal one "
    "by subtraction are blanked too (complementary); rows derived from descriptives cells "
    "inherit their suppression"
)


def _f(name: str, kind: str, meaning: str, **constraints: Any) -> Field:
    return Field(name, kind, description=meaning, **constraints)


# ---------------------------------------------------------------- shared columns
SCALE: Field = _f("scale", "string", "scale (codebook order)", required=True)
WAVE: Field = _f("wave", "string", "wave (T0, T1, …)", required=True)
LAB: Field = _f("lab", "string", "lab id from labs.yaml; `all` = the programme", required=True)
LAB_NAME: Field = _f("lab_name", "string", "lab display name (`Programma` for `all`)")
N: Field = _f("n", "integer", "respondents in the cell (blank when suppressed)", minimum=0)
CI_LOW: Field = _f(
    "ci_low", "number", "lower bound of the confidence interval (settings.compare.confidence)"
)
CI_HIGH: Field = _f("ci_high", "number", "upper bound of the confidence interval")
P = _f("p", "number", "p-value, two-sided", minimum=0, maximum=1)
P_HOLM = _f("p_holm", "number", "Holm-adjusted p within correction_family", minimum=0, maximum=1)
P_BH = _f("p_fdr_bh", "number", "Benjamini–Hochberg adjusted p within correction_family")
FAMILY = _f("correction_family", "string", "size and keys of the correction family")
SUPPRESSED: Field = _f("suppressed", "boolean", "row blanked by disclosure control", required=True)
REASON: Field = _f("suppression_reason", "string", "`primary`, `complementary` or empty")
STATISTIC = _f("statistic", "number", "test statistic (see `test`)")
EFFECT = _f("effect_size", "number", "effect size (see effect_size_type)")
EFFECT_TYPE = _f("effect_size_type", "string", "name of the effect size")
ES_CI_LOW = _f("es_ci_low", "number", "lower bound of the effect size's confidence interval")
ES_CI_HIGH = _f("es_ci_high", "number", "upper bound of the effect size's confidence interval")
GROUP_A = _f("group_a", "string", "first group of the pair")
GROUP_B = _f("group_b", "string", "second group of the pair")
N_A = _f("n_a", "integer", "respondents in group_a", minimum=0)
N_B = _f("n_b", "integer", "respondents in group_b", minimum=0)
VAR_LAB = _f("var_lab", "number", "between-lab variance (random intercept)", minimum=0)
VAR_RES = _f("var_residual", "number", "residual (within-lab) variance", minimum=0)
N_LABS: Field = _f("n_labs", "integer", "labs in the model", minimum=0)
STATUS: Field = _f("status", "string", "`ok` or why the statistic is missing")
#: a lab's cell of a scale and wave, and the disclosure-control pair that ends a table
LAB_CELL = (SCALE, WAVE, LAB, LAB_NAME)
HIDDEN: tuple[Field, ...] = (SUPPRESSED, REASON)


@dataclass(frozen=True)
class CompareTable:
    """One table of the compare stage.

    Parameters
    ----------
    name
        Table name; the file is ``<name>.csv``.
    fields
        Its columns in order, with type and meaning.
    unit, test, correction
        Unit of analysis, statistical test and multiple-comparison correction
        (written to ``results.json`` for the methods appendix).
    keys
        Columns that identify a suppressed row in ``suppression.csv``; empty for a
        table without group cells (not passed through disclosure control).
    counts
        Count columns the ``min_cell`` rule applies to (0 or ≥ min_cell when shown).
    min_cell_rule
        How the table obeys ``min_cell``.
    """

    name: str
    fields: tuple[Field, ...]
    unit: str
    test: str
    correction: str
    keys: tuple[str, ...] = ()
    counts: tuple[str, ...] = ()
    min_cell_rule: str = CELL_RULE

    @property
    def file(self) -> str:
        return f"{self.name}.csv"

    @property
    def columns(self) -> list[str]:
        return [f.name for f in self.fields]

    def contract(self) -> Contract:
        """The table's contract (Table Schema and pandera schema)."""
        return Contract(
            table=f"compare/{self.file}",
            fields=self.fields,
            # no primaryKey: key columns such as group_a may be empty, which a
            # Frictionless primary key does not allow
            stage="compare",
        )
