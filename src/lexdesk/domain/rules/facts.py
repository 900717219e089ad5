"""The facts of one request as flat attributes, the form the compiled conditions read, plus a
memo of the costly derived values (conviction and charge look-ups) shared by every rule and
action of one evaluation. ``for_action`` gives the view of one requested action: whether the
information it discloses is already public depends on which field it asks for."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lexdesk.domain.rules.request import PERSON_FLAGS, Charge, Conviction
from lexdesk.domain.vocabulary import DISCLOSE_PREFIX

if TYPE_CHECKING:
    from datetime import date

    from lexdesk.domain.rules.request import EvaluationRequest

#: The field an action discloses: a release notification gives the release date.
ACTION_FIELDS = {"notify_release": "release_date"}


def disclosed_field(action: str) -> str | None:
    if action.startswith(DISCLOSE_PREFIX):
        return action[len(DISCLOSE_PREFIX) :]
    return ACTION_FIELDS.get(action)


class Facts:
    __slots__ = (
        "aggravated_felony_conviction",
        "arrested_on",
        "as_of",
        "convictions",
        "federal_felony_warrant",
        "field",
        "field_public",
        "final_removal_order",
        "illegal_reentry",
        "issuer",
        "memo",
        "outstanding_criminal_warrant",
        "pending_charges",
        "prior_removal",
        "proof_of_status",
        "public_fields",
        "sex_arson_registrant",
        "tsdb_match",
        "warrant",
    )

    as_of: date
    arrested_on: date | None
    convictions: tuple[Conviction, ...]
    pending_charges: tuple[Charge, ...]
    public_fields: frozenset[str]
    field: str | None
    field_public: bool
    warrant: str
    issuer: str
    memo: dict[object, bool]
    tsdb_match: bool
    prior_removal: bool
    illegal_reentry: bool
    proof_of_status: bool
    final_removal_order: bool
    outstanding_criminal_warrant: bool
    sex_arson_registrant: bool
    aggravated_felony_conviction: bool
    federal_felony_warrant: bool

    def __init__(self, request: EvaluationRequest) -> None:
        person = request.person
        self.as_of = request.as_of
        self.warrant = request.instrument.warrant.value
        self.issuer = request.instrument.issuer
        for flag in PERSON_FLAGS:
            setattr(self, flag, getattr(person, flag))
        self.arrested_on = person.arrested_on
        self.convictions = person.convictions
        self.pending_charges = person.pending_charges
        self.public_fields = person.public_information
        self.field = None
        self.field_public = False
        self.memo = {}

    def _clone(self) -> Facts:
        other = Facts.__new__(Facts)
        for name in Facts.__slots__:
            setattr(other, name, getattr(self, name))
        return other

    def for_action(self, action: str) -> Facts:
        """The facts as one action sees them; the memo is shared (no look-up depends on it)."""
        field = disclosed_field(action)
        if field == self.field and self.field is not None:
            return self
        other = self._clone()
        other.field = field
        other.field_public = field is not None and field in self.public_fields
        return other

    def changed(self, attribute: str, value: object) -> Facts:
        """A hypothetical copy with one fact changed; it shares the memo, which holds only
        conviction and charge look-ups that such a change cannot affect."""
        other = self._clone()
        setattr(other, attribute, value)
        return other

    def with_record(self, record: Conviction | Charge) -> Facts:
        """A hypothetical copy with one more conviction or charge; look-ups start afresh."""
        other = self._clone()
        if isinstance(record, Conviction):
            other.convictions = (*self.convictions, record)
        else:
            other.pending_charges = (*self.pending_charges, record)
        other.memo = {}
        return other

    @property
    def anchor(self) -> date:
        """The day look-back windows run back from: the arrest, else the evaluation date."""
        return self.arrested_on or self.as_of
