"""Shared fixtures: the app on a temporary SQLite file, and the same app on PostgreSQL.

PostgreSQL is not optional: the suite talks to ``TEST_DATABASE_URL`` (default: the local
server at 127.0.0.1:5432, database ``test``), in a schema of its own that is dropped and made
again per test. Set ``TEST_DATABASE_URL=off`` to skip those tests on a machine without it.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from sqlalchemy import text

from tourplanner import create_app
from tourplanner.catalogue.loader import load_files
from tourplanner.config import _normalise_database_url

DATA = Path(__file__).parent / "data"
CATALOGUE_FILES = [
    DATA / "catalogue" / n for n in ("provinces.json", "attractions.json", "hubs.json")
]
DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/test"


def postgres_url() -> str | None:
    """Return the PostgreSQL URL for tests, or None when explicitly turned off."""
    url = os.environ.get("TEST_DATABASE_URL", DEFAULT_PG).strip()
    if url.lower() in {"", "off", "none"}:
        return None
    return _normalise_database_url(url)


def make_app(database_url: str, *, seed: bool = True):
    """Build a testing app on *database_url* with the tiny test catalogue loaded."""
    app = create_app(
        {"TESTING": True, "DATABASE_URL": database_url, "AUTO_SEED": False, "SECRET_KEY": "test"}
    )
    if seed:
        with app.extensions["tourplanner.storage.db"].session() as session:
            load_files(session, CATALOGUE_FILES)
    return app


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A fresh SQLite file per test."""
    return f"sqlite:///{tmp_path / 'test.sqlite3'}"


@pytest.fixture
def pg_url():
    """A fresh PostgreSQL schema per test, dropped afterwards."""
    base = postgres_url()
    if base is None:
        pytest.skip("TEST_DATABASE_URL=off: PostgreSQL tests turned off")
    schema = f"tp_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in base else "?"
    yield f"{base}{sep}options=-csearch_path%3D{schema}"
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request) -> str:
    """Each database the product supports, for tests of the database layer."""
    name = "sqlite_url" if request.param == "sqlite" else "pg_url"
    return request.getfixturevalue(name)


@pytest.fixture
def app(sqlite_url):
    """The app on SQLite with the tiny test catalogue."""
    app = make_app(sqlite_url)
    yield app
    app.extensions["tourplanner.storage.db"].dispose()


@pytest.fixture
def any_app(database_url):
    """The app with the tiny test catalogue, on SQLite and on PostgreSQL."""
    app = make_app(database_url)
    yield app
    app.extensions["tourplanner.storage.db"].dispose()


@pytest.fixture
def client(app):
    """A Flask test client."""
    return app.test_client()


@pytest.fixture
def runner(app):
    """A Flask CLI runner."""
    return app.test_cli_runner()
