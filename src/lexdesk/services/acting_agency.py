"""Which agency the work in progress is done for: what PostgreSQL's row-level security lets
each transaction see (migration 0023, docs/adr/0025-row-level-security.md).

A request, a command or a worker's sweep opens a *scope*; as soon as the scope knows who acts
(a session authenticated, ``--as`` resolved, ``services.context.acting_user``), it is narrowed
to that user's agency, for the transaction in progress and every later one in the scope. The
database then shows the transaction only the rows that agency takes part in, whatever the
query asks for: a second wall behind the services' own checks. Work that acts for no agency
(signing in, the public pages, the worker, the operator's commands) runs unnarrowed.

The scope is a mutable holder in a context variable so that it crosses from where a request
is authenticated (a dependency, run in one thread) to where it is served (the endpoint, run
in another thread with a copy of the same context)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

#: What the database's setting holds when a transaction acts for no agency in particular.
EVERY_AGENCY = "*"


class Scope:
    """One request's or command's acting agency; None until it is known."""

    __slots__ = ("agency",)

    def __init__(self) -> None:
        self.agency: str | None = None


_scope: ContextVar[Scope | None] = ContextVar("lexdesk_acting_agency", default=None)


@contextmanager
def scope() -> Iterator[Scope]:
    """A scope for one request or command; the one before it is back when it ends, so that
    nothing narrowed for one request outlives it (a thread pool reuses its threads)."""
    opened = Scope()
    token = _scope.set(opened)
    try:
        yield opened
    finally:
        _scope.reset(token)


def narrow(agency_id: str) -> None:
    """From now on, in this scope, act for ``agency_id`` only. Outside any scope (a script, a
    test calling a service directly) nothing outlives the transaction that narrowed itself
    (``UnitOfWork.narrow_to``): a narrowing kept in the thread's context would reach whatever
    that thread runs next."""
    current = _scope.get()
    if current is not None:
        current.agency = agency_id


def acting() -> str:
    """The agency the next transaction acts for, or ``EVERY_AGENCY``."""
    current = _scope.get()
    return current.agency if current is not None and current.agency else EVERY_AGENCY
