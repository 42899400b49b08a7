"""Database access: one SQLAlchemy engine per application, one session per request.

SQLite in the instance folder is the default; ``DATABASE_URL`` selects PostgreSQL. The schema
is owned by Alembic (``tourplanner/migrations``): :func:`upgrade` brings any database to the
current revision, and nothing else creates tables.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from flask import current_app
from flask import g
from sqlalchemy import create_engine
from sqlalchemy import event
from sqlalchemy import exc as sa_exc
from sqlalchemy import inspect
from sqlalchemy import text
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

if TYPE_CHECKING:
    from alembic.config import Config as AlembicConfig
    from flask import Flask
    from sqlalchemy.engine import Engine

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parents[1] / "migrations"
#: PostgreSQL advisory lock held while one process migrates and seeds (any fixed number)
STARTUP_LOCK_KEY = 0x7470_0001


class Base(DeclarativeBase):
    """Declarative base of every table."""


class Database:
    """An engine and its session factory for one database URL."""

    def __init__(self, url: str) -> None:
        self.url = url
        kwargs: dict[str, object] = {"future": True}
        if url.startswith("sqlite"):
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
        else:
            kwargs["pool_pre_ping"] = True
        self.engine: Engine = create_engine(url, **kwargs)
        if url.startswith("sqlite"):
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    def session(self) -> Session:
        """Open a new session (the caller closes it)."""
        return self.sessions()

    def upgrade(self) -> None:
        """Apply every pending Alembic migration (a quick check first: Alembic itself is
        loaded only when the database is behind)."""
        if self.revision() != head_revision():
            upgrade(self.engine)

    def revision(self) -> str | None:
        """The Alembic revision the database is at (``None`` for an empty database)."""
        if not inspect(self.engine).has_table("alembic_version"):
            return None
        with self.engine.connect() as conn:
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()

    def is_current(self) -> bool:
        """Tell whether the schema exists (the catalogue table is there)."""
        return inspect(self.engine).has_table("places")

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()

    @contextlib.contextmanager
    def startup_lock(self) -> Iterator[None]:
        """Hold a lock that other processes starting on the same database wait for.

        Several app processes starting together (``gunicorn -w 4`` on a fresh database) would
        otherwise all migrate and seed at once and all but one fail. PostgreSQL: an advisory
        lock; SQLite: an exclusive ``flock`` on ``<file>.lock`` beside the database file.
        """
        if self.engine.dialect.name == "postgresql":
            with self.engine.connect() as conn:
                conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": STARTUP_LOCK_KEY})
                conn.commit()
                try:
                    yield
                finally:
                    conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": STARTUP_LOCK_KEY})
                    conn.commit()
            return
        database = self.engine.url.database
        if self.engine.dialect.name != "sqlite" or not database or database == ":memory:":
            yield
            return
        import fcntl

        with open(f"{database}.lock", "a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)


#: SQLite's operational errors that mean "busy or out of reach", not a bug of ours
_SQLITE_UNAVAILABLE = ("locked", "busy", "unable to open", "disk i/o error")


def is_unavailable(exc: BaseException) -> bool:
    """Tell whether *exc* means the database is out of reach (refused or dropped connections,
    a pool that timed out, SQLite locked), as opposed to a bad query.

    Such a failure is answered with 503: the request's transaction was not committed, and the
    pool's pre-ping replaces the dead connections once the server is back.
    """
    if isinstance(exc, sa_exc.DBAPIError) and exc.connection_invalidated:
        return True
    if isinstance(exc, sa_exc.DisconnectionError | sa_exc.TimeoutError | sa_exc.InterfaceError):
        return True
    if isinstance(exc, sa_exc.OperationalError):
        module = type(exc.orig).__module__ if exc.orig is not None else ""
        if module.startswith("sqlite3"):
            return any(word in str(exc.orig).lower() for word in _SQLITE_UNAVAILABLE)
        return True
    return False


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def head_revision() -> str:
    """The newest migration's revision: files are named ``NNNN_what.py`` with revision NNNN."""
    return max(p.name.split("_", 1)[0] for p in (MIGRATIONS_DIR / "versions").glob("[0-9]*_*.py"))


def alembic_config(engine: Engine | None = None) -> AlembicConfig:
    """Return an Alembic config for the packaged migrations, bound to *engine* if given."""
    from alembic.config import Config as AlembicConfig  # alembic loads only when migrating

    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if engine is not None:
        config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Migrate the database behind *engine* to *revision* (default: the newest)."""
    from alembic import command

    log.info("migrating %s to %s", engine.url.render_as_string(hide_password=True), revision)
    command.upgrade(alembic_config(engine), revision)


def init_app(app: Flask) -> None:
    """Create the app's :class:`Database` and close request sessions on teardown."""
    url = app.config["DATABASE_URL"] or default_sqlite_url(app.instance_path)
    app.config["DATABASE_URL"] = url
    app.extensions["tourplanner.storage.db"] = Database(url)
    app.teardown_appcontext(_close_session)


def default_sqlite_url(instance_path: str) -> str:
    """Return the URL of the SQLite file under the instance folder (created if missing)."""
    folder = Path(instance_path)
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / 'tourplanner.sqlite3'}"


def get_database() -> Database:
    """Return the current app's :class:`Database`."""
    return current_app.extensions["tourplanner.storage.db"]


def get_session() -> Session:
    """Return the request's session, opened on first use and closed at teardown."""
    if "db_session" not in g:
        g.db_session = get_database().session()
    return g.db_session


def _close_session(_exc: BaseException | None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()
