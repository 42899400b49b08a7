"""Alembic owns the schema: the migrations build exactly the tables the models describe."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from tourplanner.storage import tables  # noqa: F401
from tourplanner.storage.db import Base
from tourplanner.storage.db import Database


def test_migrations_match_models(database_url):
    """After upgrading to head there is no difference between the database and the models."""
    database = Database(database_url)
    try:
        database.upgrade()
        with database.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        assert diff == []
        assert {"provinces", "places", "alembic_version"} <= set(
            inspect(database.engine).get_table_names()
        )
    finally:
        database.dispose()


def test_upgrade_twice_is_harmless(database_url):
    """Running the migrations on a current database changes nothing."""
    database = Database(database_url)
    try:
        database.upgrade()
        database.upgrade()
        assert database.is_current()
    finally:
        database.dispose()


def test_head_revision_matches_alembic(database_url):
    """The quick start-up check names the same head as Alembic's own script directory."""
    from alembic.script import ScriptDirectory

    from tourplanner.storage.db import alembic_config
    from tourplanner.storage.db import head_revision

    assert head_revision() == ScriptDirectory.from_config(alembic_config()).get_current_head()
    database = Database(database_url)
    try:
        assert database.revision() is None
        database.upgrade()
        assert database.revision() == head_revision()
    finally:
        database.dispose()
