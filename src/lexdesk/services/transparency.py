"""Publishing a transparency report (docs/adr/0019): an administrator of the agency publishes
what the read side computed; the publication is audited and never changed, and a correction is
the next edition with a note. Computing is the read side's (``queries.transparency``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from lexdesk.domain.errors import NotPermitted
from lexdesk.domain.ids import new_id
from lexdesk.domain.permissions import Permission
from lexdesk.domain.reports.published import PublishedReport, next_edition
from lexdesk.services import audit
from lexdesk.services.authorization import authorize
from lexdesk.services.context import Desk, acting_user, audit_actor


@dataclass(frozen=True)
class PublishReport:
    actor: str
    #: The computed report (``results.ComputedReport.to_json``): its id, version, agency,
    #: period, watermark and digest are taken from it.
    document: dict[str, Any]
    note: str = ""
    source: str = "cli"

    @property
    def report_id(self) -> str:
        return str(self.document.get("report", ""))


@audit.records_denials("report.publish", "report", "report_id")
def publish_report(desk: Desk, command: PublishReport) -> PublishedReport:
    document = command.document
    agency_id = str(document["agency"])
    with desk.uow() as uow:
        user = acting_user(uow, command.actor)
        authorize(user, Permission.REPORT_PUBLISH)
        if user.agency_id != agency_id:
            raise NotPermitted(
                f"{user.username} administers {user.agency_id}, not {agency_id}: only the "
                "agency's own administrators publish its reports"
            )
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
                **behalf,
            },
        )
        uow.commit()
    return published
