"""The rules, one module per programme, over shared helpers (people, household, income, assets).

Each ``decide_*`` function takes the application, the parameters and a ``Trace``, appends one
line per condition it checks, and returns an ``Award`` (amount, period, category). National
thresholds written in the regulations (60 years of age, 3 years apart, the six self-care items)
are named constants here with their article; every local figure comes from ``Parameters``.
"""
