"""The rule evaluation a determination rests on: the addressee's law on the instrument, read
from the record as it stands (``domain.answers`` then says whether the answer agrees)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from lexdesk.domain.agencies import Agency
from lexdesk.domain.deadlines import DeadlinePolicy
from lexdesk.domain.errors import NotFound
from lexdesk.domain.instruments import Instrument
from lexdesk.domain.permissions import Permission
from lexdesk.domain.persons import ChargeStatus, Person, level_of
from lexdesk.domain.rules.request import PERSON_FLAGS
from lexdesk.domain.vocabulary import CUSTODIAN_ADDRESSED_KINDS, AgencyKind
from lexdesk.services import audit
from lexdesk.services.accounts import Principal
from lexdesk.services.authorization import authorize, may
from lexdesk.services.context import Desk, audit_actor
from lexdesk.services.ports import RuleBook


def rule_document(
    pack: str, instrument: Instrument, person: Person, as_of: str, issuer: str = "ice"
) -> dict[str, Any]:
    """The request in the shape ``lexdesk rules evaluate`` reads, built from the record;
    ``issuer`` is the issuing agency's component (ice, cbp, other)."""
    custody = person.current_custody() or (person.custodies[-1] if person.custodies else None)
    facts: dict[str, Any] = {name: bool(person.facts.get(name, False)) for name in PERSON_FLAGS}
    if custody:
        facts["arrested_on"] = custody.arrested_on.isoformat()
        facts["pending_charges"] = [
            {"offense": c.offense, "date": c.charged_on.isoformat()}
            | _level(c.offense_class)
            | ({"probable_cause_found": True} if c.probable_cause_found else {})
            for c in custody.charges
            if c.status is ChargeStatus.PENDING
        ]
    facts["convictions"] = [
        {"offense": c.offense, "date": c.convicted_on.isoformat()}
        | ({"released_on": c.released_on.isoformat()} if c.released_on else {})
        | _level(c.offense_class)
        | ({"youthful_offender": True} if c.youthful_offender else {})
        for c in person.convictions
    ]
    if person.public_information:
        facts["public_information"] = sorted(person.public_information)
    return {
        "pack": pack,
        "as_of": as_of,
        "instrument": {
            "kind": instrument.kind.value,
            "warrant": instrument.warrant.value,
            "actions": list(instrument.actions),
            "issuer": issuer,
        },
        "person": facts,
    }


def _level(offense_class: str) -> dict[str, str]:
    found = level_of(offense_class)
    return {"level": found} if found else {}


def evaluate_for_determination(
    rules: RuleBook,
    addressee: Agency,
    instrument: Instrument,
    person: Person,
    now: datetime,
    requester: Agency | None = None,
) -> dict[str, Any] | None:
    """Evaluate the addressee's law for this instrument on the addressee's today. The request's
    issuer is the component of the agency that started the chain (``requester``).

    Only a custodial agency answering an instrument addressed to it is governed by a pack;
    a U.S. Attorney or a court decides under no pack and gets no evaluation."""
    governed = (
        addressee.kind is AgencyKind.CUSTODIAL and instrument.kind in CUSTODIAN_ADDRESSED_KINDS
    )
    if not governed or not addressee.rule_pack:
        return None
    policy = DeadlinePolicy.from_json(addressee.deadline_policy)
    as_of = now.astimezone(ZoneInfo(policy.timezone)).date().isoformat()
    issuer = (requester.component if requester else None) or "ice"
    document = rule_document(addressee.rule_pack, instrument, person, as_of, issuer)
    return rules.decide(document).record


@dataclass(frozen=True)
class EvaluationNow:
    """The addressee's law on an instrument today: the engine's result, the pack, and the
    same in legal English (``domain.rules.english.Explanation.to_json``)."""

    result: dict[str, Any]
    pack: str
    pack_version: str
    explanation: dict[str, Any] | None


def evaluation_now(
    desk: Desk, reader: Principal, instrument_id: str, source: str
) -> EvaluationNow | None:
    """The addressee's law on an instrument today, as the determination would record it, for
    the addressee that must answer; None where no rule pack governs the answer (a U.S.
    Attorney, a court). Reading it reads the person's record: on record too."""
    authorize(reader, Permission.INSTRUMENT_DETERMINE)
    with desk.uow() as uow:
        case = uow.cases.of_instrument(instrument_id)
        if case is None:
            raise NotFound("instrument", instrument_id)
        instrument = case.instrument(instrument_id)
        if not may(reader, Permission.INSTRUMENT_DETERMINE, instrument):
            # Only the addressee that must answer reads it; to anyone else it is not there.
            raise NotFound("instrument", instrument_id)
        addressee = uow.agencies.get(instrument.addressee_agency_id)
        person = uow.persons.get(case.person_id)
        if addressee is None or person is None:
            raise NotFound("instrument", instrument_id)
        record = evaluate_for_determination(
            desk.rules, addressee, instrument, person, desk.clock.now()
        )
        if record is None:
            return None
        actor, behalf = audit_actor(desk, reader.username)
        audit.record(
            uow,
            actor=actor,
            agency=reader.agency_id,
            action="person.read",
            object_type="person",
            object_id=person.id,
            source=source,
            detail={"evaluation": instrument.id, **behalf},
        )
        uow.commit()
    return EvaluationNow(
        record["result"],
        str(record["pack"]),
        str(record.get("pack_version", "")),
        record.get("explanation"),
    )
