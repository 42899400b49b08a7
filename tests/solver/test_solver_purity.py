"""The solver package stays pure: no Flask, no tourplanner, OR-Tools in one module only."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SOLVER = Path(__file__).resolve().parents[2] / "solver"
MODULES = sorted(SOLVER.glob("*.py"))


def imported_roots(path: Path) -> set[str]:
    """Top-level names of every module imported by ``path``."""
    tree = ast.parse(path.read_text(), filename=str(path))
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


@pytest.mark.parametrize("path", MODULES, ids=[p.name for p in MODULES])
def test_purity_no_flask_or_tourplanner(path):
    """No solver module imports flask, tourplanner, a database or HTTP client."""
    forbidden = {"flask", "tourplanner", "sqlalchemy", "requests", "psycopg", "redis"}
    assert not (imported_roots(path) & forbidden)


def test_purity_ortools_only_in_routing_model():
    """OR-Tools is imported by routing_model.py alone (one place to follow API changes)."""
    users = {p.name for p in MODULES if "ortools" in imported_roots(p)}
    assert users == {"routing_model.py"}
