"""The cookies of a signed-in browser and the CSRF token tied to them (security.md rows 11, 26).

The session cookie holds the session token (the server keeps only its digest); it is
``__Host-lexdesk``: Secure, HttpOnly, SameSite=Strict, path ``/``, no domain. Browsers refuse a
Secure cookie over plain http, so a page served over http to a loopback address (a developer's
``lexdesk serve`` on 127.0.0.1) gets ``lexdesk-local`` instead, the same cookie without Secure
and without the prefix that demands it. Any other plain-http request still gets the Secure
cookie, which the browser will not keep: a deployment must terminate TLS (docs/web.md).

The CSRF token is a synchronizer token derived from the session token with HMAC: it is bound to
one session, changes at every sign-in, needs no server-side storage, and cannot be computed
without the HttpOnly cookie. Before sign-in the same is done with a random pre-session cookie.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from ipaddress import ip_address

from fastapi import Request, Response

SECURE_NAME = "__Host-lexdesk"
LOCAL_NAME = "lexdesk-local"
#: The login ticket between the password and the code steps, and the pre-session CSRF seed.
TICKET, PRE_SESSION = "ticket", "pre"
TICKET_MAX_AGE = 5 * 60


def is_local_http(request: Request) -> bool:
    """A developer's plain http on a loopback address; never in production, whatever the
    request's Host header says (a proxy forwarding to 127.0.0.1 must not turn Secure off)."""
    if request.url.scheme == "https" or _in_production(request):
        return False
    host = request.url.hostname or ""
    if host == "localhost":
        return True
    try:
        return ip_address(host).is_loopback
    except ValueError:
        return False


def _in_production(request: Request) -> bool:
    built = getattr(request.app.state, "lexdesk", None)
    return built is not None and built.settings.env == "production"


def cookie_name(request: Request, purpose: str = "") -> str:
    base = LOCAL_NAME if is_local_http(request) else SECURE_NAME
    return f"{base}-{purpose}" if purpose else base


def read(request: Request, purpose: str = "") -> str | None:
    return request.cookies.get(cookie_name(request, purpose)) or None


def give(
    request: Request, response: Response, value: str, purpose: str = "", max_age: int | None = None
) -> None:
    response.set_cookie(
        cookie_name(request, purpose),
        value,
        max_age=max_age,
        path="/",
        secure=not is_local_http(request),
        httponly=True,
        samesite="strict",
    )


def take_back(request: Request, response: Response, purpose: str = "") -> None:
    response.delete_cookie(
        cookie_name(request, purpose),
        path="/",
        secure=not is_local_http(request),
        httponly=True,
        samesite="strict",
    )


def new_pre_session() -> str:
    return secrets.token_urlsafe(32)


def csrf_token(secret: str) -> str:
    """The form token for the holder of ``secret`` (a session token or pre-session seed)."""
    return hmac.new(secret.encode(), b"lexdesk csrf v1", hashlib.sha256).hexdigest()


def csrf_matches(secret: str | None, sent: str | None) -> bool:
    return bool(secret and sent) and hmac.compare_digest(csrf_token(secret or ""), sent or "")
