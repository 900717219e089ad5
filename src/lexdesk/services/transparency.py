"""Publishing a transparency report (docs/adr/0019): an administrator of the agency publishes
what the read side computed; the publication is audited and never changed, and a correction is
the next edition with a note. Computing is the read side's (``queries.transparency``), reached
through the desk's ``reports`` port when the worker publishes on a schedule."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from lexdesk.domain.agencies import User
from lexdesk.domain.deadlines import DEFAULT_TIMEZONE
from lexdesk.domain.errors import InvalidInput, LexdeskError, NotPermitted
from lexdesk.domain.ids import new_id
from lexdesk.domain.permissions import Permission
from lexdesk.domain.reports.published import PublishedReport, next_edition
from lexdesk.domain.reports.schedule import ReportSchedule, checked_delay, due_period
from lexdesk.services import audit
from lexdesk.services.authorization import authorize
from lexdesk.services.context import Desk, acting_user, audit_actor
from lexdesk.services.ports import ReportComputer

log = logging.getLogger("lexdesk.reports")


@dataclass(frozen=True)
class PublishReport:
    actor: str
    #: The computed report (``results.ComputedReport.to_json``): its id, version, agency,
    #: period, watermark and digest are taken from it.
    document: dict[str, Any]
    note: str = ""
    source: str = "cli"
    #: Published by the worker on the actor's schedule, not by the actor's own hand.
    scheduled: bool = False

    @property
    def report_id(self) -> str:
        return str(self.document.get("report", ""))


@audit.records_denials("report.publish", "report", "report_id")
def publish_report(desk: Desk, command: PublishReport) -> PublishedReport:
    document = command.document
    agency_id = str(document["agency"])
    with desk.uow() as uow:
        user = _publisher(uow, command.actor, agency_id)
        period = str(document["period"]["label"])
        previous = uow.reports.latest(str(document["report"]), agency_id, period)
        edition = next_edition(previous, str(document["digest"]), command.note)
        mark = document["watermark"]
        published = PublishedReport(
            id=new_id("rep"),
            report_id=str(document["report"]),
            report_version=str(document["version"]),
            agency_id=agency_id,
            period=period,
            edition=edition,
            watermark_event_id=int(mark["event_id"]),
            watermark_at=datetime.fromisoformat(mark["at"]) if mark["at"] else None,
            digest=str(document["digest"]),
            document=document,
            note=command.note.strip(),
            published_by=user.username,
            published_at=desk.clock.now(),
        )
        uow.reports.add(published)
        actor, behalf = audit_actor(desk, user.username)
        audit.record(
            uow,
            actor=actor,
            agency=agency_id,
            action="report.publish",
            object_type="report",
            object_id=published.id,
            source=command.source,
            detail={
                "report": published.report_id,
                "version": published.report_version,
                "period": period,
                "edition": edition,
                "watermark": published.watermark_event_id,
                "digest": published.digest,
                **({"scheduled": True} if command.scheduled else {}),
                **behalf,
            },
        )
        uow.commit()
    return published


def _publisher(uow: Any, username: str, agency_id: str | None) -> User:
    """The user, if they may publish the reports of ``agency_id`` (None: of their own)."""
    user = acting_user(uow, username)
    authorize(user, Permission.REPORT_PUBLISH)
    if agency_id is not None and user.agency_id != agency_id:
        raise NotPermitted(
            f"{user.username} administers {user.agency_id}, not {agency_id}: only the "
            "agency's own administrators publish its reports"
        )
    return user


def _computer(desk: Desk) -> ReportComputer:
    if desk.reports is None:
        raise InvalidInput("this desk cannot compute reports: it was built without a reader")
    return desk.reports


# -- schedules ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScheduleReport:
    actor: str
    report_id: str
    #: Days after a period's last day before the worker publishes it; None stops the schedule.
    delay_days: int | None
    source: str = "cli"


@audit.records_denials("report.schedule", "report", "report_id")
def schedule_report(desk: Desk, command: ScheduleReport) -> ReportSchedule | None:
    """Schedule the agency's report (replacing its schedule, if any), or stop it. The
    administrator who schedules is the one it will be published as."""
    with desk.uow() as uow:
        agency_id = _publisher(uow, command.actor, None).agency_id
    if command.delay_days is not None:
        # Outside the unit of work: the read side reads on a connection of its own.
        _computer(desk).period_kind(command.report_id, agency_id)
    with desk.uow() as uow:
        user = _publisher(uow, command.actor, agency_id)
        now = desk.clock.now()
        schedule = None
        if command.delay_days is None:
            if not uow.reports.unschedule(agency_id, command.report_id):
                raise InvalidInput(f"{command.report_id} is not scheduled: nothing to stop")
        else:
            schedule = ReportSchedule(
                agency_id=agency_id,
                report_id=command.report_id,
                delay_days=checked_delay(command.delay_days),
                scheduled_by=user.username,
                scheduled_at=now,
            )
            uow.reports.schedule(schedule)
        actor, behalf = audit_actor(desk, user.username)
        audit.record(
            uow,
            actor=actor,
            agency=agency_id,
            action="report.schedule" if schedule else "report.unschedule",
            object_type="report",
            object_id=command.report_id,
            source=command.source,
            detail={"delay_days": command.delay_days, **behalf},
        )
        uow.commit()
    return schedule


def publish_due(desk: Desk) -> list[PublishedReport]:
    """Publish every scheduled report whose last closed period is due and has no edition yet,
    each as the administrator who scheduled it. One that cannot be published (its scheduler
    lost the right, a figure cannot be computed) is left for the next sweep and the schedule
    says why; it never stops the others."""
    computer = _computer(desk)
    now = desk.clock.now()
    with desk.uow() as uow:
        schedules = uow.reports.schedules()
        zones = {s.agency_id: _zone(uow, s.agency_id) for s in schedules}
    done: list[PublishedReport] = []
    for schedule in schedules:
        zone = ZoneInfo(zones[schedule.agency_id])
        today, since = now.astimezone(zone).date(), schedule.scheduled_at.astimezone(zone).date()
        error: str | None = None
        try:
            kind = computer.period_kind(schedule.report_id, schedule.agency_id)
            period = due_period(kind, today, schedule.delay_days, since)
            if period is None or _published(desk, schedule, period.label):
                continue
            document = computer.compute(schedule.report_id, schedule.agency_id, period.label)
            command = PublishReport(
                schedule.scheduled_by, document, source="worker", scheduled=True
            )
            done.append(publish_report(desk, command))
        except LexdeskError as refusal:
            error = str(refusal)
            log.warning(
                "scheduled report %s of %s not published: %s",
                schedule.report_id,
                schedule.agency_id,
                error,
            )
        with desk.uow() as uow:
            uow.reports.tried(schedule.agency_id, schedule.report_id, now, error)
            uow.commit()
    return done


def _published(desk: Desk, schedule: ReportSchedule, period: str) -> bool:
    with desk.uow() as uow:
        return uow.reports.latest(schedule.report_id, schedule.agency_id, period) is not None


def _zone(uow: Any, agency_id: str) -> str:
    """The agency's own time zone, in which its periods begin and end (as the read side's
    ``agency_profile`` has it)."""
    agency = uow.agencies.get(agency_id)
    zone = agency.deadline_policy.get("timezone") if agency is not None else None
    return zone if isinstance(zone, str) else DEFAULT_TIMEZONE
