from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Uploaded documents go to a temporary directory, never the real var/uploads."""
    settings.MEDIA_ROOT = tmp_path / "uploads"
