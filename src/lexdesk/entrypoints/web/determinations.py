"""The determination screen: what the addressee's law says about each requested action, and
the answer recorded on it (outcome, the actions performed and fields released, reason). An
answer that contradicts the evaluation comes back with each contradiction named and, for a
user with the legal role, an override step: a reason of 20 characters or more, confirmed."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from lexdesk.adapters.rule_packs import load_catalog
from lexdesk.domain.agencies import Role
from lexdesk.domain.answers import OVERRIDE_MIN_REASON, Contradiction, LawContradicted
from lexdesk.domain.errors import LexdeskError
from lexdesk.domain.instruments import Instrument
from lexdesk.domain.lifecycle import allowed_transitions
from lexdesk.domain.permissions import Permission
from lexdesk.domain.persons import Charge, ChargeStatus, Person
from lexdesk.domain.rules import phrasebook
from lexdesk.domain.rules.request import PERSON_FLAGS
from lexdesk.domain.vocabulary import PHYSICAL_ACTIONS, InstrumentKind, disclosed_field
from lexdesk.entrypoints.web import forms
from lexdesk.entrypoints.web.cases import instrument_seen
from lexdesk.entrypoints.web.pages import (
    Fields,
    PageRefused,
    Posted,
    Viewer,
    Web,
    posted,
    redirect,
    render,
    require,
    sentence,
    viewer,
    web,
)
from lexdesk.entrypoints.web.returned import returned, send_back
from lexdesk.services import disclosures
from lexdesk.services import instruments as verbs
from lexdesk.services.authorization import may
from lexdesk.services.evaluation import evaluation_now
from lexdesk.services.records import RecordFacts
from lexdesk.services.records import record_facts as record_facts_of

router = APIRouter()


@dataclass
class Screen:
    instrument: Instrument
    outcomes: list[str]
    fields: list[tuple[str, str]]  # (field, status under the law or "asked")
    physical: list[tuple[str, str]]  # (action, status under the law or "asked")
    evaluation: dict[str, Any] | None = None
    #: The evaluation in legal English, per action (``domain.rules.english``).
    explanation: dict[str, Any] | None = None
    articles: dict[str, dict[str, str]] = field(default_factory=dict)
    contradictions: tuple[Contradiction, ...] = ()
    may_override: bool = False
    override_min: int = OVERRIDE_MIN_REASON
    #: The agency that issued the instrument, by name.
    issuer_name: str = ""
    #: The holder's record, for recording the facts the answer turns on (PERSON_FACTS only).
    person: Person | None = None

    @property
    def asked_flags(self) -> list[str]:
        """The yes/no facts the evaluation says would change the answer."""
        missing = (self.evaluation or {}).get("missing", [])
        return [m["fact"].split(".", 1)[1] for m in missing if m["fact"].split(".", 1)[1]
                in PERSON_FLAGS and m.get("value") is True]  # fmt: skip

    @property
    def flag_choices(self) -> list[tuple[str, str]]:
        """Each yes/no fact with its legal phrase: "A possible match in the terrorist
        screening database"."""
        return [(flag, _capital(phrasebook.flag(f"person.{flag}"))) for flag in PERSON_FLAGS]

    @property
    def pending(self) -> list[tuple[int, Charge]]:
        custody = self.person.current_custody() if self.person else None
        charges = custody.charges if custody else []
        return [(i, c) for i, c in enumerate(charges) if c.status is ChargeStatus.PENDING]

    @property
    def is_ruling(self) -> bool:
        return self.instrument.kind is InstrumentKind.ENFORCEMENT_PETITION


@router.get("/instruments/{instrument_id}/determine")
def determination_screen(
    request: Request,
    instrument_id: str,
    draft: str = "",
    seen: Viewer = Depends(viewer),
    site: Web = Depends(web),
) -> Response:
    """The screen, or the answer the desk refused, as it was typed, with why."""
    screen = build_screen(site, seen, instrument_id)
    kept = returned(site, seen, _form(instrument_id), draft)
    if kept is None:
        return _render(request, seen, screen, {}, {})
    screen.contradictions = tuple(
        Contradiction.from_json(c) for c in kept.said.get("contradictions", [])
    )
    return _render(request, seen, screen, kept.errors, _values(kept.values))


@router.post("/instruments/{instrument_id}/determine")
def record_determination(
    instrument_id: str, sent: Posted = Depends(posted), site: Web = Depends(web)
) -> Response:
    seen = sent.viewer
    build_screen(site, seen, instrument_id)  # refuses one who may not answer it
    errors = _missing(sent)
    said: dict[str, Any] = {}
    if not errors:
        try:
            done = verbs.determine(site.built.desk, _command(sent, instrument_id))
            return redirect(f"/cases/{done.case_id}#{done.id}", done="determined")
        except LawContradicted as refusal:
            said["contradictions"] = [c.to_json() for c in refusal.contradictions]
            errors["override_reason"] = (
                "This answer departs from the evaluation (see above). Record the answer the "
                "law gives, or, as counsel, say why you depart from it in "
                f"{OVERRIDE_MIN_REASON} characters or more and confirm."
            )
        except LexdeskError as error:
            field = forms.field_of(error)
            errors["outcome" if field == "general" else field] = sentence(error)
    url = f"/instruments/{instrument_id}/determine"
    return send_back(sent, site, _form(instrument_id), url, errors, said)


def _form(instrument_id: str) -> str:
    """The determination screen's drafts: the answer and the facts, for one instrument."""
    return f"determine:{instrument_id}"


def _values(sent: Fields | Posted) -> dict[str, Any]:
    return {
        "outcome": sent.get("outcome"),
        "reason": sent.get("reason"),
        "fields": sent.all("fields"),
        "performed": sent.all("performed"),
        "override_reason": sent.get("override_reason"),
    }


def _command(sent: Posted, instrument_id: str) -> verbs.Determine:
    """The answer as posted, refused by the service if the instrument moved on since the
    screen was shown (the version the screen carried). An override goes with it only when its
    step was confirmed."""
    version = int(sent.get("version")) if sent.get("version").isdigit() else None
    confirmed = sent.get("override_confirmed") == "yes"
    override = sent.get("override_reason") if confirmed else None
    return verbs.Determine(
        sent.viewer.username, instrument_id, sent.get("outcome"), sent.get("reason"),
        sent.all("fields"), version, sent.viewer.source, sent.all("performed"), override,
    )  # fmt: skip


def build_screen(site: Web, seen: Viewer, instrument_id: str) -> Screen:
    require(seen, Permission.INSTRUMENT_DETERMINE)
    view = instrument_seen(site, seen, instrument_id)
    instrument = view.instrument
    if not may(seen.principal, Permission.INSTRUMENT_DETERMINE, instrument):
        raise PageRefused(404, "There is no such page.")
    outcomes = [
        row.target.value
        for row in allowed_transitions(instrument.kind, view.status)
        if row.name == "determine"
    ]
    asked = [f for f in (disclosed_field(a) for a in instrument.actions) if f]
    physical = [a for a in instrument.actions if a in PHYSICAL_ACTIONS]
    screen = Screen(
        instrument, outcomes, [(f, "asked") for f in asked], [(a, "asked") for a in physical]
    )
    screen.may_override = Role.LEGAL in seen.principal.roles
    with site.built.desk.uow() as uow:
        issuer = uow.agencies.get(instrument.issuer_agency_id)
    screen.issuer_name = issuer.name if issuer else instrument.issuer_agency_id
    evaluated = evaluation_now(site.built.desk, seen.principal, instrument_id, seen.source)
    if evaluated is not None:
        result, pack = evaluated.result, evaluated.pack
        screen.explanation = evaluated.explanation
        statuses = {a: d.get("status", "conflict") for a, d in result["actions"].items()}
        screen.fields = [(f, statuses.get(f"disclose:{f}", "conflict")) for f in asked]
        screen.physical = [(a, statuses.get(a, "conflict")) for a in physical]
        screen.evaluation, screen.articles = result, articles(pack)
        if may(seen.principal, Permission.PERSON_FACTS):
            case_person = _person_of(site, seen, instrument.case_id)
            screen.person = case_person
    return screen


def _person_of(site: Web, seen: Viewer, case_id: str) -> Person | None:
    view = disclosures.visible_case(site.built.desk, seen.principal, case_id, seen.source)
    if not view.holder:
        return None
    return disclosures.own_person(site.built.desk, seen.principal, view.case.person_id, seen.source)


@router.post("/instruments/{instrument_id}/facts")
def record_facts(
    instrument_id: str, sent: Posted = Depends(posted), site: Web = Depends(web)
) -> Response:
    """Record the facts the answer turns on, then evaluate again."""
    seen = sent.viewer
    screen = build_screen(site, seen, instrument_id)
    if screen.person is None:
        raise PageRefused(404, "There is no such page.")
    command = RecordFacts(
        seen.username,
        screen.person.id,
        sent.get("facts_reason"),
        flags={flag: flag in sent.all("flags") for flag in PERSON_FLAGS},
        youthful_offender=tuple(int(i) for i in sent.all("youthful_offender") if i.isdigit()),
        probable_cause=tuple(int(i) for i in sent.all("probable_cause") if i.isdigit())
        if screen.pending
        else None,
        source=seen.source,
    )
    try:
        record_facts_of(site.built.desk, command)
    except LexdeskError as error:
        url = f"/instruments/{instrument_id}/determine"
        return send_back(sent, site, _form(instrument_id), url, {"facts_reason": str(error)})
    return redirect(f"/instruments/{instrument_id}/determine", done="facts")


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


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _missing(sent: Posted) -> dict[str, str]:
    errors = forms.too_long({k: sent.get(k) for k in ("reason", "override_reason")})
    if not sent.get("outcome"):
        errors["outcome"] = "Choose the answer."
    if not sent.get("reason") and "reason" not in errors:
        errors["reason"] = "Give the reason, citing the rule that decided where one did."
    if sent.get("override_confirmed") == "yes" and not sent.get("override_reason"):
        errors["override_reason"] = "Say why counsel departs from the evaluation."
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
