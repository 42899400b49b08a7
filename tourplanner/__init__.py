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

    :param config: a :class:`Config` (used as it is), a mapping of overrides of the environment's
        settings, or ``None`` to read the environment. A mapping with ``TESTING`` overrides the
        defaults instead: a test app reads nothing from the environment.
    :return: the app, with its database migrated and, on first start, the embedded catalogue
        loaded (unless ``AUTO_SEED`` is off).
    """
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    if isinstance(config, Config):
        base = config
    elif config and config.get("TESTING"):
        base = Config()  # a test app reads nothing from the environment (REDIS_URL, OSRM_URL...)
    else:
        base = Config.from_env()
    app.config.from_mapping(base.as_mapping())
    if isinstance(config, dict):
        app.config.from_mapping(config)
    given_key = isinstance(config, dict) and "SECRET_KEY" in config
    if app.config.get("SECRET_KEY_SOURCE") == "random" and not given_key:
        from tourplanner.config import instance_secret_key

        app.config["SECRET_KEY"] = instance_secret_key(app.instance_path)

    from tourplanner.log import configure_logging

    if not app.testing:
        configure_logging(app.config["LOG_LEVEL"])

    from flask_wtf.csrf import CSRFProtect

    from tourplanner import api
    from tourplanner import cli
    from tourplanner import i18n
    from tourplanner import jobs
    from tourplanner.catalogue import service as catalogue_service
    from tourplanner.jobs.runner import register
    from tourplanner.services import travel_model
    from tourplanner.services.batch.service import JOB_KIND as BATCH_PRODUCT
    from tourplanner.services.batch.service import batch_product_job
    from tourplanner.services.plan_job import plan_job
    from tourplanner.storage import db
    from tourplanner.web import batch_views
    from tourplanner.web import catalogue_views
    from tourplanner.web import errors as web_errors
    from tourplanner.web import health
    from tourplanner.web import planner
    from tourplanner.web import programme_views
    from tourplanner.web import security

    db.init_app(app)
    web_errors.init_app(app)
    i18n.init_app(app)
    cli.init_app(app)
    catalogue_service.init_app(app)
    travel_model.init_app(app)
    jobs.init_app(app)
    register("plan", plan_job)
    register(BATCH_PRODUCT, batch_product_job)
    security.init_app(app)
    CSRFProtect(app)
    api.init_app(app)  # after CSRFProtect: the API (key auth) is exempt from CSRF
    app.register_blueprint(health.bp)
    app.register_blueprint(catalogue_views.bp)
    app.register_blueprint(planner.bp)
    app.register_blueprint(programme_views.bp)
    app.register_blueprint(batch_views.bp)

    # one process at a time: gunicorn -w N on a fresh database
    with app.app_context(), app.extensions["tourplanner.storage.db"].startup_lock():
        catalogue_service.prepare_database(app)
    return app
