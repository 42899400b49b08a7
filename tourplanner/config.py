"""Configuration: the only module that reads ``os.environ``.

Every setting has an embedded default, so ``tourplanner serve`` works on a fresh machine with
no service but the file system: SQLite under the instance folder, the embedded catalogue and
travel network, background jobs run in-process.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path


def _normalise_database_url(url: str) -> str:
    """Return *url* with the SQLAlchemy driver spelled out.

    ``postgres://`` (Heroku style) and bare ``postgresql://`` are mapped to psycopg 3.
    """
    if url.startswith("postgres://"):
        url = "postgresql://" + url.removeprefix("postgres://")
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


@dataclass
class Config:
    """Settings of one application instance.

    :param DATABASE_URL: SQLAlchemy URL; empty means SQLite in the instance folder.
    :param REDIS_URL: RQ job queue; empty means jobs run in-process.
    :param OSRM_URL: OSRM server for road times; empty means the embedded network.
    :param SECRET_KEY: signs sessions and CSRF tokens. Unset, the app uses one generated once
        into ``instance/secret_key``, so every process of one deployment (``gunicorn -w N``)
        signs alike (:func:`instance_secret_key`).
    """

    DATABASE_URL: str = ""
    REDIS_URL: str = ""
    OSRM_URL: str = ""
    SECRET_KEY: str = field(default_factory=lambda: secrets.token_hex(32))
    #: where SECRET_KEY came from: "env", or "random" (then the app takes the instance one)
    SECRET_KEY_SOURCE: str = "random"
    LOG_LEVEL: str = "INFO"
    TESTING: bool = False
    #: load the embedded catalogue on first start when the database is empty
    AUTO_SEED: bool = True
    #: served over HTTPS (behind a TLS proxy): cookies get the Secure flag
    HTTPS: bool = False
    #: JSON API: requests per key per window, the window, and the largest request body
    API_RATE_LIMIT: int = 120
    API_RATE_WINDOW_S: int = 60
    API_MAX_BODY_BYTES: int = 256 * 1024
    #: JSON API: plans one process solves inside their requests at the same time; a plan that
    #: arrives while that many are solving becomes a job (202), so a burst of plans cannot take
    #: every server thread from the pages
    API_SYNC_CONCURRENCY: int = 1
    #: searches one plan runs side by side (forked processes with other seeds; the best plan
    #: wins): two on a machine with two cores or more
    PLANNER_WORKERS: int = field(default_factory=lambda: min(2, os.cpu_count() or 1))
    #: a work bound instead of the clock: each plan's search stops after this many rounds of
    #: 50 LNS iterations, so the same request and seed give the same plan on a busy machine
    #: (reproducible runs and tests); unset: the time limit decides
    PLANNER_MAX_ROUNDS: int | None = None

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Config:
        """Build a config from environment variables (``os.environ`` by default)."""
        env = os.environ if environ is None else environ
        config = cls()
        for name in ("DATABASE_URL", "REDIS_URL", "OSRM_URL", "SECRET_KEY", "LOG_LEVEL"):
            value = env.get(name, "").strip()
            if value:
                setattr(config, name, value)
        if env.get("SECRET_KEY", "").strip():
            config.SECRET_KEY_SOURCE = "env"
        if env.get("AUTO_SEED", "").strip().lower() in {"0", "false", "no"}:
            config.AUTO_SEED = False
        if env.get("HTTPS", "").strip().lower() in {"1", "true", "yes"}:
            config.HTTPS = True
        for name in (
            "API_RATE_LIMIT",
            "API_RATE_WINDOW_S",
            "API_MAX_BODY_BYTES",
            "API_SYNC_CONCURRENCY",
            "PLANNER_WORKERS",
            "PLANNER_MAX_ROUNDS",
        ):
            value = env.get(name, "").strip()
            if value:
                try:
                    number = int(value)
                except ValueError:
                    raise ValueError(f"{name} must be a whole number, not {value!r}") from None
                if number <= 0:
                    raise ValueError(f"{name} must be positive, not {number}")
                setattr(config, name, number)
        config.DATABASE_URL = _normalise_database_url(config.DATABASE_URL)
        return config

    def as_mapping(self) -> dict[str, object]:
        """Return the settings as a mapping for ``app.config.from_mapping``."""
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


def instance_secret_key(instance_path: str | Path) -> str:
    """Return the key in ``<instance_path>/secret_key``, made (mode 0600) on first use.

    Every process of a deployment shares it: with a random key per process, a form rendered
    by one gunicorn worker and posted to another failed its CSRF check. The file appears
    whole or not at all (written aside, then hard-linked into place).
    """
    folder = Path(instance_path)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "secret_key"
    for _ in range(50):
        try:
            key = target.read_text().strip()
        except FileNotFoundError:
            key = ""
        if key:
            return key
        draft = folder / f".secret_key.{os.getpid()}.{secrets.token_hex(4)}"
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
        try:
            os.link(draft, target)
        except FileExistsError:
            pass  # another process made it first: read theirs
        finally:
            draft.unlink()
    raise RuntimeError(f"cannot read or make {target}")


def test_database_url() -> str | None:
    """Return the PostgreSQL URL the test suite should also run against, if any."""
    url = os.environ.get("TEST_DATABASE_URL", "").strip()
    return _normalise_database_url(url) if url else None


def test_redis_url() -> str | None:
    """Return the Redis URL the test suite should run the job queue against, if any."""
    url = os.environ.get("TEST_REDIS_URL", "").strip()
    return url or None
