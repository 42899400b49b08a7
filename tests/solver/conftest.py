"""Fixtures for the solver tests (the named instances live in solver_cases.py)."""

from __future__ import annotations

import pytest

from solver import Solution


@pytest.fixture(scope="session")
def solved() -> dict[str, Solution]:
    """Cache of solutions of the named instances (solved once per session)."""
    return {}
