"""The composition root: the one place that picks implementations and wires them together."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from lexdesk.adapters.alarm import LoggingAlarm
from lexdesk.adapters.clock import SystemClock
from lexdesk.adapters.database import create_database_engine
from lexdesk.adapters.rulebook import PackRuleBook
from lexdesk.adapters.unit_of_work import SqlUnitOfWork
from lexdesk.config import Settings
from lexdesk.services.context import Desk
from lexdesk.services.ports import Clock, RuleBook


@dataclass(frozen=True)
class App:
    settings: Settings
    engine: Engine
    desk: Desk


def build(
    settings: Settings | None = None,
    *,
    clock: Clock | None = None,
    rules: RuleBook | None = None,
    operator: str = "",
) -> App:
    """The application. ``operator`` names who is at the controls of a command line, acting
    on behalf of the users its commands name (``services.context.Desk.operator``)."""
    settings = settings or Settings()
    engine = create_database_engine(settings.resolved_database_url, echo=settings.echo_sql)
    chosen_clock = clock or SystemClock()
    desk = Desk(
        uow=lambda: SqlUnitOfWork(engine, chosen_clock),
        clock=chosen_clock,
        rules=rules or PackRuleBook(),
        alarm=LoggingAlarm(),
        operator=operator,
    )
    return App(settings=settings, engine=engine, desk=desk)
