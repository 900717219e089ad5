"""The words of the process: kinds of instrument, the actions they ask for, warrants,
statuses and determination outcomes. Every other module speaks in these terms."""

from __future__ import annotations

from enum import StrEnum
from typing import TypeVar

from lexdesk.domain.errors import InvalidInput

E = TypeVar("E", bound=StrEnum)


class AgencyKind(StrEnum):
    IMMIGRATION = "immigration"
    CUSTODIAL = "custodial"
    PROSECUTOR = "prosecutor"
    COURT = "court"


class InstrumentKind(StrEnum):
    DETAINER = "detainer"
    NOTIFICATION_REQUEST = "notification_request"
    TRANSFER_REQUEST = "transfer_request"
    INFORMATION_REQUEST = "information_request"
    ADMINISTRATIVE_SUBPOENA = "administrative_subpoena"
    REFERRAL = "referral"
    ENFORCEMENT_PETITION = "enforcement_petition"
    COURT_ORDER = "court_order"


#: The first rung of the ladder: what an immigration agency files about a person in custody.
REQUEST_KINDS = frozenset(
    {
        InstrumentKind.DETAINER,
        InstrumentKind.NOTIFICATION_REQUEST,
        InstrumentKind.TRANSFER_REQUEST,
        InstrumentKind.INFORMATION_REQUEST,
    }
)

#: Requests about a person's stay in custody: they end (``moot``) when the person leaves it, and
#: their clock runs from the release.
CUSTODY_KINDS = frozenset(
    {
        InstrumentKind.DETAINER,
        InstrumentKind.NOTIFICATION_REQUEST,
        InstrumentKind.TRANSFER_REQUEST,
    }
)

#: Rungs above the first, which demand records (8 U.S.C. § 1225(d)(4)): a subpoena, its
#: referral, the petition to enforce it and the court's order carry ``disclose:*`` only.
RECORD_KINDS = frozenset(
    {
        InstrumentKind.ADMINISTRATIVE_SUBPOENA,
        InstrumentKind.REFERRAL,
        InstrumentKind.ENFORCEMENT_PETITION,
        InstrumentKind.COURT_ORDER,
    }
)

#: Kinds addressed to the custodial agency, whose answer its rule pack governs.
CUSTODIAN_ADDRESSED_KINDS = REQUEST_KINDS | {
    InstrumentKind.ADMINISTRATIVE_SUBPOENA,
    InstrumentKind.COURT_ORDER,
}


class Warrant(StrEnum):
    NONE = "none"
    ADMINISTRATIVE = "administrative"  # Form I-200 / I-205, signed by an immigration officer
    JUDICIAL = "judicial"  # signed by an Article III or magistrate judge


class InstrumentStatus(StrEnum):
    DRAFT = "draft"
    DISCARDED = "discarded"
    ISSUED = "issued"
    ACKNOWLEDGED = "acknowledged"
    COMPLIED = "complied"
    PARTIALLY_COMPLIED = "partially_complied"
    DECLINED = "declined"
    CONTESTED = "contested"
    GRANTED = "granted"
    GRANTED_NARROWED = "granted_narrowed"
    DENIED = "denied"
    LAPSED = "lapsed"
    WITHDRAWN = "withdrawn"
    ESCALATED = "escalated"
    #: The person left custody while the request was open (released, transferred): nothing is
    #: left to hold or to notify.
    MOOT = "moot"


class Outcome(StrEnum):
    """What the addressee answered. A court answers a petition; everyone else an instrument."""

    COMPLIED = "complied"
    PARTIALLY_COMPLIED = "partially_complied"
    DECLINED = "declined"
    CONTESTED = "contested"
    GRANTED = "granted"
    GRANTED_NARROWED = "granted_narrowed"
    DENIED = "denied"


PETITION_OUTCOMES = frozenset({Outcome.GRANTED, Outcome.GRANTED_NARROWED, Outcome.DENIED})
ANSWER_OUTCOMES = frozenset(
    {Outcome.COMPLIED, Outcome.PARTIALLY_COMPLIED, Outcome.DECLINED, Outcome.CONTESTED}
)

#: Statuses in which an instrument still waits for someone to act.
OPEN_STATUSES = frozenset({InstrumentStatus.ISSUED, InstrumentStatus.ACKNOWLEDGED})

#: Person fields that an instrument may ask to be disclosed (``disclose:<field>``).
DISCLOSABLE_FIELDS: tuple[str, ...] = (
    "release_date",
    "custody_status",
    "court_dates",
    "home_address",
    "work_address",
    "date_of_birth",
    "place_of_birth",
    "citizenship_status",
    "criminal_history",
    "bond_information",
    "identity_documents",
    "emergency_contacts",
)

PHYSICAL_ACTIONS: tuple[str, ...] = ("hold", "notify_release", "transfer")
DISCLOSE_PREFIX = "disclose:"
ALL_ACTIONS: tuple[str, ...] = PHYSICAL_ACTIONS + tuple(
    DISCLOSE_PREFIX + field for field in DISCLOSABLE_FIELDS
)


def parse_choice(choices: type[E], value: str, what: str) -> E:
    """One of an enumeration's values, or an error listing them all."""
    try:
        return choices(value)
    except ValueError:
        known = ", ".join(choice.value for choice in choices)
        raise InvalidInput(f"unknown {what} {value!r}: use one of {known}") from None


def parse_kind(value: str) -> InstrumentKind:
    return parse_choice(InstrumentKind, value, "instrument kind")


def parse_warrant(value: str) -> Warrant:
    return parse_choice(Warrant, value, "warrant")


def parse_outcome(value: str) -> Outcome:
    return parse_choice(Outcome, value, "determination")


def parse_action(value: str) -> str:
    """Validate one requested action: ``hold``, ``notify_release``, ``transfer`` or
    ``disclose:<field>`` with a field from :data:`DISCLOSABLE_FIELDS`."""
    if value in ALL_ACTIONS:
        return value
    if value.startswith(DISCLOSE_PREFIX):
        fields = ", ".join(DISCLOSABLE_FIELDS)
        asked = value[len(DISCLOSE_PREFIX) :]
        raise InvalidInput(f"cannot disclose {asked!r}: the fields are {fields}")
    raise InvalidInput(
        f"unknown action {value!r}: use hold, notify_release, transfer or disclose:<field>"
    )


def parse_actions(values: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    actions = tuple(dict.fromkeys(parse_action(v.strip()) for v in values if v.strip()))
    if not actions:
        raise InvalidInput("an instrument must ask for at least one action")
    return actions


def disclosed_field(action: str) -> str | None:
    """The person field an action discloses, or None for a physical action."""
    return action[len(DISCLOSE_PREFIX) :] if action.startswith(DISCLOSE_PREFIX) else None


def a_or_an(noun: str) -> str:
    """``noun`` with its indefinite article, as a sentence needs it: "an administrative
    subpoena", "a detainer". The vocabulary's words are spoken as spelled, so the first letter
    decides."""
    spoken = noun.replace("_", " ")
    return f"{'an' if spoken[:1].lower() in 'aeiou' else 'a'} {spoken}"
