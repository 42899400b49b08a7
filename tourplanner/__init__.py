"""tourplanner: multi-day, multi-province tour planning for northern Vietnam."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from flask import Flask

from tourplanner.config import Config

ROOT = Path(__file__).resolve().parent.parent
log = logging.getLogger(__name__)


def create_app(config: Config | dict[str, Any] | None = None) -> Flask:
    """Build the Flask application.

    :param config: a :class:`Config`, a mapping of overrides (tests), or ``None`` to read the
        environment.
    :return: the app, with its database migrated and, on first start, the embedded catalogue
        loaded (unless ``AUTO_SEED`` is off).
    """
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    base = Config.from_env()
    app.config.from_mapping(base.as_mapping())
    if isinstance(config, Config):
        app.config.from_mapping(config.as_mapping())
    elif config:
        app.config.from_mapping(config)
    given_key = isinstance(config, dict) and "SECRET_KEY" in config
    if app.config.get("SECRET_KEY_SOURCE") == "random" and not given_key:
        from tourplanner.config import instance_secret_key

        app.config["SECRET_KEY"] = instance_secret_key(app.instance_path)

    from tourplanner.log import configure_logging

    if not app.testing:
        configure_logging(app.config["LOG_LEVEL"])

    from flask_wtf.csrf import CSRFProtect

    from tourplanner import cli
    from tourplanner import db
    from tourplanner import errors_web
    from tourplanner import i18n
    from tourplanner import jobs
    from tourplanner import security
    from tourplanner import services
    from tourplanner.batch import views as batch_views
    from tourplanner.catalogue import service
    from tourplanner.web import catalogue_views
    from tourplanner.web import health
    from tourplanner.web import planner
    from tourplanner.web import programme_views

    db.init_app(app)
    errors_web.init_app(app)
    i18n.init_app(app)
    cli.init_app(app)
    service.init_app(app)
    services.init_app(app)
    jobs.init_app(app)
    security.init_app(app)
    CSRFProtect(app)
    from tourplanner import api

    api.init_app(app)  # after CSRFProtect: the API (key auth) is exempt from CSRF
    app.register_blueprint(health.bp)
    app.register_blueprint(catalogue_views.bp)
    app.register_blueprint(planner.bp)
    app.register_blueprint(programme_views.bp)
    app.register_blueprint(batch_views.bp)

    with app.app_context(), app.extensions["tourplanner.db"].startup_lock():
        service.prepare_database(app)  # one process at a time: gunicorn -w N on a fresh database
    return app
