"""Fixtures of the API tests: agencies with keys of each role, and header helpers."""

from __future__ import annotations

import pytest

from tourplanner.testing.keys import Keys
from tourplanner.testing.keys import auth  # noqa: F401  (the API tests import it from here)
from tourplanner.testing.keys import make_keys


@pytest.fixture
def keys(app) -> Keys:
    """Keys on the SQLite app."""
    return make_keys(app)


@pytest.fixture
def any_keys(any_app) -> Keys:
    """Keys on the app of each database (SQLite and PostgreSQL)."""
    return make_keys(any_app)
