"""The determination screen: what the addressee's law says about each requested action, and
the answer recorded on it (outcome, fields released from those permitted, reason)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from lexdesk.adapters.rule_packs import load_catalog
from lexdesk.domain.deadlines import DeadlinePolicy
from lexdesk.domain.errors import DisclosureRefused, LexdeskError
from lexdesk.domain.instruments import Instrument
from lexdesk.domain.lifecycle import allowed_transitions
from lexdesk.domain.permissions import Permission
from lexdesk.domain.vocabulary import CUSTODIAN_ADDRESSED_KINDS, AgencyKind, disclosed_field
from lexdesk.entrypoints.web.cases import case_of
from lexdesk.entrypoints.web.pages import (
    Posted,
    Viewer,
    Web,
    posted,
    redirect,
    render,
    require,
    viewer,
    web,
)
from lexdesk.services import audit
from lexdesk.services import instruments as verbs
from lexdesk.services.context import agency
from lexdesk.services.evaluation import rule_document

router = APIRouter()


@dataclass
class Screen:
    instrument: Instrument
    outcomes: list[str]
    fields: list[tuple[str, str]]  # (field, status under the law or "asked")
    evaluation: dict[str, Any] | None = None
    articles: dict[str, dict[str, str]] = field(default_factory=dict)

    @property
    def prohibited(self) -> list[str]:
        return [name for name, status in self.fields if status == "prohibited"]


@router.get("/instruments/{instrument_id}/determine")
def determination_screen(
    request: Request, instrument_id: str, seen: Viewer = Depends(viewer), site: Web = Depends(web)
) -> Response:
    screen = build_screen(site, seen, instrument_id)
    return _render(request, seen, screen, {}, {})


@router.post("/instruments/{instrument_id}/determine")
def record_determination(
    request: Request, instrument_id: str, sent: Posted = Depends(posted), site: Web = Depends(web)
) -> Response:
    seen, chosen = sent.viewer, sent.all("fields")
    errors = _missing(sent.get("outcome"), sent.get("reason"))
    if not errors:
        try:
            done = verbs.determine(site.built.desk, _command(sent, instrument_id))
            return redirect(f"/cases/{done.case_id}#{done.id}")
        except DisclosureRefused as error:
            errors["fields"] = str(error)
        except LexdeskError as error:
            errors["outcome"] = str(error)
    values = {"outcome": sent.get("outcome"), "reason": sent.get("reason"), "fields": chosen}
    screen = build_screen(site, seen, instrument_id)
    return _render(request, seen, screen, errors, values, 400)


def _command(sent: Posted, instrument_id: str) -> verbs.Determine:
    """The answer as posted, refused by the service if the instrument moved on since the
    screen was shown (the version the screen carried)."""
    version = int(sent.get("version")) if sent.get("version").isdigit() else None
    return verbs.Determine(
        sent.viewer.username, instrument_id, sent.get("outcome"), sent.get("reason"),
        sent.all("fields"), version, sent.viewer.source,
    )  # fmt: skip


def build_screen(site: Web, seen: Viewer, instrument_id: str) -> Screen:
    require(seen, Permission.INSTRUMENT_DETERMINE)
    case = case_of(site, seen, instrument_id)
    instrument = case.instrument(instrument_id)
    outcomes = [
        row.target.value
        for row in allowed_transitions(instrument.kind, instrument.status)
        if row.name == "determine"
    ]
    asked = [f for f in (disclosed_field(a) for a in instrument.actions) if f]
    screen = Screen(instrument, outcomes, [(f, "asked") for f in asked])
    evaluated = evaluate(site, seen, case.person_id, instrument)
    if evaluated is not None:
        result, pack = evaluated
        statuses = {a: d.get("status", "conflict") for a, d in result["actions"].items()}
        screen.fields = [(f, statuses.get(f"disclose:{f}", "conflict")) for f in asked]
        screen.evaluation, screen.articles = result, articles(pack)
    return screen


def evaluate(
    site: Web, seen: Viewer, person_id: str, instrument: Instrument
) -> tuple[dict[str, Any], str] | None:
    """The addressee's law on this instrument today, as the determination will record it;
    None where no rule pack governs the answer (a U.S. Attorney, a court)."""
    desk = site.built.desk
    with desk.uow() as uow:
        addressee = agency(uow, instrument.addressee_agency_id)
        person = uow.persons.get(person_id)
    governed = instrument.kind in CUSTODIAN_ADDRESSED_KINDS and addressee.id == seen.agency.id
    if not governed or addressee.kind is not AgencyKind.CUSTODIAL or not addressee.rule_pack:
        return None
    if person is None:
        return None
    zone = ZoneInfo(DeadlinePolicy.from_json(addressee.deadline_policy).timezone)
    as_of = desk.clock.now().astimezone(zone).date().isoformat()
    document = rule_document(addressee.rule_pack, instrument, person, as_of)
    audit.record_read(
        desk, actor=seen.username, agency=seen.agency.id, object_type="person",
        object_id=person.id, source=seen.source, detail={"evaluation": instrument.id},
    )  # fmt: skip
    return desk.rules.decide(document).record["result"], addressee.rule_pack


def articles(pack_id: str) -> dict[str, dict[str, str]]:
    """Each rule's label, citation, official address and article text, by rule id."""
    pack = load_catalog().get(pack_id)
    return {
        rule.spec.id: {
            "label": rule.spec.label,
            "citation": rule.spec.citation,
            "url": rule.spec.url,
            "text": rule.spec.text,
        }
        for _, rule in pack.all_rules()
    }


def _missing(outcome: str, reason: str) -> dict[str, str]:
    errors = {}
    if not outcome:
        errors["outcome"] = "Choose the answer."
    if not reason:
        errors["reason"] = "Give the reason, citing the rule that decided where one did."
    return errors


def _render(
    request: Request,
    seen: Viewer,
    screen: Screen,
    errors: dict[str, str],
    values: dict[str, Any],
    status: int = 200,
) -> Response:
    context = {"viewer": seen, "screen": screen, "errors": errors, "values": values}
    return render(request, "determine.html", context, status)
