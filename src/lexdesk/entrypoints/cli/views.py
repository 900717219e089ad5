"""How the command line prints what the disclosure policy shows: an instrument, a case, as
the agency of the user named with ``--as`` may see them (or, with no ``--as``, as the agency
that holds the person: the operator holds the database)."""

from __future__ import annotations

from typing import Any

import typer

from lexdesk.domain.visibility import CaseView, DeterminationView, EventView, InstrumentView


def describe(view: InstrumentView) -> dict[str, Any]:
    """An instrument as JSON: the same fields as the API's answer."""
    instrument = view.instrument
    return {
        "id": instrument.id,
        "case_id": instrument.case_id,
        "kind": instrument.kind.value,
        "status": view.status.value,
        "actions": list(instrument.actions),
        "warrant": instrument.warrant.value,
        "issuer": instrument.issuer_agency_id,
        "addressee": instrument.addressee_agency_id,
        "parent_id": instrument.parent_id,
        "issued_at": instrument.issued_at,
        "due_at": view.due_at,
        "due": view.due.to_json() if view.due else None,
        "due_explained": view.due_explained,
        "reference": instrument.reference,
        "version": view.version,
        "produce_to": list(instrument.produce_to),
        "recorded_by": instrument.recorded_by,
        "confirmed_at": instrument.confirmed_at,
        "withheld": view.withheld,
        "determination": _determination(view.determination),
        "events": [event(e) for e in view.events],
    }


def _determination(det: DeterminationView | None) -> dict[str, Any] | None:
    if det is None:
        return None
    return {
        "outcome": det.outcome,
        "reason": det.reason,
        "released_fields": list(det.released_fields),
        "actions_performed": list(det.actions_performed),
        "answers": [
            {"action": a.action, "answer": a.answer, "citations": list(a.citations)}
            for a in det.answers
        ],
        "determined_by": det.determined_by,
        "determined_at": det.determined_at,
        "evaluation": det.evaluation,
        "override": det.override,
    }


def event(e: EventView) -> dict[str, Any]:
    return {
        "instrument_id": e.instrument_id,
        "transition": e.transition,
        "from": e.from_status,
        "to": e.to_status,
        "actor": e.actor,
        "at": e.at,
        "reason": e.reason,
        "changes": e.changes,
    }


def describe_case(view: CaseView) -> dict[str, Any]:
    case = view.case
    return {
        "id": case.id,
        "requesting_agency": case.requesting_agency_id,
        "custodial_agency": case.custodial_agency_id,
        "person_id": case.person_id,
        "person": view.person_label,
        "person_fields": dict(view.person_fields),
        "status": view.status.value,
        "opened_at": case.opened_at,
        "instruments": [describe(i) for i in view.instruments],
    }


def show(view: InstrumentView) -> None:
    instrument = view.instrument
    due = f", due {view.due_at:%Y-%m-%d %H:%M} UTC" if view.due_at else ""
    typer.echo(f"{instrument.id}  {instrument.kind.value}  {view.status.value}{due}")
    asks = ", ".join(instrument.actions)
    typer.echo(f"  {instrument.issuer_agency_id} -> {instrument.addressee_agency_id}; asks {asks}")
    if view.due_explained:
        typer.echo(f"  {view.due_explained}")


def show_case(view: CaseView) -> None:
    case = view.case
    parties = f"{case.requesting_agency_id} -> {case.custodial_agency_id}"
    typer.echo(f"case {case.id} ({view.status.value}): {view.person_label}, {parties}")
    for item in view.instruments:
        due = f"  due {item.due_at:%Y-%m-%d %H:%M}Z" if item.due_at else ""
        typer.echo(
            f"  {item.instrument.id}  {item.instrument.kind.value:<24} {item.status.value}{due}"
        )
        if item.due_explained:
            typer.echo(f"      {item.due_explained}")
        for e in item.events:
            typer.echo(
                f"      {e.at:%Y-%m-%dT%H:%M}  {e.transition:<11} {e.from_status or '-'} -> "
                f"{e.to_status}  by {e.actor}  {e.reason}"
            )
