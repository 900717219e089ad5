"""``GET /transparency``: the published transparency reports, for everyone, without signing in
(docs/adr/0019). Per agency and period, each figure with its definition and citation beside
it, a bar chart drawn on the server as SVG with its data table and a text alternative, its
overall total across the periods the agency published (a column chart, the same way), the
suppression rule stated, and each report as CSV (NYC Open Data-style column names) and JSON.
Only what was published is shown: no draft, no withheld count, nothing about a person."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse

from lexdesk.domain.errors import NotFound
from lexdesk.domain.reports.published import PublishedReport
from lexdesk.entrypoints.web.pages import HEADERS, PageRefused, Web, render, web
from lexdesk.queries.published_reports import editions_of, published, published_reports
from lexdesk.services import report_documents

router = APIRouter()
CHART_WIDTH = 480
BAR_HEIGHT = 22
LABEL_WIDTH = 200
#: The trend's columns: one slot per period, the plot between the value labels above and
#: the period labels (and the mark of the period shown) below.
TREND_SLOT = 80
TREND_COLUMN = 40
TREND_TOP = 24
TREND_PLOT = 120
TREND_BOTTOM = 44
CSV_COLUMNS = (
    "report_id",
    "report_version",
    "edition",
    "agency",
    "period",
    "period_start",
    "period_end",
    "figure_id",
    "figure_label",
    "citation",
    "dimension_1",
    "category_1",
    "dimension_2",
    "category_2",
    "value",
    "suppressed",
    "unit",
    "verification_status",
    "watermark_event_id",
    "digest",
)


@router.get("/transparency", response_class=HTMLResponse)
def transparency_index(request: Request, site: Web = Depends(web)) -> HTMLResponse:
    with site.built.engine.connect() as db:
        rows = published_reports(db)
    agencies: dict[str, list[PublishedReport]] = {}
    for row in sorted(rows, key=lambda r: (r.agency_id, r.period, r.report_id, -r.edition)):
        agencies.setdefault(row.agency_id, []).append(row)
    return render(request, "transparency.html", {"agencies": agencies})


@router.get("/transparency/{published_id}.json")
def transparency_json(published_id: str, site: Web = Depends(web)) -> Response:
    report = _published(site, published_id)
    body = json.dumps(report.to_json(), indent=2, ensure_ascii=False, default=str)
    return _download(body, "application/json", f"{_stem(report)}.json")


@router.get("/transparency/{published_id}.csv")
def transparency_csv(published_id: str, site: Web = Depends(web)) -> Response:
    report = _published(site, published_id)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    writer.writerows(csv_rows(report))
    return _download(out.getvalue(), "text/csv", f"{_stem(report)}.csv")


@router.get("/transparency/{published_id}.pdf")
def transparency_pdf(published_id: str, site: Web = Depends(web)) -> Response:
    """The report as its agency signed it: the same file for everyone, made once."""
    try:
        signed = report_documents.signed_report(site.built.desk, published_id, source="web")
    except NotFound:
        raise PageRefused(404, "There is no such published report.") from None
    headers = {**HEADERS, "Content-Disposition": f'attachment; filename="{signed.filename}"'}
    return StreamingResponse(signed.chunks, media_type="application/pdf", headers=headers)


@router.get("/transparency/{published_id}", response_class=HTMLResponse)
def transparency_report(
    request: Request, published_id: str, site: Web = Depends(web)
) -> HTMLResponse:
    report = _published(site, published_id)
    document = report.to_json()
    series = _series(site, report)
    figures = [
        {**f, "chart": chart(f), "trend": trend(f, series, report.period)}
        for f in document["figures"]
    ]
    return render(
        request,
        "transparency_report.html",
        {"report": report, "document": document, "figures": figures},
    )


def _published(site: Web, published_id: str) -> PublishedReport:
    try:
        with site.built.engine.connect() as db:
            return published(db, published_id)
    except NotFound:
        raise PageRefused(404, "There is no such published report.") from None


def _series(site: Web, report: PublishedReport) -> list[PublishedReport]:
    """The latest edition of each period of the report, the one shown standing for its own
    period (an earlier edition's page trends its own figures, not its correction's)."""
    with site.built.engine.connect() as db:
        editions = editions_of(db, report.report_id, report.agency_id)
    return [report if e.period == report.period else e for e in editions]


def _stem(report: PublishedReport) -> str:
    return f"{report.report_id}_{report.agency_id}_{report.period}_edition{report.edition}"


def _download(body: str, media: str, filename: str) -> Response:
    headers = {**HEADERS, "Content-Disposition": f'attachment; filename="{filename}"'}
    return Response(body, 200, headers=headers, media_type=f"{media}; charset=utf-8")


def csv_rows(report: PublishedReport) -> list[list[Any]]:
    """One row per published cell, totals included (category ``all``)."""
    document = report.to_json()
    period = document["period"]
    rows = []
    for figure in document["figures"]:
        for cell in figure["cells"]:
            dims = list(cell["by"].items()) + [("", "")] * (2 - len(cell["by"]))
            rows.append(
                [
                    report.report_id,
                    report.report_version,
                    report.edition,
                    report.agency_id,
                    report.period,
                    period["first_day"],
                    period["last_day"],
                    figure["id"],
                    figure["label"],
                    figure["citation"],
                    dims[0][0],
                    dims[0][1],
                    dims[1][0],
                    dims[1][1],
                    "" if cell["value"] is None else cell["value"],
                    "true" if cell["suppressed"] else "false",
                    figure["unit"],
                    figure["verification"]["status"],
                    report.watermark_event_id,
                    report.digest,
                ]
            )
    return rows


def chart(figure: dict[str, Any]) -> dict[str, Any] | None:
    """A horizontal bar chart of a broken-down figure: one bar per category of its first
    dimension (the row totals of a two-way table); withheld counts are marked, not drawn."""
    by = figure["by"]
    if not by:
        return None
    rest = by[1:]
    bars = [
        cell
        for cell in figure["cells"]
        if cell["by"][by[0]] != "all" and all(cell["by"][d] == "all" for d in rest)
    ]
    if not bars:
        return None
    top = max((c["value"] or 0 for c in bars), default=0) or 1
    drawn = []
    for index, cell in enumerate(bars):
        value = cell["value"]
        label = str(cell["by"][by[0]]).replace("_", " ")
        width = 0 if value is None else round((CHART_WIDTH - LABEL_WIDTH - 60) * value / top)
        drawn.append(
            {
                "label": label,
                "y": index * (BAR_HEIGHT + 6),
                "width": width,
                "text": "suppressed" if cell["suppressed"] else str(value),
            }
        )
    summary = "; ".join(f"{d['label']}: {d['text']}" for d in drawn)
    return {
        "bars": drawn,
        "height": len(drawn) * (BAR_HEIGHT + 6),
        "width": CHART_WIDTH,
        "label_width": LABEL_WIDTH,
        "bar_height": BAR_HEIGHT,
        "dimension": by[0].replace("_", " "),
        "summary": f"{figure['label']}, by {by[0].replace('_', ' ')}: {summary}.",
    }


def trend(
    figure: dict[str, Any], editions: list[PublishedReport], current: str
) -> dict[str, Any] | None:
    """A column chart of the figure's overall total (or median) in each published period,
    the period ``current`` marked; withheld values are marked, not drawn, never estimated.
    None for a figure the record cannot supply; ``enough`` is false before a second period."""
    if figure["not_in_record"]:
        return None
    points = [p for e in editions if (p := _point(figure["id"], e, current)) is not None]
    top = max((p["value"] or 0 for p in points), default=0) or 1
    columns = [_column(index, point, top) for index, point in enumerate(points)]
    summary = "; ".join(f"{c['period']}{c['mark']}: {c['text']}" for c in columns)
    title = f"{figure['label']}{': the overall total' if figure['by'] else ''}, by period"
    return {
        "enough": len(columns) >= 2,
        "title": title,
        "columns": columns,
        "width": max(CHART_WIDTH, len(columns) * TREND_SLOT),
        "height": TREND_TOP + TREND_PLOT + TREND_BOTTOM,
        "baseline": TREND_TOP + TREND_PLOT,
        "column_width": TREND_COLUMN,
        "summary": f"{title} ({figure['unit']}): {summary}.",
    }


def _point(figure_id: str, edition: PublishedReport, current: str) -> dict[str, Any] | None:
    """The published total of one figure in one edition (None where it has none)."""
    figures = edition.document.get("figures", [])
    figure = next((f for f in figures if f["id"] == figure_id), None)
    cells = [] if figure is None else figure["cells"]
    total = next((c for c in cells if all(v == "all" for v in c["by"].values())), None)
    if total is None:
        return None
    suppressed = bool(total["suppressed"])
    return {
        "period": edition.period,
        "value": None if suppressed else total["value"],
        "suppressed": suppressed,
        "current": edition.period == current,
    }


def _column(index: int, point: dict[str, Any], top: float) -> dict[str, Any]:
    value = point["value"]
    height = 0 if value is None else round(TREND_PLOT * value / top)
    return {
        "period": point["period"],
        "current": point["current"],
        "mark": " (this report)" if point["current"] else "",
        "x": index * TREND_SLOT + TREND_SLOT // 2,
        "y": TREND_TOP + TREND_PLOT - height,
        "height": height,
        "text": "suppressed" if point["suppressed"] else str(value),
    }
