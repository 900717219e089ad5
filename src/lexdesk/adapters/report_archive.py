"""Published transparency reports (``domain.reports.published``): added, read, never changed;
and the schedules that publish them (``domain.reports.schedule``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update

from lexdesk.adapters import orm
from lexdesk.domain.reports.published import PublishedReport
from lexdesk.domain.reports.schedule import ReportSchedule


class SqlReportArchive:
    def __init__(self, connection: Connection) -> None:
        self._db = connection

    def latest(self, report_id: str, agency_id: str, period: str) -> PublishedReport | None:
        t = orm.published_reports
        row = self._db.execute(
            select(t)
            .where(t.c.report_id == report_id, t.c.agency_id == agency_id, t.c.period == period)
            .order_by(t.c.edition.desc())
            .limit(1)
        ).first()
        return published_report(row) if row else None

    def get(self, published_id: str) -> PublishedReport | None:
        t = orm.published_reports
        row = self._db.execute(select(t).where(t.c.id == published_id)).first()
        return published_report(row) if row else None

    def add(self, report: PublishedReport) -> None:
        self._db.execute(
            insert(orm.published_reports).values(
                id=report.id,
                report_id=report.report_id,
                report_version=report.report_version,
                agency_id=report.agency_id,
                period=report.period,
                edition=report.edition,
                watermark_event_id=report.watermark_event_id,
                watermark_at=report.watermark_at,
                digest=report.digest,
                document=report.document,
                note=report.note,
                published_by=report.published_by,
                published_at=report.published_at,
            )
        )

    # -- schedules ------------------------------------------------------------------------------

    def schedules(self, agency_id: str | None = None) -> list[ReportSchedule]:
        t = orm.report_schedules
        query = select(t).order_by(t.c.agency_id, t.c.report_id)
        if agency_id is not None:
            query = query.where(t.c.agency_id == agency_id)
        return [ReportSchedule(**row._mapping) for row in self._db.execute(query)]

    def schedule(self, schedule: ReportSchedule) -> None:
        """Add the schedule, or replace the agency's schedule of that report."""
        self.unschedule(schedule.agency_id, schedule.report_id)
        self._db.execute(
            insert(orm.report_schedules).values(
                agency_id=schedule.agency_id,
                report_id=schedule.report_id,
                delay_days=schedule.delay_days,
                scheduled_by=schedule.scheduled_by,
                scheduled_at=schedule.scheduled_at,
            )
        )

    def unschedule(self, agency_id: str, report_id: str) -> bool:
        t = orm.report_schedules
        done = self._db.execute(
            delete(t).where(t.c.agency_id == agency_id, t.c.report_id == report_id)
        )
        return bool(done.rowcount)

    def tried(self, agency_id: str, report_id: str, at: datetime, error: str | None) -> None:
        t = orm.report_schedules
        self._db.execute(
            update(t)
            .where(t.c.agency_id == agency_id, t.c.report_id == report_id)
            .values(last_tried_at=at, last_error=error[:500] if error else None)
        )


def published_report(row: Any) -> PublishedReport:
    return PublishedReport(
        id=row.id,
        report_id=row.report_id,
        report_version=row.report_version,
        agency_id=row.agency_id,
        period=row.period,
        edition=row.edition,
        watermark_event_id=int(row.watermark_event_id),
        watermark_at=row.watermark_at,
        digest=row.digest,
        document=row.document,
        note=row.note,
        published_by=row.published_by,
        published_at=row.published_at,
    )
