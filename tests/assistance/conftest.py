"""Workflow fixtures (``fixtures.py``), shared with the browser tests."""

from tests.assistance.fixtures import (  # noqa: F401
    _media,
    county_officer,
    dibao_household,
    walk,
)
