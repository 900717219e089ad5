"""The facts the law turns on and the machinery added for them: a state ceiling over local
rules, records filtered by level, class and punishability, youthful-offender adjudications,
inchoate forms and subdivisions, public information per action, the issuer, a magistrate's
probable-cause finding, notes on unconfirmed table entries, hold limits and provenance."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from lexdesk.adapters.rule_packs import load_catalog
from lexdesk.adapters.rulebook import PackRuleBook
from lexdesk.domain.errors import InvalidInput
from lexdesk.domain.rules import EvaluationRequest, NoRuleInForce, PackError, evaluate
from lexdesk.domain.rules.holds import hold_limit

from .builders import SOURCE, UNCONFIRMED, VERIFIED, catalog, pack, request, rule, table

STATE = "test-state"


def _stacked(*local: dict[str, Any], state: tuple[dict[str, Any], ...] = ()) -> Any:
    return catalog(
        pack(
            "us-federal",
            rule(
                "FED",
                "permitted",
                applies_to={"kinds": ["*"], "actions": ["disclose:citizenship_status"]},
                precedence="floor",
            ),
        ),
        pack(STATE, *state, layers=("us-federal",)),
        pack("test-local", *local, layers=(STATE,)),
    )


def test_a_state_ceiling_overrides_a_local_permission_and_yields_to_a_stricter_rule() -> None:
    not_judicial = {"not": {"eq": {"fact": "instrument.warrant", "value": "judicial"}}}
    ceiling = rule("STATE-NO-HOLD", "prohibited", precedence="ceiling", when=not_judicial)
    packs = _stacked(rule("LOCAL-HOLD", "permitted"), state=(ceiling,))
    decision = evaluate(packs, request()).decisions["hold"]
    assert (decision.status, decision.rule.id) == ("prohibited", "STATE-NO-HOLD")
    assert [r.id for r in decision.resolution.overridden] == ["LOCAL-HOLD"]
    judicial = evaluate(packs, request(warrant="judicial")).decisions["hold"]
    assert (judicial.status, judicial.rule.id) == ("permitted", "LOCAL-HOLD")
    stricter = _stacked(rule("LOCAL-NO", "prohibited"), state=(ceiling,))
    decision = evaluate(stricter, request()).decisions["hold"]
    assert [r.id for r in decision.resolution.deciding] == ["LOCAL-NO", "STATE-NO-HOLD"]


def test_a_layer_not_yet_in_force_still_lets_the_layers_beneath_it_speak() -> None:
    late = pack(
        STATE,
        rule("S", "prohibited", precedence="ceiling"),
        version="2025-01-01",
        layers=("us-federal",),
    )
    packs = catalog(
        pack(
            "us-federal",
            rule(
                "FED",
                "permitted",
                applies_to={"kinds": ["*"], "actions": ["disclose:citizenship_status"]},
                precedence="floor",
            ),
        ),
        late,
        pack(
            "test-local",
            rule(
                "L",
                "prohibited",
                applies_to={"kinds": ["*"], "actions": ["disclose:citizenship_status"]},
            ),
            layers=(STATE,),
        ),
    )
    decision = evaluate(packs, request(actions=("disclose:citizenship_status",))).decisions
    assert decision["disclose:citizenship_status"].rule.id == "FED"


OFFENSES = table("TP 1", "TP 2", "TP 3")
OFFENSES["entries"][0] |= {"class": "felony", "state_prison": True}
OFFENSES["entries"][1] |= {"class": "wobbler", "state_prison": False}
OFFENSES["entries"][2] |= {"class": "misdemeanor"}


def _with_offenses(when: dict[str, Any], **tables: Any) -> Any:
    return catalog(
        pack(
            "test-local",
            rule("BASE"),
            rule("EXC", "permitted", exception_to=["BASE"], when=when),
            tables={"offenses": OFFENSES, **tables},
        )
    )


def _hold(packs: Any, **person: Any) -> str:
    return evaluate(packs, request(**person)).status_of("hold")


def test_class_and_punishability_come_from_the_offense_table() -> None:
    packs = _with_offenses({"conviction": {"level": "felony", "state_prison": True}})
    assert _hold(packs, convictions=[{"offense": "TP 1", "date": "2019-01-01"}]) == "permitted"
    # A wobbler's level is not its class: the judgment must say felony, and it is county jail.
    assert (
        _hold(packs, convictions=[{"offense": "TP 2", "date": "2019-01-01", "level": "felony"}])
        == "prohibited"
    )
    assert (
        _hold(packs, convictions=[{"offense": "TP 9", "date": "2019-01-01", "level": "felony"}])
        == "prohibited"
    )


def test_a_wobbler_convicted_as_a_misdemeanor() -> None:
    packs = _with_offenses({"conviction": {"level": "misdemeanor", "class": "wobbler"}})
    given = {"offense": "TP 2", "date": "2019-01-01"}
    assert _hold(packs, convictions=[given]) == "prohibited"  # the level is not given
    failure = evaluate(packs, request(convictions=[given])).to_json()["actions"]["hold"]["failed"]
    assert "the level of the judgment on TP 2 is not given" in failure[0]["conditions"][0]
    assert _hold(packs, convictions=[given | {"level": "misdemeanor"}]) == "permitted"


def test_a_youthful_offender_adjudication_is_never_a_conviction() -> None:
    packs = _with_offenses({"conviction": {}})
    record = {"offense": "TP 3", "date": "2019-01-01"}
    assert _hold(packs, convictions=[record]) == "permitted"
    assert _hold(packs, convictions=[record | {"youthful_offender": True}]) == "prohibited"


def test_inchoate_forms_and_subdivisions_of_listed_sections() -> None:
    listed = table("NY PL 160.15", "NY PL 265.02(2)") | {
        "inchoate": {"sections": ["110"], "level": "felony", "citation": "Test § 1(iii)"}
    }
    packs = _with_offenses({"conviction": {"table": "listed"}}, listed=listed)

    def hold(code: str, **extra: Any) -> str:
        return _hold(packs, convictions=[{"offense": code, "date": "2019-01-01"} | extra])

    assert hold("NY PL 160.15(1)") == "permitted"  # a subdivision of a listed section
    assert hold("NY PL 265.02(2)(A)") == "permitted"
    assert hold("NY PL 265.02(1)") == "prohibited"  # another subdivision is not listed
    assert hold("NY PL 110/160.15") == "prohibited"  # an attempt must be a felony
    assert hold("NY PL 110/160.15", level="felony") == "permitted"


def test_a_pending_charge_needs_the_magistrates_finding() -> None:
    packs = _with_offenses({"pending_charge": {"state_prison": True, "probable_cause": True}})
    charge = {"offense": "TP 1", "date": "2020-01-01"}
    assert _hold(packs, pending_charges=[charge]) == "prohibited"
    assert _hold(packs, pending_charges=[charge | {"probable_cause_found": True}]) == "permitted"
    missing = evaluate(packs, request(pending_charges=[charge])).missing()
    assert missing[0]["fact"] == "person.pending_charges"
    assert missing[0]["value"] == {"state_prison": True, "probable_cause_found": True}
    assert missing[0]["label"].endswith("on which a magistrate found probable cause")


def test_public_information_is_read_per_action() -> None:
    disclose = {
        "kinds": ["*"],
        "actions": ["notify_release", "disclose:release_date", "disclose:home_address"],
    }
    packs = catalog(
        pack(
            "test-local",
            rule("NO", applies_to=disclose),
            rule(
                "PUB",
                "permitted",
                applies_to=disclose,
                exception_to=["NO"],
                when={"fact": "information.public"},
            ),
        )
    )
    asked = ("notify_release", "disclose:release_date", "disclose:home_address")
    evaluation = evaluate(packs, request(actions=asked, public_information=["release_date"]))
    assert [evaluation.status_of(a) for a in asked] == ["permitted", "permitted", "prohibited"]
    (change,) = evaluation.missing()
    assert (change["fact"], change["value"], change["actions"]) == (
        "person.public_information",
        "home_address",
        {"disclose:home_address": "permitted"},
    )
    assert change["label"] == "the home address already available to the public"


def test_the_issuer_decides_a_texas_duty() -> None:
    doc = {
        "pack": "us-tx",
        "as_of": "2020-01-17",
        "instrument": {"kind": "detainer", "actions": ["hold"]},
    }
    assert (
        evaluate(load_catalog(), EvaluationRequest.from_json(doc)).status_of("hold") == "required"
    )
    doc["instrument"]["issuer"] = "cbp"
    assert (
        evaluate(load_catalog(), EvaluationRequest.from_json(doc)).status_of("hold") == "permitted"
    )


def test_an_answer_that_turns_on_an_unconfirmed_entry_says_so() -> None:
    listed = table("TP 1") | {
        "entries": [table("TP 1")["entries"][0] | {"verification": UNCONFIRMED}]
    }
    packs = _with_offenses({"conviction": {"table": "listed"}}, listed=listed)
    hit = evaluate(
        packs, request(convictions=[{"offense": "TP 1", "date": "2019-01-01"}])
    ).to_json()
    (note,) = hit["actions"]["hold"]["turns_on"]
    assert (note["offense"], note["listed"], note["verification"]) == ("TP 1", True, "unconfirmed")
    assert hit["notes"] == [note["note"]] and note["note"] in hit["reasons"][-1]
    miss = evaluate(
        packs, request(convictions=[{"offense": "TP 7", "date": "2019-01-01"}])
    ).to_json()
    (absent,) = miss["actions"]["hold"]["turns_on"]
    assert (absent["offense"], absent["listed"]) == ("TP 7", False)
    assert "the answer turns on whether it belongs there" in absent["note"]
    nothing = evaluate(packs, request()).to_json()
    assert nothing["notes"] == []  # no record: the answer does not turn on the list


def test_a_verified_text_needs_its_provenance() -> None:
    bare = rule("A", verification={"status": "verified", "source": "read it"})
    with pytest.raises(
        PackError, match=r"rules\[0\]\.verification: a verified text needs its provenance"
    ):
        catalog(pack("test-local", bare))
    elsewhere = rule("A", verification=VERIFIED | {"read_at": "https://example.org/other"})
    with pytest.raises(PackError, match=r"is not the address of a source of status text"):
        catalog(pack("test-local", elsewhere))
    secondary = pack(
        "test-local",
        rule("A"),
        sources=[{"title": "A summary", "url": SOURCE, "status": "secondary"}],
    )
    with pytest.raises(PackError, match=r"is not the address of a source of status text"):
        catalog(secondary)
    entry = table("TP 1") | {
        "entries": [
            table("TP 1")["entries"][0] | {"verification": {"status": "verified", "source": "x"}}
        ]
    }
    with pytest.raises(PackError, match=r"tables\.t\.entries\[0\]\.verification"):
        catalog(pack("test-local", rule("A"), tables={"t": entry}))
    catalog(pack("test-local", rule("A", verification=UNCONFIRMED)))  # unconfirmed needs none


def test_every_shipped_verified_text_names_a_primary_source() -> None:
    for pack_ in load_catalog():
        for version in pack_.versions:
            primary = {s.url for s in version.sources if s.status == "text"}
            for spec in (*version.rules, *version.duties, *version.hold_limits):
                if spec.verification.status == "verified":
                    assert spec.verification.read_at in primary, (pack_.id, version.version)


def test_hold_limits_are_read_from_the_pack_stack() -> None:
    nypd = load_catalog().get("us-ny-nyc-nypd")
    federal = hold_limit(load_catalog(), "us-ny-nyc-nypd", date(2020, 1, 17))
    assert (federal.hours, federal.counting, federal.pack, federal.rule) == (
        48,
        "clock_hours",
        "us-federal",
        None,
    )
    assert federal.inherited and "I-247A" in federal.citation
    older = hold_limit(nypd, "us-ny-nyc-nypd", date(2016, 1, 17))
    assert older.counting == "business_hours"
    il = hold_limit(load_catalog(), "us-il", date(2022, 1, 1))
    assert (il.hours, il.pack, il.inherited) == (0, "us-il", False)
    with pytest.raises(NoRuleInForce):
        hold_limit(load_catalog(), "us-il", date(2016, 1, 1))
    with pytest.raises(InvalidInput):
        hold_limit(load_catalog(), "us-nowhere", date(2016, 1, 1))


def test_a_rule_that_permits_a_hold_of_its_own_kind_reports_its_own_limit() -> None:
    doc = {
        "pack": "us-ny-nyc-nypd",
        "as_of": "2020-01-17",
        "instrument": {"kind": "detainer", "warrant": "judicial", "actions": ["hold"]},
        "person": {"arrested_on": "2019-11-20", "prior_removal": True, "illegal_reentry": True,
                   "convictions": [{"offense": "NY PL 125.20", "date": "2001-01-15"}]},
    }  # fmt: skip
    limit = evaluate(load_catalog(), EvaluationRequest.from_json(doc)).to_json()["actions"]["hold"][
        "hold_limit"
    ]
    assert (limit["hours"], limit["counting"], limit["rule"]) == (
        48,
        "business_hours",
        "NYC-NYPD-HOLD-03",
    )


def test_every_shipped_version_states_a_hold_limit_on_each_of_its_days() -> None:
    for pack_ in load_catalog():
        for version in pack_.versions:
            for day in (
                version.effective_from,
                date(2017, 4, 1),
                date(2017, 4, 2),
                date(2026, 1, 1),
            ):
                if version.effective_from <= day and (
                    version.effective_to is None or day <= version.effective_to
                ):
                    assert hold_limit(pack_, pack_.id, day).hours >= 0


def test_the_rule_book_adapter_answers_the_hold_limit() -> None:
    limit = PackRuleBook().hold_limit("us-tx", date(2020, 1, 17))
    assert (limit.hours, limit.counting) == (48, "clock_hours")
