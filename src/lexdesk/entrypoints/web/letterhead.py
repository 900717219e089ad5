"""The agency's letterhead, for its administrators: the postal address and the seal (a PNG)
that every signed document the agency issues carries (``services.signing.set_letterhead``; the
command line's ``lexdesk documents letterhead``).

The page opens after confirming it's you (``confirm``), as the other administration pages do;
for anyone else it does not exist. The form is checked field by field before the service is
called, and a refusal comes back by GET with each error beside its field (``returned``); the
seal chosen is never kept in the draft, so it is asked for again. Without a new file, and
unless "remove" is ticked, the seal on file stays."""

from __future__ import annotations

import base64

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from lexdesk.domain.documents import Letterhead
from lexdesk.domain.errors import (
    ConfirmationNeeded,
    InvalidInput,
    LexdeskError,
    NotFound,
    NotPermitted,
)
from lexdesk.domain.permissions import Permission
from lexdesk.entrypoints.web import sessions
from lexdesk.entrypoints.web.confirm import confirmed_viewer
from lexdesk.entrypoints.web.pages import (
    PageRefused,
    Posted,
    Viewer,
    Web,
    redirect,
    render,
    require,
    sentence,
    viewer,
    web,
)
from lexdesk.entrypoints.web.returned import returned, send_back
from lexdesk.services import signing

router = APIRouter(prefix="/admin")
PAGE = "/admin/letterhead"
#: The draft of a refused letterhead form (``returned``).
LETTERHEAD_FORM = "letterhead"
#: The longest address ``signing.set_letterhead`` takes (the textarea's ``maxlength`` too).
ADDRESS_LIMIT = 500
#: The largest seal, and how a PNG begins: the service's own limits.
SEAL_LIMIT, PNG_MAGIC = signing.SEAL_LIMIT, signing.PNG_MAGIC
#: The form's fields besides the seal file: csrf, address, remove_seal; and the seal itself,
#: which a client may send as a plain field when no file is chosen.
FORM_FIELDS = 4
REMOVE = "yes"
SEAL_AGAIN = "The seal you chose was not kept: choose the file again."


def administrator(
    request: Request, seen: Viewer = Depends(viewer), site: Web = Depends(web)
) -> Viewer:
    """An administrator of the viewer's own agency who confirmed it's them lately. For anyone
    else the page does not exist: they are not sent to confirm first."""
    require(seen, Permission.USER_ADMIN)
    return confirmed_viewer(request, seen, site)


@router.get("/letterhead")
def letterhead_page(
    request: Request,
    draft: str = "",
    seen: Viewer = Depends(administrator),
    site: Web = Depends(web),
) -> Response:
    """The form: the address on file, the seal on file (if any), a new seal, remove the seal;
    after a refusal, what was typed and why, beside each field."""
    current = _current(site, seen.agency.id)
    kept = returned(site, seen, LETTERHEAD_FORM, draft)
    if kept is None:
        errors: dict[str, str] = {}
        address = current.address if current else ""
        remove: tuple[str, ...] = ()
        seal_again = False
    else:
        errors = kept.errors
        address = kept.values.get("address")
        remove = kept.values.all("remove_seal")
        seal_again = bool(kept.said.get("seal_again"))
    seal = current.seal_png if current else None
    context = {
        "viewer": seen,
        "errors": errors,
        "address": address,
        "remove": remove,
        "seal_uri": _data_uri(seal) if seal else "",
        "seal_again": SEAL_AGAIN if seal_again and "seal" not in errors else "",
        "address_limit": ADDRESS_LIMIT,
        "seal_limit_kb": SEAL_LIMIT // 1024,
        "reads_cases": seen.may(Permission.CASE_READ),
    }
    return render(request, "admin_letterhead.html", context)


@router.post("/letterhead")
async def save_letterhead(
    request: Request, seen: Viewer = Depends(administrator), site: Web = Depends(web)
) -> Response:
    """Save the address and the seal (a new one, the one on file, or none), CSRF-checked; then
    back to the page, saying so or why not."""
    try:
        form = await request.form(max_files=1, max_fields=FORM_FIELDS)
    except Exception:
        raise PageRefused(
            400, "The form could not be read: choose one PNG file at most and try again."
        ) from None
    token = form.get("csrf")
    if not sessions.csrf_matches(seen.token, token if isinstance(token, str) else None):
        raise PageRefused(403, "The form expired: open the page again and resend it.")
    sent = Posted(seen, form)
    upload = form.get("seal")
    chosen: bytes | None = None
    if isinstance(upload, UploadFile) and upload.filename:
        chosen = await upload.read(SEAL_LIMIT + 1)
    return await run_in_threadpool(_save, sent, site, chosen)


def _save(sent: Posted, site: Web, chosen: bytes | None) -> Response:
    seen = sent.viewer
    address = sent.get("address").replace("\r\n", "\n")  # a browser sends a textarea's CRLF
    remove = REMOVE in sent.all("remove_seal")
    errors: dict[str, str] = {}
    if not address:
        errors["address"] = "Enter the postal address of the agency."
    elif len(address) > ADDRESS_LIMIT:
        errors["address"] = (
            f"The address is {len(address):,} characters long: keep it to {ADDRESS_LIMIT}."
        )
    if chosen is not None:
        if not chosen:
            errors["seal"] = "The file chosen is empty: choose a PNG image of the seal."
        elif len(chosen) > SEAL_LIMIT:
            errors["seal"] = (
                f"The file chosen is larger than {SEAL_LIMIT // 1024} KB: choose a smaller"
                " PNG image of the seal."
            )
        elif not chosen.startswith(PNG_MAGIC):
            errors["seal"] = "The file chosen is not a PNG image: the seal must be a PNG."
        if remove:
            errors["remove_seal"] = "Either choose a new seal or remove the seal, not both."
    if errors:
        return _refused(sent, site, errors, chosen)
    seal = None if remove else chosen if chosen is not None else _seal_on_file(site, seen)
    try:
        signing.set_letterhead(
            site.built.desk, seen.username, seen.agency.id, address, seal, seen.source
        )
    except ConfirmationNeeded:
        raise
    except (InvalidInput, NotPermitted, NotFound) as error:
        return _refused(sent, site, {_field_of(error): sentence(error)}, chosen)
    except LexdeskError as error:
        return _refused(sent, site, {"general": sentence(error)}, chosen)
    return redirect(PAGE, done="letterhead")


def _field_of(error: LexdeskError) -> str:
    """The field a service's refusal is about: the address, the seal, or the whole form."""
    if isinstance(error, InvalidInput):
        said = str(error)
        if "address" in said:
            return "address"
        if "seal" in said:
            return "seal"
    return "general"


def _refused(sent: Posted, site: Web, errors: dict[str, str], chosen: bytes | None) -> Response:
    """Back to the form by GET; a seal that was chosen is said to be chosen again."""
    said = {"seal_again": chosen is not None}
    return send_back(sent, site, LETTERHEAD_FORM, PAGE, errors, said=said)


def _current(site: Web, agency_id: str) -> Letterhead | None:
    with site.built.desk.uow() as uow:
        return uow.documents.letterhead(agency_id)


def _seal_on_file(site: Web, seen: Viewer) -> bytes | None:
    """The seal the agency has now, kept when no new one is chosen."""
    current = _current(site, seen.agency.id)
    return current.seal_png if current else None


def _data_uri(png: bytes) -> str:
    """The seal on file, shown in the page itself (the policy allows ``img-src data:``)."""
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")
