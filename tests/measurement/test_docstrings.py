"""The worked examples in the reliability docstrings run and print what they say."""

from __future__ import annotations

import doctest

import pytest

import leerlab_research.measurement.alpha as alpha_mod
import leerlab_research.measurement.omega as omega_mod
import leerlab_research.reliability as reliability_mod


@pytest.mark.parametrize("module", [reliability_mod, alpha_mod, omega_mod])
def test_docstring_examples(module):
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0
