"""Audit coverage over the whole API (security.md row 14): every route is called for each
outcome it can have (success, 401, 403, 404, 409, 412, 422), and each call must leave at least
one new audit entry, unless its outcome is listed below: ``NOT_AUDITED`` (deliberate, with the
reason) or ``KNOWN_GAPS`` (not audited today although row 14 asks for it: to be fixed). The
test fails both ways: an unaudited outcome on neither list, and a listed one that has started
to be audited (shrink the list).

An outcome is (route name, status, who): ``who`` is ``anonymous`` without a credential; a 422
is ``422 schema`` when the request did not fit the schema and ``422 rule`` when a business rule
refused it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import pyotp
from sqlalchemy import func, select

from lexdesk.adapters import orm
from lexdesk.domain.agencies import Role
from lexdesk.domain.permissions import ROLE_PERMISSIONS, Permission
from lexdesk.entrypoints.api import api_routes, declared_permission
from lexdesk.services import attachments, documents, enrolment, notifications
from lexdesk.services import instruments as verbs
from lexdesk.services.accounts import principal_at_command_line
from lexdesk.services.agencies import AddUser
from lexdesk.services.worker import Schedule, Worker
from tests.api.world import PASSWORD, World
from tests.heartbeat import record_sweep
from tests.report_ladder import publish

Outcome = tuple[str, str, str]

#: What is not recorded, on purpose.
NOT_AUDITED: dict[Outcome, str] = {
    ("list_instruments", "200", "user"): "a page names no person (docs/api.md, Lists)",
    ("list_agencies", "200", "user"): "the public directory of agencies: no personal data",
    ("get_agency", "200", "user"): "the public directory of agencies: no personal data",
    ("who_am_i", "200", "user"): "the caller's own name and roles, nothing else",
    ("sign_out", "204", "anonymous"): "no credential: nothing ended, nobody to name",
    ("health", "200", "anonymous"): "public liveness: no personal data, nothing changed",
    ("list_published_reports", "200", "anonymous"): "published transparency reports: public,"
    " no personal data (docs/adr/0019)",
    ("get_published_report", "200", "anonymous"): "published transparency reports: public,"
    " no personal data (docs/adr/0019)",
    ("get_case_exchange_schema", "200", "anonymous"): "the public JSON Schema of the exchange:"
    " no personal data, nothing changed",
    ("list_notifications", "200", "user"): "one's own notifications: subjects carry no"
    " personal data (services.notices)",
    ("get_notification_preferences", "200", "user"): "one's own preferences and address",
    ("retry_dead_letters", "200", "user"): "the agency had no dead letter: nothing changed",
    ("get_production", "200", "user"): "what a production holds: ids, recipients and Bates"
    " numbers, no personal data (its copies are read through download_production, audited)",
}
#: Not recorded today, although row 14 asks for every failure of a write and every privileged
#: action and read of personal data. Each is a finding, not a decision.
KNOWN_GAPS: dict[Outcome, str] = {}

DETAINER = {
    "kind": "detainer",
    "addressee": "doc",
    "person": "nysid:12345679A",
    "actions": ["hold"],
    "warrant": "judicial",
}
EXCHANGES, ROSTERS, CSV = (
    "/api/v1/instrument-exchanges",
    "/api/v1/roster-imports",
    {"Content-Type": "text/csv"},
)


def _agency(code: str) -> dict[str, Any]:
    return {"nc:OrganizationIdentification": {"nc:IdentificationID": code}}


EXCHANGED = {
    "j:ReceiverOrganization": _agency("doc"),
    "nc:Person": {"j:PersonStateFingerprintIdentification": {"nc:IdentificationID": "12345679A"}},
    "lx:RequestedAction": ["hold", "notify_release"],
}
EXCHANGE = {"lx:Instrument": [{"j:DetainerNotificationRequest": EXCHANGED}]}
ROSTER = (
    "nysid,family_name,given_name,arrested_on,booked_at\n"
    "90007001A,Example,Rowan,2026-11-20,2026-11-20T18:30:00-05:00\n"
)
BOOKING = {
    "family_name": "Covered",
    "given_name": "Lee",
    "arrested_on": "2019-11-20",
    "booked_at": "2019-11-20T18:00:00Z",
    "identifiers": {"nysid": "44444444D"},
}
FAKE_IDS = {
    "{case_id}": "cas-" + "0" * 16,
    "{instrument_id}": "ins-" + "0" * 16,
    "{person_id}": "per-" + "0" * 16,
    "{agency_id}": "doc",
    "{username}": "doc-officer",
    "{grant_id}": "rg-" + "0" * 16,
    "{subscription_id}": "whk-" + "0" * 16,
    "{attachment_id}": "att-" + "0" * 16,
}


@dataclass
class Probe:
    route: str
    method: str
    path: str
    user: str | None
    expect: set[int]
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    prepare: Callable[[], dict[str, Any]] | None = None  # builds the body just before sending
    files: dict[str, Any] | None = None  # a multipart upload instead of a JSON body
    content: str | None = None  # a raw body (a CSV roster) instead of JSON


def _issued(world: World) -> str:
    command = verbs.IssueInstrument("ice-officer", "detainer", "doc", world.a.person, ("hold",))
    return verbs.issue_instrument(world.built.desk, command).id


def _declined_request(world: World) -> str:
    desk = world.built.desk
    command = verbs.IssueInstrument(
        "ice-officer", "information_request", "doc", world.a.person, ("disclose:home_address",)
    )
    rid = verbs.issue_instrument(desk, command).id
    verbs.acknowledge(desk, verbs.Acknowledge("doc-officer", rid))
    verbs.determine(desk, verbs.Determine("doc-legal", rid, "declined", "Local law."))
    return rid


def _code_step(world: World, username: str) -> Callable[[], dict[str, Any]]:
    def body() -> dict[str, Any]:
        ticket = world.client.post(
            "/api/v1/session",
            json={"username": username, "password": PASSWORD, "acknowledge_notice": True},
        )
        code = pyotp.TOTP(world.secrets[username]).at(world.clock.now())
        return {"ticket": ticket.json()["ticket"], "code": code}

    return body


def _enrolment_step(world: World, username: str) -> Callable[[], dict[str, Any]]:
    """An account made by an administrator, after its password step: its enrolment code."""

    def body() -> dict[str, Any]:
        command = AddUser(username, "court", "New Clerk", ("supervisor",))
        _, issued = enrolment.create_account(world.built.desk, command, PASSWORD)
        ticket = world.client.post(
            "/api/v1/session",
            json={"username": username, "password": PASSWORD, "acknowledge_notice": True},
        )
        return {"ticket": ticket.json()["ticket"], "enrolment_code": issued.code}

    return body


def _confirm(world: World, username: str) -> Callable[[], dict[str, Any]]:
    def body() -> dict[str, Any]:
        code = pyotp.TOTP(world.secrets[username]).at(world.clock.now())
        return {"password": PASSWORD, "code": code}

    return body


def _rendered(world: World, instrument_id: str) -> Callable[[], dict[str, Any]]:
    def body() -> dict[str, Any]:
        reader = principal_at_command_line(world.built.desk, "ice-officer")
        made = documents.render(world.built.desk, reader, instrument_id, source="test")
        return {"code": made.record.code}

    return body


def _attached(world: World) -> str:
    reader = principal_at_command_line(world.built.desk, "ice-officer")
    made = attachments.add(
        world.built.desk, reader, world.a.subpoena, "s.pdf", b"%PDF-1.7\n", source="test"
    )
    return made.id


def _notified(world: World) -> str:
    """The events so far made into notifications; a webhook subscription of doc's."""
    Worker(world.built.desk, {}, name="probe", schedule=Schedule()).deliver()
    made, _ = notifications.add_subscription(
        world.built.desk, "doc-admin", "https://hooks.doc.example/probe", []
    )
    return made


def _probes(world: World) -> list[Probe]:
    a, b = world.a, world.b
    first, second, request = _issued(world), _issued(world), _declined_request(world)
    attached = _attached(world)
    record_sweep(world.built.desk)  # a worker runs: health answers 200
    hook = f"/api/v1/webhooks/{_notified(world)}"
    report = publish(world.built.desk, world.built.engine, "general", "doc", "2020", "doc-admin")
    ins = "/api/v1/instruments"
    ok, created = {200}, {201}
    paper = _recorded_from_paper(world)
    return [
        # Notifications, preferences, webhooks.
        Probe("list_notifications", "GET", "/api/v1/notifications", "doc-officer", ok),
        Probe(
            "mark_notifications_read",
            "POST",
            "/api/v1/notifications/read",
            "doc-officer",
            ok,
            {"all": True},
        ),
        Probe(
            "get_notification_preferences",
            "GET",
            "/api/v1/notifications/preferences",
            "doc-officer",
            ok,
        ),
        Probe(
            "put_notification_preferences",
            "PUT",
            "/api/v1/notifications/preferences",
            "doc-officer",
            ok,
            {"email": "officer@doc.example"},
        ),
        Probe("list_webhooks", "GET", "/api/v1/webhooks", "doc-admin", ok),
        Probe(
            "add_webhook",
            "POST",
            "/api/v1/webhooks",
            "doc-admin",
            created,
            {"url": "https://hooks.doc.example/added"},
        ),
        Probe("rotate_webhook_secret", "POST", f"{hook}/rotate", "doc-admin", ok),
        Probe("disable_webhook", "POST", f"{hook}/disable", "doc-admin", {204}),
        Probe("enable_webhook", "POST", f"{hook}/enable", "doc-admin", {204}),
        Probe("list_dead_letters", "GET", "/api/v1/webhooks/dead-letters", "doc-admin", ok),
        Probe(
            "retry_dead_letters",
            "POST",
            "/api/v1/webhooks/dead-letters/retry",
            "doc-admin",
            ok,
            {"all": True},
        ),
        # Session.
        Probe(
            "sign_in_password",
            "POST",
            "/api/v1/session",
            None,
            ok,
            {"username": "court-officer", "password": PASSWORD, "acknowledge_notice": True},
        ),
        Probe(
            "sign_in_password",
            "POST",
            "/api/v1/session",
            None,
            {401},
            {"username": "usao-auditor", "password": "not it", "acknowledge_notice": True},
        ),
        Probe("sign_in_password", "POST", "/api/v1/session", None, {422}, {}),
        Probe(
            "sign_in_code",
            "POST",
            "/api/v1/session/totp",
            None,
            ok,
            prepare=_code_step(world, "court-legal"),
        ),
        Probe(
            "sign_in_code",
            "POST",
            "/api/v1/session/totp",
            None,
            {401},
            {"ticket": "not-a-ticket", "code": "000000"},
        ),
        Probe("sign_in_code", "POST", "/api/v1/session/totp", None, {422}, {}),
        Probe(
            "sign_in_enrolment",
            "POST",
            "/api/v1/session/enrolment",
            None,
            ok,
            prepare=_enrolment_step(world, "court-enrolling"),
        ),
        Probe(
            "sign_in_enrolment",
            "POST",
            "/api/v1/session/enrolment",
            None,
            {401},
            {"ticket": "not-a-ticket", "enrolment_code": "AAAA-BBBB"},
        ),
        Probe("sign_in_enrolment", "POST", "/api/v1/session/enrolment", None, {422}, {}),
        Probe("who_am_i", "GET", "/api/v1/session", "ice-officer", ok),
        Probe("sign_out", "DELETE", "/api/v1/session", "court-supervisor", {204}),
        Probe("sign_out", "DELETE", "/api/v1/session", None, {204}),
        Probe("health", "GET", "/api/v1/health", None, {200}),
        # Verification of a document (public).
        Probe(
            "verify_document",
            "POST",
            "/api/v1/verifications",
            None,
            ok,
            prepare=_rendered(world, request),
        ),
        Probe(
            "verify_document",
            "POST",
            "/api/v1/verifications",
            None,
            {404},
            {"code": "0000-0000-0000"},
        ),
        Probe("verify_document", "POST", "/api/v1/verifications", None, {422}, {"code": "nope"}),
        Probe("verify_document", "POST", "/api/v1/verifications", None, {422}, {}),
        # Attachments.
        Probe(
            "add_attachment",
            "POST",
            f"{ins}/{a.subpoena}/attachments",
            "ice-officer",
            created,
            files={"file": ("served.pdf", b"%PDF-1.7\n%%EOF\n", "application/pdf")},
        ),
        Probe(
            "add_attachment",
            "POST",
            f"{ins}/{a.subpoena}/attachments",
            "ice-officer",
            {422},
            files={"file": ("served.pdf", b"not a pdf", "application/pdf")},
        ),
        Probe(
            "add_attachment",
            "POST",
            f"{ins}/{b.subpoena}/attachments",
            "ice-officer",
            {404},
            files={"file": ("served.pdf", b"%PDF-1.7\n%%EOF\n", "application/pdf")},
        ),
        Probe(
            "add_attachment", "POST", f"{ins}/{a.subpoena}/attachments", "ice-officer", {422}, {}
        ),
        Probe("list_attachments", "GET", f"{ins}/{a.subpoena}/attachments", "doc-officer", ok),
        Probe("list_attachments", "GET", f"{ins}/{b.subpoena}/attachments", "doc-officer", {404}),
        Probe(
            "get_attachment",
            "GET",
            "/api/v1/attachments/att-0000000000000000",
            "doc-officer",
            {404},
        ),
        Probe("get_attachment", "GET", f"/api/v1/attachments/{attached}", "doc-officer", ok),
        # Service of process.
        Probe(
            "record_service",
            "POST",
            f"{ins}/{a.subpoena}/service",
            "ice-officer",
            created,
            prepare=lambda: {
                "method": "mail",
                "served_by": "Officer Rivera",
                "served_at": world.clock.now().isoformat(),
            },
        ),
        Probe(
            "record_service",
            "POST",
            f"{ins}/{a.subpoena}/service",
            "ice-officer",
            {422},
            {"method": "mail", "served_by": "X", "served_at": "2199-01-01T00:00:00Z"},
        ),
        Probe(
            "record_service",
            "POST",
            f"{ins}/{a.subpoena}/service",
            "doc-officer",
            {403},
            {"method": "mail", "served_by": "X", "served_at": "2020-01-17T15:00:00Z"},
        ),
        Probe("record_service", "POST", f"{ins}/{a.subpoena}/service", "ice-officer", {422}, {}),
        Probe("list_service", "GET", f"{ins}/{a.subpoena}/service", "doc-officer", ok),
        Probe("list_service", "GET", f"{ins}/{b.subpoena}/service", "doc-officer", {404}),
        # Productions (docs/adr/0020).
        Probe("make_production", "POST", f"{ins}/{a.order}/production", "doc-legal", created),
        Probe("make_production", "POST", f"{ins}/{a.subpoena}/production", "doc-legal", {422}),
        Probe("make_production", "POST", f"{ins}/{b.order}/production", "doc-legal", {404}),
        Probe("get_production", "GET", f"{ins}/{a.order}/production", "ice-officer", ok),
        Probe("get_production", "GET", f"{ins}/{a.order}/production", "court-legal", {404}),
        Probe("download_production", "GET", f"{ins}/{a.order}/production.pdf", "ice-officer", ok),
        Probe(
            "download_production", "GET", f"{ins}/{a.order}/production.pdf", "court-legal", {404}
        ),
        # Paper intake (docs/adr/0021).
        Probe(
            "record_paper",
            "POST",
            "/api/v1/paper-instruments",
            "doc-officer",
            created,
            _paper(world, world.clock.now()),
            files=_SCAN,
        ),
        Probe(
            "record_paper",
            "POST",
            "/api/v1/paper-instruments",
            "doc-officer",
            {422},
            _paper(world, world.clock.now()) | {"issuer": "court"},
            files=_SCAN,
        ),
        Probe(
            "record_paper",
            "POST",
            "/api/v1/paper-instruments",
            "doc-officer",
            {422},
            {},
            files=_SCAN,
        ),
        Probe("confirm_record", "POST", f"{ins}/{paper}/confirmation", "doc-legal", {403}),
        Probe("confirm_record", "POST", f"{ins}/{paper}/confirmation", "ice-officer", ok),
        Probe("confirm_record", "POST", f"{ins}/{paper}/confirmation", "ice-officer", {422}),
        Probe("confirm_record", "POST", f"{ins}/{b.request}/confirmation", "ice-officer", {404}),
        Probe("list_published_reports", "GET", "/api/v1/reports", None, ok),
        Probe("get_published_report", "GET", f"/api/v1/reports/{report}", None, ok),
        Probe("download_published_report", "GET", f"/api/v1/reports/{report}.pdf", None, ok),
        Probe(
            "confirm_identity",
            "POST",
            "/api/v1/session/confirm",
            "usao-officer",
            ok,
            prepare=_confirm(world, "usao-officer"),
        ),
        Probe(
            "confirm_identity",
            "POST",
            "/api/v1/session/confirm",
            "usao-legal",
            {401},
            {"password": "not it", "code": "000000"},
        ),
        Probe("confirm_identity", "POST", "/api/v1/session/confirm", "usao-legal", {422}, {}),
        Probe(
            "change_password",
            "POST",
            "/api/v1/session/password",
            "usao-officer",
            ok,
            {"current_password": PASSWORD, "new_password": "another long passphrase 2026"},
        ),
        Probe(
            "change_password",
            "POST",
            "/api/v1/session/password",
            "usao-supervisor",
            {401, 403},
            {"current_password": PASSWORD, "new_password": "yet another 2026 one"},
        ),
        Probe("change_password", "POST", "/api/v1/session/password", "usao-legal", {422}, {}),
        # The directory and accounts.
        Probe("list_agencies", "GET", "/api/v1/agencies", "ice-officer", ok),
        Probe("get_agency", "GET", "/api/v1/agencies/doc", "ice-officer", ok),
        Probe("get_agency", "GET", "/api/v1/agencies/nowhere", "ice-officer", {404}),
        Probe("list_users", "GET", "/api/v1/users", "doc-admin", ok),
        # The account routes ask for a recently confirmed session (services.privileges): the
        # administrator confirms first. (These routes are being reworked: 403 is accepted too,
        # and either answer must be audited.)
        Probe(
            "confirm_identity",
            "POST",
            "/api/v1/session/confirm",
            "doc-admin",
            ok,
            prepare=_confirm(world, "doc-admin"),
        ),
        Probe(
            "add_user",
            "POST",
            "/api/v1/users",
            "doc-admin",
            {201, 403},
            {
                "username": "doc-new",
                "display_name": "New",
                "roles": ["officer"],
                "password": PASSWORD,
            },
        ),
        Probe("add_user", "POST", "/api/v1/users", "doc-admin", {422}, {"username": "x"}),
        Probe(
            "unlock_user", "POST", "/api/v1/users/doc-supervisor/unlock", "doc-admin", {422, 403}
        ),
        Probe(
            "reset_mfa", "POST", "/api/v1/users/doc-supervisor/mfa-reset", "doc-admin", {200, 403}
        ),
        Probe(
            "disable_user", "POST", "/api/v1/users/doc-supervisor/disable", "doc-admin", {204, 403}
        ),
        Probe(
            "enable_user", "POST", "/api/v1/users/doc-supervisor/enable", "doc-admin", {200, 403}
        ),
        Probe(
            "change_roles",
            "PUT",
            "/api/v1/users/doc-supervisor/roles",
            "doc-admin",
            {200, 403},
            {"roles": ["supervisor", "legal"], "reason": "covers the desk"},
        ),
        Probe("list_role_grants", "GET", "/api/v1/role-grants", "doc-admin", {200, 403}),
        Probe(
            "approve_role_grant",
            "POST",
            "/api/v1/role-grants/rg-0000000000000000/approve",
            "doc-admin",
            {404, 403},
            {},
        ),
        Probe(
            "disable_user", "POST", "/api/v1/users/ice-b-officer/disable", "doc-admin", {404, 403}
        ),
        # Cases.
        Probe("list_cases", "GET", "/api/v1/cases", "ice-officer", ok),
        Probe("get_case", "GET", f"/api/v1/cases/{a.case}", "ice-officer", ok),
        Probe("get_case", "GET", f"/api/v1/cases/{b.case}", "ice-officer", {404}),
        Probe("case_events", "GET", f"/api/v1/cases/{a.case}/events", "ice-officer", ok),
        # Exchange formats.
        Probe("export_case", "GET", f"/api/v1/cases/{a.case}/exchange", "ice-officer", ok),
        Probe("export_case", "GET", f"/api/v1/cases/{b.case}/exchange", "ice-officer", {404}),
        Probe("get_case_exchange_schema", "GET", "/api/v1/schemas/case-exchange-v1.json", None, ok),
        Probe("import_instruments", "POST", EXCHANGES, "ice-officer", created, EXCHANGE),
        Probe("import_instruments", "POST", EXCHANGES, "ice-officer", {422}, {"lx:Instrument": 1}),
        Probe(
            "import_instruments",
            "POST",
            EXCHANGES,
            "ice-officer",
            {422},
            {
                "lx:Instrument": [
                    {
                        "j:DetainerNotificationRequest": EXCHANGED
                        | {"j:ReceiverOrganization": _agency("nowhere")}
                    }
                ]
            },
        ),
        Probe("import_roster", "POST", ROSTERS, "doc-officer", ok, headers=CSV, content=ROSTER),
        Probe(
            "import_roster",
            "POST",
            ROSTERS,
            "doc-officer",
            {422},
            headers=CSV,
            content=ROSTER.replace("2026-11-20T18:30:00-05:00", "yesterday"),
        ),
        Probe("case_events", "GET", f"/api/v1/cases/{b.case}/events", "ice-officer", {404}),
        # Instruments: reads.
        Probe("list_instruments", "GET", ins, "ice-officer", ok),
        Probe("list_instruments", "GET", f"{ins}?colour=red", "ice-officer", {422}),
        Probe("get_instrument", "GET", f"{ins}/{a.detainer}", "ice-officer", ok),
        Probe("get_instrument", "GET", f"{ins}/{b.detainer}", "ice-officer", {404}),
        Probe("instrument_events", "GET", f"{ins}/{a.detainer}/events", "ice-officer", ok),
        Probe("instrument_events", "GET", f"{ins}/{b.detainer}/events", "ice-officer", {404}),
        Probe("instrument_disclosure", "GET", f"{ins}/{a.detainer}/disclosure", "ice-officer", ok),
        Probe(
            "instrument_disclosure", "GET", f"{ins}/{b.detainer}/disclosure", "ice-officer", {404}
        ),
        # Instruments: changes, and each way a change is refused.
        # The addressee's evaluation: reading it reads the person's record.
        Probe("instrument_evaluation", "GET", f"{ins}/{second}/evaluation", "doc-legal", ok),
        Probe("instrument_evaluation", "GET", f"{ins}/{b.detainer}/evaluation", "doc-legal", {404}),
        Probe("issue_instrument", "POST", ins, "ice-officer", created, DETAINER),
        Probe(
            "issue_instrument",
            "POST",
            ins,
            "ice-officer",
            {422},
            DETAINER | {"kind": "court_order"},
        ),
        Probe("issue_instrument", "POST", ins, "ice-officer", {422}, {}),
        Probe(
            "issue_instrument",
            "POST",
            ins,
            "ice-officer",
            {404},
            DETAINER | {"person": "nysid:00000000Z"},
        ),
        Probe(
            "acknowledge_instrument",
            "POST",
            f"{ins}/{first}/acknowledgement",
            "doc-officer",
            ok,
            {},
            {"If-Match": '"1"'},
        ),
        Probe(
            "acknowledge_instrument",
            "POST",
            f"{ins}/{first}/acknowledgement",
            "doc-officer",
            {409},
            {},
        ),
        Probe(
            "acknowledge_instrument",
            "POST",
            f"{ins}/{second}/acknowledgement",
            "doc-officer",
            {412},
            {},
            {"If-Match": '"7"'},
        ),
        Probe(
            "acknowledge_instrument",
            "POST",
            f"{ins}/{second}/acknowledgement",
            "ice-officer",
            {403},
            {},
        ),
        Probe(
            "acknowledge_instrument",
            "POST",
            f"{ins}/{b.detainer}/acknowledgement",
            "doc-officer",
            {404},
            {},
        ),
        Probe(
            "determine_instrument",
            "POST",
            f"{ins}/{first}/determination",
            "doc-legal",
            ok,
            {"outcome": "declined", "reason": "Local law."},
        ),
        Probe(
            "determine_instrument",
            "POST",
            f"{ins}/{first}/determination",
            "doc-legal",
            {422},
            {"outcome": "declined"},
        ),
        Probe(
            "escalate_instrument",
            "POST",
            f"{ins}/{request}/escalation",
            "ice-officer",
            created,
            {"reason": "Declined.", "return_date": "2020-02-14T17:00:00-05:00"},
        ),
        Probe(
            "escalate_instrument",
            "POST",
            f"{ins}/{second}/escalation",
            "ice-officer",
            {409},
            {"reason": "Too early."},
        ),
        Probe(
            "withdraw_instrument",
            "POST",
            f"{ins}/{second}/withdrawal",
            "ice-officer",
            ok,
            {"reason": "Not needed."},
        ),
        Probe(
            "withdraw_instrument",
            "POST",
            f"{ins}/{second}/withdrawal",
            "ice-officer",
            {409},
            {"reason": "Again."},
        ),
        # Persons.
        Probe("book_person", "POST", "/api/v1/persons", "doc-officer", created, BOOKING),
        Probe("book_person", "POST", "/api/v1/persons", "doc-officer", {422}, BOOKING),
        Probe("get_person", "GET", f"/api/v1/persons/{a.person}", "doc-officer", ok),
        Probe("get_person", "GET", f"/api/v1/persons/{b.person}", "doc-officer", {404}),
        Probe(
            "look_up_person",
            "POST",
            "/api/v1/person-lookups",
            "doc-officer",
            ok,
            {"scheme": "nysid", "value": "12345679A"},
        ),
        Probe(
            "look_up_person",
            "POST",
            "/api/v1/person-lookups",
            "doc-officer",
            {404},
            {"scheme": "nysid", "value": "12345678A"},
        ),
        Probe(
            "person_disclosures",
            "GET",
            f"/api/v1/persons/{a.person}/disclosures",
            "ice-officer",
            ok,
        ),
        Probe(
            "person_disclosures",
            "GET",
            f"/api/v1/persons/{b.person}/disclosures",
            "ice-officer",
            {404},
        ),
        # The audit trail itself.
        Probe("list_audit_entries", "GET", "/api/v1/audit/entries", "doc-auditor", ok),
    ]


_SCAN = {"file": ("served.pdf", b"%PDF-1.7\n%%EOF\n", "application/pdf")}


def _paper(world: World, now: datetime) -> dict[str, Any]:
    return {
        "kind": "information_request", "issuer": "ice", "person": world.a.person,
        "actions": ["disclose:home_address"], "issued_at": (now - timedelta(days=2)).isoformat(),
        "received_at": (now - timedelta(days=1)).isoformat(), "method": "mail",
    }  # fmt: skip


def _recorded_from_paper(world: World) -> str:
    """An instrument the custodian recorded from paper, for its issuer to confirm."""
    from lexdesk.services import paper

    now = world.clock.now()
    command = paper.RecordPaper(
        "doc-officer", "information_request", "ice", world.a.person, ("disclose:home_address",),
        now - timedelta(days=2), now - timedelta(days=1), "mail", "served.pdf",
        b"%PDF-1.7\n%%EOF\n",
    )  # fmt: skip
    return paper.record_paper(world.built.desk, command).id


def _refusal_probes(world: World) -> list[Probe]:
    """For every route that needs a credential: none (401), and a role without the grant (403)."""
    probes = []
    for path, methods, route in api_routes(world.client.app.routes):  # type: ignore[attr-defined]
        declared = declared_permission(route)
        if declared == "public":
            continue
        concrete = path
        for key, value in FAKE_IDS.items():
            concrete = concrete.replace(key, value)
        for method in methods:
            probes.append(Probe(route.name, method, concrete, None, {401}, {}))
            lacking = [r for r in Role if Permission(declared) not in ROLE_PERMISSIONS[r]]
            if lacking:
                user = f"doc-{lacking[0].value}"
                probes.append(Probe(route.name, method, concrete, user, {403}, {}))
    return probes


def _audit_size(world: World) -> int:
    with world.built.engine.connect() as db:
        return int(db.scalar(select(func.count()).select_from(orm.audit_log)) or 0)


def test_every_route_and_outcome_is_audited_or_declared(world: World) -> None:
    world.clock.advance(seconds=30)  # a new TOTP step: the world signed everyone in at START
    probes = _probes(world) + _refusal_probes(world)
    observed: dict[Outcome, bool] = {}
    for probe in probes:
        body = probe.prepare() if probe.prepare else probe.body
        headers = dict(probe.headers) | (world.auth(probe.user) if probe.user else {})
        before = _audit_size(world)
        answer = world.client.request(
            probe.method,
            probe.path,
            json=None if probe.files or probe.content is not None else body,
            data=body if probe.files else None,  # a multipart form's fields beside its file
            files=probe.files,
            content=probe.content,
            headers=headers,
        )
        world.client.cookies.clear()
        assert answer.status_code in probe.expect, (probe, answer.text)
        audited = _audit_size(world) > before
        status = str(answer.status_code)
        if answer.status_code == 422:
            said = answer.json()
            by_schema = said.get("errors") and said.get("refused_by", "schema") == "schema"
            status += " schema" if by_schema else " rule"
        key = (probe.route, status, "user" if probe.user else "anonymous")
        observed[key] = observed.get(key, True) and audited
    routes = {route.name for _, _, route in api_routes(world.client.app.routes)}  # type: ignore[attr-defined]
    succeeded = {name for name, status, _ in observed if status[0] == "2"}
    # Deciding a role grant succeeds only for a second administrator of the agency:
    # tests/api/test_administration.py.
    decided = {"approve_role_grant", "refuse_role_grant"}
    accounts = {"disable_user", "unlock_user", "reset_mfa", "add_user", "enable_user"}
    assert routes <= succeeded | accounts | decided | {"change_roles", "list_role_grants"}, (
        "a route without a probe for its success: add it to _probes"
    )
    unaudited = {key for key, audited in observed.items() if not audited}
    assert unaudited - set(NOT_AUDITED) - set(KNOWN_GAPS) == set(), "not audited, not declared"
    assert (set(NOT_AUDITED) | set(KNOWN_GAPS)) - unaudited == set(), "audited now: shrink a list"
    assert len(observed) >= 80
