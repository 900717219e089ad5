"""The audit log, for auditors only: the chain's verification and the agency's entries, filtered
by who, what, object, outcome and a date range (in the URL, so a view can be bookmarked), with
readable names, links to what the auditor may open, and a CSV export that is itself on record.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy import Engine

from lexdesk.domain.audit import Anchor, VerifyResult
from lexdesk.domain.permissions import Permission
from lexdesk.entrypoints.web import exports
from lexdesk.entrypoints.web.pages import (
    PageRefused,
    Viewer,
    Web,
    moment,
    render,
    require,
    viewer,
    web,
)
from lexdesk.queries import audit_log as log
from lexdesk.services import audit
from lexdesk.services.context import Desk

router = APIRouter()
FIELDS = ("who", "what", "object", "outcome", "since", "until")
#: How long the page goes on from its last whole walk before it walks the chain again.
FULL_WALK_EVERY = timedelta(minutes=10)


@dataclass
class ChainWatch:
    """What this process last found of the chain: the audit page checks the entries since
    the last one it verified, and walks the whole chain again every ``FULL_WALK_EVERY`` (a
    change to an entry checked before is found then; ``lexdesk audit verify`` and signed
    checkpoints find it at any time)."""

    known: Anchor | None = None
    walked_at: datetime | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def check(self, desk: Desk, now: datetime) -> tuple[VerifyResult, datetime | None]:
        """The verification, and when the whole chain was last walked if only the entries
        since were checked now (None: the whole chain was walked now)."""
        with self.lock:
            due = self.walked_at is None or now - self.walked_at >= FULL_WALK_EVERY
            if due or self.known is None:
                result, since = audit.verify(desk), None
                self.walked_at = now
            else:
                result, since = audit.verify_after(desk, self.known), self.walked_at
            self.known = result.last if result.ok else None
            if not result.ok:
                self.walked_at = None
            return result, since


#: One watch per database this process serves (a test suite serves many, one after another).
WATCHES: weakref.WeakKeyDictionary[Engine, ChainWatch] = weakref.WeakKeyDictionary()


@router.get("/audit")
def audit_page(
    request: Request, seen: Viewer = Depends(viewer), site: Web = Depends(web)
) -> Response:
    require(seen, Permission.AUDIT_READ)
    params = request.query_params
    filters, errors = parse(params)
    page = int(params["page"]) if params.get("page", "").isdigit() else 1
    watch = WATCHES.setdefault(site.built.engine, ChainWatch())
    checked, walked_at = watch.check(site.built.desk, site.built.desk.clock.now())
    with site.built.engine.connect() as db:
        rows, total, page = log.entries(db, seen.agency.id, filters, seen.timezone, page)
        names = log.names(db, seen.agency.id, rows)
        actions = log.actions(db, seen.agency.id)
    values = _values(filters)
    kept = {k: v for k, v in values.items() if v}
    context = {
        "viewer": seen,
        "checked": checked,
        "walked_at": moment(walked_at, seen.timezone) if walked_at else None,
        "rows": [_shown(row, names, seen) for row in rows],
        "page": page,
        "pages": max(1, -(-total // log.PAGE_SIZE)),
        "total": total,
        "filters": values,
        "filtered": filters.active,
        "errors": errors,
        "actions": [("", "Any action"), *((a, a) for a in actions)],
        "outcomes": [("", "Any outcome"), *((o, o) for o in log.OUTCOMES)],
        "query": urlencode(kept),
    }
    return render(request, "audit.html", context, 400 if errors else 200)


@router.get("/audit/export.csv")
def audit_export(
    request: Request, seen: Viewer = Depends(viewer), site: Web = Depends(web)
) -> Response:
    """The entries under the same filters, as the page shows them, every one; on record."""
    require(seen, Permission.AUDIT_READ)
    filters, errors = parse(request.query_params)
    if errors:
        raise PageRefused(400, "The filters are not valid: " + " ".join(errors.values()))
    with site.built.engine.connect() as db:
        rows = log.all_entries(db, seen.agency.id, filters, seen.timezone)
        names = log.names(db, seen.agency.id, rows)
    audit.record_alone(
        site.built.desk,
        actor=seen.username,
        agency=seen.agency.id,
        action="audit.export",
        object_type="audit_log",
        object_id=seen.agency.id,
        source=seen.source,
        detail={"rows": len(rows), "filters": _values(filters)},
    )
    stamp = site.built.desk.clock.now().astimezone(seen.timezone).strftime("%Y%m%d-%H%M")
    heading = ["seq", "at", "actor", "actor_name", "action", "object_type", "object_id"]
    heading += ["object_name", "outcome", "source"]
    return exports.csv_download(
        heading,
        (_exported(row, names, seen) for row in rows),
        f"lexdesk-audit-{seen.agency.id}-{stamp}.csv",
    )


def _exported(row: Any, names: log.Names, seen: Viewer) -> list[object]:
    shown = _shown(row, names, seen)
    at = moment(row.at, seen.timezone, "%Y-%m-%d %H:%M:%S %Z")
    return [
        row.seq, at, row.actor, shown["actor_name"], row.action, row.object_type,
        row.object_id, shown["object_name"], row.outcome, row.source,
    ]  # fmt: skip


def parse(given: Mapping[str, str]) -> tuple[log.AuditFilters, dict[str, str]]:
    errors: dict[str, str] = {}
    outcome = given.get("outcome", "")
    if outcome and outcome not in log.OUTCOMES:
        errors["outcome"] = "Choose an outcome from the list: success, denied or failure."
        outcome = ""
    days: dict[str, date | None] = {}
    for name in ("since", "until"):
        value = given.get(name, "")
        try:
            days[name] = date.fromisoformat(value) if value else None
        except ValueError:
            errors[name] = "Enter a date as YYYY-MM-DD, for example 2030-01-31."
            days[name] = None
    if days["since"] and days["until"] and days["since"] > days["until"]:
        errors["until"] = "“To” is earlier than “from”: swap the dates."
        days["until"] = None
    filters = log.AuditFilters(
        given.get("who", "").strip()[:100],
        given.get("what", "").strip()[:60],
        given.get("object", "").strip()[:100],
        outcome,
        days["since"],
        days["until"],
    )
    return filters, errors


def _values(filters: log.AuditFilters) -> dict[str, str]:
    return {
        "who": filters.who,
        "what": filters.what,
        "object": filters.object,
        "outcome": filters.outcome,
        "since": filters.since.isoformat() if filters.since else "",
        "until": filters.until.isoformat() if filters.until else "",
    }


def _shown(row: Any, names: log.Names, seen: Viewer) -> dict[str, Any]:
    """An entry as the page shows it: readable names, and where each id leads."""
    object_name, object_link = "", "/audit?" + urlencode({"object": row.object_id})
    opens_cases = seen.may(Permission.CASE_READ)
    if row.object_type == "user":
        object_name = names.users.get(row.object_id, "")
    elif row.object_type == "agency":
        object_name = names.agencies.get(row.object_id, "")
    elif row.object_type == "instrument" and row.object_id in names.instruments:
        kind, case_id = names.instruments[row.object_id]
        object_name = kind.replace("_", " ")
        if opens_cases:
            object_link = f"/cases/{case_id}#{row.object_id}"
    elif row.object_type == "case" and row.object_id in names.cases and opens_cases:
        object_link = f"/cases/{row.object_id}"
    return {
        "row": row,
        "actor_name": names.usernames.get(row.actor, ""),
        "actor_link": "/audit?" + urlencode({"who": row.actor}),
        "object_name": object_name,
        "object_link": object_link if row.object_id else "",
    }
