"""The shapes every resource shares: strict request bodies, bounded text, ids and pages.

Every request model forbids unknown fields (``extra="forbid"``), so a body cannot set what the
server decides (an owner agency, a status) by naming it (ASVS 15.3.3). Text is bounded to what
the tables hold and may not carry control characters (no forged log lines, no NUL bytes that a
database refuses) or unpaired surrogates; times must carry a zone and lie in 1900-2200.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Annotated, Any

from fastapi import Path, Query
from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    StringConstraints,
    WithJsonSchema,
)

from lexdesk.domain.credentials import PASSWORD_MAX, PASSWORD_MIN
from lexdesk.domain.limits import REASON_MAX, REFERENCE_MAX
from lexdesk.domain.text import ONE_LINE as ONE_LINE
from lexdesk.domain.text import SEVERAL_LINES as SEVERAL_LINES
from lexdesk.domain.text import invisible_in
from lexdesk.queries.api_lists import MAX_LIMIT

ID_PATTERN = r"^[a-z]{3}-[0-9a-f]{16}$"
CODE_PATTERN = r"^[a-z0-9][a-z0-9-]{1,62}$"


def _unicode(text: str) -> str:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("contains an unpaired surrogate: send valid Unicode text") from None
    return text


def _shown(lines: bool) -> Callable[[object], object]:
    """Refuse text with an invisible or control character, saying which and where (the
    schema's pattern says the same, without naming the character: ``domain.text``)."""

    def check(value: object) -> object:
        if isinstance(value, str):
            wrong = invisible_in(value, lines=lines)
            if wrong:
                raise ValueError(wrong)
        return value

    return check


one_line, several_lines = _shown(lines=False), _shown(lines=True)


def _written(value: object) -> object:
    """A date or time is written as ISO 8601 text: a number, even as text, would be taken for
    a Unix timestamp."""
    if not isinstance(value, str) or not re.match(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
        raise ValueError("write dates and times as ISO 8601 text, e.g. 2020-01-17T15:00:00Z")
    return value


def _plausible(moment: datetime) -> datetime:
    """The year as written, which the schema's pattern can state, lies in 1900-2200."""
    if not 1900 <= moment.year <= 2200:
        raise ValueError("is out of range: give a time between 1900 and 2200")
    moment.astimezone(UTC)  # within those years, never out of datetime's range
    return moment


Name = Annotated[
    str,
    StringConstraints(min_length=1, max_length=200, pattern=ONE_LINE),
    BeforeValidator(one_line),
    AfterValidator(_unicode),
]
Short = Annotated[
    str,
    StringConstraints(max_length=REFERENCE_MAX, pattern=ONE_LINE),
    BeforeValidator(one_line),
    AfterValidator(_unicode),
]
Reason = Annotated[
    str,
    StringConstraints(max_length=REASON_MAX, pattern=SEVERAL_LINES),
    BeforeValidator(several_lines),
    AfterValidator(_unicode),
]
Code = Annotated[str, StringConstraints(pattern=CODE_PATTERN)]
#: No account's password is longer than the policy allows, so none is accepted here either.
Secret = Annotated[str, StringConstraints(min_length=1, max_length=PASSWORD_MAX)]
#: A password being chosen: the policy's bounds (it also refuses common ones, with a 422).
NewSecret = Annotated[str, StringConstraints(min_length=PASSWORD_MIN, max_length=PASSWORD_MAX)]
#: A time with its zone, in 1900-2200 as written; the schema says both (RFC 3339 and a pattern).
MOMENT_SCHEMA = {"type": "string", "format": "date-time", "pattern": r"^(19\d\d|2[01]\d\d|2200)-"}
Moment = Annotated[
    AwareDatetime,
    BeforeValidator(_written),
    AfterValidator(_plausible),
    WithJsonSchema(MOMENT_SCHEMA),
]
Day = Annotated[date, BeforeValidator(_written)]

InstrumentId = Annotated[str, Path(pattern=ID_PATTERN, description="An instrument id.")]
CaseId = Annotated[str, Path(pattern=ID_PATTERN, description="A case id.")]
PersonId = Annotated[str, Path(pattern=ID_PATTERN, description="A person id.")]
Username = Annotated[str, Path(pattern=CODE_PATTERN, description="A username.")]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Rows per page (1-200).")]
Cursor = Annotated[
    str | None,
    Query(max_length=512, pattern=r"^[A-Za-z0-9_-]+$", description="From the last page."),
]


class StrictBody(BaseModel):
    """A request body: unknown fields are refused, never ignored."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)


class Answer(BaseModel):
    """A response body."""

    model_config = ConfigDict(extra="forbid")


def file_answer(media_type: str, description: str) -> dict[int | str, dict[str, Any]]:
    """A 200 whose body is a file, typed so that a generated client returns its bytes."""
    binary = {"schema": {"type": "string", "format": "binary"}}
    disposition = {
        "Content-Disposition": {
            "description": "`attachment`, with the file's name.",
            "schema": {"type": "string", "examples": ['attachment; filename="answer.pdf"']},
        }
    }
    return {
        200: {"content": {media_type: binary}, "description": description, "headers": disposition}
    }
