"""What a lawyer audits: every rule of a pack with its verification status and source
(``sources``), and what changed between two versions of a pack (``diff``), as plain data for
the command line and the web pages."""

from __future__ import annotations

from datetime import date
from typing import Any

from lexdesk.domain.errors import InvalidInput
from lexdesk.domain.rules.evidence import HoldLimitSpec, Verification
from lexdesk.domain.rules.pack import RulePack
from lexdesk.domain.rules.schema import DutySpec, PackVersion, RuleSpec
from lexdesk.domain.rules.scope import AppliesTo
from lexdesk.domain.rules.tables import Table

#: The fields of a rule a diff compares, in the order it reports them.
RULE_FIELDS = (
    "label", "effect", "exception_to", "applies_to", "when", "precedence", "citation", "url",
    "text", "effective_from", "effective_to", "verification", "hold_limit",
)  # fmt: skip


def version_of(pack: RulePack, name: str) -> PackVersion:
    for version in pack.versions:
        if version.version == name:
            return version
    known = ", ".join(v.version for v in pack.versions)
    raise InvalidInput(f"{pack.id} has no version {name!r}: its versions are {known}")


def sources(pack: RulePack) -> list[dict[str, Any]]:
    """Per version, oldest first: its sources, every rule, duty and hold limit with its
    verification, and each table's count of verified entries with the unconfirmed ones."""
    return [_version_sources(pack.id, version) for version in pack.versions]


def _version_sources(pack_id: str, version: PackVersion) -> dict[str, Any]:
    items = [
        _item("rule", r.id, r.label, r.citation, r.url, r, r.verification) for r in version.rules
    ]
    items += [
        _item("duty", d.id, d.label, d.citation, d.url, d, d.verification) for d in version.duties
    ]
    items += [
        _item(
            "hold_limit",
            f"hold limit {i + 1}",
            _hold_words(h),
            h.citation,
            h.url,
            h,
            h.verification,
        )
        for i, h in enumerate(version.hold_limits)
    ]
    return {
        "pack": pack_id,
        "version": version.version,
        "title": version.title,
        "effective_from": version.effective_from.isoformat(),
        "effective_to": _day(version.effective_to),
        "hold_limit": "stated" if version.hold_limits else "default (from the layers)",
        "sources": [{"title": s.title, "url": s.url, "status": s.status} for s in version.sources],
        "rules": items,
        "tables": [_table(t) for t in version.tables.values()],
    }


def _item(
    kind: str,
    ident: str,
    label: str,
    citation: str,
    url: str,
    dated: RuleSpec | DutySpec | HoldLimitSpec,
    verification: Verification,
) -> dict[str, Any]:
    return {
        "kind": kind,
        "id": ident,
        "label": label,
        "citation": citation,
        "url": url,
        "effective_from": dated.effective_from.isoformat(),
        "effective_to": _day(dated.effective_to),
        "verification": verification.to_json(),
    }


def _table(table: Table) -> dict[str, Any]:
    unconfirmed = [e for e in table.entries if e.verification.status != "verified"]
    return {
        "name": table.name,
        "label": table.label,
        "citation": table.citation,
        "entries": len(table.entries),
        "verified": len(table.entries) - len(unconfirmed),
        "unconfirmed": [
            {"offense": e.offense, "name": e.name, "source": e.verification.source}
            for e in unconfirmed
        ],
    }


def _hold_words(limit: HoldLimitSpec) -> str:
    counted = (
        "clock hours"
        if limit.counting == "clock_hours"
        else "hours, weekends and holidays excluded"
    )
    return f"A hold may last {limit.hours} {counted}"


def _day(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def diff(pack: RulePack, first: str, second: str) -> dict[str, Any]:
    """Rules, duties, tables and hold limits added, removed and changed from one version to
    another, each rule with its citation."""
    old, new = version_of(pack, first), version_of(pack, second)
    return {
        "pack": pack.id,
        "from": old.version,
        "to": new.version,
        "rules": _compare(old, new, {r.id: r for r in old.rules}, {r.id: r for r in new.rules}),
        "duties": _compare(old, new, {d.id: d for d in old.duties}, {d.id: d for d in new.duties}),
        "tables": _tables(old, new),
        "hold_limit": None
        if _limits(old) == _limits(new)
        else {"from": _limits(old), "to": _limits(new)},
        "sources": {
            "added": sorted({s.url for s in new.sources} - {s.url for s in old.sources}),
            "removed": sorted({s.url for s in old.sources} - {s.url for s in new.sources}),
        },
    }


def _compare(
    old_version: PackVersion,
    new_version: PackVersion,
    old: dict[str, RuleSpec] | dict[str, DutySpec],
    new: dict[str, RuleSpec] | dict[str, DutySpec],
) -> dict[str, list[dict[str, Any]]]:
    changed = []
    for ident in [i for i in new if i in old]:
        fields = {
            name: {"from": before, "to": after}
            for name in RULE_FIELDS
            if (before := _field(old[ident], name, old_version))
            != (after := _field(new[ident], name, new_version))
        }
        if fields:
            changed.append({"id": ident, "citation": new[ident].citation, "changes": fields})
    return {
        "added": [_summary(spec) for ident, spec in new.items() if ident not in old],
        "removed": [_summary(spec) for ident, spec in old.items() if ident not in new],
        "changed": changed,
    }


def _summary(spec: RuleSpec | DutySpec) -> dict[str, Any]:
    effect = spec.effect if isinstance(spec, RuleSpec) else "duty"
    return {"id": spec.id, "label": spec.label, "effect": effect, "citation": spec.citation,
            "verification": spec.verification.status}  # fmt: skip


def _field(spec: RuleSpec | DutySpec, name: str, version: PackVersion) -> Any:
    """A field as it reads in the pack: a rule's dates that are its version's are no change."""
    value = getattr(spec, name, None)
    if name == "effective_from" and value == version.effective_from:
        return "the version's"
    if name == "effective_to" and value == version.effective_to:
        return "the version's"
    if isinstance(value, AppliesTo):
        return {"kinds": sorted(k.value for k in value.kinds), "actions": sorted(value.actions)}
    if isinstance(value, Verification):
        return value.status
    if isinstance(value, HoldLimitSpec):
        return _hold_words(value)
    if name == "when":
        return value.render() if value is not None else None
    if isinstance(value, tuple):
        return list(value)
    return _day(value) if isinstance(value, date) or name.startswith("effective") else value


def _tables(old: PackVersion, new: PackVersion) -> dict[str, dict[str, list[str]]]:
    out: dict[str, dict[str, list[str]]] = {}
    for name in sorted(set(old.tables) | set(new.tables)):
        before = {e.offense for e in old.tables[name].entries} if name in old.tables else set()
        after = {e.offense for e in new.tables[name].entries} if name in new.tables else set()
        if before != after:
            out[name] = {"added": sorted(after - before), "removed": sorted(before - after)}
    return out


def _limits(version: PackVersion) -> list[str]:
    return [f"{_hold_words(h)} ({h.citation})" for h in version.hold_limits] or ["default"]
