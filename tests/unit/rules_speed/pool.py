"""A pool of varied ``rules evaluate`` request documents, drawn with a fixed seed: persons
with none to several convictions (listed offenses, unlisted ones, subdivisions of listed
sections, attempts, youthful-offender adjudications, judgments later than the evaluation
date), pending charges, the yes/no facts, public information, every warrant and issuer, and
the kinds and actions the pack's rules speak to, on dates across each pack's versions.

The benchmark (``benchmarks/bench_rules.py``) measures the engine on it and the equivalence
test holds the engine's decisions and explanations on it to a recording. All data is made
up: a person here is a set of facts, never a name."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from lexdesk.domain.rules import Catalog, ConflictError, NoRuleInForce, evaluate
from lexdesk.domain.rules.request import PERSON_FLAGS, EvaluationRequest
from lexdesk.domain.vocabulary import DISCLOSABLE_FIELDS, Warrant

SEED = 14
SIZE = 1_000
#: The pool's dates run to here: later than any version of the shipped packs starts.
LAST_DAY = date(2026, 6, 30)
#: Offense codes that no shipped table lists, from the same bodies of law.
UNLISTED = (
    "NY PL 155.25", "NY PL 165.40", "NY VTL 511", "NY PL 240.20", "CA PC 484", "CA VC 23152",
    "CA PC 602", "CA HS 11350", "TX PC 31.03", "IL 720 ILCS 5/16-1", "FL 812.014",
)  # fmt: skip
KIND_WEIGHTS = {
    "detainer": 5,
    "notification_request": 2,
    "transfer_request": 2,
    "information_request": 2,
    "administrative_subpoena": 1,
    "court_order": 1,
}


def request_pool(catalog: Catalog, size: int = SIZE, seed: int = SEED) -> list[dict[str, Any]]:
    """``size`` request documents that the engine decides (a draw that no rule in force
    decides is drawn again; conflicts stay: they are decisions too, explained)."""
    rng = random.Random(seed)
    packs = [pack for pack in catalog if pack.own_rules()]
    codes = _offense_codes(catalog)
    pool: list[dict[str, Any]] = []
    while len(pool) < size:
        pack = packs[len(pool) % len(packs)]
        document = _document(rng, pack.id, pack.versions[0].effective_from, codes, pack)
        if _decided(catalog, document):
            pool.append(document)
    return pool


def _decided(catalog: Catalog, document: dict[str, Any]) -> bool:
    try:
        evaluate(catalog, EvaluationRequest.from_json(document))
    except ConflictError:
        return True
    except NoRuleInForce:
        return False
    return True


def _offense_codes(catalog: Catalog) -> list[str]:
    listed = {
        entry.offense
        for pack in catalog
        for version in pack.versions
        for table in version.tables.values()
        for entry in table.entries
    }
    return sorted(listed)


def _document(
    rng: random.Random, pack_id: str, first: date, codes: list[str], pack: Any
) -> dict[str, Any]:
    as_of = _day_between(rng, first, LAST_DAY)
    kinds, actions = _scope(pack, as_of)
    kind = rng.choices(kinds, weights=[KIND_WEIGHTS[k] for k in kinds])[0]
    wanted = rng.sample(actions, k=min(len(actions), rng.choice((1, 1, 2, 2, 3, 4))))
    instrument: dict[str, Any] = {"kind": kind, "actions": wanted}
    if rng.random() < 0.85:
        instrument["warrant"] = rng.choice([w.value for w in Warrant])
    if rng.random() < 0.2:
        instrument["issuer"] = rng.choice(("ice", "cbp", "other"))
    return {
        "pack": pack_id,
        "as_of": as_of.isoformat(),
        "instrument": instrument,
        "person": _person(rng, as_of, codes),
    }


def _scope(pack: Any, as_of: date) -> tuple[list[str], list[str]]:
    """The kinds and actions the pack's rules (its layers' included) speak to."""
    kinds: set[str] = set()
    actions: set[str] = set()
    for _, rule in pack.all_rules():
        kinds |= {k.value for k in rule.spec.applies_to.kinds}
        actions |= rule.spec.applies_to.actions
    return sorted(kinds), sorted(actions)


def _person(rng: random.Random, as_of: date, codes: list[str]) -> dict[str, Any]:
    person: dict[str, Any] = {}
    if rng.random() < 0.75:
        person["arrested_on"] = (as_of - timedelta(days=rng.randint(0, 120))).isoformat()
    count = rng.choice((0, 0, 1, 1, 2, 2, 3, 4, 5, 7))
    person["convictions"] = [_conviction(rng, as_of, codes) for _ in range(count)]
    if rng.random() < 0.4:
        person["pending_charges"] = [
            _charge(rng, as_of, codes) for _ in range(rng.choice((1, 1, 2)))
        ]
    for flag in PERSON_FLAGS:
        if rng.random() < 0.08:
            person[flag] = True
    if rng.random() < 0.25:
        person["public_information"] = rng.sample(DISCLOSABLE_FIELDS, k=rng.randint(1, 3))
    return person


def _offense(rng: random.Random, codes: list[str]) -> str:
    draw = rng.random()
    if draw < 0.6:
        return rng.choice(codes)
    if draw < 0.75:
        return rng.choice(UNLISTED)
    if draw < 0.88:
        # A subdivision of a listed section counts; one of a listed subdivision may not.
        return f"{rng.choice(codes)}({rng.choice('abc1')})"
    # An attempt or a conspiracy: "NY PL 110/160.15", "CA PC 664/211".
    code = rng.choice([c for c in codes if c.startswith(("NY PL ", "CA PC "))])
    law, section = code.rsplit(" ", 1)
    inchoate = rng.choice(("110", "105", "664", "182"))
    return f"{law} {inchoate}/{section}"


def _conviction(rng: random.Random, as_of: date, codes: list[str]) -> dict[str, Any]:
    judged = _day_between(rng, as_of - timedelta(days=365 * 25), as_of + timedelta(days=30))
    out: dict[str, Any] = {"offense": _offense(rng, codes), "date": judged.isoformat()}
    if rng.random() < 0.4:
        out["released_on"] = (judged + timedelta(days=rng.randint(30, 365 * 6))).isoformat()
    if rng.random() < 0.5:
        out["level"] = rng.choice(("felony", "misdemeanor"))
    if rng.random() < 0.05:
        out["youthful_offender"] = True
    return out


def _charge(rng: random.Random, as_of: date, codes: list[str]) -> dict[str, Any]:
    filed = as_of - timedelta(days=rng.randint(0, 200))
    out: dict[str, Any] = {"offense": _offense(rng, codes), "date": filed.isoformat()}
    if rng.random() < 0.5:
        out["level"] = rng.choice(("felony", "misdemeanor"))
    if rng.random() < 0.4:
        out["probable_cause_found"] = True
    return out


def _day_between(rng: random.Random, first: date, last: date) -> date:
    return first + timedelta(days=rng.randint(0, (last - first).days))
