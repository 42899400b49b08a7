"""The application factory and configuration."""

from __future__ import annotations

from tourplanner import create_app
from tourplanner.config import Config


def test_config_from_env_reads_every_setting():
    """Each documented variable is read, and postgres:// URLs get the psycopg driver."""
    config = Config.from_env(
        {
            "DATABASE_URL": "postgres://u@h/db",
            "REDIS_URL": "redis://127.0.0.1:6379/0",
            "OSRM_URL": "http://127.0.0.1:5001",
            "SECRET_KEY": "s3cret",
            "AUTO_SEED": "false",
        }
    )
    assert config.DATABASE_URL == "postgresql+psycopg://u@h/db"
    assert config.REDIS_URL == "redis://127.0.0.1:6379/0"
    assert config.OSRM_URL == "http://127.0.0.1:5001"
    assert config.SECRET_KEY == "s3cret"
    assert config.AUTO_SEED is False


def test_config_defaults_need_no_service():
    """With an empty environment the app uses SQLite, in-process jobs and the embedded network."""
    config = Config.from_env({})
    assert config.DATABASE_URL == ""
    assert config.REDIS_URL == ""
    assert config.OSRM_URL == ""
    assert len(config.SECRET_KEY) >= 32


def test_create_app_defaults_to_sqlite_in_instance_folder(tmp_path, monkeypatch):
    """Without DATABASE_URL the database is a SQLite file under the instance folder."""
    monkeypatch.delenv("DATABASE_URL", raising=False)
    app = create_app({"TESTING": True, "AUTO_SEED": False})
    try:
        assert app.config["DATABASE_URL"].startswith("sqlite:///")
        assert app.config["DATABASE_URL"].endswith("instance/tourplanner.sqlite3")
        assert app.testing
    finally:
        app.extensions["tourplanner.storage.db"].dispose()


def test_create_app_seeds_embedded_catalogue_on_first_start(sqlite_url):
    """A fresh database gets the embedded catalogue, so the run command shows real data."""
    app = create_app({"TESTING": True, "DATABASE_URL": sqlite_url})
    try:
        body = app.test_client().get("/healthz").get_json()
        assert body["status"] == "ok"
        assert body["attractions"] >= 150
        assert body["hubs"] >= 10
    finally:
        app.extensions["tourplanner.storage.db"].dispose()


def test_config_reads_api_limits_and_rejects_bad_ones():
    """API limits come from the environment; a malformed one is a clear start-up error."""
    import pytest

    config = Config.from_env({"API_RATE_LIMIT": "10", "API_RATE_WINDOW_S": "30"})
    assert (config.API_RATE_LIMIT, config.API_RATE_WINDOW_S, config.API_MAX_BODY_BYTES) == (
        10,
        30,
        262144,
    )
    with pytest.raises(ValueError, match="API_RATE_LIMIT must be a whole number, not 'lots'"):
        Config.from_env({"API_RATE_LIMIT": "lots"})
    assert Config.from_env({}).API_SYNC_CONCURRENCY == 1
    assert Config.from_env({"API_SYNC_CONCURRENCY": "3"}).API_SYNC_CONCURRENCY == 3
    with pytest.raises(ValueError, match="API_SYNC_CONCURRENCY must be positive, not 0"):
        Config.from_env({"API_SYNC_CONCURRENCY": "0"})


def test_a_test_app_reads_nothing_from_the_environment(sqlite_url, monkeypatch):
    """A developer's REDIS_URL or OSRM_URL does not leak into the tests' apps."""
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:1/0")
    monkeypatch.setenv("OSRM_URL", "http://127.0.0.1:1")
    monkeypatch.setenv("AUTO_SEED", "1")
    app = create_app({"TESTING": True, "DATABASE_URL": sqlite_url, "AUTO_SEED": False})
    try:
        assert app.config["REDIS_URL"] == "" and app.config["OSRM_URL"] == ""
        assert type(app.extensions["tourplanner.jobs.runner"]).__name__ == "InProcessRunner"
    finally:
        app.extensions["tourplanner.storage.db"].dispose()
    served = create_app({"DATABASE_URL": sqlite_url, "AUTO_SEED": False})
    try:  # without TESTING the environment is the deployment's configuration
        assert served.config["OSRM_URL"] == "http://127.0.0.1:1"
    finally:
        served.extensions["tourplanner.storage.db"].dispose()
