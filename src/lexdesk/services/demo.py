"""``lexdesk demo``: five agencies with a user per role, the story of 2019-2020
(``demo_story``) and the requests open today (``demo_today``), all through the services a
user would call, and idempotent: a second run adds nothing."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from lexdesk.domain.persons import IdentifierScheme
from lexdesk.services import accounts, agencies
from lexdesk.services.context import Desk
from lexdesk.services.demo_story import SUBJECTS, StoryClock, tell
from lexdesk.services.demo_today import load_today

AGENCIES = (
    agencies.RegisterAgency("ice-nyc", "ICE ERO New York Field Office", "immigration", "US"),
    agencies.RegisterAgency(
        "nyc-doc", "NYC Department of Correction", "custodial", "US-NY-NYC", "us-ny-nyc-doc"
    ),
    agencies.RegisterAgency(
        "nypd", "New York City Police Department", "custodial", "US-NY-NYC", "us-ny-nyc-nypd"
    ),
    agencies.RegisterAgency("usao-edny", "U.S. Attorney's Office, E.D.N.Y.", "prosecutor", "US"),
    agencies.RegisterAgency("edny", "U.S. District Court, E.D.N.Y.", "court", "US"),
)

ROLES = ("officer", "legal", "supervisor", "auditor", "admin")

#: Every demo user's password. Demo data only: a real deployment enrols each user with their own.
DEMO_PASSWORD = "fictional desk 2020"  # noqa: S105 - printed by the demo on purpose


@dataclass
class DemoReport:
    created: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def load_demo(desk: Desk) -> DemoReport:
    clock = StoryClock(datetime(2019, 1, 1, tzinfo=UTC))
    story = replace(desk, clock=clock)
    report = DemoReport()
    _agencies_and_users(story, report)
    for subject in SUBJECTS:
        with story.uow() as uow:
            booked = uow.persons.by_identifier("nyc-doc", IdentifierScheme.NYSID, subject.nysid)
        if booked:
            report.skipped.append(f"{subject.family_name} (already booked)")
            continue
        tell(story, clock, subject)
        report.created.append(f"{subject.family_name}: {subject.reaches}")
    report.created += load_today(desk)
    return report


def _agencies_and_users(desk: Desk, report: DemoReport) -> None:
    for command in AGENCIES:
        with desk.uow() as uow:
            exists = uow.agencies.get(command.id) is not None
        if exists:
            report.skipped.append(f"agency {command.id}")
            continue
        agencies.register_agency(desk, command)
        report.created.append(f"agency {command.id}")
        for role in ROLES:
            username = f"{command.id}-{role}"
            display = f"Demo {role.title()} ({command.id})"
            accounts.add_account(
                desk, agencies.AddUser(username, command.id, display, (role,)), DEMO_PASSWORD
            )


@dataclass(frozen=True)
class DemoLogin:
    agency: str
    username: str
    totp_secret: str


def demo_logins(desk: Desk) -> list[DemoLogin]:
    """The demo users and their TOTP seeds, read back so that a second ``lexdesk demo`` can show
    them again. For the demo only: nothing else in lexdesk ever shows a stored seed."""
    logins = []
    with desk.uow() as uow:
        for command in AGENCIES:
            for role in ROLES:
                user = uow.users.by_username(f"{command.id}-{role}")
                creds = uow.accounts.credentials(user.id) if user else None
                if user and creds:
                    logins.append(DemoLogin(command.name, user.username, creds.totp_secret))
    return logins
