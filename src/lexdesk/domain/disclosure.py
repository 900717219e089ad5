"""The disclosure ledger: every release of facts about a person, as a recorded fact.

A release is made by a custodial agency's answer to an instrument addressed to it. It records
what was released as it stood then (a snapshot, never a live read of the record), by whom, to
which agencies (the instrument's ``produce_to``), when, for which instrument, and on which
legal basis: the determination, the rule and citation that let each field go, and whether an
override was needed. Nothing else releases anything: a court's ruling on a petition orders a
production and releases nothing by itself.

What each agency may learn is decided from this ledger by ``domain.visibility``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from lexdesk.domain.instruments import Determination, Instrument
from lexdesk.domain.persons import Person
from lexdesk.domain.vocabulary import CUSTODIAN_ADDRESSED_KINDS, DISCLOSE_PREFIX

#: What a physical action tells its recipient when it is performed: to hold a person for
#: pick-up, to notify of a release or to transfer at release, the custodian gives the time of
#: the release. Performing one of them releases the release date.
ACTION_REVEALS: dict[str, tuple[str, ...]] = {
    "hold": ("release_date",),
    "notify_release": ("release_date",),
    "transfer": ("release_date",),
}


@dataclass(frozen=True)
class Release:
    """One release of fields about one person to one or more agencies."""

    id: str
    person_id: str
    case_id: str
    instrument_id: str
    custodian_agency_id: str
    released_by: str
    recipients: tuple[str, ...]
    at: datetime
    #: field -> the value as it stood when released (JSON-ready)
    fields: dict[str, Any]
    #: determination, outcome, pack and version, and the rule and citation per field
    basis: dict[str, Any] = field(default_factory=dict)

    def reaches(self, agency_id: str) -> bool:
        return agency_id in self.recipients


def field_value(person: Person, name: str) -> Any:
    """The current value of a disclosable field, as JSON-ready data (None if not on record)."""
    custody = person.current_custody() or (person.custodies[-1] if person.custodies else None)
    match name:
        case "release_date":
            due = custody.expected_release_at if custody else None
            return due.isoformat() if due else None
        case "custody_status":
            return custody.status.value if custody else None
        case "date_of_birth":
            return person.date_of_birth.isoformat() if person.date_of_birth else None
        case "place_of_birth":
            return person.place_of_birth or None
        case "citizenship_status":
            return person.citizenship or None
        case "criminal_history":
            return [
                {
                    "offense": c.offense,
                    "offense_class": c.offense_class,
                    "convicted_on": c.convicted_on.isoformat(),
                    "sentence": c.sentence,
                    "released_on": c.released_on.isoformat() if c.released_on else None,
                }
                for c in person.convictions
            ]
        case _:
            return person.record.get(name)


def released_by_answer(determination: Determination) -> dict[str, str]:
    """The fields an answer releases, each with the action that releases it."""
    found: dict[str, str] = {}
    for action in determination.actions_performed:
        if action.startswith(DISCLOSE_PREFIX):
            found.setdefault(action[len(DISCLOSE_PREFIX) :], action)
        for name in ACTION_REVEALS.get(action, ()):
            found.setdefault(name, action)
    return found


def release_for(
    new_id: str, instrument: Instrument, person: Person, custodian_agency_id: str
) -> Release | None:
    """The ledger entry for the answer just recorded on ``instrument``, or None when it
    releases nothing (a refusal; a ruling; an answer by an agency that holds no one)."""
    det = instrument.determination
    if det is None or instrument.kind not in CUSTODIAN_ADDRESSED_KINDS:
        return None
    if instrument.addressee_agency_id != custodian_agency_id or not instrument.produce_to:
        return None
    by_action = released_by_answer(det)
    if not by_action:
        return None
    evaluated = det.evaluated_actions
    rules = {
        name: {
            "action": action,
            "rule": (evaluated.get(action) or {}).get("rule"),
            "citation": (evaluated.get(action) or {}).get("citation"),
        }
        for name, action in by_action.items()
    }
    evaluation = det.evaluation or {}
    return Release(
        id=new_id,
        person_id=person.id,
        case_id=instrument.case_id,
        instrument_id=instrument.id,
        custodian_agency_id=custodian_agency_id,
        released_by=det.determined_by,
        recipients=instrument.produce_to,
        at=det.determined_at,
        fields={name: field_value(person, name) for name in by_action},
        basis={
            "instrument": instrument.id,
            "kind": instrument.kind.value,
            "outcome": det.outcome.value,
            "pack": evaluation.get("pack"),
            "pack_version": evaluation.get("pack_version"),
            "rules": rules,
            "override": det.override is not None,
        },
    )
