"""Measurement: reliability, item analysis, CFA and measurement invariance.

Modules, by subject:

``alpha``        Cronbach's alpha with Feldt or vectorised BCa bootstrap CIs.
``omega``        McDonald's omega total from a one-factor ML model.
``scales``       The study-level functions: per scale (x group) reliability, items,
                 the instrument's CFA and invariance.
``cfa``          The single-group CFA with semopy and lavaan's fit conventions.
``fit_indices``  ML discrepancy, RMSEA (+ CI), SRMR, CFI/TLI.
``fiml``         The stacked multi-group model and its fast FIML objective.
``invariance``   Configural / metric / scalar steps and their verdicts.
``stage``        ``leerlab measurement``: clean table → ``<out>/measurement/``.

May import: ``config``, ``errors``, ``outputs``, ``runtime``. Never a later stage.
"""

from .alpha import AlphaResult, cronbach_alpha
from .cfa import CfaResult
from .omega import OmegaResult, mcdonald_omega
from .scales import cfa, invariance, item_analysis, scale_reliability

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
