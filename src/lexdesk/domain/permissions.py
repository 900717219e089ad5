"""Who may do what: the one table of roles to permissions (ASVS 8.2.1; CJIS AC-3, AC-6).

A role grants a permission; the services then check the rest (which agency, which side of an
instrument, which kind of agency). A system's API token carries scopes instead of roles: each
permission names the scope a token needs for it, or none when no token may do it.
"""

from __future__ import annotations

from enum import StrEnum

from lexdesk.domain.agencies import Role


class Permission(StrEnum):
    AGENCY_READ = "agency:read"
    CASE_READ = "case:read"
    INSTRUMENT_READ = "instrument:read"
    INSTRUMENT_ISSUE = "instrument:issue"
    INSTRUMENT_ACKNOWLEDGE = "instrument:acknowledge"
    INSTRUMENT_DETERMINE = "instrument:determine"
    INSTRUMENT_ESCALATE = "instrument:escalate"
    INSTRUMENT_WITHDRAW = "instrument:withdraw"
    PERSON_READ = "person:read"
    PERSON_WRITE = "person:write"
    #: Record the facts the law turns on (a probable-cause finding, a youthful-offender
    #: adjudication, a watch-list match...): the officer who holds the file, and counsel who
    #: learns them while answering.
    PERSON_FACTS = "person:facts"
    DISCLOSURE_READ = "disclosure:read"
    USER_ADMIN = "user:admin"
    AUDIT_READ = "audit:read"
    #: Publish the agency's transparency reports (docs/adr/0019): an administrator.
    REPORT_PUBLISH = "report:publish"


P = Permission
_CASEWORK = frozenset(
    {
        P.AGENCY_READ,
        P.CASE_READ,
        P.INSTRUMENT_READ,
        P.INSTRUMENT_ISSUE,
        P.INSTRUMENT_ACKNOWLEDGE,
        P.INSTRUMENT_ESCALATE,
        P.INSTRUMENT_WITHDRAW,
        P.PERSON_READ,
        P.DISCLOSURE_READ,
    }
)

#: The table. An officer works the desk (files, acknowledges, escalates, withdraws, books
#: people in); legal staff and supervisors also answer (determine);
#: an auditor reads the audit trail and nothing personal; an administrator manages accounts.
ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.OFFICER: _CASEWORK | {P.PERSON_WRITE, P.PERSON_FACTS},
    Role.LEGAL: _CASEWORK | {P.INSTRUMENT_DETERMINE, P.PERSON_FACTS},
    Role.SUPERVISOR: _CASEWORK | {P.INSTRUMENT_DETERMINE, P.PERSON_WRITE, P.PERSON_FACTS},
    Role.AUDITOR: frozenset({P.AGENCY_READ, P.AUDIT_READ}),
    Role.ADMIN: frozenset({P.AGENCY_READ, P.USER_ADMIN, P.REPORT_PUBLISH}),
}

#: The API-token scope (``domain.accounts.API_SCOPES``) that stands for each permission.
#: ``None``: no token may do it. Account administration is for people who signed in; and the
#: verbs that change instruments and persons name their actor as a user (``acting_user``),
#: which a system is not, so tokens read until the services can act for a system.
TOKEN_SCOPES: dict[Permission, str | None] = {
    P.AGENCY_READ: "cases:read",
    P.CASE_READ: "cases:read",
    P.INSTRUMENT_READ: "instruments:read",
    P.INSTRUMENT_ISSUE: None,
    P.INSTRUMENT_ACKNOWLEDGE: None,
    P.INSTRUMENT_DETERMINE: None,
    P.INSTRUMENT_ESCALATE: None,
    P.INSTRUMENT_WITHDRAW: None,
    P.PERSON_READ: "persons:read",
    P.PERSON_WRITE: None,
    P.PERSON_FACTS: None,
    P.DISCLOSURE_READ: "persons:read",
    P.USER_ADMIN: None,
    P.AUDIT_READ: "audit:read",
    P.REPORT_PUBLISH: None,
}


def granted(roles: frozenset[Role], permission: Permission) -> bool:
    """Whether any of ``roles`` grants ``permission``."""
    return any(permission in ROLE_PERMISSIONS[role] for role in roles)
