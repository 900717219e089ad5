"""How long what people type may be: one table for the services, the API's schema and the web's
``maxlength``, so a value the page accepts is never refused later for its length, and a
10,000-character reason never reaches a page that must print it."""

from __future__ import annotations

from lexdesk.domain.errors import InvalidInput

#: A form, file or docket number; a person named as scheme:value.
REFERENCE_MAX = 100
PERSON_KEY_MAX = 100
#: A reason, kept with the event forever: a paragraph or a few, never a brief.
REASON_MAX = 4000


def within(value: str, limit: int, what: str) -> str:
    """``value`` if it is at most ``limit`` characters long, else a refusal that says by how
    much to shorten it."""
    if len(value) > limit:
        raise InvalidInput(
            f"{what} is {len(value)} characters long: shorten it to {limit} or fewer"
        )
    return value
