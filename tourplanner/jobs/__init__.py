"""Background jobs: the runner (:mod:`.runner`, threads in the app process) and the RQ one
(:mod:`.rq_runner`, workers over Redis). The kinds of job register their handlers with
:func:`tourplanner.jobs.runner.register`; the runner knows none of them."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from tourplanner.jobs.runner import InProcessRunner

if TYPE_CHECKING:
    from flask import Flask

log = logging.getLogger(__name__)


def init_app(app: Flask) -> None:
    """Attach the job runner: RQ when REDIS_URL is set, else in-process threads."""
    if app.config.get("REDIS_URL"):
        from tourplanner.jobs.rq_runner import RQRunner  # only with Redis: rq and redis load

        app.extensions["tourplanner.jobs.runner"] = RQRunner(app.config["REDIS_URL"])
        return
    runner = InProcessRunner(app)
    app.extensions["tourplanner.jobs.runner"] = runner

    @app.before_request
    def resume_orphaned_jobs() -> None:
        """On the first request this process serves (not in CLI commands, which would stop
        with the job half-done), take over the jobs of processes that have stopped."""
        if not runner._resumed and app.extensions.get("tourplanner.jobs.runner") is runner:
            try:
                runner.resume_orphans()
            except Exception:  # never fail a request for this; the next process tries again
                log.exception("could not take over orphaned jobs")
