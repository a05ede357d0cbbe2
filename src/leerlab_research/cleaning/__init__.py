"""Cleaning stage: harmonise exports against the codebook, validate, clean with an audit trail."""
