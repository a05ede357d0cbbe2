# ruff: noqa: F401  (the TYPE_CHECKING imports below exist for type checkers only)
"""leerlab-research: research pipeline for the Sterk Beroepsonderwijs leerlab reflection instrument.

The public functions, importable from the package itself::

    import leerlab_research as ll
    study = ll.load_study("analyses/demo/study.yaml")
    ll.run(study)                                     # every stage → out/demo/
    ll.cronbach_alpha(items, ci="bootstrap", seed=1)  # or any function below

Names are resolved on first use (PEP 562) so that ``import leerlab_research`` and
the CLI start without loading semopy, statsmodels and the report engine.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ._version import __version__

#: public name → module that defines it
_EXPORTS: dict[str, str] = {
    # configuration
    "load_study": "config",
    "load_codebook": "config",
    "load_labs": "config",
    "Study": "config",
    "Codebook": "config",
    "Labs": "config",
    # readers
    "read_export": "io",
    "detect_platform": "io",
    # measurement
    "cronbach_alpha": "measurement",
    "mcdonald_omega": "measurement",
    "item_analysis": "measurement",
    "scale_reliability": "measurement",
    "cfa": "measurement",
    "invariance": "measurement",
    # comparisons
    "describe": "compare",
    "group_tests": "compare",
    "icc_table": "compare",
    "mixedlm_table": "compare",
    "benchmark_table": "compare",
    "agreement_table": "compare",
    "change_table": "compare",
    "profile_table": "compare",
    "rwg_j": "compare",
    "awg": "compare",
    "compare_tables": "compare",
    # running
    "run": "pipeline",
}

__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'leerlab_research' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs only
    from .compare import (
        agreement_table,
        awg,
        benchmark_table,
        change_table,
        compare_tables,
        describe,
        group_tests,
        icc_table,
        mixedlm_table,
        profile_table,
        rwg_j,
    )
    from .config import Codebook, Labs, Study, load_codebook, load_labs, load_study
    from .io import detect_platform, read_export
    from .measurement import (
        cfa,
        cronbach_alpha,
        invariance,
        item_analysis,
        mcdonald_omega,
        scale_reliability,
    )
    from .pipeline import run
