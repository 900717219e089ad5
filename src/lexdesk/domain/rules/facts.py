"""The facts of one request as flat attributes, the form the compiled conditions read, plus a
memo of the costly derived values (conviction and charge look-ups) shared by every rule and
action of one evaluation. ``for_action`` gives the view of one requested action: whether the
information it discloses is already public depends on which field it asks for."""

from __future__ import annotations

from operator import attrgetter
from typing import TYPE_CHECKING

from lexdesk.domain.rules.request import PERSON_FLAGS, Charge, Conviction
from lexdesk.domain.vocabulary import DISCLOSE_PREFIX

if TYPE_CHECKING:
    from datetime import date

    from lexdesk.domain.rules.request import EvaluationRequest

_read_flags = attrgetter(*PERSON_FLAGS)

#: The field an action discloses: a release notification gives the release date.
ACTION_FIELDS = {"notify_release": "release_date"}


def disclosed_field(action: str) -> str | None:
    if action.startswith(DISCLOSE_PREFIX):
        return action[len(DISCLOSE_PREFIX) :]
    return ACTION_FIELDS.get(action)


class Facts:
    """Plain attributes in an instance dictionary: a hypothetical copy (``missing`` makes
    several per evaluation) is one dictionary copy."""

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
    parent: Facts | None
    added: Conviction | Charge | None
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
        values = dict(zip(PERSON_FLAGS, _read_flags(person), strict=True))
        values.update(
            as_of=request.as_of,
            # A StrEnum's str() is its value: a plain string, as the conditions compare.
            warrant=str(request.instrument.warrant),
            issuer=request.instrument.issuer,
            arrested_on=person.arrested_on,
            convictions=person.convictions,
            pending_charges=person.pending_charges,
            public_fields=person.public_information,
            field=None,
            field_public=False,
            memo={},
            parent=None,
            added=None,
        )
        self.__dict__ = values

    def _clone(self) -> Facts:
        other = Facts.__new__(Facts)
        other.__dict__ = self.__dict__.copy()
        return other

    def for_action(self, action: str) -> Facts:
        """The facts as one action sees them; the memo is shared (no look-up depends on it)."""
        field = disclosed_field(action)
        if field == self.field:
            # The same view: a physical action on facts that disclose nothing sees them as
            # they are (no field, nothing public about it), as does a second disclosure of
            # the same field.
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
        """A hypothetical copy with one more conviction or charge; look-ups start afresh,
        but may build on this one's (``parent``): the records it had, plus ``added``."""
        other = self._clone()
        if isinstance(record, Conviction):
            other.convictions = (*self.convictions, record)
        else:
            other.pending_charges = (*self.pending_charges, record)
        other.memo = {}
        other.parent, other.added = self, record
        return other

    @property
    def anchor(self) -> date:
        """The day look-back windows run back from: the arrest, else the evaluation date."""
        return self.arrested_on or self.as_of
