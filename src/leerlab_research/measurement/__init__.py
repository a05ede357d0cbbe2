"""Measurement stage: reliability, item analysis, CFA and invariance tables."""
