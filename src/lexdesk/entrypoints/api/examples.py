"""An example of every request body, by its schema's name in the OpenAPI document.

They are kept together so that the contract, the integrators' guide and the tests read the
same ones: ``tests/api/test_contract.py`` validates each against its schema, so an example
that drifts from its model fails there. All names and numbers are synthetic.
"""

from __future__ import annotations

from typing import Any

INSTRUMENT = "ins-0123456789abcdef"

REQUEST_EXAMPLES: dict[str, dict[str, Any]] = {
    "PasswordStep": {
        "username": "nypd-clerk",
        "password": "correct horse battery staple",
        "acknowledge_notice": True,
    },
    "CodeStep": {"ticket": "tkt_4Jq0v9m2Wn5xYb8Rz1Ts", "code": "492817"},
    "EnrolmentStep": {
        "ticket": "tkt_4Jq0v9m2Wn5xYb8Rz1Ts",
        "enrolment_code": "MFRG-GZDF-MZTW-Q2LK-NNWX-I3DN-OA",
    },
    "Confirmation": {"password": "correct horse battery staple", "code": "492817"},
    "NewPassword": {
        "current_password": "correct horse battery staple",
        "new_password": "lantern orchard velvet quarry",
    },
    "NewUser": {
        "username": "nypd-clerk-2",
        "display_name": "Avery Example",
        "roles": ["officer"],
        "password": "initial passphrase for avery",
        "ends_on": "2027-06-30",
    },
    "NewRoles": {"roles": ["officer", "supervisor"], "reason": "Shift supervisor from 1 Dec"},
    "Decision": {"reason": "Checked against the staffing roster"},
    "IssueBody": {
        "kind": "detainer",
        "addressee": "nypd",
        "person": "nysid:12345678A",
        "actions": ["hold", "notify_release"],
        "warrant": "judicial",
        "reference": "D-2026-0042",
        "reason": "Final order of removal; judicial warrant attached.",
    },
    "AcknowledgeBody": {"reason": "Received at the central booking desk."},
    "DetermineBody": {
        "outcome": "declined",
        "reason": "NYC Admin. Code § 9-131(b): no judicial warrant, so no hold.",
    },
    "EscalateBody": {
        "reason": "The subpoena was declined; referring for an enforcement petition.",
        "addressee": "usao-sdny",
    },
    "WithdrawBody": {"reason": "The person was removed under another process."},
    "BookBody": {
        "family_name": "Example",
        "given_name": "Jordan",
        "arrested_on": "2026-11-20",
        "booked_at": "2026-11-20T18:30:00-05:00",
        "expected_release_at": "2026-12-04T09:00:00-05:00",
        "identifiers": {"booking_number": "B-2026-0001", "nysid": "12345678A"},
        "charges": [
            {"offense": "NY PL 155.30", "offense_class": "E felony", "charged_on": "2026-11-20"}
        ],
    },
    "LookupBody": {"scheme": "nysid", "value": "12345678A"},
    "MarkRead": {"ids": [41, 42]},
    "PreferencesIn": {
        "email": "clerk@example.gov",
        "preferences": [{"topic": "received", "channel": "email", "on": True}],
    },
    "NewWebhook": {"url": "https://jms.example.gov/lexdesk/events", "topics": ["received"]},
    "Retry": {"all": True},
    "ServiceBody": {
        "method": "in_person",
        "served_by": "Officer Sam Placeholder",
        "served_at": "2026-11-21T10:15:00-05:00",
        "note": "Handed to the desk sergeant.",
    },
    "Body_record_paper": {
        "file": "(the scan, a PDF)",
        "kind": "detainer",
        "issuer": "ice-ero-nyc",
        "person": "booking_number:B-2026-0001",
        "actions": ["hold"],
        "issued_at": "2026-11-21T08:00:00-05:00",
        "received_at": "2026-11-21T09:30:00-05:00",
        "method": "mail",
    },
    "Body_add_attachment": {"file": "(the file, a PDF)", "on": "instrument"},
}

#: Bodies described inline rather than by a named schema: (method, path, media type).
INLINE_EXAMPLES: dict[tuple[str, str, str], dict[str, Any]] = {
    ("post", "/api/v1/verifications", "application/json"): {"code": "7K2M-Q9XD-4HRT"},
    ("post", "/api/v1/verifications", "multipart/form-data"): {"file": "(the PDF to check)"},
}
