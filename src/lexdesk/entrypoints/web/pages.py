"""What every page shares: the templates, the signed-in viewer, CSRF-checked forms, headers.

A route is thin: it takes a ``Viewer`` (or a ``Posted`` form, whose CSRF token was checked),
calls one service, and either renders a template or redirects (POST/redirect/GET).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.datastructures import FormData

from lexdesk.bootstrap import App
from lexdesk.domain.agencies import Agency
from lexdesk.domain.deadlines import DeadlinePolicy
from lexdesk.domain.errors import NotAuthenticated
from lexdesk.domain.permissions import Permission, granted
from lexdesk.domain.text import invisible_in
from lexdesk.entrypoints.web import sessions
from lexdesk.services import accounts
from lexdesk.services.accounts import Principal
from lexdesk.services.context import agency

HERE = Path(__file__).parent
SOURCE = "web"
#: security.md row 26: nothing a page shows is cached, framed, sniffed or sent on as referrer.
HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}


class SignInNeeded(Exception):
    """No live session: the browser goes to the sign-in page, told why."""

    def __init__(self, why: str = "") -> None:
        super().__init__(why)
        self.why = why


class PageRefused(Exception):
    """A page that does not exist for this viewer (404) or a form that failed CSRF (403)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class Web:
    built: App
    templates: Jinja2Templates


@dataclass(frozen=True)
class Viewer:
    principal: Principal
    agency: Agency
    token: str
    #: The client's address, for the audit trail (CJIS AU-3: where the request came from).
    source: str = SOURCE

    @property
    def username(self) -> str:
        return self.principal.username

    @property
    def csrf(self) -> str:
        return sessions.csrf_token(self.token)

    @property
    def timezone(self) -> ZoneInfo:
        return ZoneInfo(DeadlinePolicy.from_json(self.agency.deadline_policy).timezone)

    def may(self, permission: Permission) -> bool:
        return granted(self.principal.roles, permission)

    @property
    def may_read_people(self) -> bool:
        return self.may(Permission.PERSON_READ)

    @property
    def has_admin(self) -> bool:
        return self.may(Permission.USER_ADMIN)

    @property
    def has_auditor(self) -> bool:
        return self.may(Permission.AUDIT_READ)


class FormValues(Protocol):
    """A form's values: as posted, or as kept in its draft between the POST and the GET."""

    def get(self, name: str) -> str: ...
    def all(self, name: str) -> tuple[str, ...]: ...


#: Never kept in a draft: the session's token and the buttons that say what to do with it.
NOT_KEPT = frozenset({"csrf", "confirmed", "edit", "draft", "code"})


def kept_field(name: str) -> bool:
    """Whether a draft may keep this field: never the token, a button, a one-time code, or
    anything that holds a password (current, new or repeated)."""
    return name not in NOT_KEPT and "password" not in name


@dataclass(frozen=True)
class Fields:
    values: dict[str, tuple[str, ...]]

    def get(self, name: str) -> str:
        found = self.values.get(name, ())
        return found[0].strip() if found else ""

    def all(self, name: str) -> tuple[str, ...]:
        return tuple(v for v in self.values.get(name, ()) if v)


@dataclass(frozen=True)
class Posted:
    viewer: Viewer
    form: FormData

    def get(self, name: str) -> str:
        value = self.form.get(name)
        return value.strip() if isinstance(value, str) else ""

    def all(self, name: str) -> tuple[str, ...]:
        return tuple(v for v in self.form.getlist(name) if isinstance(v, str) and v)

    def fields(self) -> dict[str, tuple[str, ...]]:
        """The values worth keeping in a draft (never the token, a password or a button)."""
        names = dict.fromkeys(k for k in self.form if kept_field(k))
        return {
            name: tuple(v for v in self.form.getlist(name) if isinstance(v, str)) for name in names
        }


def web(request: Request) -> Web:
    found: Web = request.app.state.lexdesk_web
    return found


def viewer(request: Request, site: Web = Depends(web)) -> Viewer:
    token = sessions.read(request)
    if not token:
        raise SignInNeeded()
    desk = site.built.desk
    try:
        principal = accounts.authenticate(desk, token, client_address(request))
    except NotAuthenticated as error:
        raise SignInNeeded(_why(str(error))) from None
    request.state.principal = principal  # who a refused request names (audited_requests)
    with desk.uow() as uow:
        home = agency(uow, principal.agency_id)
    return Viewer(principal, home, token, client_address(request))


def client_address(request: Request) -> str:
    return request.client.host if request.client else SOURCE


async def form_data(request: Request) -> FormData:
    return await request.form()


def posted(
    request: Request, seen: Viewer = Depends(viewer), form: FormData = Depends(form_data)
) -> Posted:
    sent = form.get("csrf")
    if not sessions.csrf_matches(seen.token, sent if isinstance(sent, str) else None):
        raise PageRefused(403, "This form has expired. Go back, reload the page and try again.")
    refuse_invisible(form)
    return Posted(seen, form)


def refuse_invisible(form: FormData) -> None:
    """No field of a form takes an invisible or control character (``domain.text``); a
    password may hold what its owner likes, and is never shown."""
    for name, value in form.multi_items():
        if isinstance(value, str) and "password" not in name:
            wrong = invisible_in(value, lines=True)
            if wrong:
                raise PageRefused(422, f"The field {name[:40]} {wrong}, then send the form again.")


def require(seen: Viewer, permission: Permission) -> None:
    """A page the viewer's roles do not open does not exist for them (domain/permissions.py)."""
    if not seen.may(permission):
        raise PageRefused(404, "There is no such page.")


#: What the page after an action says was done. The address carries only the key (and a
#: count), never a name or a record, so a bookmark or a history entry discloses nothing.
DONE: dict[str, str] = {
    "issued": "The request was sent. It is on record and its addressee has been told.",
    "escalated": "Sent. It is on record and its addressee has been told.",
    "ordered": "The order was issued. It is on record and the parties have been told.",
    "withdrawn": "Withdrawn. The addressee has been told.",
    "acknowledged": "Acknowledged. The requester has been told it was received.",
    "acknowledged-many": "{n} instrument(s) acknowledged; the requesters have been told.",
    "determined": "The answer was recorded and sent to the requester.",
    "facts": "The facts are on record; the evaluation below uses them.",
    "booked": "The person was booked into custody.",
    "released": "The release is on record.",
    "transferred": "The transfer is on record.",
    "release-date": "The expected release is on record.",
    "published": "Published: this is the edition everyone now reads.",
    "scheduled": "Scheduled: the desk will publish each period when its time comes.",
    "unscheduled": "The schedule is stopped: nothing more is published by itself.",
    "recorded": "The paper is recorded: the issuer sees it, marked as recorded by your agency"
    " until it confirms it.",
    "confirmed": "Confirmed: the record is your agency's instrument.",
    "produced": "The records are produced: the production is signed, Bates-numbered and its"
    " recipients have been told.",
    "attached": "The file is attached; its fingerprint (SHA-256) is on record.",
    "webhook-added": "The webhook was added.",
    "webhook-disabled": "The webhook no longer receives events.",
    "webhook-enabled": "The webhook receives events again.",
    "letterhead": "The letterhead is saved: documents rendered from now on carry it.",
}


def done_message(request: Request) -> str:
    """The success alert named by the address's ``done`` key, if it is one of ours."""
    text = DONE.get(request.query_params.get("done", ""), "")
    count = request.query_params.get("n", "")
    if "{n}" in text:
        return text.format(n=count) if count.isdigit() else ""
    return text


def render(request: Request, name: str, context: dict[str, Any], status: int = 200) -> HTMLResponse:
    seen = context.get("viewer")
    tz = seen.timezone if isinstance(seen, Viewer) else ZoneInfo("UTC")
    flash = done_message(request) if request.method == "GET" and status == 200 else ""
    page = web(request).templates.TemplateResponse(
        request, name, {"tz": tz, "flash": flash, **context}, status_code=status
    )
    page.headers.update(HEADERS)
    return page


def redirect(url: str, done: str = "", count: int | None = None) -> RedirectResponse:
    """303 See Other: the browser GETs the result, so a reload or Back never posts twice.
    ``done`` names the success alert the next page shows (a key of ``DONE``)."""
    if done:
        if done not in DONE:  # a key, never free text: nothing personal in an address
            raise ValueError(f"no success message is called {done!r}")
        path, _, fragment = url.partition("#")
        extra = f"done={done}" + (f"&n={count}" if count is not None else "")
        url = f"{path}{'&' if '?' in path else '?'}{extra}" + (f"#{fragment}" if fragment else "")
    response = RedirectResponse(url, status_code=303)
    response.headers.update(HEADERS)
    return response


def moment(value: datetime | None, tz: ZoneInfo, fmt: str = "%Y-%m-%d %H:%M %Z") -> str:
    return value.astimezone(tz).strftime(fmt) if value else "—"


def present(label: str, value: Any, tz: ZoneInfo) -> str:
    """A person field's value as a page shows it: a moment in the viewer's time zone, a
    criminal history one conviction after another, nothing as a dash."""
    if value is None or value == "" or value == []:
        return "—"
    if label == "criminal_history" and isinstance(value, list):
        return "; ".join(
            f"{c.get('offense')} ({c.get('offense_class')}) on {c.get('convicted_on')}"
            for c in value
            if isinstance(c, dict)
        )
    if label == "release_date" and isinstance(value, str):
        try:
            return moment(datetime.fromisoformat(value), tz)
        except ValueError:
            return value
    return str(value)


def sentence(error: Exception | str) -> str:
    """A service's refusal as a page prints it: a capital, a full stop."""
    text = str(error)
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


def words(value: str | None) -> str:
    """``partially_complied`` reads as "partially complied" on a page."""
    return (value or "").replace("disclose:", "disclose ").replace("_", " ")


def _why(message: str) -> str:
    for key, text in accounts.SIGN_IN_AGAIN.items():
        if text == message:
            return key
    return "unknown"


def refused(request: Request, error: PageRefused) -> Response:
    context = {"message": error.message, "status": error.status}
    return render(request, "refused.html", context, error.status)


def sign_in_needed(request: Request, error: SignInNeeded) -> Response:
    response = redirect(f"/login?why={error.why}" if error.why else "/login")
    sessions.take_back(request, response)
    return response
