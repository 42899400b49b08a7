"""API keys for tests and benchmarks: two agencies with a key of each role."""

from __future__ import annotations

from dataclasses import dataclass

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
