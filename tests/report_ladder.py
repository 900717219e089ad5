"""A small synthetic record for the transparency reports, written row by row so that every
figure is known by hand (tests/integration/test_transparency.py states them). Fictional only:
no row names a real person."""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, insert, select

from lexdesk.adapters import orm
from lexdesk.adapters.person_records import (
    deciding_rule,
    sealed_evaluation,
    sealed_name,
    sealed_person,
)
from lexdesk.adapters.report_definitions import load_reports
from lexdesk.adapters.sealing import DEVELOPMENT
from lexdesk.domain.persons import Person
from lexdesk.queries.transparency import compute_report, report_request
from lexdesk.services import transparency
from lexdesk.services.context import Desk

T0 = datetime(2019, 1, 1, tzinfo=UTC)


def at(text: str) -> datetime:
    """``2020-01-10 14`` as 14:00 UTC that day."""
    day, hour = text.split()
    return datetime.fromisoformat(f"{day}T{int(hour):02d}:00+00:00")


def seed_agencies(db: Connection) -> None:
    rows = [
        ("ice", "ICE Field Office", "immigration", None),
        ("ice2", "Another Field Office", "immigration", None),
        ("doc", "Department of Correction", "custodial", "us-ny-nyc-doc"),
        ("usao", "U.S. Attorney", "prosecutor", None),
        ("court", "District Court", "court", None),
    ]
    db.execute(
        insert(orm.agencies),
        [
            {
                "id": agency_id,
                "name": name,
                "kind": kind,
                "jurisdiction": "US",
                "rule_pack": pack,
                "deadline_policy": {"timezone": "America/New_York"},
                "component": "ice" if kind == "immigration" else None,
                "created_at": T0,
            }
            for agency_id, name, kind, pack in rows
        ],
    )


@dataclass
class Ladder:
    db: Connection
    ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def person(self) -> str:
        person_id = f"p{next(self.ids)}"
        self.db.execute(
            insert(orm.persons).values(
                id=person_id,
                owner_agency_id="doc",
                created_at=T0,
                name=sealed_name("Example", f"Synthetic {person_id}", person_id, DEVELOPMENT),
                sealed=sealed_person(Person(person_id, "doc", "Example", "Synthetic"), DEVELOPMENT),
            )
        )
        return person_id

    def case(self, person_id: str, requester: str = "ice") -> str:
        case_id = f"c{next(self.ids)}"
        self.db.execute(
            insert(orm.cases).values(
                id=case_id,
                requesting_agency_id=requester,
                custodial_agency_id="doc",
                person_id=person_id,
                opened_at=T0,
                status="open",
                version=1,
                subject="",
            )
        )
        return case_id

    def instrument(
        self,
        case_id: str,
        kind: str,
        issued: str,
        *,
        warrant: str = "none",
        actions: tuple[str, ...] = ("hold",),
        issuer: str = "ice",
        addressee: str = "doc",
    ) -> str:
        instrument_id = f"i{next(self.ids)}"
        when = at(issued)
        self.db.execute(
            insert(orm.instruments).values(
                id=instrument_id,
                case_id=case_id,
                position=1,
                kind=kind,
                actions=list(actions),
                warrant=warrant,
                issuer_agency_id=issuer,
                addressee_agency_id=addressee,
                parent_id=None,
                status="issued",
                created_at=when,
                issued_at=when,
                due_at=None,
                due=None,
                reference="",
                version=1,
                produce_to=[issuer],
                issuer_status="issued",
                issuer_due_at=None,
            )
        )
        self.event(instrument_id, case_id, "issue", issued, None, "issued")
        return instrument_id

    def answer(
        self,
        instrument_id: str,
        case_id: str,
        outcome: str,
        when: str,
        *,
        performed: tuple[str, ...] = (),
        rule: str | None = None,
        first_action: str = "hold",
        override: bool = False,
    ) -> None:
        evaluation: dict[str, Any] | None = (
            {"pack": "us-ny-nyc-doc", "result": {"actions": {first_action: {"rule": rule}}}}
            if rule
            else None
        )
        self.db.execute(
            insert(orm.determinations).values(
                instrument_id=instrument_id,
                outcome=outcome,
                reason="Synthetic answer.",
                released_fields=[],
                determined_by="doc-legal",
                determined_at=at(when),
                evaluation=sealed_evaluation(
                    json.dumps(evaluation) if evaluation else None, instrument_id, DEVELOPMENT
                ),
                deciding_rule=deciding_rule(evaluation, self._actions(instrument_id)),
                actions_performed=list(performed),
                override={"reason": "Synthetic override reason."} if override else None,
            )
        )
        self.event(instrument_id, case_id, "determine", when, "acknowledged", outcome)

    def _actions(self, instrument_id: str) -> tuple[str, ...]:
        table = orm.instruments
        found = self.db.scalar(select(table.c.actions).where(table.c.id == instrument_id))
        return tuple(found or ())

    def event(
        self,
        instrument_id: str,
        case_id: str,
        transition: str,
        when: str,
        source: str | None,
        target: str,
    ) -> None:
        self.db.execute(
            insert(orm.instrument_events).values(
                instrument_id=instrument_id,
                case_id=case_id,
                transition=transition,
                from_status=source,
                to_status=target,
                actor="system",
                at=at(when),
                reason="",
                changes={},
            )
        )


def build_ladder(db: Connection) -> Ladder:
    """The record the expected figures are counted from (all instruments to ``doc``)."""
    seed_agencies(db)
    ladder = Ladder(db)
    p1, p2, p3, p4, p5, p6, p7, p8 = (ladder.person() for _ in range(8))
    hold = "NYC-DOC-HOLD-01"
    info = "NYC-DOC-INFO-01"
    # D1: a judicial warrant, held and transferred (48 hours to answer).
    c1 = ladder.case(p1)
    d1 = ladder.instrument(c1, "detainer", "2020-01-10 15", warrant="judicial")
    ladder.answer(d1, c1, "complied", "2020-01-12 15", performed=("hold", "transfer"), rule=hold)
    # D2, D3, D4: administrative warrants, declined; D3 and D4 are the same person; D3 escalated.
    c2 = ladder.case(p2)
    d2 = ladder.instrument(c2, "detainer", "2020-01-11 14", warrant="administrative")
    ladder.answer(d2, c2, "declined", "2020-01-11 16", rule=hold)
    c3 = ladder.case(p3)
    d3 = ladder.instrument(c3, "detainer", "2020-02-01 15", warrant="administrative")
    ladder.answer(d3, c3, "declined", "2020-02-03 15", rule=hold)
    ladder.event(d3, c3, "escalate", "2020-02-10 15", "declined", "escalated")
    d4 = ladder.instrument(c3, "detainer", "2020-02-05 15", warrant="administrative")
    ladder.answer(d4, c3, "declined", "2020-02-06 15", rule=hold)
    # The subpoena that followed D3, and the court's ruling on the petition to enforce it.
    ladder.instrument(
        c3, "administrative_subpoena", "2020-02-15 15", actions=("disclose:release_date",)
    )
    petition = ladder.instrument(
        c3, "enforcement_petition", "2020-03-01 15", issuer="usao", addressee="court"
    )
    ladder.answer(petition, c3, "granted", "2020-03-20 15")
    # D5: lapsed unanswered.
    c4 = ladder.case(p4)
    d5 = ladder.instrument(c4, "detainer", "2020-03-01 15")
    ladder.event(d5, c4, "lapse", "2020-03-05 15", "issued", "lapsed")
    # R1: an information request complied with by override; R2 partly; R3 declined.
    c5 = ladder.case(p5)
    r1 = ladder.instrument(
        c5, "information_request", "2020-01-20 15", actions=("disclose:release_date",)
    )
    ladder.answer(
        r1,
        c5,
        "complied",
        "2020-01-21 15",
        performed=("disclose:release_date",),
        rule=info,
        first_action="disclose:release_date",
        override=True,
    )
    c6 = ladder.case(p6)
    r2 = ladder.instrument(c6, "notification_request", "2020-01-22 15", actions=("notify_release",))
    ladder.answer(r2, c6, "partially_complied", "2020-01-25 15", performed=("notify_release",))
    c7 = ladder.case(p7)
    r3 = ladder.instrument(
        c7, "information_request", "2020-03-10 15", actions=("disclose:court_dates",)
    )
    ladder.answer(
        r3, c7, "declined", "2020-03-11 15", rule=info, first_action="disclose:court_dates"
    )
    # D6: from another field office, still open.
    c8 = ladder.case(p8, requester="ice2")
    ladder.instrument(c8, "detainer", "2020-03-15 15", warrant="administrative", issuer="ice2")
    # Before the periods: a detainer of May 2019 (FY2019), declined.
    old = ladder.instrument(c2, "detainer", "2019-05-01 15", warrant="administrative")
    ladder.answer(old, c2, "declined", "2019-05-02 15", rule=hold)
    return ladder


def publish(
    desk: Desk, engine: Engine, report_id: str, agency: str, period: str, admin: str
) -> str:
    """Compute a report as the read side does and publish it as ``admin``; its id."""
    with engine.connect() as db:
        definition, profile, parsed = report_request(db, load_reports(), report_id, agency, period)
        report = compute_report(db, definition, profile, parsed)
    return transparency.publish_report(desk, transparency.PublishReport(admin, report.to_json())).id
