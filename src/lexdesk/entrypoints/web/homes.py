"""One home per party: the lists of instruments that this agency must act on or watch.

The view (a tab), the filters (status, kind, due dates, the other agency, who works it), the
sort and the page (a cursor: the row it starts from, by its instrument's id) are in the URL, so
a list can be bookmarked; none of them names a person. A page links to the next and the
previous, never to every page of a list. The search, which may be a person's name, is posted,
kept on the desk for its user (``services.work.save_search``) and the list's URL carries only
its opaque id (security.md row 26): POST/redirect/GET, so Back and reload never post again.
What a row shows is the disclosure policy's (``queries.desk_lists``), and so is what an export
holds: the same query, the same columns. A user whose roles read no instruments (an auditor,
an administrator) is taken to their own work instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from lexdesk.domain.errors import InvalidInput
from lexdesk.domain.permissions import Permission
from lexdesk.domain.work import URGENCY_LABELS
from lexdesk.entrypoints.web import exports
from lexdesk.entrypoints.web.pages import (
    PageRefused,
    Posted,
    Viewer,
    Web,
    moment,
    posted,
    redirect,
    render,
    sentence,
    viewer,
    web,
    words,
)
from lexdesk.queries import desk_lists, work
from lexdesk.services import audit
from lexdesk.services import work as work_verbs

router = APIRouter()

HEADINGS = {
    "custodial": "Instruments addressed to {name}",
    "immigration": "Requests issued by {name}",
    "prosecutor": "Referrals and petitions of {name}",
    "court": "Petitions and orders of {name}",
}
FILTER_NAMES = ("status", "kind", "due_from", "due_to", "other", "assignee")


@dataclass(frozen=True)
class Search:
    """The list's search: its id in the address, its text on the page, and whether the id
    named a search that is gone (expired, or another user's)."""

    id: str = ""
    text: str = ""
    gone: bool = False


#: The longest cursor a list gives out is far shorter; a longer one is no cursor of ours.
CURSOR_MAX = 600

#: A due date "on release": a request that runs from a release this agency is not told of.
ON_RELEASE_KINDS = ("detainer", "notification_request", "transfer_request")


@router.get("/")
def home(request: Request, seen: Viewer = Depends(viewer), site: Web = Depends(web)) -> Response:
    if not seen.may(Permission.INSTRUMENT_READ):
        return _elsewhere(seen)
    params = request.query_params
    search_id = params.get("search", "")[:40]
    q = work_verbs.saved_search(site.built.desk, seen.principal.user_id, search_id)
    return show_list(
        request,
        site,
        seen,
        params.get("view", ""),
        Search(search_id if q else "", q or "", bool(search_id) and q is None),
        params.get("sort", ""),
        params.get("cursor", "")[:CURSOR_MAX],
        params,
    )


@router.post("/")
def search(sent: Posted = Depends(posted), site: Web = Depends(web)) -> Response:
    """Keep the search and show the list by GET, its address naming only the search's id."""
    seen = sent.viewer
    if not seen.may(Permission.INSTRUMENT_READ):
        return _elsewhere(seen)
    try:
        search_id = work_verbs.save_search(site.built.desk, seen.principal.user_id, sent.get("q"))
    except InvalidInput as error:
        raise PageRefused(400, sentence(error)) from None
    params = {name: sent.get(name) for name in ("view", *FILTER_NAMES, "sort")}
    params["search"] = search_id or ""
    return redirect("/?" + urlencode({k: v[:63] for k, v in params.items() if v}))


@router.post("/export")
def export(request: Request, sent: Posted = Depends(posted), site: Web = Depends(web)) -> Response:
    """The list as CSV: the same query and columns as its pages, every row, on record."""
    seen = sent.viewer
    if not seen.may(Permission.INSTRUMENT_READ):
        raise PageRefused(404, "There is no such page.")
    chosen = desk_lists.view_for(seen.agency.kind, sent.get("view"))
    sort = sent.get("sort") if sent.get("sort") in desk_lists.SORTS else "urgency"
    filters, errors = parse_filters({name: sent.get(name) for name in FILTER_NAMES})
    if errors:
        raise PageRefused(400, "The filters are not valid: " + " ".join(errors.values()))
    q = sent.get("q")
    with site.built.engine.connect() as db:
        rows = desk_lists.instruments_all(
            db, _reader(site, seen), chosen, q=q, sort=sort, filters=filters
        )
    holder = _holder(seen, chosen)
    audit.record_alone(
        site.built.desk,
        actor=seen.username,
        agency=seen.agency.id,
        action="instrument_list.export",
        object_type="instrument_list",
        object_id=chosen.key,
        source=seen.source,
        detail={
            "rows": len(rows),
            "cases": sorted({row.case_id for row in rows}),
            "filters": _filter_values(filters),
            "sort": sort,
            "searched": bool(q.strip()),
        },
    )
    heading = ["person", "kind", "instrument", "reference", "status", "from", "to", "due"]
    heading += ["expected_release"] if holder else []
    stamp = site.built.desk.clock.now().astimezone(seen.timezone).strftime("%Y%m%d-%H%M")
    return exports.csv_download(
        [*heading, "urgency", "assigned_to", "case"],
        (_exported(row, holder, seen) for row in rows),
        f"lexdesk-{seen.agency.id}-{chosen.key}-{stamp}.csv",
    )


def _exported(row: desk_lists.Row, holder: bool, seen: Viewer) -> list[object]:
    """A row as the page shows it, column for column."""
    shown: list[object] = [row.person, words(row.kind), row.id, row.reference, words(row.status)]
    shown += [row.issuer, row.addressee, _due_text(row, holder, seen)]
    shown += [moment(row.release_at, seen.timezone, "%Y-%m-%d %H:%M %Z")] if holder else []
    shown += [URGENCY_LABELS[row.urgency] if row.urgency else "", row.assignee or ""]
    return [*shown, row.case_id]


def _elsewhere(seen: Viewer) -> Response:
    if seen.has_admin:
        return redirect("/admin/users")
    if seen.has_auditor:
        return redirect("/audit")
    raise PageRefused(404, "There is no such page.")


def parse_filters(given: Mapping[str, str]) -> tuple[desk_lists.Filters, dict[str, str]]:
    """The filters of a query string or form, and what is wrong with any of them, by field."""
    errors: dict[str, str] = {}
    status, kind = given.get("status", ""), given.get("kind", "")
    if status and status not in desk_lists.STATUSES:
        errors["status"] = f"There is no status “{status[:40]}”: choose one from the list."
        status = ""
    if kind and kind not in desk_lists.KINDS:
        errors["kind"] = f"There is no kind “{kind[:40]}”: choose one from the list."
        kind = ""
    days: dict[str, date | None] = {}
    for name in ("due_from", "due_to"):
        value = given.get(name, "")
        try:
            days[name] = date.fromisoformat(value) if value else None
        except ValueError:
            errors[name] = "Enter a date as YYYY-MM-DD, for example 2030-01-31."
            days[name] = None
    if days["due_from"] and days["due_to"] and days["due_from"] > days["due_to"]:
        errors["due_to"] = "“Due on or before” is earlier than “due on or after”: swap them."
        days["due_to"] = None
    other, assignee = given.get("other", "")[:63], given.get("assignee", "")[:40]
    filters = desk_lists.Filters(status, kind, days["due_from"], days["due_to"], other, assignee)
    return filters, errors


def _filter_values(filters: desk_lists.Filters) -> dict[str, str]:
    return {
        "status": filters.status,
        "kind": filters.kind,
        "due_from": filters.due_from.isoformat() if filters.due_from else "",
        "due_to": filters.due_to.isoformat() if filters.due_to else "",
        "other": filters.other,
        "assignee": filters.assignee,
    }


def _reader(site: Web, seen: Viewer) -> desk_lists.Reader:
    return desk_lists.Reader(
        seen.agency.id,
        seen.agency.kind,
        seen.principal.user_id,
        site.built.desk.clock.now(),
        seen.timezone,
        site.built.sealer,
    )


def _holder(seen: Viewer, chosen: desk_lists.View) -> bool:
    return seen.agency.kind.value == "custodial" and chosen.mine in ("addressee", "any")


def _offered_statuses(seen: Viewer) -> tuple[str, ...]:
    """The statuses a filter offers: "moot" (the person left custody) only to the custodian,
    who alone knows it of its own; another agency learns it only from a row it was told of."""
    if seen.agency.kind.value == "custodial":
        return desk_lists.STATUSES
    return tuple(s for s in desk_lists.STATUSES if s != "moot")


def _due_text(row: desk_lists.Row, holder: bool, seen: Viewer) -> str:
    if row.due_at:
        return moment(row.due_at, seen.timezone, "%Y-%m-%d %H:%M %Z")
    return "on release" if row.kind in ON_RELEASE_KINDS and not holder else ""


def show_list(
    request: Request,
    site: Web,
    seen: Viewer,
    view: str,
    searched: Search,
    sort: str,
    cursor: str,
    given: Mapping[str, str],
) -> Response:
    kind = seen.agency.kind
    chosen = desk_lists.view_for(kind, view)
    sort = sort if sort in desk_lists.SORTS else "urgency"
    filters, errors = parse_filters(given)
    reader = _reader(site, seen)
    with site.built.engine.connect() as db:
        found = desk_lists.instruments_page(
            db, reader, chosen, q=searched.text, sort=sort, cursor=cursor, filters=filters
        )
        counted = desk_lists.counts(db, reader, filters)
        people = work.colleagues(db, seen.agency.id)
        agencies = work.other_agencies(db, seen.agency.id)
    if found.rows or found.urgent:
        # The list names people: a read of personal data, on record like any other.
        audit.record_read(
            site.built.desk,
            actor=seen.username,
            agency=seen.agency.id,
            object_type="person_list",
            object_id=chosen.key,
            source=seen.source,
            detail={"cases": sorted({row.case_id for row in [*found.urgent, *found.rows]})},
        )
    values = _filter_values(filters)
    kept = {k: v for k, v in values.items() if v}

    def link(**change: str | int) -> str:
        """This list's URL with some of its parameters changed (the search by its id)."""
        params: dict[str, str | int] = {
            "view": chosen.key,
            **kept,
            "sort": sort,
            "search": searched.id,
            **change,
        }
        return "/?" + urlencode({k: v for k, v in params.items() if v not in ("", None)})

    context = {
        "viewer": seen,
        "heading": HEADINGS[kind.value].format(name=seen.agency.name),
        "views": desk_lists.VIEWS[kind],
        "chosen": chosen,
        "counts": counted,
        "q": searched.text,
        "search": searched,
        "sort": sort,
        "sorts": desk_lists.SORTS,
        "found": found,
        "paged": bool(cursor),
        "urgent_max": desk_lists.URGENT_MAX,
        "holder": _holder(seen, chosen),
        "filters": values,
        "filtered": filters.active,
        "errors": errors,
        "statuses": [("", "Any status"), *((s, words(s)) for s in _offered_statuses(seen))],
        "kinds": [("", "Any kind"), *((k, words(k)) for k in desk_lists.KINDS)],
        "agencies": [("", "Any agency"), *agencies],
        "assignees": [
            ("", "Anyone or no one"),
            ("me", "Me"),
            ("none", "No one"),
            *((p.id, p.display_name) for p in people),
        ],
        "link": link,
        "urgency_labels": URGENCY_LABELS,
        "may_acknowledge": seen.may(Permission.INSTRUMENT_ACKNOWLEDGE),
        "on_release_kinds": ON_RELEASE_KINDS,
    }
    return render(request, "home.html", context, 400 if errors else 200)
