"""The issue and escalate forms: what they offer, and their values checked field by field so
that each message stands beside its field before any service is called."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from lexdesk.domain.agencies import Agency
from lexdesk.domain.deadlines import DeadlinePolicy
from lexdesk.domain.instruments import Instrument
from lexdesk.domain.lifecycle import Rung
from lexdesk.domain.vocabulary import (
    ALL_ACTIONS,
    DISCLOSE_PREFIX,
    REQUEST_KINDS,
    AgencyKind,
    InstrumentKind,
    Warrant,
)
from lexdesk.entrypoints.web.pages import Posted, words
from lexdesk.services import instruments as verbs
from lexdesk.services.context import Desk

KIND_CHOICES = [(k.value, words(k.value)) for k in sorted(REQUEST_KINDS)]
ACTION_CHOICES = [(a, words(a)) for a in ALL_ACTIONS]
DISCLOSURE_CHOICES = [(a, words(a)) for a in ALL_ACTIONS if a.startswith(DISCLOSE_PREFIX)]
WARRANT_CHOICES = [(w.value, words(w.value)) for w in Warrant]
#: Kinds whose due date is a return or compliance date set by the one who issues them.
DATED = frozenset({InstrumentKind.ADMINISTRATIVE_SUBPOENA, InstrumentKind.COURT_ORDER})
#: The form fields carried, unchanged, from the form to its confirmation page.
ISSUE_FIELDS = ("kind", "addressee", "person", "warrant", "reference", "reason")
ESCALATE_FIELDS = ("addressee", "return_date", "reference", "reason")
#: Which field a refusal from the service belongs beside, by what it speaks of.
_FIELD_WORDS = (
    ("return_date", ("return date", "compliance date")),
    ("actions", ("disclose", "goes beyond", "records only", "asks for no records")),
    ("addressee", ("agency",)),
)


@dataclass(frozen=True)
class Checked:
    values: dict[str, str]
    actions: tuple[str, ...]
    errors: dict[str, str]

    def failed(self, field: str, message: str) -> Checked:
        return Checked(self.values, self.actions, {field: message})


def field_of(error: Exception) -> str:
    """The form field a service's refusal is about, or "general"."""
    text = str(error)
    for name, words_of in _FIELD_WORDS:
        if any(word in text for word in words_of):
            return name
    return "general"


def addressee_for(desk: Desk, parent: Instrument, rung: Rung, named: str) -> Agency | None:
    with desk.uow() as uow:
        if rung.next_addressee is AgencyKind.CUSTODIAL:
            case = uow.cases.of_instrument(parent.id)
            return uow.agencies.get(case.custodial_agency_id) if case else None
        return uow.agencies.get(named) if named else None


def issue_command(actor: str, checked: Checked, source: str) -> verbs.IssueInstrument:
    v = checked.values
    return verbs.IssueInstrument(
        actor, v["kind"], v["addressee"], v["person"], checked.actions, v["warrant"],
        None, v["reference"], v["reason"], source,
    )  # fmt: skip


def escalate_command(
    actor: str,
    parent: Instrument,
    seen_version: int,
    checked: Checked,
    addressee: Agency | None,
    source: str,
) -> verbs.Escalate:
    """The escalation as confirmed; refused if the parent moved on since the escalating
    agency last saw it (``seen_version``: the version as that agency sees it)."""
    v = checked.values
    due = return_moment(v["return_date"], addressee) if v["return_date"] and addressee else None
    produce_to = tuple(a for a in v.get("produce_to", "").split(",") if a)
    return verbs.Escalate(
        actor, parent.id, v["reason"], v["addressee"] or None, checked.actions, due,
        v["reference"], seen_version, source, produce_to,
    )  # fmt: skip


def choices(agencies: list[Agency], kind: AgencyKind) -> list[tuple[str, str]]:
    return [(a.id, a.name) for a in agencies if a.kind is kind]


def check_issue(sent: Posted) -> Checked:
    values = {name: sent.get(name) for name in ISSUE_FIELDS}
    actions, errors = sent.all("actions"), {}
    if values["kind"] not in {k.value for k in REQUEST_KINDS}:
        errors["kind"] = "Choose the kind of request."
    if not values["addressee"]:
        errors["addressee"] = "Choose the custodial agency that holds the person."
    if ":" not in values["person"] or not values["person"].split(":", 1)[1]:
        errors["person"] = "Identify the person as scheme:value, for example nysid:12345678A."
    if not actions:
        errors["actions"] = "Choose at least one action."
    if values["warrant"] not in {w.value for w in Warrant}:
        errors["warrant"] = "Say which warrant comes with the request."
    return Checked(values, actions, errors)


def check_escalation(sent: Posted, rung: Rung, addressee: Agency | None) -> Checked:
    values = {name: sent.get(name) for name in ESCALATE_FIELDS}
    chosen = sent.all("produce_to") or tuple(a for a in sent.get("produce_to").split(",") if a)
    values["produce_to"] = ",".join(chosen)
    actions, errors = sent.all("actions"), {}
    if rung.next_addressee is not AgencyKind.CUSTODIAL and not values["addressee"]:
        errors["addressee"] = f"Choose the {words(rung.next_addressee.value)} agency."
    if rung.target in DATED and not values["return_date"]:
        errors["return_date"] = "Give the date by which the records are due."
    elif (
        values["return_date"]
        and addressee
        and return_moment(values["return_date"], addressee) is None
    ):
        errors["return_date"] = "Write the date as YYYY-MM-DD."
    if not values["reason"]:
        errors["reason"] = "Say why: it is kept with the event forever."
    return Checked(values, actions, errors)


def return_moment(day: str, addressee: Agency) -> datetime | None:
    """A return date means 5 p.m. on that day where the addressee is (its business hours)."""
    try:
        chosen = date.fromisoformat(day)
    except ValueError:
        return None
    zone = ZoneInfo(DeadlinePolicy.from_json(addressee.deadline_policy).timezone)
    return datetime.combine(chosen, time(17), tzinfo=zone)
