"""The published transparency reports, as anyone may read them (docs/adr/0019)."""

from __future__ import annotations

from sqlalchemy import Connection, func, select

from lexdesk.adapters import orm
from lexdesk.adapters.report_archive import published_report
from lexdesk.domain.errors import NotFound
from lexdesk.domain.reports.published import PublishedReport


def published_reports(db: Connection, agency_id: str | None = None) -> list[PublishedReport]:
    """Every published edition, newest first (a few per agency and year: no paging needed)."""
    t = orm.published_reports
    query = select(t).order_by(t.c.published_at.desc(), t.c.id)
    if agency_id is not None:
        query = query.where(t.c.agency_id == agency_id)
    return [published_report(row) for row in db.execute(query)]


def published(db: Connection, published_id: str) -> PublishedReport:
    t = orm.published_reports
    row = db.execute(select(t).where(t.c.id == published_id)).first()
    if row is None:
        raise NotFound("published report", published_id)
    return published_report(row)


def editions_of(db: Connection, report_id: str, agency_id: str) -> list[PublishedReport]:
    """The latest edition of each period the agency published of ``report_id``, the earliest
    period first (by its first day, then its label): the series a trend is drawn from."""
    t = orm.published_reports
    mine = (t.c.report_id == report_id, t.c.agency_id == agency_id)
    latest = (
        select(t.c.period, func.max(t.c.edition).label("edition"))
        .where(*mine)
        .group_by(t.c.period)
        .subquery()
    )
    query = select(t).join(
        latest, (t.c.period == latest.c.period) & (t.c.edition == latest.c.edition)
    )
    rows = [published_report(row) for row in db.execute(query.where(*mine))]
    return sorted(rows, key=_first_day)


def _first_day(report: PublishedReport) -> tuple[str, str]:
    return str(report.document["period"]["first_day"]), report.period
