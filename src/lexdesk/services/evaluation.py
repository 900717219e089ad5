"""The rule evaluation a determination rests on, and the refusal of a prohibited release."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from lexdesk.domain.agencies import Agency
from lexdesk.domain.deadlines import DeadlinePolicy
from lexdesk.domain.errors import DisclosureRefused
from lexdesk.domain.instruments import Instrument
from lexdesk.domain.persons import ChargeStatus, Person
from lexdesk.domain.rules.request import PERSON_FLAGS
from lexdesk.domain.vocabulary import CUSTODIAN_ADDRESSED_KINDS, AgencyKind
from lexdesk.services.ports import RuleBook


def rule_document(pack: str, instrument: Instrument, person: Person, as_of: str) -> dict[str, Any]:
    """The request in the shape ``lexdesk rules evaluate`` reads, built from the record."""
    custody = person.current_custody() or (person.custodies[-1] if person.custodies else None)
    facts: dict[str, Any] = {name: bool(person.facts.get(name, False)) for name in PERSON_FLAGS}
    if custody:
        facts["arrested_on"] = custody.arrested_on.isoformat()
        facts["pending_charges"] = [
            {"offense": c.offense, "date": c.charged_on.isoformat()}
            for c in custody.charges
            if c.status is ChargeStatus.PENDING
        ]
    facts["convictions"] = [
        {"offense": c.offense, "date": c.convicted_on.isoformat()}
        | ({"released_on": c.released_on.isoformat()} if c.released_on else {})
        for c in person.convictions
    ]
    return {
        "pack": pack,
        "as_of": as_of,
        "instrument": {
            "kind": instrument.kind.value,
            "warrant": instrument.warrant.value,
            "actions": list(instrument.actions),
        },
        "person": facts,
    }


def evaluate_for_determination(
    rules: RuleBook,
    addressee: Agency,
    instrument: Instrument,
    person: Person,
    released: tuple[str, ...],
    now: datetime,
) -> dict[str, Any] | None:
    """Evaluate the addressee's law for this instrument; refuse a release it prohibits.

    Only a custodial agency answering an instrument addressed to it is governed by a pack;
    a U.S. Attorney or a court decides under no pack and gets no evaluation."""
    governed = (
        addressee.kind is AgencyKind.CUSTODIAL and instrument.kind in CUSTODIAN_ADDRESSED_KINDS
    )
    if not governed or not addressee.rule_pack:
        return None
    policy = DeadlinePolicy.from_json(addressee.deadline_policy)
    as_of = now.astimezone(ZoneInfo(policy.timezone)).date().isoformat()
    decision = rules.decide(rule_document(addressee.rule_pack, instrument, person, as_of))
    refused = [f for f in released if decision.statuses.get(f"disclose:{f}") == "prohibited"]
    if refused:
        raise DisclosureRefused(
            f"{addressee.rule_pack} prohibits releasing {', '.join(refused)} on {as_of}: "
            "release only fields the evaluation permits or requires"
        )
    return decision.record
