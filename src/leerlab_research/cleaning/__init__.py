"""Cleaning stage: harmonise exports against the codebook, validate, clean with an audit trail.

Modules, in the order the stage uses them (see :mod:`.stage` for the run):

``mapping``      export columns → codebook items and variables (study, codes, LimeSurvey/Qualtrics, text)
``values``       export values → codes, per distinct value (labels nl/en, numbers, missing codes, labs, dates)
``pseudonymise`` HMAC-SHA256 pseudonyms of the normalised respondent key
``harmonise``    step 1 for one export: map, derive test markers, hash the key, drop identifiers, parse
``exclusions``   step 2: test > no_consent > incomplete > duplicate
``scoring``      steps 4 and 6: reverse keying and scale scores
``careless``     step 5: careless-responding indices and flags
``audit``        the lazy failure collector (``validation.csv``) and the cleaning log
``stage``        ``run_validate`` and ``run_clean``
``settings``     ``settings.cleaning`` of a study file
"""
