"""Logging set-up, done once by the application factory (the solver adds no handlers)."""

from __future__ import annotations

import logging
import sys

_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(pathname)s:%(lineno)d] %(message)s"
_LOGGERS = ("tourplanner", "solver")


def configure_logging(level: str = "INFO") -> None:
    """Send tourplanner's and the solver's logs to stderr at *level*; safe to call twice."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(_FORMAT))
    for name in _LOGGERS:
        logger = logging.getLogger(name)
        logger.setLevel(level.upper())
        if not any(isinstance(h, logging.StreamHandler) for h in logger.handlers):
            logger.addHandler(handler)
