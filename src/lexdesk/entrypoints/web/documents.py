"""Documents in the web: download or preview the signed PDF of an instrument or its answer
from the case page; ``/verify``, the public page where whoever received a document checks it
(no sign-in; rate-limited and audited like ``POST /api/v1/verifications``); and an
instrument's attachments (the list, the upload form, the download)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response, StreamingResponse
from starlette.datastructures import UploadFile

from lexdesk.domain.attachments import SIZE_LIMIT, TooLarge
from lexdesk.domain.documents import Verdict
from lexdesk.domain.errors import InvalidInput, LexdeskError, NotFound
from lexdesk.entrypoints.limiter import RateLimiter
from lexdesk.entrypoints.web import sessions
from lexdesk.entrypoints.web.cases import case_form, instrument_seen
from lexdesk.entrypoints.web.pages import (
    HEADERS,
    PageRefused,
    Posted,
    Viewer,
    Web,
    client_address,
    posted,
    redirect,
    render,
    viewer,
    web,
)
from lexdesk.entrypoints.web.returned import returned, send_back
from lexdesk.services import attachments, documents, production

router = APIRouter()

NO_SUCH_INSTRUMENT = "There is no such instrument, or your agency may not see it."
NO_SUCH_ATTACHMENT = "There is no such attachment, or your agency may not read it."
UPLOAD_LIMIT = 1024 * 1024
TOO_MANY = "Too many verifications from your address: wait a minute and try again."


@router.get("/instruments/{instrument_id}/document.pdf")
def document_pdf(
    instrument_id: str,
    answer: bool = False,
    inline: bool = False,
    seen: Viewer = Depends(viewer),
    site: Web = Depends(web),
) -> Response:
    """A freshly signed PDF of the instrument (or its answer), as the viewer's agency may see
    it: ``inline`` to preview it in the browser, else a download."""
    try:
        made = documents.render(
            site.built.desk, seen.principal, instrument_id, answer=answer, source=seen.source
        )
    except NotFound:
        raise PageRefused(404, NO_SUCH_INSTRUMENT) from None
    except InvalidInput as error:
        raise PageRefused(400, str(error)) from None
    disposition = "inline" if inline else "attachment"
    headers = {
        **HEADERS,
        "Content-Disposition": f'{disposition}; filename="{made.filename}"',
        "Cache-Control": "no-store",
    }
    return Response(made.pdf, media_type="application/pdf", headers=headers)


@router.post("/instruments/{instrument_id}/production")
def make_production(
    instrument_id: str, sent: Posted = Depends(posted), site: Web = Depends(web)
) -> Response:
    """Produce what the answer released; back to the case, saying so or why not."""
    seen = sent.viewer
    case_id = instrument_seen(site, seen, instrument_id).instrument.case_id
    try:
        production.make(site.built.desk, seen.principal, instrument_id, source=seen.source)
    except LexdeskError as error:
        errors = {"general": _sentence(error)}
        return send_back(sent, site, case_form(case_id), f"/cases/{case_id}", errors)
    return redirect(f"/cases/{case_id}#{instrument_id}", done="produced")


@router.get("/instruments/{instrument_id}/production.pdf")
def production_pdf(
    instrument_id: str, seen: Viewer = Depends(viewer), site: Web = Depends(web)
) -> Response:
    """A signed copy of the production, for its producer and its recipients."""
    try:
        copy = production.render(site.built.desk, seen.principal, instrument_id, source=seen.source)
    except NotFound:
        raise PageRefused(
            404, "There is no production of this answer your agency may hold."
        ) from None
    headers = {
        **HEADERS,
        "Content-Disposition": f'attachment; filename="{copy.filename}"',
        "Cache-Control": "no-store",
    }
    return Response(copy.pdf, media_type="application/pdf", headers=headers)


def _limited(request: Request) -> bool:
    limiter: RateLimiter = request.app.state.verify_limiter
    return limiter.wait_for(client_address(request)) > 0


def _page(
    request: Request,
    verdict: Verdict | None = None,
    error: str = "",
    code: str = "",
    status: int = 200,
) -> Response:
    seed = sessions.read(request, sessions.PRE_SESSION) or sessions.new_pre_session()
    context = {
        "csrf": sessions.csrf_token(seed),
        "verdict": verdict,
        "errors": {"code": error} if error and code else {},
        "error": error,
        "code": code,
    }
    page = render(request, "verify.html", context, status)
    sessions.give(request, page, seed, sessions.PRE_SESSION)
    return page


@router.get("/verify")
def verify_page(request: Request, code: str = "", site: Web = Depends(web)) -> Response:
    """The form; with ``?code=`` (the QR code's link), the answer for that code too."""
    if not code:
        return _page(request)
    if _limited(request):
        return _page(request, error=TOO_MANY, code=code, status=429)
    try:
        verdict = documents.verify_code(site.built.desk, code[:40], source=client_address(request))
    except InvalidInput as error:
        return _page(request, error=str(error), code=code, status=400)
    return _page(request, verdict, code=code)


@router.post("/verify")
async def verify_upload(request: Request, site: Web = Depends(web)) -> Response:
    """An uploaded PDF, checked byte for byte."""
    try:
        form = await request.form(max_files=1, max_fields=2)
    except Exception:
        return _page(request, error="The form could not be read: choose one PDF file.", status=400)
    sent = form.get("csrf")
    seed = sessions.read(request, sessions.PRE_SESSION)
    if not sessions.csrf_matches(seed, sent if isinstance(sent, str) else None):
        return _page(request, error="The form expired: choose the file again.", status=403)
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return _page(request, error="Choose the PDF file to check.", status=400)
    data = await upload.read(UPLOAD_LIMIT + 1)
    if len(data) > UPLOAD_LIMIT:
        return _page(request, error="The file is larger than 1 MB: no document is.", status=413)
    if _limited(request):
        return _page(request, error=TOO_MANY, status=429)
    try:
        verdict = documents.verify_file(site.built.desk, data, source=client_address(request))
    except InvalidInput as error:
        said = str(error)
        return _page(request, error=said[:1].upper() + said[1:] + ".", status=400)
    return _page(request, verdict)


@router.get("/instruments/{instrument_id}/attachments")
def attachments_page(
    request: Request,
    instrument_id: str,
    draft: str = "",
    seen: Viewer = Depends(viewer),
    site: Web = Depends(web),
) -> Response:
    """The files on an instrument that the viewer's agency may read, and the upload form;
    after a refused upload, why (the file itself is never kept: choose it again)."""
    kept = returned(site, seen, _upload_form(instrument_id), draft)
    error = kept.errors.get("file", "") if kept else ""
    return _attachments_page(request, site, seen, instrument_id, error)


def _attachments_page(
    request: Request,
    site: Web,
    seen: Viewer,
    instrument_id: str,
    error: str = "",
) -> Response:
    try:
        found = attachments.list_of(site.built.desk, seen.principal, instrument_id, seen.source)
    except NotFound:
        raise PageRefused(404, NO_SUCH_INSTRUMENT) from None
    context = {
        "viewer": seen,
        "instrument_id": instrument_id,
        "attachments": found,
        "error": error,
        "limit_mb": SIZE_LIMIT // (1024 * 1024),
    }
    return render(request, "attachments.html", context)


@router.post("/instruments/{instrument_id}/attachments")
async def attach(
    request: Request,
    instrument_id: str,
    seen: Viewer = Depends(viewer),
    site: Web = Depends(web),
) -> Response:
    """Upload one file (CSRF-checked), then back to the list, saying so or why not. The web
    says a file is too large on the page; the API answers 413."""
    try:
        form = await request.form(max_files=1, max_fields=3)
    except Exception:
        raise PageRefused(400, "The form could not be read: choose one file.") from None
    token = form.get("csrf")
    if not sessions.csrf_matches(seen.token, token if isinstance(token, str) else None):
        raise PageRefused(403, "The form expired: open the page again and resend the file.")
    sent = Posted(seen, form)
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return _upload_refused(sent, site, instrument_id, "Choose the file.")
    data = await upload.read(SIZE_LIMIT + 1)
    on = "answer" if form.get("on") == "answer" else "instrument"
    try:
        await run_in_threadpool(
            attachments.add, site.built.desk, seen.principal, instrument_id,
            upload.filename, data, on=on, source=seen.source,
        )  # fmt: skip
    except NotFound:
        raise PageRefused(404, NO_SUCH_INSTRUMENT) from None
    except (TooLarge, LexdeskError) as error:
        return _upload_refused(sent, site, instrument_id, _sentence(error))
    return redirect(f"/instruments/{instrument_id}/attachments", done="attached")


def _upload_form(instrument_id: str) -> str:
    return f"attach:{instrument_id}"


def _upload_refused(sent: Posted, site: Web, instrument_id: str, why: str) -> Response:
    url = f"/instruments/{instrument_id}/attachments"
    return send_back(sent, site, _upload_form(instrument_id), url, {"file": why})


@router.get("/attachments/{attachment_id}")
def download_attachment(
    attachment_id: str, seen: Viewer = Depends(viewer), site: Web = Depends(web)
) -> Response:
    """The file, streamed as a download, never cached."""
    try:
        item, chunks = attachments.read(site.built.desk, seen.principal, attachment_id, seen.source)
    except NotFound:
        raise PageRefused(
            404, "There is no such attachment, or your agency may not read it."
        ) from None
    headers = {
        **HEADERS,
        "Content-Disposition": f'attachment; filename="{item.download_name}"',
        "Cache-Control": "no-store",
        "Content-Length": str(item.size),
    }
    return StreamingResponse(chunks, media_type=item.media_type, headers=headers)


def _sentence(error: Exception) -> str:
    said = str(error)
    return said[:1].upper() + said[1:] + "."
