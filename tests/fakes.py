"""Fakes for our own ports, for unit tests: real behaviour, in memory, no mocks."""

from __future__ import annotations

import contextlib
import copy
import dataclasses
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from datetime import UTC, date, datetime, timedelta
from types import TracebackType
from typing import Any, Self

from lexdesk.domain.administration import RoleGrant
from lexdesk.domain.agencies import Agency, Role, User
from lexdesk.domain.audit import AuditEntry
from lexdesk.domain.cases import Case, CaseStatus
from lexdesk.domain.deadlines import DEFAULT_HOLD, HoldBound
from lexdesk.domain.disclosure import Release
from lexdesk.domain.errors import ConcurrencyConflict, OpenCaseRace
from lexdesk.domain.instruments import InstrumentEvent
from lexdesk.domain.notifications import Event
from lexdesk.domain.persons import Identifier, IdentifierScheme, Person
from lexdesk.domain.work import Assignment, FormDraft, Note, SavedSearch, WorkObject
from lexdesk.services import acting_agency
from lexdesk.services.context import Desk
from lexdesk.services.ports import AlarmState, RuleDecision
from tests.fake_accounts import AccountRows, FakeAccounts, FakeAuditLog
from tests.fake_lifecycle import FakeUserLifecycle, LifeRows


class FakeClock:
    def __init__(self, start: datetime | None = None) -> None:
        self.moment = start or datetime(2020, 1, 17, 15, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self.moment

    def advance(self, **delta: float) -> None:
        self.moment += timedelta(**delta)


class FakeAlarm:
    """Records every alarm raised, in order; ``state`` is the last."""

    def __init__(self) -> None:
        self.raised: list[AlarmState] = []

    def raise_alarm(self, reason: str, at: datetime) -> None:
        self.raised.append(AlarmState(at=at, reason=reason))

    def state(self) -> AlarmState | None:
        return self.raised[-1] if self.raised else None


class FakeRuleBook:
    """Decides every action as ``statuses`` says (default: permitted), and records requests."""

    def __init__(
        self, statuses: dict[str, str] | None = None, packs: tuple[str, ...] = ("us-ny-nyc-doc",)
    ) -> None:
        self.statuses = statuses or {}
        self.packs = packs
        self.documents: list[dict[str, Any]] = []

    def has_pack(self, pack_id: str) -> bool:
        return pack_id in self.packs

    def pack_ids(self) -> list[str]:
        return list(self.packs)

    def decide(self, document: dict[str, Any]) -> RuleDecision:
        self.documents.append(document)
        actions = document["instrument"]["actions"]
        statuses = {a: self.statuses.get(a, "permitted") for a in actions}
        decided = {
            a: {"status": s, "rule": f"FAKE-{a}", "citation": f"Fake Law § {i + 1}"}
            for i, (a, s) in enumerate(statuses.items())
        }
        record = {
            "pack": document["pack"],
            "pack_version": "fake",
            "content_hash": "0" * 64,
            "inputs": document,
            "result": {"actions": decided},
        }
        return RuleDecision(statuses=statuses, record=record)

    def hold_bound(self, pack_id: str, as_of: date) -> HoldBound:
        return DEFAULT_HOLD


class _Store:
    """What the fake database holds; deep copies in and out, like rows."""

    def __init__(self) -> None:
        self.agencies: dict[str, Agency] = {}
        self.users: dict[str, User] = {}
        self.role_grants: dict[str, RoleGrant] = {}
        self.persons: dict[str, Person] = {}
        self.cases: dict[str, Case] = {}
        self.events: list[InstrumentEvent] = []
        self.releases: list[Release] = []
        self.views: dict[str, Any] = {}
        self.accounts = AccountRows()
        self.life = LifeRows()
        self.audit: list[AuditEntry] = []
        self.outbox: list[Event] = []
        self.assignments: dict[tuple[str, str, str], Assignment] = {}
        self.notes: list[Note] = []
        self.searches: dict[str, SavedSearch] = {}
        self.drafts: dict[str, FormDraft] = {}


class _Outbox:
    """The outbox as the use cases write it: events, each key once. The worker's side is
    tested against the real tables (tests/worker/)."""

    def __init__(self, rows: list[Event]) -> None:
        self.rows = rows

    def add_event(self, event: Event) -> bool:
        if any(e.key == event.key for e in self.rows):
            return False
        self.rows.append(event)
        return True


class _Agencies:
    def __init__(self, rows: dict[str, Agency]) -> None:
        self.rows = rows

    def add(self, agency: Agency) -> None:
        self.rows[agency.id] = copy.deepcopy(agency)

    def get(self, agency_id: str) -> Agency | None:
        return copy.deepcopy(self.rows.get(agency_id))

    def list(self) -> list[Agency]:
        return [copy.deepcopy(a) for _, a in sorted(self.rows.items())]


class _Users(FakeUserLifecycle):
    def __init__(
        self,
        rows: dict[str, User],
        grants: dict[str, RoleGrant],
        life: LifeRows,
        now: Callable[[], datetime],
    ) -> None:
        self.rows = rows
        self.grants = grants
        self.life = life
        self.now = now

    def add(self, user: User, created_by: str = "") -> None:
        self.rows[user.id] = copy.deepcopy(user)
        self._born(user, created_by)

    def get(self, user_id: str) -> User | None:
        return copy.deepcopy(self.rows.get(user_id))

    def by_username(self, username: str) -> User | None:
        return next((copy.deepcopy(u) for u in self.rows.values() if u.username == username), None)

    def set_active(self, user_id: str, active: bool) -> None:
        self.rows[user_id].active = active
        if active:
            self._enabled(user_id)

    def set_roles(self, user_id: str, roles: frozenset[Role]) -> None:
        self.rows[user_id].roles = frozenset(roles)

    def of_agency(self, agency_id: str, *, lock: bool = False) -> list[User]:
        found = [u for u in self.rows.values() if u.agency_id == agency_id]
        return [copy.deepcopy(u) for u in sorted(found, key=lambda u: u.username)]

    def add_grant(self, grant: RoleGrant) -> None:
        self.grants[grant.id] = grant

    def grant(self, grant_id: str) -> RoleGrant | None:
        return self.grants.get(grant_id)

    def grants_of(self, agency_id: str, status: str | None = None) -> list[RoleGrant]:
        found = [
            g
            for g in self.grants.values()
            if g.agency_id == agency_id and status in (None, g.status)
        ]
        return sorted(found, key=lambda g: (-g.requested_at.timestamp(), g.id))

    def decide_grant(self, decided: RoleGrant) -> bool:
        if self.grants[decided.id].status != "pending":
            return False
        self.grants[decided.id] = decided
        return True


class _Persons:
    def __init__(self, rows: dict[str, Person]) -> None:
        self.rows = rows

    def add(self, person: Person) -> None:
        self.rows[person.id] = copy.deepcopy(person)

    def get(self, person_id: str) -> Person | None:
        return copy.deepcopy(self.rows.get(person_id))

    def add_many(self, people: list[Person]) -> None:
        for person in people:
            self.add(person)

    def update(self, person: Person) -> None:
        self.rows[person.id] = copy.deepcopy(person)

    def by_identifier(
        self, owner_agency_id: str, scheme: IdentifierScheme, value: str
    ) -> Person | None:
        for person in self.rows.values():
            if person.owner_agency_id == owner_agency_id and person.identifier(scheme) == value:
                return copy.deepcopy(person)
        return None

    def stays(self, owner_agency_id: str) -> dict[str, tuple[str, Any]]:
        found = {}
        for p in self.rows.values():
            if p.owner_agency_id == owner_agency_id and p.custodies:
                last = max(p.custodies, key=lambda c: c.booked_at)
                found[p.id] = (last.status.value, last.expected_release_at)
        return found

    def identifier_index(
        self, owner_agency_id: str, wanted: Iterable[Identifier]
    ) -> dict[tuple[str, str], str]:
        asked = {(i.scheme.value, i.value) for i in wanted}
        return {
            (i.scheme.value, i.value): p.id
            for p in self.rows.values()
            if p.owner_agency_id == owner_agency_id
            for i in p.identifiers
            if (i.scheme.value, i.value) in asked
        }


class _Releases:
    def __init__(self, rows: list[Release]) -> None:
        self.rows = rows

    def add(self, release: Release) -> None:
        self.rows.append(copy.deepcopy(release))

    def about(self, person_id: str) -> list[Release]:
        return [copy.deepcopy(r) for r in self.rows if r.person_id == person_id]


class _Cases:
    def __init__(self, store: _Store) -> None:
        self.rows, self.events_of, self.views = store.cases, store.events, store.views

    def add(self, case: Case) -> None:
        if case.status is CaseStatus.OPEN and self.find_open(
            case.requesting_agency_id, case.custodial_agency_id, case.person_id
        ):
            raise OpenCaseRace()
        case.version = 1
        self._store(case)

    def find_open(self, requesting: str, custodial: str, person_id: str) -> Case | None:
        for case in self.rows.values():
            same = (case.requesting_agency_id, case.custodial_agency_id, case.person_id)
            if same == (requesting, custodial, person_id) and case.status is CaseStatus.OPEN:
                return copy.deepcopy(case)
        return None

    def about(self, person_id: str) -> list[Case]:
        return [copy.deepcopy(c) for c in self.rows.values() if c.person_id == person_id]

    def events(self, case_id: str) -> list[InstrumentEvent]:
        return [copy.deepcopy(e) for e in self.events_of if e.case_id == case_id]

    def save_views(self, case: Case, issuer_views: Any, parties: Any) -> None:
        self.views[case.id] = (copy.deepcopy(issuer_views), copy.deepcopy(parties))

    def get(self, case_id: str) -> Case | None:
        return copy.deepcopy(self.rows.get(case_id))

    def of_instrument(self, instrument_id: str) -> Case | None:
        for case in self.rows.values():
            if any(i.id == instrument_id for i in case.instruments):
                return copy.deepcopy(case)
        return None

    def find(self, requesting_agency_id: str, person_id: str) -> list[Case]:
        return [
            copy.deepcopy(c)
            for c in self.rows.values()
            if c.requesting_agency_id == requesting_agency_id and c.person_id == person_id
        ]

    def save(self, case: Case) -> None:
        stored = self.rows[case.id]
        if stored.version != case.version:
            raise ConcurrencyConflict("case", case.id, case.version)
        known = {i.id: i.version for i in stored.instruments}
        for instrument in case.instruments:
            if (
                instrument.id in known
                and instrument.new_events
                and known[instrument.id] != instrument.version
            ):
                raise ConcurrencyConflict("instrument", instrument.id, instrument.version)
        case.version += 1
        self._store(case)

    def _store(self, case: Case) -> None:
        for instrument in case.instruments:
            if instrument.version == 0 or instrument.new_events:
                instrument.version += 1
            self.events_of.extend(copy.deepcopy(instrument.new_events))
            instrument.new_events.clear()
        self.rows[case.id] = copy.deepcopy(case)


class _Work:
    def __init__(self, store: _Store) -> None:
        self._store = store

    def assignment(
        self, object_type: WorkObject, object_id: str, agency_id: str
    ) -> Assignment | None:
        return self._store.assignments.get((object_type.value, object_id, agency_id))

    def assign(self, assignment: Assignment) -> None:
        key = (assignment.object_type.value, assignment.object_id, assignment.agency_id)
        self._store.assignments[key] = assignment

    def unassign(self, object_type: WorkObject, object_id: str, agency_id: str) -> None:
        self._store.assignments.pop((object_type.value, object_id, agency_id), None)

    def add_note(self, note: Note) -> None:
        self._store.notes.append(note)

    def notes(self, case_id: str, agency_id: str) -> list[Note]:
        return [n for n in self._store.notes if n.case_id == case_id and n.agency_id == agency_id]

    def save_search(self, search: SavedSearch) -> None:
        self._store.searches[search.id] = search

    def saved_search(self, search_id: str, user_id: str) -> SavedSearch | None:
        found = self._store.searches.get(search_id)
        return found if found and found.user_id == user_id else None

    def save_draft(self, draft: FormDraft) -> None:
        self._store.drafts[draft.id] = draft

    def draft(self, draft_id: str, user_id: str) -> FormDraft | None:
        found = self._store.drafts.get(draft_id)
        return found if found and found.user_id == user_id else None

    def claim_draft(self, draft_id: str) -> bool:
        found = self._store.drafts[draft_id]
        if found.sent_to is not None:
            return False
        self._store.drafts[draft_id] = dataclasses.replace(found, sent_to="")
        return True

    def mark_sent(self, draft_id: str, sent_to: str | None) -> None:
        found = self._store.drafts[draft_id]
        self._store.drafts[draft_id] = dataclasses.replace(found, sent_to=sent_to)

    def forget(
        self, *, drafts_before: datetime, searches_before: datetime, keys_before: datetime
    ) -> int:
        drafts = [k for k, d in self._store.drafts.items() if d.at < drafts_before]
        searches = [k for k, q in self._store.searches.items() if q.at < searches_before]
        for key in drafts:
            del self._store.drafts[key]
        for key in searches:
            del self._store.searches[key]
        return len(drafts) + len(searches)


class FakeUnitOfWork:
    """Changes become visible to other units of work only on commit."""

    def __init__(self, store: _Store, clock: FakeClock | None = None) -> None:
        self._committed = store
        self._clock = clock or FakeClock()
        self.committed = False

    def __enter__(self) -> Self:
        self._working = copy.deepcopy(self._committed)
        self.agencies = _Agencies(self._working.agencies)
        self.users = _Users(
            self._working.users, self._working.role_grants, self._working.life, self._clock.now
        )
        self.persons = _Persons(self._working.persons)
        self.cases = _Cases(self._working)
        self.releases = _Releases(self._working.releases)
        self.accounts = FakeAccounts(
            self._working.accounts, self._working.users, self._working.agencies
        )
        self.audit = FakeAuditLog(self._working.audit, self._clock.now)
        self.outbox = _Outbox(self._working.outbox)
        self.work = _Work(self._working)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.rollback()

    def narrow_to(self, agency_id: str) -> None:
        acting_agency.narrow(agency_id)
        self.acting_for = agency_id

    def across_agencies(self) -> AbstractContextManager[None]:
        return contextlib.nullcontext()

    def commit(self) -> None:
        self._committed.__dict__.update(copy.deepcopy(self._working).__dict__)
        self.committed = True

    def rollback(self) -> None:
        pass


def fake_desk(
    clock: FakeClock | None = None,
    rules: FakeRuleBook | None = None,
    alarm: FakeAlarm | None = None,
) -> tuple[Desk, _Store]:
    store, the_clock = _Store(), clock or FakeClock()
    desk = Desk(
        uow=lambda: FakeUnitOfWork(store, the_clock),
        clock=the_clock,
        rules=rules or FakeRuleBook(),
        alarm=alarm or FakeAlarm(),
    )
    return desk, store
