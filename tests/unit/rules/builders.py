"""Synthetic packs and requests for the engine's unit tests: small, fictional, built from
Python dicts dumped to YAML, so each test states only the rules it is about."""

from __future__ import annotations

from datetime import date
from typing import Any

import yaml

from lexdesk.domain.rules import Catalog, EvaluationRequest, build_catalog

SOURCE = "https://example.org"
VERIFIED = {"status": "verified", "source": "test", "read_at": SOURCE, "read_on": date(2026, 1, 1)}
UNCONFIRMED = {"status": "unconfirmed", "source": "test"}
HOLD_LIMIT = {
    "hours": 48,
    "counting": "clock_hours",
    "citation": "Test Code § 48",
    "url": SOURCE,
    "text": "A hold lasts at most 48 hours.",
    "verification": VERIFIED,
}


def rule(rule_id: str, effect: str = "prohibited", **fields: Any) -> dict[str, Any]:
    """A rule on every kind's ``hold`` unless ``applies_to`` says otherwise."""
    return {
        "id": rule_id,
        "label": f"rule {rule_id}",
        "applies_to": {"kinds": ["*"], "actions": ["hold"]},
        "effect": effect,
        "citation": f"Test Code § {rule_id}",
        "url": "https://example.org/law",
        "text": f"The text of {rule_id}.",
        "verification": VERIFIED,
    } | fields


def table(*offenses: str, **entry_fields: Any) -> dict[str, Any]:
    return {
        "label": "Listed offenses",
        "citation": "Test Code § 1(a)",
        "url": "https://example.org/law",
        "entries": [
            {
                "offense": code,
                "name": f"offense {code}",
                "citation": f"Test Penal Law § {code}",
                "effective_from": date(2000, 1, 1),
                "verification": VERIFIED,
            }
            | entry_fields
            for code in offenses
        ],
    }


def pack(
    pack_id: str = "test-local",
    *rules: dict[str, Any],
    version: str = "2020-01-01",
    layers: tuple[str, ...] = (),
    **fields: Any,
) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "pack": pack_id,
        "version": version,
        "title": f"Test pack {pack_id}",
        "level": "local" if layers else "federal",
        "jurisdiction": "Testland",
        "agency": "Testland jail",
        "effective_from": date.fromisoformat(version),
        "sources": [{"title": "Test Code", "url": SOURCE, "status": "text"}],
        "hold_limit": "default" if layers else HOLD_LIMIT,
        "rules": list(rules),
    }
    if layers:
        doc["layers"] = list(layers)
    return doc | fields


def catalog(*docs: dict[str, Any]) -> Catalog:
    files: dict[str, list[tuple[str, str]]] = {}
    for doc in docs:
        name = f"{doc['pack']}/{doc['version']}.yaml"
        files.setdefault(doc["pack"], []).append((name, yaml.safe_dump(doc, sort_keys=False)))
    return build_catalog(files)


def request(
    pack_id: str = "test-local",
    *,
    as_of: str = "2020-06-01",
    kind: str = "detainer",
    warrant: str = "none",
    actions: tuple[str, ...] = ("hold",),
    **person: Any,
) -> EvaluationRequest:
    return EvaluationRequest.from_json(
        {
            "pack": pack_id,
            "as_of": as_of,
            "instrument": {"kind": kind, "warrant": warrant, "actions": list(actions)},
            "person": person,
        }
    )
