"""What is evaluated: the pack, the date, the instrument and the facts about the person, read
strictly from the ``lexdesk rules evaluate`` JSON document. :mod:`.facts` turns it into the
flat form the compiled conditions read.

Every field but ``pack``, ``as_of``, ``instrument.kind`` and ``instrument.actions`` is
optional and has a default that asserts nothing (no flag true, no record, issuer ICE);
``docs/rules.md`` § 2 lists them. An unknown field is refused, never ignored."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from lexdesk.domain.errors import InvalidInput
from lexdesk.domain.vocabulary import (
    DISCLOSABLE_FIELDS,
    InstrumentKind,
    Warrant,
    parse_actions,
    parse_kind,
)
from lexdesk.domain.vocabulary import parse_warrant as _parse_warrant

if TYPE_CHECKING:
    from lexdesk.domain.rules.facts import Facts

#: The yes/no facts about a person, each false unless stated. Services record them on a
#: person and send them to the engine, so a flag added here is recordable everywhere.
PERSON_FLAGS = (
    "tsdb_match",
    "prior_removal",
    "illegal_reentry",
    "proof_of_status",
    "final_removal_order",
    "outstanding_criminal_warrant",
    "sex_arson_registrant",
    "aggravated_felony_conviction",
    "federal_felony_warrant",
)
#: Who issued the instrument: some laws bind only a request of ICE (Tex. art. 2.251).
ISSUERS = ("ice", "cbp", "other")
DEFAULT_ISSUER = "ice"
#: The level of a judgment or charge: a wobbler may end either way.
LEVELS = ("felony", "misdemeanor")


def normalise_offense(code: str) -> str:
    """``ny pl  160.15`` and ``NY PL 160.15`` name the same offense."""
    return " ".join(code.upper().split())


@dataclass(frozen=True, slots=True)
class Conviction:
    offense: str
    date: dt.date
    released_on: dt.date | None = None
    #: felony or misdemeanor, when the judgment says (a wobbler's table class cannot).
    level: str | None = None
    #: A youthful-offender adjudication (or juvenile delinquency) is not a conviction.
    youthful_offender: bool = False
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
    level: str | None = None
    #: A magistrate found probable cause on this charge (e.g. Cal. Penal Code § 872).
    probable_cause_found: bool = False


@dataclass(frozen=True, slots=True)
class Person:
    arrested_on: date | None = None
    convictions: tuple[Conviction, ...] = ()
    pending_charges: tuple[Charge, ...] = ()
    #: Disclosable fields already available to the public (a jail's public look-up).
    public_information: frozenset[str] = frozenset()
    tsdb_match: bool = False
    prior_removal: bool = False
    illegal_reentry: bool = False
    proof_of_status: bool = False
    final_removal_order: bool = False
    outstanding_criminal_warrant: bool = False
    sex_arson_registrant: bool = False
    aggravated_felony_conviction: bool = False
    federal_felony_warrant: bool = False


@dataclass(frozen=True, slots=True)
class Instrument:
    kind: InstrumentKind
    warrant: Warrant
    actions: tuple[str, ...]
    issuer: str = DEFAULT_ISSUER


@dataclass(frozen=True, slots=True)
class EvaluationRequest:
    pack: str
    as_of: date
    instrument: Instrument
    person: Person

    @classmethod
    def from_json(cls, doc: object) -> EvaluationRequest:
        """Read the request strictly: an unknown field, a wrong type, an unknown kind, warrant,
        issuer or action is an InvalidInput with a one-line message naming the field."""
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
        out["pending_charges"] = [_charge_json(c) for c in person.pending_charges]
        out["public_information"] = sorted(person.public_information)
        instrument = self.instrument
        return {
            "pack": self.pack,
            "as_of": self.as_of.isoformat(),
            "instrument": {
                "kind": instrument.kind.value,
                "warrant": instrument.warrant.value,
                "issuer": instrument.issuer,
                "actions": list(instrument.actions),
            },
            "person": out,
        }

    def facts(self) -> Facts:
        from lexdesk.domain.rules.facts import Facts

        return Facts(self)


def _conviction_json(conviction: Conviction) -> dict[str, object]:
    out: dict[str, object] = {"offense": conviction.offense, "date": conviction.date.isoformat()}
    if conviction.released_on is not None:
        out["released_on"] = conviction.released_on.isoformat()
    if conviction.level is not None:
        out["level"] = conviction.level
    if conviction.youthful_offender:
        out["youthful_offender"] = True
    return out


def _charge_json(charge: Charge) -> dict[str, object]:
    out: dict[str, object] = {"offense": charge.offense, "date": charge.date.isoformat()}
    if charge.level is not None:
        out["level"] = charge.level
    if charge.probable_cause_found:
        out["probable_cause_found"] = True
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


def _choice(value: object, where: str, choices: tuple[str, ...]) -> str:
    text = _text(value, where)
    if text not in choices:
        raise InvalidInput(f"{where} must be one of {', '.join(choices)}, not {text!r}")
    return text


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
    fields = _fields(
        value, "instrument", required=("kind", "actions"), optional=("warrant", "issuer")
    )
    actions = fields["actions"]
    if not isinstance(actions, list) or not all(isinstance(a, str) for a in actions):
        raise InvalidInput("instrument.actions must be a list of action names")
    return Instrument(
        kind=parse_kind(_text(fields["kind"], "instrument.kind")),
        warrant=_parse_warrant(_text(fields.get("warrant", "none"), "instrument.warrant")),
        actions=parse_actions(actions),
        issuer=_choice(fields.get("issuer", DEFAULT_ISSUER), "instrument.issuer", ISSUERS),
    )


def _person(value: object) -> Person:
    optional = (
        "arrested_on", "convictions", "pending_charges", "public_information", *PERSON_FLAGS,
    )  # fmt: skip
    fields = _fields(value, "person", required=(), optional=optional)
    flags = {flag: _flag(fields.get(flag, False), f"person.{flag}") for flag in PERSON_FLAGS}
    arrested = fields.get("arrested_on")
    convictions = _list(fields.get("convictions", []), "person.convictions")
    charges = _list(fields.get("pending_charges", []), "person.pending_charges")
    public = _list(fields.get("public_information", []), "person.public_information")
    return Person(
        arrested_on=None if arrested is None else _day(arrested, "person.arrested_on"),
        convictions=tuple(
            _conviction(item, f"person.convictions[{i}]") for i, item in enumerate(convictions)
        ),
        pending_charges=tuple(
            _charge(item, f"person.pending_charges[{i}]") for i, item in enumerate(charges)
        ),
        public_information=frozenset(
            _choice(item, f"person.public_information[{i}]", DISCLOSABLE_FIELDS)
            for i, item in enumerate(public)
        ),
        **flags,
    )


def _list(value: object, where: str) -> list[object]:
    if not isinstance(value, list):
        raise InvalidInput(f"{where} must be a list")
    return value


def _level(fields: dict[str, object], where: str) -> str | None:
    level = fields.get("level")
    return None if level is None else _choice(level, f"{where}.level", LEVELS)


def _conviction(value: object, where: str) -> Conviction:
    fields = _fields(
        value,
        where,
        required=("offense", "date"),
        optional=("released_on", "level", "youthful_offender"),
    )
    released = fields.get("released_on")
    return Conviction(
        offense=normalise_offense(_text(fields["offense"], f"{where}.offense")),
        date=_day(fields["date"], f"{where}.date"),
        released_on=None if released is None else _day(released, f"{where}.released_on"),
        level=_level(fields, where),
        youthful_offender=_flag(
            fields.get("youthful_offender", False), f"{where}.youthful_offender"
        ),
    )


def _charge(value: object, where: str) -> Charge:
    fields = _fields(
        value, where, required=("offense", "date"), optional=("level", "probable_cause_found")
    )
    return Charge(
        offense=normalise_offense(_text(fields["offense"], f"{where}.offense")),
        date=_day(fields["date"], f"{where}.date"),
        level=_level(fields, where),
        probable_cause_found=_flag(
            fields.get("probable_cause_found", False), f"{where}.probable_cause_found"
        ),
    )
