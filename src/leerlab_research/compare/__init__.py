"""Comparisons: descriptives, group tests, multilevel, agreement, change, disclosure.

Modules, by subject: ``descriptives`` (means with t-intervals), ``groups`` (Welch
ANOVA + Games-Howell, Kruskal-Wallis + Dunn, pairwise tests with effect sizes),
``multilevel`` (ICC, MixedLM, empirical-Bayes benchmarks), ``agreement``
(rwg(j), awg, level and school gaps), ``profile`` (within-person profiles),
``change`` (paired and unpaired change between waves), ``disclosure`` (the one
gate that suppresses small cells), ``common`` (analysis frame, corrections),
``stage`` (``leerlab compare``).

May import: ``config``, ``errors``, ``outputs``, ``runtime``. Never plots or report.
"""

from .agreement import agreement_table, awg, rwg_j
from .change import change_table
from .descriptives import describe
from .groups import group_tests
from .icc import icc_table
from .multilevel import benchmark_table, mixedlm_table
from .profile import profile_table
from .stage import compare_tables

__all__ = [
    "agreement_table",
    "awg",
    "benchmark_table",
    "change_table",
    "compare_tables",
    "describe",
    "group_tests",
    "icc_table",
    "mixedlm_table",
    "profile_table",
    "rwg_j",
]
