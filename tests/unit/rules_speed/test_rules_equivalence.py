"""The engine decides and explains the request pool exactly as recorded: every status, rule,
override, failed condition, citation, ``missing`` change, note and English sentence. The
engine keeps per-pack, per-table and per-plan caches for speed; evaluating the pool once on
a warm catalog and once, in reverse order, on a catalog built afresh catches a cache that
answers one request with another's facts."""

from __future__ import annotations

import json

import pytest

from lexdesk.adapters.rule_packs import load_catalog, pack_files
from lexdesk.domain.rules import Catalog, EvaluationRequest, build_catalog, evaluate

from .pool import SEED, SIZE, request_pool
from .record import RECORDING, digest, explained

RECORDED = json.loads(RECORDING.read_text(encoding="utf-8"))
RERECORD = "python -m tests.unit.rules_speed.record"


def _pool(catalog: Catalog) -> list[dict[str, object]]:
    return request_pool(catalog)


def _check(catalog: Catalog, order: list[int], pool: list[dict[str, object]]) -> None:
    for i in order:
        answer = explained(catalog, pool[i])
        if digest(answer) != RECORDED["digests"][i]:
            shown = json.dumps(answer, indent=1, ensure_ascii=False)[:4000]
            pytest.fail(
                f"request {i} of the pool is not decided or explained as recorded:\n"
                f"{json.dumps(pool[i])}\nnow answers:\n{shown}"
            )


def test_the_recording_is_of_the_shipped_packs() -> None:
    hashes = {pack.id: pack.content_hash for pack in load_catalog()}
    assert (RECORDED["seed"], RECORDED["size"]) == (SEED, SIZE)
    assert RECORDED["content_hashes"] == hashes, (
        f"a pack changed since the recording: check the answers that moved, then {RERECORD}"
    )


def test_the_pool_is_varied() -> None:
    pool = _pool(load_catalog())
    packs = {d["pack"] for d in pool}
    assert packs == {pack.id for pack in load_catalog() if pack.own_rules()}
    convictions = [len(d["person"]["convictions"]) for d in pool]  # type: ignore[index]
    assert min(convictions) == 0 and max(convictions) >= 5
    outcomes = {
        evaluate(load_catalog(), EvaluationRequest.from_json(d)).outcome for d in pool[:300]
    }
    assert {"may_comply", "must_not_comply", "partial", "must_comply"} <= outcomes


def test_warm_caches_answer_as_recorded() -> None:
    catalog = load_catalog()
    pool = _pool(catalog)
    _check(catalog, list(range(len(pool))), pool)
    # Twice over the same catalog: every cache is now filled by the first pass.
    _check(catalog, list(range(len(pool))), pool)


def test_a_fresh_catalog_answers_as_recorded_in_any_order() -> None:
    catalog = build_catalog(pack_files())
    pool = _pool(catalog)
    _check(catalog, list(reversed(range(len(pool)))), pool)
