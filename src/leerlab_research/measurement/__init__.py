"""Measurement stage: reliability, item analysis, CFA and invariance tables.

Modules: ``alpha`` (Cronbach's alpha, Feldt and vectorised BCa bootstrap),
``omega`` (omega total from a one-factor ML model), ``cfa`` (semopy CFA,
lavaan-style fit indices, multi-group invariance), ``stage`` (``run_reliability``)
and ``settings``. The public API is :mod:`leerlab_research.reliability`.
"""
