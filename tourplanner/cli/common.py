"""What the sub-commands of the ``tourplanner`` command line share."""

from __future__ import annotations

import json
import os
import sys

import click
from flask.cli import ScriptInfo

from tourplanner.errors import TourplannerError
from tourplanner.errors import ValidationError
from tourplanner.errors import reason_in
from tourplanner.i18n import translator


def fail(exc: TourplannerError, *, as_json: bool = False, lang: str | None = None) -> None:
    """Print *exc* for a person (or as JSON) on stderr and exit with its exit code;
    a bad input names each field and its reason, in *lang* (English when None).

    Not click's ``ClickException``: each error class has its own exit code (2 bad input, 3 not
    found ...) and, with ``--json``, the error goes out as the API would write it.
    """
    t = translator(lang or "en")
    label = t("cli.error")
    if as_json:
        click.echo(json.dumps(exc.to_dict(lang), ensure_ascii=False))
    elif isinstance(exc, ValidationError):
        for error in exc.errors:
            click.echo(f"{label}: {error.text_in(lang)}", err=True)
    else:
        click.echo(f"{label}: {reason_in(exc.message, lang)}", err=True)
    sys.exit(exc.exit_code)


def log_level(default: str) -> str:
    """The log level of this run: ``-v`` info, ``-vv`` debug, else ``LOG_LEVEL`` or *default*.

    Commands that answer and exit are quiet by default (warnings and errors only); the servers
    (``serve``, ``worker``) log at info.
    """
    context = click.get_current_context(silent=True)
    info = context.find_object(ScriptInfo) if context else None
    verbose = info.data.get("verbose", 0) if info else 0
    if verbose:
        return "DEBUG" if verbose > 1 else "INFO"
    return os.environ.get("LOG_LEVEL", default)
