"""An agency's administrator previews a transparency report before publishing it, and
publishes it (docs/adr/0019). The preview is a GET (report and period in the address, no
personal data): the figures computed from the record now, small counts withheld, exactly as the
public page will show them. Publishing recomputes and refuses if the figures changed since the
preview (late events): the administrator publishes what they saw, or looks again."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from lexdesk.adapters.report_definitions import load_reports
from lexdesk.domain.errors import InvalidInput, LexdeskError
from lexdesk.domain.permissions import Permission
from lexdesk.domain.reports.results import ComputedReport
from lexdesk.entrypoints.web.confirm import confirmed_viewer
from lexdesk.entrypoints.web.pages import (
    PageRefused,
    Posted,
    Viewer,
    Web,
    posted,
    redirect,
    render,
    require,
    sentence,
    viewer,
    web,
)
from lexdesk.entrypoints.web.returned import returned, send_back
from lexdesk.entrypoints.web.transparency import chart
from lexdesk.queries.transparency import (
    agency_profile,
    compute_report,
    report_request,
    report_schedules,
)
from lexdesk.services import transparency

router = APIRouter(prefix="/admin")
FORM = "report-publish"
SCHEDULE_FORM = "report-schedule"
CHANGED = (
    "The figures changed since this preview (events arrived meanwhile): look at them again, "
    "then publish."
)


@router.get("/reports")
def reports_page(
    request: Request,
    report: str = "",
    period: str = "",
    draft: str = "",
    seen: Viewer = Depends(viewer),
    site: Web = Depends(web),
) -> Response:
    """The reports the agency may publish; with ``report`` and ``period``, the preview. As
    on every administrator's page, after confirming it's you (``confirm``)."""
    require(seen, Permission.REPORT_PUBLISH)
    seen = confirmed_viewer(request, seen, site)
    kept = returned(site, seen, FORM, draft)
    if kept is not None:
        report, period = kept.values.get("report"), kept.values.get("period")
    scheduling = returned(site, seen, SCHEDULE_FORM, draft)
    context: dict[str, Any] = {
        "viewer": seen,
        "choices": _choices(site, seen),
        "schedules": {s.report_id: s for s in report_schedules(site.built.engine, seen.agency.id)},
        "schedule_errors": scheduling.errors if scheduling else {},
        "schedule_values": scheduling.values if scheduling else None,
        "report": report[:63],
        "period": period[:20],
        "errors": kept.errors if kept else {},
        "note": kept.values.get("note") if kept else "",
        "preview": None,
    }
    if report and period:
        try:
            computed = _compute(site, seen, report, period)
        except LexdeskError as error:
            context["errors"] = {"period": sentence(error)}
        else:
            document = computed.to_json()
            figures = [{**f, "chart": chart(f)} for f in document["figures"]]
            context |= {"preview": document, "figures": figures}
    return render(request, "admin_reports.html", context)


@router.post("/reports")
def publish(sent: Posted = Depends(posted), site: Web = Depends(web)) -> Response:
    seen = sent.viewer
    require(seen, Permission.REPORT_PUBLISH)
    report, period = sent.get("report"), sent.get("period")
    try:
        computed = _compute(site, seen, report, period)
        if computed.to_json()["digest"] != sent.get("digest"):
            raise InvalidInput(CHANGED)
        done = transparency.publish_report(
            site.built.desk,
            transparency.PublishReport(
                seen.username, computed.to_json(), sent.get("note"), seen.source
            ),
        )
    except LexdeskError as error:
        field = "note" if "note" in str(error) else "general"
        return send_back(sent, site, FORM, "/admin/reports", {field: sentence(error)})
    return redirect(f"/transparency/{done.id}", done="published")


@router.post("/reports/schedule")
def schedule(sent: Posted = Depends(posted), site: Web = Depends(web)) -> Response:
    """Schedule a report (``after_days``) or stop its schedule (``stop``)."""
    seen = sent.viewer
    require(seen, Permission.REPORT_PUBLISH)
    stop = sent.get("action") == "stop"
    try:
        delay = None if stop else _days(sent.get("after_days"))
        transparency.schedule_report(
            site.built.desk,
            transparency.ScheduleReport(seen.username, sent.get("report"), delay, seen.source),
        )
    except LexdeskError as error:
        return send_back(
            sent, site, SCHEDULE_FORM, "/admin/reports", {"after_days": sentence(error)}
        )
    return redirect("/admin/reports#schedules", done="unscheduled" if stop else "scheduled")


def _days(value: str) -> int:
    try:
        return int(value.strip())
    except ValueError:
        raise InvalidInput(
            f"the days after a period ends must be a whole number, not {value[:20]!r}"
        ) from None


def _compute(site: Web, seen: Viewer, report: str, period: str) -> ComputedReport:
    with site.built.engine.connect() as db:
        definition, profile, parsed = report_request(
            db, load_reports(), report, seen.agency.id, period
        )
        return compute_report(db, definition, profile, parsed)


def _choices(site: Web, seen: Viewer) -> list[tuple[str, str, str]]:
    """(id, title, period kind) of each report that applies to the agency."""
    with site.built.engine.connect() as db:
        profile = agency_profile(db, seen.agency.id)
    found = [
        (d.id, d.title, d.period.value.replace("_", " "))
        for d in load_reports().latest()
        if d.applies_to(profile.kind, profile.rule_pack)
    ]
    if not found:
        raise PageRefused(404, "No transparency report applies to your agency.")
    return found
