"""What is evaluated: the pack, the date, the instrument and the facts about the person, read
strictly from the ``lexdesk rules evaluate`` JSON document; and :class:`Facts`, the flat form
the compiled conditions read."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from lexdesk.domain.errors import InvalidInput
from lexdesk.domain.vocabulary import InstrumentKind, Warrant, parse_actions, parse_kind
from lexdesk.domain.vocabulary import parse_warrant as _parse_warrant

PERSON_FLAGS = ("tsdb_match", "prior_removal", "illegal_reentry", "proof_of_status")


def normalise_offense(code: str) -> str:
    """``ny pl  160.15`` and ``NY PL 160.15`` name the same offense."""
    return " ".join(code.upper().split())


@dataclass(frozen=True, slots=True)
class Conviction:
    offense: str
    date: dt.date
    released_on: dt.date | None = None
    #: A look-back window starts at the later of conviction and release from its sentence.
    window_start: dt.date = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        start = self.date
        if self.released_on is not None and self.released_on > start:
            start = self.released_on
        object.__setattr__(self, "window_start", start)


@dataclass(frozen=True, slots=True)
class Charge:
    offense: str
    date: dt.date


@dataclass(frozen=True, slots=True)
class Person:
    arrested_on: date | None = None
    convictions: tuple[Conviction, ...] = ()
    pending_charges: tuple[Charge, ...] = ()
    tsdb_match: bool = False
    prior_removal: bool = False
    illegal_reentry: bool = False
    proof_of_status: bool = False


@dataclass(frozen=True, slots=True)
class Instrument:
    kind: InstrumentKind
    warrant: Warrant
    actions: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class EvaluationRequest:
    pack: str
    as_of: date
    instrument: Instrument
    person: Person

    @classmethod
    def from_json(cls, doc: object) -> EvaluationRequest:
        """Read the request strictly: an unknown field, a wrong type, an unknown kind, warrant
        or action is an InvalidInput with a one-line message naming the field."""
        fields = _fields(
            doc, "request", required=("pack", "as_of", "instrument"), optional=("person",)
        )
        return cls(
            pack=_text(fields["pack"], "pack"),
            as_of=_day(fields["as_of"], "as_of"),
            instrument=_instrument(fields["instrument"]),
            person=_person(fields.get("person", {})),
        )

    def to_json(self) -> dict[str, Any]:
        person = self.person
        out: dict[str, Any] = {flag: getattr(person, flag) for flag in PERSON_FLAGS}
        if person.arrested_on is not None:
            out["arrested_on"] = person.arrested_on.isoformat()
        out["convictions"] = [_conviction_json(c) for c in person.convictions]
        out["pending_charges"] = [
            {"offense": c.offense, "date": c.date.isoformat()} for c in person.pending_charges
        ]
        return {
            "pack": self.pack,
            "as_of": self.as_of.isoformat(),
            "instrument": {
                "kind": self.instrument.kind.value,
                "warrant": self.instrument.warrant.value,
                "actions": list(self.instrument.actions),
            },
            "person": out,
        }

    def facts(self) -> Facts:
        return Facts(self)


class Facts:
    """The facts as flat attributes, plus a memo of costly derived values (the conviction
    look-ups) shared by every rule and action of one evaluation."""

    __slots__ = (
        "arrested_on",
        "as_of",
        "convictions",
        "illegal_reentry",
        "memo",
        "pending_charges",
        "prior_removal",
        "proof_of_status",
        "tsdb_match",
        "warrant",
    )

    def __init__(self, request: EvaluationRequest) -> None:
        person = request.person
        self.as_of = request.as_of
        self.warrant: str = request.instrument.warrant.value
        self.tsdb_match = person.tsdb_match
        self.prior_removal = person.prior_removal
        self.illegal_reentry = person.illegal_reentry
        self.proof_of_status = person.proof_of_status
        self.arrested_on = person.arrested_on
        self.convictions = person.convictions
        self.pending_charges = person.pending_charges
        self.memo: dict[object, bool] = {}

    def _clone(self) -> Facts:
        # Written out rather than copy.copy: ``missing`` clones on the hot path.
        other = Facts.__new__(Facts)
        other.as_of, other.warrant, other.arrested_on = self.as_of, self.warrant, self.arrested_on
        other.tsdb_match, other.prior_removal = self.tsdb_match, self.prior_removal
        other.illegal_reentry, other.proof_of_status = self.illegal_reentry, self.proof_of_status
        other.convictions, other.pending_charges = self.convictions, self.pending_charges
        other.memo = self.memo
        return other

    def changed(self, attribute: str, value: object) -> Facts:
        """A hypothetical copy with one fact changed; it shares the memo, which holds only
        conviction and charge look-ups that such a change cannot affect."""
        other = self._clone()
        setattr(other, attribute, value)
        return other

    def assuming(self, memo_overrides: dict[object, bool]) -> Facts:
        """A hypothetical copy in which some conviction or charge look-ups hold."""
        other = self._clone()
        other.memo = self.memo | memo_overrides
        return other


def _conviction_json(conviction: Conviction) -> dict[str, str]:
    out = {"offense": conviction.offense, "date": conviction.date.isoformat()}
    if conviction.released_on is not None:
        out["released_on"] = conviction.released_on.isoformat()
    return out


def _fields(
    value: object, where: str, required: tuple[str, ...], optional: tuple[str, ...] = ()
) -> dict[str, object]:
    if not isinstance(value, dict):
        raise InvalidInput(f"{where} must be a JSON object")
    for key in value:
        if key not in required and key not in optional:
            known = ", ".join((*required, *optional))
            raise InvalidInput(f"unknown field {where}.{key}: the fields are {known}")
    for key in required:
        if key not in value:
            raise InvalidInput(f"missing field {where}.{key}")
    return value


def _text(value: object, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(f"{where} must be non-empty text")
    return value.strip()


def _day(value: object, where: str) -> date:
    if not isinstance(value, str):
        raise InvalidInput(f"{where} must be a date written YYYY-MM-DD")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"{where} must be a date written YYYY-MM-DD, not {value!r}") from None


def _flag(value: object, where: str) -> bool:
    if not isinstance(value, bool):
        raise InvalidInput(f"{where} must be true or false")
    return value


def _instrument(value: object) -> Instrument:
    fields = _fields(value, "instrument", required=("kind", "actions"), optional=("warrant",))
    actions = fields["actions"]
    if not isinstance(actions, list) or not all(isinstance(a, str) for a in actions):
        raise InvalidInput("instrument.actions must be a list of action names")
    return Instrument(
        kind=parse_kind(_text(fields["kind"], "instrument.kind")),
        warrant=_parse_warrant(_text(fields.get("warrant", "none"), "instrument.warrant")),
        actions=parse_actions(actions),
    )


def _person(value: object) -> Person:
    optional = ("arrested_on", "convictions", "pending_charges", *PERSON_FLAGS)
    fields = _fields(value, "person", required=(), optional=optional)
    flags = {flag: _flag(fields.get(flag, False), f"person.{flag}") for flag in PERSON_FLAGS}
    arrested = fields.get("arrested_on")
    return Person(
        arrested_on=None if arrested is None else _day(arrested, "person.arrested_on"),
        convictions=tuple(
            _conviction(item, f"person.convictions[{i}]")
            for i, item in enumerate(_list(fields.get("convictions", []), "person.convictions"))
        ),
        pending_charges=tuple(
            _charge(item, f"person.pending_charges[{i}]")
            for i, item in enumerate(
                _list(fields.get("pending_charges", []), "person.pending_charges")
            )
        ),
        **flags,
    )


def _list(value: object, where: str) -> list[object]:
    if not isinstance(value, list):
        raise InvalidInput(f"{where} must be a list")
    return value


def _conviction(value: object, where: str) -> Conviction:
    fields = _fields(value, where, required=("offense", "date"), optional=("released_on",))
    released = fields.get("released_on")
    return Conviction(
        offense=normalise_offense(_text(fields["offense"], f"{where}.offense")),
        date=_day(fields["date"], f"{where}.date"),
        released_on=None if released is None else _day(released, f"{where}.released_on"),
    )


def _charge(value: object, where: str) -> Charge:
    fields = _fields(value, where, required=("offense", "date"))
    return Charge(
        offense=normalise_offense(_text(fields["offense"], f"{where}.offense")),
        date=_day(fields["date"], f"{where}.date"),
    )
