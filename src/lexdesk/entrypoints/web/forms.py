"""The issue and escalate forms: what they offer, and their values checked field by field so
that each message stands beside its field before any service is called."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from lexdesk.domain.agencies import Agency
from lexdesk.domain.deadlines import ISSUER_DATE_HORIZON, DeadlinePolicy
from lexdesk.domain.instruments import Instrument
from lexdesk.domain.lifecycle import Rung
from lexdesk.domain.limits import PERSON_KEY_MAX, REASON_MAX, REFERENCE_MAX
from lexdesk.domain.persons import IdentifierScheme
from lexdesk.domain.vocabulary import (
    ALL_ACTIONS,
    DISCLOSE_PREFIX,
    REQUEST_KINDS,
    AgencyKind,
    InstrumentKind,
    Warrant,
)
from lexdesk.entrypoints.web.pages import FormValues, words
from lexdesk.services import instruments as verbs
from lexdesk.services.context import Desk

KIND_CHOICES = [(k.value, words(k.value)) for k in sorted(REQUEST_KINDS)]
ACTION_CHOICES = [(a, words(a)) for a in ALL_ACTIONS]
DISCLOSURE_CHOICES = [(a, words(a)) for a in ALL_ACTIONS if a.startswith(DISCLOSE_PREFIX)]
IDENTIFIER_SCHEMES = frozenset(s.value for s in IdentifierScheme)
WARRANT_CHOICES = [(w.value, words(w.value)) for w in Warrant]
#: Kinds whose due date is a return or compliance date set by the one who issues them.
DATED = frozenset({InstrumentKind.ADMINISTRATIVE_SUBPOENA, InstrumentKind.COURT_ORDER})
#: The form fields carried, unchanged, from the form to its confirmation page.
ISSUE_FIELDS = ("kind", "addressee", "person", "warrant", "reference", "reason")
ESCALATE_FIELDS = ("addressee", "return_date", "reference", "reason")
#: The longest value each field takes: the services' limits, and the inputs' ``maxlength``.
LIMITS = {
    "person": PERSON_KEY_MAX,
    "reference": REFERENCE_MAX,
    "reason": REASON_MAX,
    "override_reason": REASON_MAX,
}
#: Which field a refusal from the service belongs beside, by what it speaks of.
_FIELD_WORDS = (
    ("return_date", ("return date", "compliance date")),
    ("actions", ("disclose", "goes beyond", "records only", "asks for no records")),
    ("reference", ("form or file number", "docket number")),
    ("person", ("person's identifier", "identifier scheme", "no such person")),
    ("reason", ("the reason", "the note", "needs a reason")),
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
        found = uow.agencies.get(named) if named else None
        # An agency of another kind is no addressee here: the form asks again.
        return found if found and found.kind is rung.next_addressee else None


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


def too_long(values: dict[str, str]) -> dict[str, str]:
    """A message for each field longer than the service takes."""
    return {
        name: f"This is {len(values[name])} characters long: shorten it to {limit} or fewer."
        for name, limit in LIMITS.items()
        if len(values.get(name, "")) > limit
    }


def check_issue(sent: FormValues, custodians: list[tuple[str, str]]) -> Checked:
    """Every field at once; what only the service can know (whether the custodian's records
    know the person) follows on the review step, beside its field."""
    values = {name: sent.get(name) for name in ISSUE_FIELDS}
    actions, errors = sent.all("actions"), too_long(values)
    if values["kind"] not in {k.value for k in REQUEST_KINDS}:
        errors["kind"] = "Choose the kind of request."
    if values["addressee"] not in {code for code, _ in custodians}:
        errors["addressee"] = "Choose the custodial agency that holds the person."
    scheme, _, value = values["person"].partition(":")
    if "person" not in errors and (not value or scheme not in IDENTIFIER_SCHEMES):
        errors["person"] = (
            "Identify the person as scheme:value, for example nysid:12345678A; the schemes are "
            + ", ".join(sorted(IDENTIFIER_SCHEMES))
            + "."
        )
    if not actions:
        errors["actions"] = "Choose at least one action."
    elif not set(actions) <= {a for a, _ in ACTION_CHOICES}:
        errors["actions"] = "Choose actions from the list."
    if values["warrant"] not in {w.value for w in Warrant}:
        errors["warrant"] = "Say which warrant comes with the request."
    return Checked(values, actions, errors)


def check_escalation(
    sent: FormValues, rung: Rung, addressee: Agency | None, now: datetime
) -> Checked:
    values = {name: sent.get(name) for name in ESCALATE_FIELDS}
    chosen = sent.all("produce_to") or tuple(a for a in sent.get("produce_to").split(",") if a)
    values["produce_to"] = ",".join(chosen)
    actions, errors = sent.all("actions"), too_long(values)
    if rung.next_addressee is not AgencyKind.CUSTODIAL and addressee is None:
        errors["addressee"] = f"Choose the {words(rung.next_addressee.value)} agency."
    if rung.target in DATED:
        problem = _date_problem(values["return_date"], addressee, now)
        if problem:
            errors["return_date"] = problem
    if not values["reason"]:
        errors["reason"] = "Say why: it is kept with the event forever."
    return Checked(values, actions, errors)


def check_reason(sent: FormValues) -> Checked:
    """A withdrawal's form: its reason, required and within the limit."""
    values = {"reason": sent.get("reason")}
    errors = too_long(values)
    if not values["reason"]:
        errors["reason"] = "Say why it is withdrawn: the reason is kept with the event forever."
    return Checked(values, (), errors)


def _date_problem(day: str, addressee: Agency | None, now: datetime) -> str:
    """What is wrong with a return or compliance date, in the addressee's own calendar."""
    if not day:
        return "Give the date by which the records are due."
    if addressee is None:
        return ""  # the addressee's own error says what to do first
    when = return_moment(day, addressee)
    if when is None:
        return "Write the date as YYYY-MM-DD, for example 2030-01-31."
    if when <= now:
        return f"{day} has passed where the addressee is: give a later date."
    if when > now + ISSUER_DATE_HORIZON:
        return f"{day} is more than two years away: check the year."
    return ""


def return_moment(day: str, addressee: Agency) -> datetime | None:
    """A return date means 5 p.m. on that day where the addressee is (its business hours)."""
    try:
        chosen = date.fromisoformat(day)
    except ValueError:
        return None
    zone = ZoneInfo(DeadlinePolicy.from_json(addressee.deadline_policy).timezone)
    return datetime.combine(chosen, time(17), tzinfo=zone)
