"""Coding the open answers against the codebook's coding frame.

``matcher``    the automatic proposal (transparent term matcher)
``sheets``     coding sheets (.xlsx with drop-downs) out and back in, validated
``agreement``  Cohen's kappa and Krippendorff's alpha with bootstrap intervals
``stage``      ``leerlab code`` (writes ``clean/open_codes.csv`` and the sheet)
"""
