"""Public reliability API, kept at its original address.

``from leerlab_research.reliability import cronbach_alpha`` is what the README and
users' scripts use; the implementation lives in :mod:`leerlab_research.measurement`.
"""

from .measurement import (
    AlphaResult,
    CfaResult,
    OmegaResult,
    cfa,
    cronbach_alpha,
    invariance,
    item_analysis,
    mcdonald_omega,
    scale_reliability,
)

__all__ = [
    "AlphaResult",
    "CfaResult",
    "OmegaResult",
    "cfa",
    "cronbach_alpha",
    "invariance",
    "item_analysis",
    "mcdonald_omega",
    "scale_reliability",
]
