"""What every command shares: the application, clean failures and two output shapes."""

from __future__ import annotations

import functools
import getpass
import json
import sys
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any, NoReturn, ParamSpec, TypeVar

import typer
from pydantic import ValidationError
from sqlalchemy.exc import OperationalError, ProgrammingError

from lexdesk.bootstrap import App, build
from lexdesk.config import Settings
from lexdesk.domain.attachments import SIZE_LIMIT
from lexdesk.domain.errors import ConcurrencyConflict, LexdeskError

P = ParamSpec("P")
R = TypeVar("R")

#: Exit codes: 2 for input a user can correct, 3 for a conflict with someone else's change.
EXIT_INVALID = 2
EXIT_CONFLICT = 3

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for machines.")]
ActorOption = Annotated[str, typer.Option("--as", help="Username of the person acting.")]

_app: App | None = None


def app() -> App:
    """The application, built on first use (never at import time)."""
    global _app
    if _app is None:
        try:
            _app = build(Settings(), operator=operator())
        except ValidationError as error:
            fail(setting_error(error))
    return _app


def setting_error(error: ValidationError) -> str:
    """The first wrong setting, by the variable that sets it."""
    first = error.errors()[0]
    message = str(first["msg"]).removeprefix("Value error, ")
    if "LEXDESK_" in message:
        return message
    return f"LEXDESK_{str(first['loc'][0]).upper()}: {message}"


def operator() -> str:
    """Who runs the command: the login of the process, named in the audit trail as the actor
    who acts on behalf of the user ``--as`` names."""
    try:
        login = getpass.getuser()
    except (KeyError, OSError):
        login = "unknown"
    return f"operator:{login}"[:100]


def reset_app() -> None:
    """Forget the built application (tests change LEXDESK_DATABASE_URL between runs)."""
    global _app
    if _app is not None:
        _app.engine.dispose()
    _app = None


def fail(message: str, code: int = EXIT_INVALID) -> NoReturn:
    typer.echo(f"lexdesk: {message}", err=True)
    raise typer.Exit(code)


def fails_cleanly(command: Callable[P, R]) -> Callable[P, R]:
    """Turn every error a user can act on into one line on stderr and a non-zero exit."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except ConcurrencyConflict as error:
            fail(str(error), EXIT_CONFLICT)
        except LexdeskError as error:
            fail(str(error))
        except (OperationalError, ProgrammingError) as error:
            text = str(error.orig)
            if "no such table" in text or "does not exist" in text:
                fail("the database has no lexdesk tables yet: run `lexdesk init` first")
            fail(f"the database refused: {text.splitlines()[0]}")

    return wrapper


def _default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, tuple | frozenset | set):
        return list(value)
    raise TypeError(f"cannot serialise {type(value).__name__}")


def emit_json(document: Any) -> None:
    sys.stdout.write(json.dumps(document, indent=2, default=_default, ensure_ascii=False) + "\n")


def parse_moment(value: str, what: str) -> datetime:
    """An ISO date or date-time; a date means the end of that day is not assumed: 17:00 UTC
    would be arbitrary, so a bare date is refused where a time matters."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        fail(f"{what} {value!r} is not an ISO date-time: write e.g. 2020-02-03T17:00-05:00")
    if moment.tzinfo is None:
        fail(f"{what} {value!r} has no time zone: add one, e.g. 2020-02-03T17:00-05:00")
    return moment


def parse_day(value: str, what: str) -> date:
    """An ISO calendar date, or one line and exit 2."""
    try:
        return date.fromisoformat(value)
    except ValueError:
        fail(f"{what} {value!r} is not a date: write it as YYYY-MM-DD, e.g. 2027-06-30")


def read_upload(file: Path) -> bytes:
    """A file to attach, read whole; one line and exit 2 when it cannot be (missing, a folder,
    unreadable, larger than an attachment may be)."""
    try:
        if file.stat().st_size > SIZE_LIMIT:
            fail(f"{file} is larger than {SIZE_LIMIT // (1024 * 1024)} MB")
        return file.read_bytes()
    except FileNotFoundError:
        fail(f"{file} does not exist")
    except IsADirectoryError:
        fail(f"{file} is a directory: name a file")
    except OSError as error:
        fail(f"cannot read {file}: {error.strerror}")
