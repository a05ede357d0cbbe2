"""Values with a fixed meaning in the published comparison tables.

The compare stage writes them and the reports read them. They live in ``config``,
below both, so that the report's notebook kernels need not import the compare
package (statsmodels, scipy.stats and pingouin: about a second of every kernel's
start-up) to learn two strings.
"""

from __future__ import annotations

#: Marker for "aggregated over this grouping variable".
ALL = "all"
#: Lab value of respondents who belong to neither school (programme level only).
OUTSIDE = "buiten_scholen"
