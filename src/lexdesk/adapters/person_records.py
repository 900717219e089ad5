"""A person's record as it is kept at rest: what it says about the person sealed
(``adapters.sealing``) with the id of the row that holds it, the identifiers findable by a keyed
digest. The repository and the seeder both write rows through here, so a record reads the same
whichever made it (docs/adr/0027-sealed-person-records.md).

Sealed: a person's date and place of birth, citizenship, facts, record, public information and
convictions (one value in ``persons.sealed``); each custody's arrest date and charges (one value
in ``custodies.sealed``); each identifier's value; the rule engine's evaluation of an answer,
whose inputs and explanation repeat the history (``determinations.evaluation``); and the values
each release carried (``releases.fields``). Also sealed: each person's names
(``persons.name``) and each case's subject, the person as the requester named them
(``cases.subject``); both are found by a blind index of keyed digests of their words and the
words' beginnings (``person_terms``, ``case_terms``), so a list can be searched by name though
no one can sort or read it by name without the key. Clear, because SQL compares them and they
say nothing about the person without the sealed rest: ids, the custodian, custody status and
times (the release lists sort by them), and each identifier's scheme and digest.
"""

from __future__ import annotations

import json
import re
import unicodedata
from datetime import date
from typing import Any

from lexdesk.adapters.sealing import Sealer
from lexdesk.domain.persons import Charge, ChargeStatus, Conviction, Identifier, Person

#: The shortest beginning of a name that finds it, and the longest kept: "Riv" finds Rivera.
PREFIX_MIN, PREFIX_MAX = 3, 8
_WORD = re.compile(r"[^\W_]+")


def sealed_name(family_name: str, given_name: str, person_id: str, sealer: Sealer) -> str:
    return sealer.seal(json.dumps([family_name, given_name]), person_id)


def opened_name(stored: str, person_id: str, sealer: Sealer) -> tuple[str, str]:
    family, given = json.loads(sealer.open(stored, person_id))
    return str(family), str(given)


def shown_name(family_name: str, given_name: str) -> str:
    """A name as the lists print it: ``RIVERA, Ana``."""
    return f"{family_name.upper()}, {given_name}"


def sealed_subject(subject: str, case_id: str, sealer: Sealer) -> str:
    """A case's subject (the person as the requester named them), sealed with the case's id."""
    return sealer.seal(subject, case_id)


def words(text: str) -> list[str]:
    """The words of a name or a search, as the blind index compares them: case folded, accents
    removed, split at anything that is not a letter or a digit."""
    plain = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(ch for ch in plain if not unicodedata.combining(ch))
    return _WORD.findall(bare)


def name_terms(*names: str) -> set[str]:
    """What a name is found by: each of its words, and the beginnings of each word of letters
    from ``PREFIX_MIN`` to ``PREFIX_MAX`` letters (a word with a digit in it, an identifier,
    is found whole). A search finds a name when each of its words is one of these."""
    terms: set[str] = set()
    for word in (w for name in names for w in words(name)):
        terms.add(word)
        if word.isalpha():
            terms.update(word[:n] for n in range(PREFIX_MIN, min(len(word), PREFIX_MAX) + 1))
    return terms


def term_digests(terms: set[str], sealer: Sealer) -> list[int]:
    """The blind index's entries for ``terms``: each term's keyed digest, once."""
    return sorted({sealer.term(f"name:{term}") for term in terms})


def search_digests(word: str, sealer: Sealer) -> list[int]:
    """What one searched word matches in the blind index, under every key of the ring."""
    return sealer.terms(f"name:{word}")


def person_term_rows(person: Person, sealer: Sealer) -> list[dict[str, Any]]:
    terms = name_terms(person.family_name, person.given_name)
    return [
        {"owner_agency_id": person.owner_agency_id, "term": digest, "person_id": person.id}
        for digest in term_digests(terms, sealer)
    ]


def case_term_rows(
    case_id: str, agency_id: str, subject: str, sealer: Sealer
) -> list[dict[str, Any]]:
    """The requester's index of a case's subject: its own name for the person."""
    return [
        {"agency_id": agency_id, "term": digest, "case_id": case_id}
        for digest in term_digests(name_terms(subject), sealer)
    ]


def sealed_person(person: Person, sealer: Sealer) -> str:
    return sealer.seal(json.dumps(_person_fields(person), separators=(",", ":")), person.id)


def opened_person(stored: str, person_id: str, sealer: Sealer) -> dict[str, Any]:
    """The keyword arguments of ``Person`` that the sealed value holds."""
    body = json.loads(sealer.open(stored, person_id))
    return {
        "date_of_birth": _day(body["date_of_birth"]),
        "place_of_birth": body["place_of_birth"],
        "citizenship": body["citizenship"],
        "facts": dict(body["facts"]),
        "record": dict(body["record"]),
        "public_information": tuple(body["public_information"]),
        "convictions": [
            Conviction(
                c["offense"], c["offense_class"], date.fromisoformat(c["convicted_on"]),
                c["sentence"], _day(c["released_on"]), c["youthful_offender"],
            )
            for c in body["convictions"]
        ],
    }  # fmt: skip


def sealed_custody(
    custody_id: str, arrested_on: date, charges: list[Charge], sealer: Sealer
) -> str:
    body = {
        "arrested_on": arrested_on.isoformat(),
        "charges": [
            {"offense": c.offense, "offense_class": c.offense_class,
             "charged_on": c.charged_on.isoformat(), "status": c.status.value,
             "probable_cause_found": c.probable_cause_found}
            for c in charges
        ],
    }  # fmt: skip
    return sealer.seal(json.dumps(body, separators=(",", ":")), custody_id)


def opened_custody(stored: str, custody_id: str, sealer: Sealer) -> tuple[date, list[Charge]]:
    """A custody's arrest date and charges."""
    body = json.loads(sealer.open(stored, custody_id))
    charges = [
        Charge(
            c["offense"], c["offense_class"], date.fromisoformat(c["charged_on"]),
            ChargeStatus(c["status"]), c["probable_cause_found"],
        )
        for c in body["charges"]
    ]  # fmt: skip
    return date.fromisoformat(body["arrested_on"]), charges


def sealed_evaluation(text: str | None, instrument_id: str, sealer: Sealer) -> str | None:
    """A determination's evaluation (the engine's record as JSON text), sealed with its
    instrument's id."""
    return None if text is None else sealer.seal(text, instrument_id, packed=True)


def opened_evaluation(stored: str | None, instrument_id: str, sealer: Sealer) -> Any:
    return None if stored is None else json.loads(sealer.open(stored, instrument_id))


def deciding_rule(evaluation: dict[str, Any] | None, actions: tuple[str, ...]) -> str | None:
    """The rule the evaluation applied to the first requested action: what the reports tally,
    kept clear beside the sealed record."""
    if not evaluation or not actions:
        return None
    found = evaluation.get("result", {}).get("actions", {}).get(actions[0]) or {}
    rule = found.get("rule") if isinstance(found, dict) else None
    return str(rule) if rule is not None else None


def sealed_release(fields: dict[str, Any], release_id: str, sealer: Sealer) -> tuple[str, str]:
    """The values a release carried, sealed apart with the release's id (the ledger row never
    changes); and their key, sealed, for ``release_keys``."""
    return sealer.seal_apart(json.dumps(fields, separators=(",", ":")), release_id)


def opened_release(stored: str, key: str, release_id: str, sealer: Sealer) -> dict[str, Any]:
    return dict(json.loads(sealer.open_apart(stored, key, release_id)))


def identifier_term(scheme: str, value: str) -> str:
    """What an identifier's digest is made of: scheme and value, exactly as kept."""
    return f"{scheme}:{value}"


def identifier_place(person_id: str, scheme: str) -> str:
    """The associated data of an identifier's sealed value: its person and scheme, so that a
    value copied to another person, or to another scheme, does not open."""
    return f"{person_id}/{scheme}"


def identifier_columns(person: Person, ident: Identifier, sealer: Sealer) -> dict[str, Any]:
    scheme = ident.scheme.value
    return {
        "person_id": person.id,
        "owner_agency_id": person.owner_agency_id,
        "scheme": scheme,
        "digest": sealer.digest(identifier_term(scheme, ident.value)),
        "value": sealer.seal(ident.value, identifier_place(person.id, scheme)),
    }


def _person_fields(person: Person) -> dict[str, Any]:
    return {
        "date_of_birth": person.date_of_birth.isoformat() if person.date_of_birth else None,
        "place_of_birth": person.place_of_birth,
        "citizenship": person.citizenship,
        "facts": person.facts,
        "record": person.record,
        "public_information": list(person.public_information),
        "convictions": [
            {"offense": c.offense, "offense_class": c.offense_class,
             "convicted_on": c.convicted_on.isoformat(), "sentence": c.sentence,
             "released_on": c.released_on.isoformat() if c.released_on else None,
             "youthful_offender": c.youthful_offender}
            for c in person.convictions
        ],
    }  # fmt: skip


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None
