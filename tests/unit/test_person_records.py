"""How a person's record is kept at rest (``adapters.person_records``, ``adapters.sealing``):
the words a name is found by, digests under a key ring, values sealed apart with a key of their
own, and a record that reads back as it was written."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from lexdesk.adapters.person_records import (
    deciding_rule,
    name_terms,
    opened_custody,
    opened_name,
    opened_person,
    opened_release,
    sealed_custody,
    sealed_name,
    sealed_person,
    sealed_release,
    words,
)
from lexdesk.adapters.sealing import SealBroken, Sealer
from lexdesk.domain.persons import Charge, ChargeStatus, Conviction, Custody, Person

OLD, NEW = Sealer.of(b"o" * 32), Sealer.of(b"n" * 32, b"o" * 32)


def test_words_fold_case_and_accents_and_split_at_anything_else() -> None:
    assert words("Rivière-Núñez, JOSÉ  o'Brien_2") == [
        "riviere",
        "nunez",
        "jose",
        "o",
        "brien",
        "2",
    ]


def test_a_name_is_found_by_its_words_and_their_beginnings_of_three_to_eight_letters() -> None:
    terms = name_terms("Castellanos", "Ana")
    assert {"castellanos", "cas", "cast", "castella", "ana"} <= terms
    assert "castellan" not in terms  # beginnings stop at eight letters; the word is whole
    assert "ca" not in terms and "an" not in terms and "stel" not in terms
    assert name_terms("nysid:12345678A") == {"nysid", "nys", "nysi", "12345678a"}


def test_a_digest_is_keyed_and_every_key_of_the_ring_is_tried() -> None:
    assert OLD.digest("name:ana") != NEW.digest("name:ana")
    assert NEW.digests("name:ana") == [NEW.digest("name:ana"), OLD.digest("name:ana")]
    assert len(NEW.digest("name:ana")) == 22  # 128 bits, base64url without padding
    assert NEW.terms("name:ana") == [NEW.term("name:ana"), OLD.term("name:ana")]
    assert -(2**63) <= NEW.term("name:ana") < 2**63 and NEW.term("name:ana") != NEW.term("name:an")


def test_a_long_value_is_packed_before_it_is_sealed_and_rewrapped_packed() -> None:
    text = '{"explanation": "' + "the same words again " * 200 + '"}'
    packed = OLD.seal(text, "ins-1", packed=True)
    assert packed.startswith("lxz1.") and len(packed) < len(text) / 4
    assert NEW.open(packed, "ins-1") == text and NEW.is_sealed(packed)
    again = NEW.reseal(packed, "ins-1")
    assert again.startswith("lxz1.") and NEW.sealed_with_current(again)
    assert NEW.reseal(OLD.seal("plain", "ins-1"), "ins-1").startswith("lxs1.")


def test_a_value_sealed_apart_opens_with_its_sealed_key_in_its_own_row_only() -> None:
    body, key = OLD.seal_apart('{"release_date": "2030-03-02"}', "rel-1")
    assert "2030" not in body and "2030" not in key
    assert NEW.open_apart(body, key, "rel-1") == '{"release_date": "2030-03-02"}'
    rewrapped = NEW.seal(NEW.open(key, "rel-1"), "rel-1")  # what a rotation does: the key only
    assert Sealer.of(b"n" * 32).open_apart(body, rewrapped, "rel-1").startswith('{"release')
    with pytest.raises(SealBroken):
        OLD.open_apart(body, key, "rel-2")
    _, other_key = OLD.seal_apart("{}", "rel-1")
    with pytest.raises(SealBroken, match="does not open"):
        OLD.open_apart(body, other_key, "rel-1")
    assert OLD.open_apart('{"kept": "before sealing"}', "", "rel-1") == '{"kept": "before sealing"}'


def test_a_record_reads_back_as_it_was_written() -> None:
    person = Person(
        "per-1", "doc", "Quintal", "Dario", date(1980, 1, 2), "Testville", "Testland",
        convictions=[Conviction("NY PL 160.15", "B felony", date(2016, 3, 1), "2 years",
                                date(2018, 3, 1), youthful_offender=True)],
        facts={"gang_database": True}, record={"home_address": "1 Test Lane"},
        public_information=("date_of_birth",),
    )  # fmt: skip
    opened = opened_person(sealed_person(person, OLD), "per-1", OLD)
    assert opened["convictions"] == person.convictions and opened["facts"] == person.facts
    assert opened["date_of_birth"] == date(1980, 1, 2) and opened["record"] == person.record
    assert opened["public_information"] == ("date_of_birth",)
    assert opened_name(sealed_name("Quintal", "Dario", "per-1", OLD), "per-1", NEW) == (
        "Quintal",
        "Dario",
    )
    charges = [Charge("NY PL 120.05", "D felony", date(2019, 11, 20), ChargeStatus.PENDING, True)]
    custody = Custody("cus-1", "doc", datetime(2019, 11, 20, tzinfo=UTC), date(2019, 11, 19))
    stored = sealed_custody(custody.id, custody.arrested_on, charges, OLD)
    assert opened_custody(stored, "cus-1", OLD) == (date(2019, 11, 19), charges)
    fields, key = sealed_release({"home_address": "1 Test Lane"}, "rel-1", OLD)
    assert opened_release(fields, key, "rel-1", OLD) == {"home_address": "1 Test Lane"}


@pytest.mark.parametrize(
    ("evaluation", "actions", "rule"),
    [
        ({"result": {"actions": {"hold": {"rule": "R-1"}}}}, ("hold", "notify"), "R-1"),
        ({"result": {"actions": {"notify": {"rule": "R-2"}}}}, ("hold", "notify"), None),
        ({"result": {"actions": {"hold": "odd"}}}, ("hold",), None),
        ({"result": {"actions": {"hold": {}}}}, ("hold",), None),
        (None, ("hold",), None),
        ({"result": {}}, (), None),
    ],
)
def test_the_deciding_rule_is_the_rule_of_the_first_requested_action(
    evaluation: dict[str, object] | None, actions: tuple[str, ...], rule: str | None
) -> None:
    assert deciding_rule(evaluation, actions) == rule  # type: ignore[arg-type]
