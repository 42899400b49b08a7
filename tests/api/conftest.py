"""Fixtures of the API tests: agencies with keys of each role, and header helpers."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tourplanner.api.keys import create_agency
from tourplanner.api.keys import create_key


@dataclass
class Keys:
    """Tokens of two agencies: A has a planner and an editor key, B a planner key."""

    planner: str
    editor: str
    other: str
    admin: str


def auth(token: str) -> dict[str, str]:
    """Return the Authorization header for *token*."""
    return {"Authorization": f"Bearer {token}"}


def make_keys(app) -> Keys:
    """Create agencies A and B and their keys in *app*'s database."""
    with app.extensions["tourplanner.storage.db"].session() as session:
        a = create_agency(session, "Agency A")
        b = create_agency(session, "Agency B")
        return Keys(
            planner=create_key(session, a, "planner")[1],
            editor=create_key(session, a, "editor")[1],
            other=create_key(session, b, "planner")[1],
            admin=create_key(session, b, "admin")[1],
        )


@pytest.fixture
def keys(app) -> Keys:
    """Keys on the SQLite app."""
    return make_keys(app)


@pytest.fixture
def any_keys(any_app) -> Keys:
    """Keys on the app of each database (SQLite and PostgreSQL)."""
    return make_keys(any_app)
