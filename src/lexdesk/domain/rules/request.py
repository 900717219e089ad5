"""What is evaluated: the pack, the date, the instrument and the facts about the person, read
strictly from the ``lexdesk rules evaluate`` JSON document. :mod:`.facts` turns it into the
flat form the compiled conditions read.

Every field but ``pack``, ``as_of``, ``instrument.kind`` and ``instrument.actions`` is
optional and has a default that asserts nothing (no flag true, no record, issuer ICE);
``docs/rules.md`` § 2 lists them. An unknown field is refused, never ignored."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from lexdesk.domain.errors import InvalidInput
from lexdesk.domain.vocabulary import (
    ALL_ACTIONS,
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
        return _read_known(doc) or _read_strictly(doc)

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


def _read_strictly(doc: object) -> EvaluationRequest:
    fields = _fields(doc, "request", required=("pack", "as_of", "instrument"), optional=("person",))
    return EvaluationRequest(
        pack=_text(fields["pack"], "pack"),
        as_of=_day(fields["as_of"], "as_of"),
        instrument=_instrument(fields["instrument"]),
        person=_person(fields.get("person", {})),
    )


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


# -- the common case, read in one pass ---------------------------------------------------------
#
# Most documents are well formed and spelled exactly (no stray spaces around a name). These
# functions read such a document without building the field paths that only error messages
# need; they return None at the first thing out of the ordinary, and ``from_json`` then reads
# the document field by field as above, which says exactly what is wrong (or accepts what
# these refuse to guess at, such as " felony " for felony).

_REQUEST_KEYS = frozenset(("pack", "as_of", "instrument", "person"))
_INSTRUMENT_KEYS = frozenset(("kind", "actions", "warrant", "issuer"))
_PERSON_KEYS = frozenset(
    ("arrested_on", "convictions", "pending_charges", "public_information", *PERSON_FLAGS)
)
_CONVICTION_KEYS = frozenset(("offense", "date", "released_on", "level", "youthful_offender"))
_CHARGE_KEYS = frozenset(("offense", "date", "level", "probable_cause_found"))
_KINDS = {kind.value: kind for kind in InstrumentKind}
_WARRANTS = {warrant.value: warrant for warrant in Warrant}
_ACTIONS = frozenset(ALL_ACTIONS)
_PUBLIC_FIELDS = frozenset(DISCLOSABLE_FIELDS)


def _read_known(doc: object) -> EvaluationRequest | None:
    if type(doc) is not dict or not doc.keys() <= _REQUEST_KEYS:
        return None
    pack, as_of = doc.get("pack"), doc.get("as_of")
    if type(pack) is not str or type(as_of) is not str or not pack.strip():
        return None
    instrument = _known_instrument(doc.get("instrument"))
    person = _known_person(doc.get("person", {}))
    day = _known_day(as_of)
    if instrument is None or person is None or day is None:
        return None
    return EvaluationRequest(pack.strip(), day, instrument, person)


def _known_day(text: object) -> date | None:
    if type(text) is not str:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _known_instrument(value: object) -> Instrument | None:
    if type(value) is not dict or not value.keys() <= _INSTRUMENT_KEYS:
        return None
    kind_name, warrant_name = value.get("kind"), value.get("warrant", "none")
    if type(kind_name) is not str or type(warrant_name) is not str:
        return None
    kind, warrant = _KINDS.get(kind_name), _WARRANTS.get(warrant_name)
    issuer = value.get("issuer", DEFAULT_ISSUER)
    actions = value.get("actions")
    if kind is None or warrant is None or issuer not in ISSUERS or type(actions) is not list:
        return None
    if not actions or not all(type(a) is str and a in _ACTIONS for a in actions):
        return None
    return Instrument(kind, warrant, tuple(dict.fromkeys(actions)), issuer)


def _known_person(value: object) -> Person | None:
    if type(value) is not dict or not value.keys() <= _PERSON_KEYS:
        return None
    flags = {}
    for flag in PERSON_FLAGS:
        if flag in value:
            seen = value[flag]
            if seen is not True and seen is not False:
                return None
            flags[flag] = seen
    arrested = value.get("arrested_on")
    arrested_on = None if arrested is None else _known_day(arrested)
    convictions = _known_records(value.get("convictions", []), _known_conviction)
    charges = _known_records(value.get("pending_charges", []), _known_charge)
    public = value.get("public_information", [])
    if (
        (arrested is not None and arrested_on is None)
        or convictions is None
        or charges is None
        or type(public) is not list
        or not all(type(f) is str and f in _PUBLIC_FIELDS for f in public)
    ):
        return None
    return Person(
        arrested_on=arrested_on,
        convictions=convictions,  # type: ignore[arg-type]
        pending_charges=charges,  # type: ignore[arg-type]
        public_information=frozenset(public),
        **flags,
    )


def _known_records(
    value: object, read: Callable[[object], Conviction | Charge | None]
) -> tuple[Conviction | Charge, ...] | None:
    if type(value) is not list:
        return None
    records = []
    for item in value:
        record = read(item)
        if record is None:
            return None
        records.append(record)
    return tuple(records)


def _known_conviction(value: object) -> Conviction | None:
    if type(value) is not dict or not value.keys() <= _CONVICTION_KEYS:
        return None
    offense, level = value.get("offense"), value.get("level")
    youthful = value.get("youthful_offender", False)
    if type(offense) is not str or (level is not None and level not in LEVELS):
        return None
    code = normalise_offense(offense)
    judged = _known_day(value.get("date"))
    released = value.get("released_on")
    released_on = None if released is None else _known_day(released)
    if not code or judged is None or (released is not None and released_on is None):
        return None
    if youthful is not True and youthful is not False:
        return None
    return Conviction(code, judged, released_on, level, youthful)


def _known_charge(value: object) -> Charge | None:
    if type(value) is not dict or not value.keys() <= _CHARGE_KEYS:
        return None
    offense, level = value.get("offense"), value.get("level")
    found = value.get("probable_cause_found", False)
    if type(offense) is not str or (level is not None and level not in LEVELS):
        return None
    code = normalise_offense(offense)
    filed = _known_day(value.get("date"))
    if not code or filed is None or (found is not True and found is not False):
        return None
    return Charge(code, filed, level, found)
