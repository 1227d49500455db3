"""Social assistance: programmes, standards, eligibility.

So far only the eligibility engine: pure functions over a household described as data
(``inputs``) and a dated per-county parameter snapshot (``parameters``), giving a decision that
explains itself line by line (``decision``). ``engine.assess(payload)`` validates and decides.
"""
