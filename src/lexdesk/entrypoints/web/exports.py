"""CSV downloads: what a list shows, as a spreadsheet can open it and cannot run."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from fastapi.responses import Response

from lexdesk.entrypoints.web.pages import HEADERS

#: A cell beginning with one of these is a formula to a spreadsheet (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_download(heading: Sequence[str], rows: Iterable[Sequence[object]], name: str) -> Response:
    body = io.StringIO()
    out = csv.writer(body)
    out.writerow(heading)
    for row in rows:
        out.writerow([cell(value) for value in row])
    return Response(
        body.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={**HEADERS, "Content-Disposition": f'attachment; filename="{name}"'},
    )
