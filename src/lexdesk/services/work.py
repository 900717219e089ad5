"""Work at the desk: assigning an instrument or a case to a person of one's own agency, and an
agency's own notes on a case (``domain.work``; docs/adr/0017-work-management.md).

Each party works its own side: the requester's assignee and notes are its own, the
custodian's are the custodian's, and no agency reads another's. Only an agency that may see the
object assigns it (what it may not see does not exist for it), and only to an active colleague
whose roles work cases. Every assignment, reassignment, unassignment and note is on the audit
trail, in the unit of work that makes it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from lexdesk.domain import idempotency
from lexdesk.domain.agencies import User
from lexdesk.domain.cases import Case
from lexdesk.domain.errors import InvalidInput, NotFound
from lexdesk.domain.ids import new_id
from lexdesk.domain.permissions import Permission
from lexdesk.domain.visibility import takes_part
from lexdesk.domain.vocabulary import parse_choice
from lexdesk.domain.work import (
    DRAFT_KEPT,
    SEARCH_KEPT,
    Assignment,
    FormDraft,
    Note,
    SavedSearch,
    WorkObject,
    check_note,
    check_search,
)
from lexdesk.services import audit, views
from lexdesk.services.accounts import Principal
from lexdesk.services.authorization import authorize
from lexdesk.services.context import Desk, acting_user, audit_actor
from lexdesk.services.ports import UnitOfWork

#: Who may be given work: a person whose roles read and act on instruments.
WORKS_CASES = Permission.INSTRUMENT_READ


@dataclass(frozen=True)
class Assign:
    actor: str
    object_type: str
    object_id: str
    #: The colleague's username; empty to leave the object unassigned.
    assignee: str
    source: str = "cli"


@dataclass(frozen=True)
class Assigned:
    object_type: WorkObject
    object_id: str
    case_id: str
    assignee: str | None
    previous: str | None
    changed: bool


@audit.records_denials("work.assign", "work", "object_id")
def assign(desk: Desk, command: Assign) -> Assigned:
    """Give the object to a colleague (or take it back): one assignee per object and agency."""
    kind = parse_choice(WorkObject, command.object_type, "kind of object to assign")
    with desk.uow() as uow:
        user = acting_user(uow, command.actor)
        authorize(user, WORKS_CASES)
        case = _visible(uow, user.agency_id, kind, command.object_id)
        before = uow.work.assignment(kind, command.object_id, user.agency_id)
        previous = _username(uow, before.assignee_id) if before else None
        assignee = _colleague(uow, user, command.assignee) if command.assignee.strip() else None
        new_name = assignee.username if assignee else None
        if new_name == previous:
            return Assigned(kind, command.object_id, case.id, new_name, previous, False)
        if assignee is None:
            uow.work.unassign(kind, command.object_id, user.agency_id)
        else:
            at = desk.clock.now()
            uow.work.assign(
                Assignment(kind, command.object_id, user.agency_id, assignee.id, user.username, at)
            )
        actor, behalf = audit_actor(desk, user.username)
        audit.record(
            uow,
            actor=actor,
            agency=user.agency_id,
            action=f"{kind.value}.{'assign' if assignee else 'unassign'}",
            object_type=kind.value,
            object_id=command.object_id,
            source=command.source,
            detail={"case": case.id, "assignee": new_name, "previous": previous, **behalf},
        )
        uow.commit()
    return Assigned(kind, command.object_id, case.id, new_name, previous, True)


@dataclass(frozen=True)
class AddNote:
    actor: str
    case_id: str
    text: str
    source: str = "cli"


@audit.records_denials("case.note", "case", "case_id")
def add_note(desk: Desk, command: AddNote) -> Note:
    """A note on the case for the author's own agency; kept as written, never changed."""
    text = check_note(command.text)
    with desk.uow() as uow:
        user = acting_user(uow, command.actor)
        authorize(user, Permission.CASE_READ)
        case = _visible(uow, user.agency_id, WorkObject.CASE, command.case_id)
        note = Note(new_id("not"), case.id, user.agency_id, user.username, desk.clock.now(), text)
        uow.work.add_note(note)
        actor, behalf = audit_actor(desk, user.username)
        audit.record(
            uow,
            actor=actor,
            agency=user.agency_id,
            action="case.note",
            object_type="case",
            object_id=case.id,
            source=command.source,
            detail={"note": note.id, "length": len(text), **behalf},
        )
        uow.commit()
    return note


@dataclass(frozen=True)
class CaseWork:
    """What the reader's agency keeps about its work on a case: the case's assignee, each
    visible instrument's, and its notes (the others' are not here)."""

    case_id: str
    case_assignee: str | None
    instruments: tuple[tuple[str, str, str | None], ...]  # (id, kind, assignee)
    notes: tuple[Note, ...]


def case_work(desk: Desk, reader: Principal, case_id: str) -> CaseWork:
    authorize(reader, Permission.CASE_READ)
    with desk.uow() as uow:
        case = _visible(uow, reader.agency_id, WorkObject.CASE, case_id)
        mine = reader.agency_id
        own = uow.work.assignment(WorkObject.CASE, case.id, mine)
        shown = []
        for instrument in case.instruments:
            if views.instrument_view(uow, mine, case, instrument) is None:
                continue
            found = uow.work.assignment(WorkObject.INSTRUMENT, instrument.id, mine)
            who = _username(uow, found.assignee_id) if found else None
            shown.append((instrument.id, instrument.kind.value, who))
        return CaseWork(
            case.id,
            _username(uow, own.assignee_id) if own else None,
            tuple(shown),
            tuple(uow.work.notes(case.id, mine)),
        )


def _visible(uow: UnitOfWork, agency_id: str, kind: WorkObject, object_id: str) -> Case:
    """The case of the object, if the agency may see the object; otherwise it does not exist."""
    if kind is WorkObject.CASE:
        case = uow.cases.get(object_id)
        if case is None or not takes_part(agency_id, case):
            raise NotFound("case", object_id)
        return case
    case = uow.cases.of_instrument(object_id)
    if case is None:
        raise NotFound("instrument", object_id)
    if views.instrument_view(uow, agency_id, case, case.instrument(object_id)) is None:
        raise NotFound("instrument", object_id)
    return case


def _colleague(uow: UnitOfWork, actor: User, username: str) -> User:
    found = uow.users.by_username(username.strip())
    if found is None or found.agency_id != actor.agency_id:
        # Another agency's people are not named, nor is whether they exist.
        raise InvalidInput(
            f"no one of {actor.agency_id} is called {username.strip()!r}: choose a colleague"
            " from the list"
        )
    if not found.active:
        raise InvalidInput(f"{found.username}'s account is disabled: choose another colleague")
    if not found.holds(WORKS_CASES):
        raise InvalidInput(
            f"{found.username} does not work cases (no officer, legal or supervisor role):"
            " choose another colleague"
        )
    return found


def _username(uow: UnitOfWork, user_id: str) -> str:
    found = uow.users.get(user_id)
    return found.username if found else user_id


def save_search(desk: Desk, user_id: str, text: str) -> str | None:
    """Keep what the user searched a list for; the id names it in the list's address. An empty
    search is no search (None)."""
    cleaned = check_search(text)
    if not cleaned:
        return None
    search = SavedSearch(new_id("srch"), user_id, cleaned, desk.clock.now())
    with desk.uow() as uow:
        uow.work.save_search(search)
        uow.commit()
    return search.id


def saved_search(desk: Desk, user_id: str, search_id: str) -> str | None:
    """What the user searched for under the id, while it is kept; nothing for another's id."""
    with desk.uow() as uow:
        found = uow.work.saved_search(search_id, user_id)
    return found.text if found and found.live(desk.clock.now()) else None


def save_draft(
    desk: Desk,
    user_id: str,
    form: str,
    fields: dict[str, tuple[str, ...]],
    said: dict[str, Any] | None = None,
) -> str:
    """Keep what the user typed into ``form`` (and, for a refused form, what the desk said);
    the id names it in the address that shows it."""
    draft = FormDraft(new_id("drf"), user_id, form, fields, desk.clock.now(), said=said or {})
    with desk.uow() as uow:
        uow.work.save_draft(draft)
        uow.commit()
    return draft.id


def draft(desk: Desk, user_id: str, form: str, draft_id: str) -> FormDraft | None:
    """The user's draft of ``form`` by its id, while it is kept."""
    with desk.uow() as uow:
        found = uow.work.draft(draft_id, user_id)
    if found is None or found.form != form or not found.live(desk.clock.now()):
        return None
    return found


def forget_expired(desk: Desk) -> int:
    """Delete the drafts, saved searches and idempotency keys past their keeping; how many."""
    now = desk.clock.now()
    with desk.uow() as uow:
        forgotten = uow.work.forget(
            drafts_before=now - DRAFT_KEPT,
            searches_before=now - SEARCH_KEPT,
            keys_before=now - idempotency.KEEP,
        )
        uow.commit()
    return forgotten


def send_draft(desk: Desk, draft_id: str, send: Callable[[], str]) -> str | None:
    """Send the draft once: ``send`` runs only if no one else is sending it, and where it led is
    kept, so going Back to the draft says so and sends nothing. None: it was sent already (or is
    being sent). If ``send`` fails, the draft can be sent again."""
    with desk.uow() as uow:
        claimed = uow.work.claim_draft(draft_id)
        uow.commit()
    if not claimed:
        return None
    try:
        sent_to = send()
    except BaseException:
        with desk.uow() as uow:
            uow.work.mark_sent(draft_id, None)
            uow.commit()
        raise
    with desk.uow() as uow:
        uow.work.mark_sent(draft_id, sent_to)
        uow.commit()
    return sent_to
