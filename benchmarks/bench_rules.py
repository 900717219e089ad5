"""Explained decisions per second of the rule engine on a pool of 1,000 varied requests (the
seeded pool of ``tests/unit/rules_speed/pool.py``: random persons with none to seven
convictions, pending charges, flags and public information, every warrant and issuer, the
kinds and actions each pack's rules speak to, on dates across every shipped pack with rules),
measured in one run against two contenders on the same requests:

- the rule engine, with full explanation (``evaluate`` then ``Evaluation.to_json``: statuses,
  overridden rules, failed conditions, citations, duties, hold limits, the notes on
  unconfirmed entries and the computed ``missing`` facts); once on parsed requests, once
  with each request's JSON text parsed (``json.loads`` then ``EvaluationRequest.from_json``);
- a hand-written Python function with the law inlined (statuses, rule ids and citations), for
  the packs it inlines: every pack but California, New York State and the New York City
  Police and Probation packs, and New York City DOC from 15 December 2020 (the law in force
  today). The engine is measured again on that subset for the ratio; the function's answers
  are checked against the engine's before it is timed;
- cedarpy evaluating an equivalent Cedar policy set on the same subset, pre-parsed, every
  action of a request in one batch.

One decision is one request decided on every action it asks for. Targets (issue 14, item 7):
at least 100,000 engine decisions per second on one core, within 10x of the hand-written
function, at least 4x faster than cedarpy, and at least 50,000 per second with JSON parsing.
The single NYC DOC example of earlier releases is measured too. Nothing is asserted here.

    python -m benchmarks.bench_rules
"""

from __future__ import annotations

import json
import re
import sys
import time
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import cedarpy
from tests.unit.rules_speed.pool import request_pool

from lexdesk.adapters.rule_packs import load_catalog
from lexdesk.domain.rules import Catalog, EvaluationRequest, evaluate
from lexdesk.domain.rules.conditions import years_before

REPEATS = 5
#: Passes over the pool (or the subset) per repeat, so that each repeat lasts long enough.
PASSES = 3
SINGLE_ITERATIONS = 20_000

#: NYC DOC's law as the hand-written function inlines it: § 9-131 as amended in 2014, with
#: § 10-178 and the state's Protect Our Courts Act (in force from 15 December 2020).
DOC_FROM = date(2020, 12, 15)
SIMPLE_PACKS = ("us-co", "us-federal", "us-fl", "us-ia", "us-il", "us-or", "us-tn", "us-tx")
DISCLOSE = "disclose:"
CITIZENSHIP = "disclose:citizenship_status"
_INCHOATE = re.compile(r"^(?P<law>\D*?)(?P<section>\d[\d.]*)/(?P<rest>.+)$")

DOCUMENT: dict[str, Any] = {
    "pack": "us-ny-nyc-doc",
    "as_of": "2020-01-17",
    "instrument": {
        "kind": "detainer",
        "warrant": "judicial",
        "actions": ["hold", "notify_release"],
    },
    "person": {
        "arrested_on": "2019-11-20",
        "convictions": [
            {"offense": "NY PL 155.30", "date": "2008-02-01"},
            {"offense": "NY PL 220.03", "date": "2010-07-12", "released_on": "2010-09-01"},
            {"offense": "NY PL 140.20", "date": "2012-03-05"},
            {"offense": "NY PL 120.00", "date": "2015-10-30"},
            {"offense": "NY PL 160.15", "date": "2016-03-01", "released_on": "2018-03-01"},
        ],
        "pending_charges": [{"offense": "NY PL 125.25", "date": "2020-01-10"}],
    },
}


# -- the engine ------------------------------------------------------------------------------


def _engine(catalog: Catalog, requests: Sequence[EvaluationRequest]) -> Callable[[], object]:
    def decide() -> object:
        for request in requests:
            evaluate(catalog, request).to_json()
        return None

    return decide


def _engine_with_parsing(catalog: Catalog, texts: Sequence[str]) -> Callable[[], object]:
    def decide() -> object:
        for text in texts:
            evaluate(catalog, EvaluationRequest.from_json(json.loads(text))).to_json()
        return None

    return decide


# -- the hand-written function ---------------------------------------------------------------


class _Law:
    """What the hand-written function reads, prepared once: citations by rule id (by version
    where a pack has two), and NYC DOC's list of violent or serious crimes with, per entry,
    the level a judgment must have had (if any) and the level its class implies."""

    def __init__(self, catalog: Catalog) -> None:
        self.citations: dict[tuple[str, str], str] = {}
        for pack in catalog:
            for version, rule in pack.own_rules():
                self.citations[(version.version, rule.id)] = rule.spec.citation
        table = catalog.get("us-ny-nyc-doc").latest.tables["violent_or_serious_crimes"]
        assert all(e.effective_to is None and e.effective_from <= DOC_FROM for e in table.entries)
        assert table.inchoate is not None
        self.doc_listed = {
            e.offense: (e.requires_level, e.klass if e.klass in ("felony", "misdemeanor") else None)
            for e in table.entries
        }
        self.doc_inchoate = table.inchoate.sections
        self.inchoate_level = table.inchoate.level

    def doc_code(self, code: str, level: str | None) -> bool:
        """A conviction's offense counts under § 9-131: listed (or a subdivision of a listed
        section) at the level the entry requires, or an attempt (or the like) of one at the
        level the list requires of those."""
        section = self._section(code)
        if section is not None:
            required, implied = self.doc_listed[section]
            return required is None or (level or implied) == required
        match = _INCHOATE.match(code)
        if match is None:
            return False
        number = match["section"]
        if not any(number == s or number.startswith(s + ".") for s in self.doc_inchoate):
            return False
        section = self._section(match["law"] + match["rest"])
        if section is None:
            return False
        required, implied = self.doc_listed[section]
        wanted = self.inchoate_level or required
        return wanted is None or (level or implied) == wanted

    def listed_as(self, code: str, level: str | None) -> str:
        """The listed section a counting offense falls under, else the code as given."""
        if not self.doc_code(code, level):
            return code
        section = self._section(code)
        if section is None:
            match = _INCHOATE.match(code)
            assert match is not None
            section = self._section(match["law"] + match["rest"])
        assert section is not None
        return section

    def _section(self, code: str) -> str | None:
        while code not in self.doc_listed:
            if not code.endswith(")") or "(" not in code:
                return None
            code = code[: code.rindex("(")]
        return code


def _doc_qualifies(law: _Law, request: EvaluationRequest) -> bool:
    person = request.person
    if person.tsdb_match:
        return True
    as_of = request.as_of
    cutoff = years_before(person.arrested_on or as_of, 5)
    return any(
        not c.youthful_offender
        and c.date <= as_of
        and c.window_start >= cutoff
        and law.doc_code(c.offense, c.level)
        for c in person.convictions
    )


def _local(request: EvaluationRequest, action: str, law: _Law) -> tuple[str, str] | None:
    """The status and rule of the pack's own law, before the federal floor."""
    pack, kind = request.pack, request.instrument.kind.value
    warrant, judicial = request.instrument.warrant.value, request.instrument.warrant == "judicial"
    if pack == "us-co":
        if action == "hold":
            return ("permitted", "CO-WARRANT-01") if judicial else ("prohibited", "CO-HOLD-01")
        if action == "transfer" and judicial:
            return "permitted", "CO-WARRANT-01"
        return "permitted", "CO-OTHER-01"
    if pack == "us-or":
        if action in ("hold", "transfer") and judicial:
            return "permitted", "OR-ARREST-01"
        return "prohibited", "OR-RESOURCES-01"
    if pack == "us-tn":
        if action == CITIZENSHIP:
            return "required", "TN-STATUS-01"
        return "permitted", "TN-COOP-01"
    if pack == "us-fl":
        return "permitted", "FL-STATUS-01" if action == CITIZENSHIP else "FL-COOP-01"
    if pack == "us-ia":
        if kind == "detainer":
            if warrant == "none":
                return "permitted", "IA-HOLD-02"
            if request.instrument.issuer == "ice":
                return "required", "IA-HOLD-01"
        return "permitted", "IA-COOP-01"
    if pack == "us-tx":
        if kind == "detainer":
            if request.person.proof_of_status:
                return "permitted", "TX-HOLD-02"
            if request.instrument.issuer == "ice":
                return "required", "TX-HOLD-01"
        return "permitted", "TX-COOP-01"
    if pack == "us-il":
        if action == CITIZENSHIP:
            return "permitted", "IL-STATUS-01"
        if not judicial:
            if action == "hold":
                return "prohibited", "IL-HOLD-01"
            custody = kind in ("detainer", "notification_request", "transfer_request")
            if custody and action in ("notify_release", "transfer", "disclose:release_date"):
                return "prohibited", "IL-DETAINER-01"
            if action == "transfer" and request.as_of >= date(2021, 8, 2):
                return "prohibited", "IL-TRANSFER-01"
        return "permitted", "IL-OTHER-01"
    if pack == "us-ny-nyc-doc":
        return _doc(request, action, kind, judicial, law)
    return None  # us-federal: only the federal layer speaks


def _doc(
    request: EvaluationRequest, action: str, kind: str, judicial: bool, law: _Law
) -> tuple[str, str]:
    if action == CITIZENSHIP:
        return "prohibited", "NYC-10178-01"
    qualifies = _doc_qualifies(law, request)
    if action == "hold":
        if judicial and qualifies:
            return "permitted", "NYC-DOC-HOLD-02"
        return "prohibited", "NYC-DOC-HOLD-01"
    if kind == "detainer" and action in ("notify_release", "transfer"):
        if judicial and qualifies:
            return "permitted", "NYC-DOC-NOTIFY-02"
        return "prohibited", "NYC-DOC-NOTIFY-01"
    if not qualifies:
        return "prohibited", "NYC-DOC-INFO-01"
    if action == "disclose:court_dates" and kind != "court_order" and not judicial:
        return "prohibited", "NYS-COURT-01"
    return "permitted", "NYC-DOC-INFO-02"


def _decide_by_hand(request: EvaluationRequest, action: str, law: _Law) -> tuple[str, str]:
    local = _local(request, action, law)
    # The federal floor: a court order for records must be obeyed (8 U.S.C. § 1225(d)(4)),
    # and status information may always be shared (8 U.S.C. § 1373).
    if request.instrument.kind == "court_order" and action.startswith(DISCLOSE):
        if local is None or local[0] != "required":
            return "required", "FED-COURT-01"
    elif action == CITIZENSHIP and (local is None or local[0] == "prohibited"):
        return "permitted", "FED-INFO-01"
    assert local is not None
    return local


def _version(request: EvaluationRequest, rule: str) -> str:
    if rule.startswith("FED-"):
        return "1996-09-30"
    if rule.startswith("NYS-"):
        return "2012-02-20"
    if request.pack == "us-tx":
        return "2025-01-01" if request.as_of >= date(2025, 1, 1) else "2017-09-01"
    if request.pack == "us-il":
        return "2021-08-02" if request.as_of >= date(2021, 8, 2) else "2017-08-28"
    if request.pack == "us-ny-nyc-doc":
        return "2014-12-14"
    return {
        "us-co": "2019-05-28",
        "us-fl": "2019-10-01",
        "us-ia": "2018-07-01",
        "us-or": "2021-07-19",
        "us-tn": "2019-01-01",
    }[request.pack]


def _hand_written_answer(request: EvaluationRequest, law: _Law) -> dict[str, Any]:
    actions = {}
    statuses = set()
    for action in request.instrument.actions:
        status, rule = _decide_by_hand(request, action, law)
        statuses.add(status)
        citation = law.citations[(_version(request, rule), rule)]
        actions[action] = {"status": status, "rule": rule, "citation": citation}
    if "prohibited" in statuses:
        outcome = "must_not_comply" if len(statuses) == 1 else "partial"
    else:
        outcome = "must_comply" if statuses == {"required"} else "may_comply"
    return {"outcome": outcome, "actions": actions}


def _in_subset(request: EvaluationRequest) -> bool:
    if request.pack in SIMPLE_PACKS:
        return True
    return request.pack == "us-ny-nyc-doc" and request.as_of >= DOC_FROM


def _hand_written(law: _Law, requests: Sequence[EvaluationRequest]) -> Callable[[], object]:
    def decide() -> object:
        for request in requests:
            _hand_written_answer(request, law)
        return None

    return decide


def _check_hand_written(catalog: Catalog, law: _Law, requests: Sequence[EvaluationRequest]) -> None:
    """The function must answer as the engine does, or the comparison means nothing."""
    for request in requests:
        engine = evaluate(catalog, request).to_json()
        by_hand = _hand_written_answer(request, law)
        expected = {
            "outcome": engine["outcome"],
            "actions": {
                a: {k: d[k] for k in ("status", "rule", "citation")}
                for a, d in engine["actions"].items()
            },
        }
        if by_hand != expected:
            raise SystemExit(
                f"the hand-written function disagrees with the engine on {request.to_json()}:"
                f"\n  engine       {expected}\n  hand-written {by_hand}"
            )


# -- cedarpy ---------------------------------------------------------------------------------


def _cedar_policies(law: _Law) -> str:
    """The subset's law as Cedar: a permit per permitting (or requiring) rule, with the
    exceptions, floors and ceilings folded into its condition (Cedar has no exceptions: the
    first matching permit decides, a request that none permits is denied and reported under
    the pack's prohibiting rule, see ``_cedar_denial``). ``@effect`` tells required from
    permitted, which Cedar does not distinguish."""
    offenses = json.dumps(sorted(law.doc_listed))
    court = 'context.kind == "court_order" && context.disclose'
    local = f"!({court}) && context.pack"
    qualifies = f"(context.recent_offenses.containsAny({offenses}) || context.tsdb_match)"
    custody = '["detainer", "notification_request", "transfer_request"].contains(context.kind)'
    return f"""
@id("FED-COURT-01") @effect("required")
permit (principal, action, resource)
when {{ {court} && !(context.pack == "us-tn" && action == Action::"{CITIZENSHIP}") }};
@id("FED-INFO-01") @effect("permitted")
permit (principal, action == Action::"{CITIZENSHIP}", resource)
when {{ !({court}) && ["us-federal", "us-or", "us-ny-nyc-doc"].contains(context.pack) }};
@id("CO-WARRANT-01") @effect("permitted")
permit (principal, action in [Action::"hold", Action::"transfer"], resource)
when {{ {local} == "us-co" && context.warrant == "judicial" }};
@id("CO-OTHER-01") @effect("permitted")
permit (principal, action, resource)
when {{ {local} == "us-co" && action != Action::"hold" &&
       !(action == Action::"transfer" && context.warrant == "judicial") }};
@id("OR-ARREST-01") @effect("permitted")
permit (principal, action in [Action::"hold", Action::"transfer"], resource)
when {{ {local} == "us-or" && context.warrant == "judicial" }};
@id("TN-STATUS-01") @effect("required")
permit (principal, action == Action::"{CITIZENSHIP}", resource) when {{ context.pack == "us-tn" }};
@id("TN-COOP-01") @effect("permitted")
permit (principal, action, resource)
when {{ {local} == "us-tn" && action != Action::"{CITIZENSHIP}" }};
@id("FL-STATUS-01") @effect("permitted")
permit (principal, action == Action::"{CITIZENSHIP}", resource) when {{ {local} == "us-fl" }};
@id("FL-COOP-01") @effect("permitted")
permit (principal, action, resource)
when {{ {local} == "us-fl" && action != Action::"{CITIZENSHIP}" }};
@id("IA-HOLD-02") @effect("permitted")
permit (principal, action, resource)
when {{ {local} == "us-ia" && context.kind == "detainer" && context.warrant == "none" }};
@id("IA-HOLD-01") @effect("required")
permit (principal, action, resource)
when {{ {local} == "us-ia" && context.kind == "detainer" && context.warrant != "none" &&
       context.issuer == "ice" }};
@id("IA-COOP-01") @effect("permitted")
permit (principal, action, resource)
when {{ {local} == "us-ia" &&
       !(context.kind == "detainer" && (context.warrant == "none" || context.issuer == "ice")) }};
@id("TX-HOLD-02") @effect("permitted")
permit (principal, action, resource)
when {{ {local} == "us-tx" && context.kind == "detainer" && context.proof_of_status }};
@id("TX-HOLD-01") @effect("required")
permit (principal, action, resource)
when {{ {local} == "us-tx" && context.kind == "detainer" && !context.proof_of_status &&
       context.issuer == "ice" }};
@id("TX-COOP-01") @effect("permitted")
permit (principal, action, resource)
when {{ {local} == "us-tx" &&
       !(context.kind == "detainer" && (context.proof_of_status || context.issuer == "ice")) }};
@id("IL-STATUS-01") @effect("permitted")
permit (principal, action == Action::"{CITIZENSHIP}", resource) when {{ {local} == "us-il" }};
@id("IL-OTHER-01") @effect("permitted")
permit (principal, action, resource)
when {{ {local} == "us-il" && action != Action::"{CITIZENSHIP}" &&
       (context.warrant == "judicial" ||
        (action != Action::"hold" &&
         !({custody} && [Action::"notify_release", Action::"transfer",
                          Action::"disclose:release_date"].contains(action)) &&
         !(action == Action::"transfer" && context.il_transfer_rule))) }};
@id("NYC-DOC-HOLD-02") @effect("permitted")
permit (principal, action == Action::"hold", resource)
when {{ context.pack == "us-ny-nyc-doc" && context.warrant == "judicial" && {qualifies} }};
@id("NYC-DOC-NOTIFY-02") @effect("permitted")
permit (principal, action in [Action::"notify_release", Action::"transfer"], resource)
when {{ context.pack == "us-ny-nyc-doc" && context.kind == "detainer" &&
       context.warrant == "judicial" && {qualifies} }};
@id("NYC-DOC-INFO-02") @effect("permitted")
permit (principal, action, resource)
when {{ {local} == "us-ny-nyc-doc" && action != Action::"hold" &&
       action != Action::"{CITIZENSHIP}" &&
       !(context.kind == "detainer" &&
         [Action::"notify_release", Action::"transfer"].contains(action)) &&
       !(action == Action::"disclose:court_dates" && context.kind != "court_order" &&
         context.warrant != "judicial") &&
       {qualifies} }};
"""


def _cedar_denial(request: EvaluationRequest, action: str, law: _Law) -> str:
    """The prohibiting rule a denial is reported under: the pack's base rule that applies."""
    pack, kind = request.pack, request.instrument.kind.value
    if pack == "us-co":
        return "CO-HOLD-01"
    if pack == "us-or":
        return "OR-RESOURCES-01"
    if pack == "us-il":
        custody = kind in ("detainer", "notification_request", "transfer_request")
        if action == "hold":
            return "IL-HOLD-01"
        if custody and action in ("notify_release", "transfer", "disclose:release_date"):
            return "IL-DETAINER-01"
        return "IL-TRANSFER-01"
    if action == "hold":
        return "NYC-DOC-HOLD-01"
    if kind == "detainer" and action in ("notify_release", "transfer"):
        return "NYC-DOC-NOTIFY-01"
    if action == "disclose:court_dates" and _doc_qualifies(law, request):
        return "NYS-COURT-01"
    return "NYC-DOC-INFO-01"


def _cedar_context(request: EvaluationRequest, law: _Law, action: str) -> dict[str, Any]:
    # Cedar cannot quantify over a list of records, so the date window, youthful-offender
    # adjudications and later judgments are settled here, and each conviction is passed as
    # the listed section it falls under (a subdivision, an attempt judged a felony) or as is.
    person, as_of = request.person, request.as_of
    cutoff = years_before(person.arrested_on or as_of, 5)
    return {
        "pack": request.pack,
        "kind": request.instrument.kind.value,
        "warrant": request.instrument.warrant.value,
        "issuer": request.instrument.issuer,
        "disclose": action.startswith(DISCLOSE),
        "proof_of_status": person.proof_of_status,
        "tsdb_match": person.tsdb_match,
        "il_transfer_rule": as_of >= date(2021, 8, 2),
        "recent_offenses": [
            law.listed_as(c.offense, c.level)
            for c in person.convictions
            if not c.youthful_offender and c.date <= as_of and c.window_start >= cutoff
        ],
    }


def _cedar(law: _Law) -> Callable[[EvaluationRequest], dict[str, Any]]:
    text = _cedar_policies(law)
    policies = cedarpy.PolicySet.from_str(text)
    entities = cedarpy.Entities.from_json_str("[]")
    pattern = r'@id\("(?P<id>[^"]+)"\) @effect\("(?P<effect>\w+)"\)'
    effects = {m["id"]: m["effect"] for m in re.finditer(pattern, text)}

    def decide(request: EvaluationRequest) -> dict[str, Any]:
        actions = request.instrument.actions
        batch = [
            {
                "principal": 'Agency::"desk"',
                "action": f'Action::"{action}"',
                "resource": 'Person::"p1"',
                "context": _cedar_context(request, law, action),
            }
            for action in actions
        ]
        results = cedarpy.is_authorized_batch(batch, policies, entities)
        out = {}
        for action, result in zip(actions, results, strict=True):
            if result.allowed:
                rule = min(result.diagnostics.id_annotations_by_reason.values())
                out[action] = {"status": effects[rule], "rule": rule}
            else:
                out[action] = {"status": "prohibited", "rule": _cedar_denial(request, action, law)}
        return out

    return decide


def _cedar_pass(
    decide: Callable[[EvaluationRequest], object], requests: Sequence[EvaluationRequest]
) -> Callable[[], object]:
    def run_pass() -> object:
        for request in requests:
            decide(request)
        return None

    return run_pass


def _check_cedar(
    catalog: Catalog,
    decide: Callable[[EvaluationRequest], dict[str, Any]],
    subset: Sequence[EvaluationRequest],
) -> None:
    for request in subset:
        engine = evaluate(catalog, request).to_json()["actions"]
        expected = {a: {"status": d["status"], "rule": d["rule"]} for a, d in engine.items()}
        got = decide(request)
        if got != expected:
            raise SystemExit(
                f"the Cedar policies disagree with the engine on {request.to_json()}:"
                f"\n  engine {expected}\n  cedar  {got}"
            )


# -- the single example of earlier releases --------------------------------------------------


def _single(catalog: Catalog) -> Callable[[], object]:
    request = EvaluationRequest.from_json(DOCUMENT)

    def decide() -> object:
        return evaluate(catalog, request).to_json()

    return decide


# -- measuring -------------------------------------------------------------------------------


def _rate(decide: Callable[[], object], decisions: int) -> float:
    """Best of REPEATS repeats of PASSES calls of ``decide`` (each ``decisions`` decisions),
    in decisions per second of this process's CPU time: one core's worth of work, which
    other processes sharing the machine do not inflate as they do the wall clock."""
    decide()
    best = float("inf")
    for _ in range(REPEATS):
        start = time.process_time()
        for _ in range(PASSES):
            decide()
        best = min(best, time.process_time() - start)
    return PASSES * decisions / best


def _single_rate(decide: Callable[[], object]) -> float:
    decide()
    best = float("inf")
    for _ in range(3):
        start = time.process_time()
        for _ in range(SINGLE_ITERATIONS):
            decide()
        best = min(best, time.process_time() - start)
    return SINGLE_ITERATIONS / best


def run() -> dict[str, float]:
    """Measure the contenders and print the figures; returns them too."""
    catalog = load_catalog()
    documents = request_pool(catalog)
    requests = [EvaluationRequest.from_json(d) for d in documents]
    texts = [json.dumps(d) for d in documents]
    law = _Law(catalog)
    subset = [r for r in requests if _in_subset(r)]
    _check_hand_written(catalog, law, subset)
    cedar = _cedar(law)
    _check_cedar(catalog, cedar, subset)
    figures = {
        "engine_per_s": _rate(_engine(catalog, requests), len(requests)),
        "engine_with_json_parsing_per_s": _rate(_engine_with_parsing(catalog, texts), len(texts)),
        "engine_on_subset_per_s": _rate(_engine(catalog, subset), len(subset)),
        "hand_written_on_subset_per_s": _rate(_hand_written(law, subset), len(subset)),
        "cedarpy_on_subset_per_s": _rate(_cedar_pass(cedar, subset), len(subset)),
        "engine_single_example_per_s": _single_rate(_single(catalog)),
    }
    figures["hand_written_over_engine"] = (
        figures["hand_written_on_subset_per_s"] / figures["engine_on_subset_per_s"]
    )
    figures["engine_over_cedarpy"] = (
        figures["engine_on_subset_per_s"] / figures["cedarpy_on_subset_per_s"]
    )
    packs = len({r.pack for r in requests})
    print(
        f"rules: {len(requests)} varied requests over {packs} packs, full explanation; "
        f"subset inlined by hand and in Cedar: {len(subset)} requests "
        f"({', '.join(SIMPLE_PACKS)}; us-ny-nyc-doc from {DOC_FROM.isoformat()})"
    )
    for name, value in figures.items():
        unit = "x" if "_over_" in name else " decisions/s (CPU)"
        print(f"  {name:<32} {value:>12,.1f}{unit}")
    print(f"  command: {' '.join([Path(sys.executable).name, '-m', 'benchmarks.bench_rules'])}")
    print(f"  /proc/loadavg: {_loadavg()}")
    return figures


def _loadavg() -> str:
    try:
        return Path("/proc/loadavg").read_text(encoding="ascii").strip()
    except OSError:
        return "unavailable"


if __name__ == "__main__":
    run()
