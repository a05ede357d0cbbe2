"""Configuration: the codebook, the labs, the study file and every stage's settings.

The bottom of the package's import graph (above only ``errors``, ``normalise``,
``outputs`` and ``text``): every stage imports it, it imports no stage. One YAML
loader (:mod:`.loader`) turns any of the three files into a validated pydantic
model or one :class:`~leerlab_research.errors.ConfigError` that lists every problem
with its YAML path. :mod:`.schema` holds the clean table's contract.
"""

from .codebook import Codebook, load_codebook
from .labs import Labs, load_labs
from .settings import CleaningSettings, CompareSettings, MeasurementSettings, ReportSettings
from .study import Source, Study, load_study

__all__ = [
    "CleaningSettings",
    "Codebook",
    "CompareSettings",
    "Labs",
    "MeasurementSettings",
    "ReportSettings",
    "Source",
    "Study",
    "load_codebook",
    "load_labs",
    "load_study",
]
