"""Report figures: each function takes a tidy table and returns a matplotlib Figure.

All figures share one look (:mod:`.style`): A4 width (7 in), fonts of at least
8 pt, colour-blind-safe palettes (ColorBrewer BrBG for Likert and benchmark-relative
colours, Okabe-Ito for categories), Dutch fixed texts by default (``lang="en"``
for English) and decimal commas in Dutch. No figure draws a suppressed cell:
rows flagged ``suppressed`` (or with missing values) become a grey placeholder
without any number of their own that gives the true reason from the table's
``suppression_reason`` (:func:`.style.hidden_texts`): "te weinig antwoorden
(minder dan 5)" for primary suppression, "verborgen om een kleinere groep te
beschermen" for complementary suppression.

Figures are built with the object API (:class:`matplotlib.figure.Figure`, no
``pyplot``), so nothing global is opened or closed; render them with
:func:`figure_to_png_bytes`.

=========================  ==============================================
function                   figure
=========================  ==============================================
:func:`likert_diverging`   diverging stacked Likert bars, "weet niet" apart
:func:`lab_profile`        lab's scale means vs the programme, by domain
:func:`achtje`             level x school means for one lab, with gaps
:func:`lab_heatmap`        labs x scales, difference from the programme
:func:`forest`             estimates with intervals and a zero line
:func:`change_plot`        change between two waves per scale, with the paired difference
:func:`reliability_chart`  reliability per scale x group, .70 line
=========================  ==============================================
"""

from __future__ import annotations

from .achtje import achtje, achtje_margins
from .likert import likert_diverging, likert_labels
from .overview import forest, lab_heatmap
from .profile import change_plot, lab_profile
from .reliability import reliability_chart
from .style import DIVERGING_CMAP, LIKERT5, OKABE_ITO, figure_to_png_bytes

__all__ = [
    "DIVERGING_CMAP",
    "LIKERT5",
    "OKABE_ITO",
    "achtje",
    "achtje_margins",
    "change_plot",
    "figure_to_png_bytes",
    "forest",
    "lab_heatmap",
    "lab_profile",
    "likert_diverging",
    "likert_labels",
    "reliability_chart",
]
