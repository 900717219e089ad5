"""The law as lexdesk encodes it, for legal staff to audit: the rule packs, every rule of a
pack with its verification status and source, and what changed between two versions. Read
from the shipped packs (nothing personal, nothing stored); other roles find no such page."""

from __future__ import annotations

from itertools import pairwise
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from lexdesk.adapters.rule_packs import load_catalog, load_vectors
from lexdesk.domain.agencies import Role
from lexdesk.domain.errors import InvalidInput
from lexdesk.domain.rules import RulePack
from lexdesk.domain.rules.review import diff, sources
from lexdesk.entrypoints.web.pages import PageRefused, Viewer, render, viewer

router = APIRouter()


def _legal(seen: Viewer) -> None:
    if Role.LEGAL not in seen.principal.roles:
        raise PageRefused(404, "There is no such page.")


def _pack(pack_id: str) -> RulePack:
    try:
        return load_catalog().get(pack_id)
    except InvalidInput:
        raise PageRefused(404, "There is no such rule pack.") from None


@router.get("/rules")
def rules_index(request: Request, seen: Viewer = Depends(viewer)) -> Response:
    _legal(seen)
    packs = [_summary(pack) for pack in load_catalog()]
    return render(request, "rules_index.html", {"viewer": seen, "packs": packs})


def _summary(pack: RulePack) -> dict[str, Any]:
    rules = [rule for version in pack.versions for rule in version.rules]
    return {
        "id": pack.id,
        "title": pack.latest.title,
        "jurisdiction": pack.latest.jurisdiction,
        "layers": pack.latest.layers,
        "versions": [v.version for v in pack.versions],
        "rules": len(rules),
        "verified": sum(r.verification.status == "verified" for r in rules),
        "vectors": len(load_vectors(pack.id)),
    }


@router.get("/rules/{pack_id}")
def rules_sources(request: Request, pack_id: str, seen: Viewer = Depends(viewer)) -> Response:
    _legal(seen)
    pack = _pack(pack_id)
    versions = sources(pack)
    steps = list(pairwise(v["version"] for v in versions))
    context = {"viewer": seen, "pack": pack, "versions": versions, "steps": steps}
    return render(request, "rules_sources.html", context)


@router.get("/rules/{pack_id}/diff")
def rules_diff(
    request: Request,
    pack_id: str,
    before: str = "",
    after: str = "",
    seen: Viewer = Depends(viewer),
) -> Response:
    """``/rules/us-tx/diff?before=2017-09-01&after=2025-01-01``."""
    _legal(seen)
    pack = _pack(pack_id)
    try:
        changes = diff(pack, before, after)
    except InvalidInput as error:
        raise PageRefused(404, str(error)) from None
    return render(request, "rules_diff.html", {"viewer": seen, "pack": pack, "diff": changes})
