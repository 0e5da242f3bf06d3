"""Shared fixtures. Tests run against DATABASE_URL (PostgreSQL in CI)."""

import pytest
from django.db import connection

from tests.helpers import xlsform_bytes  # noqa: F401  (re-exported for tests)


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Every test writes blobs to its own folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }
    settings.PUBLIC_BASE_URL = "https://survey.example.org"


@pytest.fixture
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (set DATABASE_URL)")


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Login-failure counters and DRF throttles live in the cache: no test inherits another's."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
