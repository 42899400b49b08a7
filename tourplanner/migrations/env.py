"""Alembic environment: runs migrations on the engine handed over by tourplanner.storage.db."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from tourplanner.storage import tables  # noqa: F401  (registers every table on Base.metadata)
from tourplanner.storage.db import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    """Run the migrations in one transaction on the configured engine.

    On SQLite, batch mode changes a table by copying it, dropping the old one and renaming
    the copy; with foreign keys enforced, dropping a table that other rows refer to (a batch
    with products, say) fails. So enforcement is off while migrating, every reference is
    checked afterwards (``PRAGMA foreign_key_check``), and it is switched on again.
    """
    engine = config.attributes.get("engine")
    if engine is None:
        engine = create_engine(config.get_main_option("sqlalchemy.url"))
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")  # a no-op inside a transaction
            connection.commit()
        try:
            context.configure(
                connection=connection,
                target_metadata=target_metadata,
                render_as_batch=sqlite,
                compare_type=True,
            )
            with context.begin_transaction():
                context.run_migrations()
            connection.commit()
            if sqlite:
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise RuntimeError(f"the migration broke foreign keys: {broken[:5]}")
        finally:
            if sqlite:
                connection.rollback()
                connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                connection.commit()


run_migrations_online()
