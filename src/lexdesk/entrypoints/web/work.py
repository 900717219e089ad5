"""Work at the desk: who of the agency works a case and its instruments, the agency's own notes
on a case (``services.work``), and acknowledging several received instruments at once."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from lexdesk.domain.errors import LexdeskError, NotFound
from lexdesk.domain.permissions import Permission
from lexdesk.domain.work import NOTE_MAX
from lexdesk.entrypoints.web.casefile import NO_SUCH_CASE
from lexdesk.entrypoints.web.pages import (
    PageRefused,
    Posted,
    Viewer,
    Web,
    posted,
    redirect,
    render,
    require,
    viewer,
    web,
)
from lexdesk.entrypoints.web.returned import returned, send_back
from lexdesk.queries import work as colleagues
from lexdesk.services import instruments as verbs
from lexdesk.services import work

router = APIRouter()
#: The most instruments one bulk action takes: one page of a list.
BULK_MAX = 100
#: A bulk acknowledgement's outcome, when not all was done, is kept as a draft to show by GET.
ACKNOWLEDGED = "acknowledged"


@router.get("/cases/{case_id}/work")
def case_work_page(
    request: Request,
    case_id: str,
    draft: str = "",
    seen: Viewer = Depends(viewer),
    site: Web = Depends(web),
) -> Response:
    """The case's work; after a refused assignment or note, with the form as typed and why."""
    kept = returned(site, seen, _work_form(case_id), draft)
    if kept is None:
        return show(request, site, seen, case_id)
    return show(request, site, seen, case_id, kept.errors, kept.values.get("note"))


@router.post("/cases/{case_id}/assign")
def assign_case(case_id: str, sent: Posted = Depends(posted), site: Web = Depends(web)) -> Response:
    return _assign(site, sent, case_id, "case", case_id)


@router.post("/instruments/{instrument_id}/assign")
def assign_instrument(
    instrument_id: str, sent: Posted = Depends(posted), site: Web = Depends(web)
) -> Response:
    return _assign(site, sent, sent.get("case"), "instrument", instrument_id)


@router.post("/cases/{case_id}/notes")
def add_note(case_id: str, sent: Posted = Depends(posted), site: Web = Depends(web)) -> Response:
    require(sent.viewer, Permission.CASE_READ)
    text = sent.form.get("note")
    command = work.AddNote(
        sent.viewer.username,
        case_id,
        text if isinstance(text, str) else "",
        sent.viewer.source,
    )
    try:
        work.add_note(site.built.desk, command)
    except NotFound:
        raise PageRefused(404, NO_SUCH_CASE) from None
    except LexdeskError as error:
        url = f"/cases/{case_id}/work"
        return send_back(sent, site, _work_form(case_id), url, {"note": str(error)})
    return redirect(f"/cases/{case_id}/work?done=note#notes")


@router.post("/instruments/acknowledge")
def acknowledge_many(sent: Posted = Depends(posted), site: Web = Depends(web)) -> Response:
    """Each selected instrument acknowledged through the one service, on its own (its own
    audit entry, its own refusal); all done, the list says how many, else a page says what
    became of each (by GET: Back and reload never acknowledge again)."""
    seen = sent.viewer
    require(seen, Permission.INSTRUMENT_ACKNOWLEDGE)
    chosen = list(dict.fromkeys(sent.all("ids")))
    back = f"/?view={sent.get('view')}" if sent.get("view").isalnum() else "/"
    if not chosen or len(chosen) > BULK_MAX:
        message = (
            "Select at least one instrument to acknowledge: tick its box in the list."
            if not chosen
            else f"Select at most {BULK_MAX} instruments at a time."
        )
        return _acknowledged(sent, site, back, [], message)
    results: list[tuple[str, str, bool, str]] = []
    for instrument_id in chosen:
        command = verbs.Acknowledge(seen.username, instrument_id, None, "", seen.source)
        try:
            done = verbs.acknowledge(site.built.desk, command)
        except LexdeskError as error:
            results.append((instrument_id, "", False, str(error)))
        else:
            results.append((instrument_id, done.case_id, True, "acknowledged"))
    succeeded = sum(1 for r in results if r[2])
    if succeeded == len(results):
        return redirect(back, done="acknowledged-many", count=succeeded)
    return _acknowledged(sent, site, back, results, "")


@router.get("/acknowledged")
def acknowledged(
    request: Request, draft: str = "", seen: Viewer = Depends(viewer), site: Web = Depends(web)
) -> Response:
    """What became of each instrument of a bulk acknowledgement that was not all done."""
    kept = returned(site, seen, ACKNOWLEDGED, draft)
    if kept is None:
        raise PageRefused(404, "This result is no longer kept: see the list.")
    results = [tuple(r) for r in kept.said.get("results", [])]
    context = {
        "viewer": seen,
        "results": results,
        "succeeded": sum(1 for r in results if r[2]),
        "error": kept.errors.get("general", ""),
        "back": str(kept.said.get("back", "/")),
    }
    return render(request, "acknowledged.html", context)


def _acknowledged(
    sent: Posted, site: Web, back: str, results: list[tuple[str, str, bool, str]], error: str
) -> Response:
    said = {"results": [list(r) for r in results], "back": back}
    errors = {"general": error} if error else {}
    return send_back(sent, site, ACKNOWLEDGED, "/acknowledged", errors, said)


def _work_form(case_id: str) -> str:
    return f"work:{case_id}"


def _assign(site: Web, sent: Posted, case_id: str, kind: str, object_id: str) -> Response:
    seen = sent.viewer
    require(seen, Permission.INSTRUMENT_READ)
    command = work.Assign(seen.username, kind, object_id, sent.get("assignee"), seen.source)
    try:
        done = work.assign(site.built.desk, command)
    except NotFound:
        raise PageRefused(404, NO_SUCH_CASE) from None
    except LexdeskError as error:
        field = f"assignee-{object_id}"
        if not case_id:
            raise PageRefused(400, str(error)) from None
        url = f"/cases/{case_id}/work"
        return send_back(sent, site, _work_form(case_id), url, {field: str(error)})
    return redirect(f"/cases/{done.case_id}/work?done=assign#{kind}-{object_id}")


def show(
    request: Request,
    site: Web,
    seen: Viewer,
    case_id: str,
    errors: dict[str, str] | None = None,
    note: str = "",
) -> Response:
    require(seen, Permission.CASE_READ)
    try:
        found = work.case_work(site.built.desk, seen.principal, case_id)
    except (NotFound, LexdeskError):
        raise PageRefused(404, NO_SUCH_CASE) from None
    with site.built.engine.connect() as db:
        people = colleagues.colleagues(db, seen.agency.id)
    done = request.query_params.get("done", "")
    context = {
        "viewer": seen,
        "work": found,
        "people": [
            ("", "No one"),
            *((p.username, f"{p.display_name} ({p.username})") for p in people),
        ],
        "errors": errors or {},
        "note": note,
        "note_max": NOTE_MAX,
        "done": done if done in ("note", "assign") else "",
        "may_assign": seen.may(Permission.INSTRUMENT_READ),
    }
    return render(request, "case_work.html", context)
