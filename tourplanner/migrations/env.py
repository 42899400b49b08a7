"""Alembic environment: runs migrations on the engine handed over by tourplanner.db."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from tourplanner import tables  # noqa: F401  (registers every table on Base.metadata)
from tourplanner.db import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    """Run the migrations in one transaction on the configured engine."""
    engine = config.attributes.get("engine")
    if engine is None:
        engine = create_engine(config.get_main_option("sqlalchemy.url"))
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


run_migrations_online()
