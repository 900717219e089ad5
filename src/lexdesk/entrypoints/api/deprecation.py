"""Retiring part of ``/api/v1``: an operation marked with ``retiring(...)`` is ``deprecated``
in the OpenAPI document, and every answer of it carries ``Deprecation`` (RFC 9745, the moment
it was deprecated), ``Sunset`` (RFC 8594, after which it may go) and a ``Link`` to what
replaces it. Nothing is removed before its sunset, which is at least 180 days after notice.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from email.utils import format_datetime
from typing import Any

NOTICE = timedelta(days=180)


def retiring(since: date, sunset: date, successor: str) -> dict[str, Any]:
    """The route decorator's arguments for an operation on its way out."""
    if sunset - since < NOTICE:
        raise ValueError(f"a sunset needs {NOTICE.days} days' notice: {since} to {sunset}")
    extra = {"x-deprecated-since": since.isoformat(), "x-sunset": sunset.isoformat()}
    return {"deprecated": True, "openapi_extra": {**extra, "x-successor": successor}}


def retirement_headers(extra: dict[str, Any]) -> dict[str, str]:
    """The headers every answer of a retiring operation carries; none for the others."""
    if "x-sunset" not in extra:
        return {}
    since = datetime.combine(date.fromisoformat(extra["x-deprecated-since"]), time(), UTC)
    sunset = datetime.combine(date.fromisoformat(extra["x-sunset"]), time(), UTC)
    return {
        "Deprecation": f"@{int(since.timestamp())}",
        "Sunset": format_datetime(sunset, usegmt=True),
        "Link": f'<{extra["x-successor"]}>; rel="successor-version"',
    }
