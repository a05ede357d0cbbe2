"""Comparison stage: descriptives, group tests, multilevel, agreement, change, disclosure."""
