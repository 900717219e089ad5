"""A refused form comes back by GET, never as the answer to its POST.

The POST keeps what was typed and what the desk said about it (a draft, ``domain.work``) and
redirects to the form's own page with ``?draft=``; that page shows the values again with each
error under its field. So Back after a refusal and then a success shows the form as it was,
and never asks to post again. Drafts are the user's own and kept a day; a password is never
kept (``pages.NOT_KEPT``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fastapi.responses import RedirectResponse

from lexdesk.entrypoints.web.pages import Fields, Posted, Viewer, Web, redirect
from lexdesk.services import work


@dataclass(frozen=True)
class Returned:
    """A refused form as its page shows it: the values, the errors, and anything else the
    refusal said (``said``, e.g. a determination's contradictions)."""

    values: Fields
    errors: dict[str, str]
    said: dict[str, Any] = field(default_factory=dict)


def send_back(
    sent: Posted,
    site: Web,
    form: str,
    url: str,
    errors: dict[str, str],
    said: dict[str, Any] | None = None,
    also: dict[str, tuple[str, ...]] | None = None,
) -> RedirectResponse:
    """Keep the refused form (with ``also``: what its address said, such as which of a page's
    forms it was) and show it at ``url`` by GET."""
    answer = {"errors": errors} | (said or {})
    fields = sent.fields() | (also or {})
    user_id = sent.viewer.principal.user_id
    draft_id = work.save_draft(site.built.desk, user_id, form, fields, answer)
    # No fragment: the page's error summary takes the focus, and a fragment would take it.
    path = url.partition("#")[0]
    return redirect(f"{path}{'&' if '?' in path else '?'}draft={draft_id}")


def returned(site: Web, seen: Viewer, form: str, draft_id: str) -> Returned | None:
    """The user's refused ``form`` under ``draft_id``, while it is kept; None otherwise (a
    stale or another's id shows the blank form)."""
    if not draft_id:
        return None
    kept = work.draft(site.built.desk, seen.principal.user_id, form, draft_id[:40])
    if kept is None:
        return None
    return Returned(Fields(kept.fields), kept.errors, dict(kept.said))
