"""Published transparency reports (``domain.reports.published``): added, read, never changed."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, insert, select

from lexdesk.adapters import orm
from lexdesk.domain.reports.published import PublishedReport


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
