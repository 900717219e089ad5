"""A story's rows, table by table, with the values the repositories write for the same domain
objects (``repository``, ``persons_repository``, ``ledger_repository``): JSON columns as
``json.dumps`` writes them (what SQLAlchemy's JSON type stores, JSON ``null`` included),
times aware and in UTC.

``TABLES`` names each table's columns in the order its rows are built, and the order the
tables are written in: every row's parents before it."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from lexdesk.adapters.person_records import (
    case_term_rows,
    deciding_rule,
    identifier_columns,
    person_term_rows,
    sealed_custody,
    sealed_evaluation,
    sealed_name,
    sealed_person,
    sealed_release,
    sealed_subject,
)
from lexdesk.adapters.sealing import Sealer
from lexdesk.adapters.seeding.stories import Story
from lexdesk.domain.agencies import Agency, User
from lexdesk.domain.deadlines import DueDate
from lexdesk.domain.disclosure import Release
from lexdesk.domain.instruments import Instrument, InstrumentEvent
from lexdesk.domain.persons import Person

#: One value of a row: what COPY and the SQLite driver are given.
Value = str | int | bool | datetime | date | None
Row = tuple[Value, ...]

TABLES: dict[str, tuple[str, ...]] = {
    "agencies": ("id", "name", "kind", "jurisdiction", "rule_pack", "deadline_policy",
                 "component", "created_at"),
    "users": ("id", "username", "agency_id", "display_name", "roles", "active", "created_at",
              "email"),
    "persons": ("id", "owner_agency_id", "created_at", "name", "sealed"),
    "person_terms": ("owner_agency_id", "term", "person_id"),
    "person_identifiers": ("person_id", "owner_agency_id", "scheme", "digest", "value"),
    "custodies": ("id", "person_id", "agency_id", "booked_at", "expected_release_at", "status",
                  "left_at", "destination", "sealed"),
    "cases": ("id", "requesting_agency_id", "custodial_agency_id", "person_id", "opened_at",
              "status", "version", "subject"),
    "case_terms": ("agency_id", "term", "case_id"),
    "case_parties": ("case_id", "agency_id", "status", "opened_at"),
    "instruments": ("id", "case_id", "position", "kind", "actions", "warrant",
                    "issuer_agency_id", "addressee_agency_id", "parent_id", "status",
                    "created_at", "issued_at", "due_at", "due", "reference", "version",
                    "produce_to", "recorded_by", "confirmed_at", "issuer_status",
                    "issuer_due_at"),
    "determinations": ("instrument_id", "outcome", "reason", "released_fields",
                       "determined_by", "determined_at", "evaluation", "deciding_rule",
                       "actions_performed", "override"),
    "instrument_events": ("instrument_id", "case_id", "transition", "from_status", "to_status",
                          "actor", "at", "reason", "changes"),
    "releases": ("id", "person_id", "case_id", "instrument_id", "custodian_agency_id",
                 "released_by", "at", "fields", "basis"),
    "release_keys": ("release_id", "sealed_key"),
    "release_recipients": ("release_id", "agency_id", "person_id"),
}  # fmt: skip
#: Columns that hold JSON (written as its text).
JSON_COLUMNS = frozenset(
    {"deadline_policy", "roles", "actions", "due", "produce_to", "released_fields",
     "actions_performed", "override", "changes", "basis"}
)  # fmt: skip
#: The JSON text of ``null``: what the JSON type stores for None (not SQL NULL).
NULL = "null"


def dumps(value: Any) -> str:
    # Most facts, records and changes are empty: their text needs no encoder.
    return "{}" if value == {} else json.dumps(value)


@lru_cache(maxsize=4096)
def listed(values: tuple[str, ...]) -> str:
    """A tuple as a JSON list: the actions, recipients, fields a run writes again and again."""
    return json.dumps(list(values))


@dataclass
class Rows:
    """Rows waiting to be written, by table, and what they add up to."""

    tables: defaultdict[str, list[Row]] = field(default_factory=lambda: defaultdict(list))

    def add(self, table: str, row: Row) -> None:
        self.tables[table].append(row)

    def __len__(self) -> int:
        return sum(len(rows) for rows in self.tables.values())

    def in_order(self) -> Iterable[tuple[str, Sequence[str], list[Row]]]:
        for table, columns in TABLES.items():
            if self.tables.get(table):
                yield table, columns, self.tables[table]

    def count(self, table: str) -> int:
        return len(self.tables.get(table, ()))


def add_agency(rows: Rows, agency: Agency, at: datetime) -> None:
    rows.add(
        "agencies",
        (agency.id, agency.name, agency.kind.value, agency.jurisdiction, agency.rule_pack,
         dumps(agency.deadline_policy), agency.component, at),
    )  # fmt: skip


def add_user(rows: Rows, user: User, at: datetime) -> None:
    roles = dumps(sorted(role.value for role in user.roles))
    rows.add(
        "users",
        (user.id, user.username, user.agency_id, user.display_name, roles, user.active, at, None),
    )


def add_story(rows: Rows, story: Story, sealer: Sealer) -> None:
    """The story's rows, the person's record sealed with ``sealer`` as the repository seals
    it."""
    _add_person(rows, story.person, sealer)
    case = story.case
    rows.add(
        "cases",
        (case.id, case.requesting_agency_id, case.custodial_agency_id, case.person_id,
         case.opened_at, case.status.value, story.calls + 1,
         sealed_subject(case.subject, case.id, sealer)),
    )  # fmt: skip
    for term in case_term_rows(case.id, case.requesting_agency_id, case.subject, sealer):
        rows.add("case_terms", (term["agency_id"], term["term"], term["case_id"]))
    for agency, status in story.parties.items():
        rows.add("case_parties", (case.id, agency, status, case.opened_at))
    for position, instrument in enumerate(case.instruments):
        _add_instrument(rows, story, instrument, position)
    for answered in story.answered:
        det, instrument = answered.determination, answered.instrument
        rows.add(
            "determinations",
            (instrument.id, det.outcome.value, det.reason,
             listed(det.released_fields), det.determined_by, det.determined_at,
             sealed_evaluation(answered.evaluation, instrument.id, sealer),
             deciding_rule(det.evaluation, instrument.actions), listed(det.actions_performed),
             dumps(det.override.to_json()) if det.override else NULL),
        )  # fmt: skip
    for event in story.events:
        rows.add("instrument_events", _event_row(event))
    for release in story.releases:
        _add_release(rows, release, sealer)


def _add_person(rows: Rows, person: Person, sealer: Sealer) -> None:
    rows.add(
        "persons",
        (person.id, person.owner_agency_id, person.custodies[0].booked_at,
         sealed_name(person.family_name, person.given_name, person.id, sealer),
         sealed_person(person, sealer)),
    )  # fmt: skip
    for term in person_term_rows(person, sealer):
        rows.add("person_terms", (term["owner_agency_id"], term["term"], term["person_id"]))
    for ident in person.identifiers:
        columns = identifier_columns(person, ident, sealer)
        rows.add("person_identifiers", tuple(columns[k] for k in TABLES["person_identifiers"]))
    for custody in person.custodies:
        rows.add(
            "custodies",
            (custody.id, person.id, custody.agency_id, custody.booked_at,
             custody.expected_release_at, custody.status.value, custody.left_at,
             custody.destination,
             sealed_custody(custody.id, custody.arrested_on, custody.charges, sealer)),
        )  # fmt: skip


def _add_instrument(rows: Rows, story: Story, i: Instrument, position: int) -> None:
    seen_status, seen_due = story.issuer_views[i.id]
    # Inserted at version 1 with its issue; each later change is one event and one version.
    version = len(i.new_events)
    rows.add(
        "instruments",
        (i.id, i.case_id, position, i.kind.value, listed(i.actions), i.warrant.value,
         i.issuer_agency_id, i.addressee_agency_id, i.parent_id, i.status.value, i.created_at,
         i.issued_at, i.due_at, _due(i.due), i.reference, version, listed(i.produce_to),
         i.recorded_by, i.confirmed_at, seen_status.value, seen_due),
    )  # fmt: skip


def _due(due: DueDate | None) -> str:
    return dumps(due.to_json()) if due else NULL


def _event_row(e: InstrumentEvent) -> Row:
    return (
        e.instrument_id, e.case_id, e.transition, e.from_status.value if e.from_status else None,
        e.to_status.value, e.actor, e.at, e.reason, dumps(e.changes),
    )  # fmt: skip


def _add_release(rows: Rows, release: Release, sealer: Sealer) -> None:
    fields, key = sealed_release(release.fields, release.id, sealer)
    rows.add(
        "releases",
        (release.id, release.person_id, release.case_id, release.instrument_id,
         release.custodian_agency_id, release.released_by, release.at, fields,
         dumps(release.basis)),
    )  # fmt: skip
    rows.add("release_keys", (release.id, key))
    for agency in release.recipients:
        rows.add("release_recipients", (release.id, agency, release.person_id))
