"""row-level security: a second wall between agencies on PostgreSQL

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-01

Every agency-scoped table gets FORCE ROW LEVEL SECURITY and one policy: a transaction sees a
row only if the agency it acts for (the setting ``lexdesk.agency``, made by the application
for each transaction once it knows who acts: ``services.acting_agency``) takes part in it, or
if it acts for every agency (``*``, the worker, sign-in, the operator). A connection that sets
nothing sees nothing. Inserts are not filtered (``WITH CHECK (true)``): an agency writes rows
for others (a detainer to a jail, a release to its recipients); what the wall keeps is reading,
changing and deleting another agency's rows. docs/adr/0025-row-level-security.md.

Membership of a case and of a person's record is looked up by SECURITY DEFINER functions,
owned by the schema's owner, which reads past the policies (a superuser, or a role with
BYPASSRLS): a policy on ``cases`` that read ``case_parties`` through its own policy, which read
``cases``, would recurse. The shared tables stay unfiltered: the agency directory, the audit
chain (one chain for the whole system: each entry's hash covers another agency's entry before
it), idempotency replays (keyed by the account), published reports (public by law), and the
worker's own bookkeeping. SQLite has no row-level security; nothing changes there.
"""

from __future__ import annotations

from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None

ACTING = "lexdesk_acting()"
EVERY = f"{ACTING} = '*'"

FUNCTIONS = (
    # An unset setting reads as '': no agency, no row.
    """CREATE FUNCTION lexdesk_acting() RETURNS text LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT coalesce(current_setting('lexdesk.agency', true), '') $$""",
    """CREATE FUNCTION lexdesk_on_case(of_case text) RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path FROM CURRENT
    AS $$ SELECT EXISTS (SELECT 1 FROM case_parties p
                         WHERE p.case_id = of_case AND p.agency_id = lexdesk_acting()) $$""",
    # A person's record: the agency that holds it, every agency on a case about the person,
    # and every agency the disclosure ledger says has received something of it.
    """CREATE FUNCTION lexdesk_sees_person(of_person text) RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path FROM CURRENT
    AS $$ SELECT EXISTS (SELECT 1 FROM persons p
                         WHERE p.id = of_person AND p.owner_agency_id = lexdesk_acting())
              OR EXISTS (SELECT 1 FROM cases c JOIN case_parties cp ON cp.case_id = c.id
                         WHERE c.person_id = of_person AND cp.agency_id = lexdesk_acting())
              OR EXISTS (SELECT 1 FROM release_recipients r
                         WHERE r.person_id = of_person AND r.agency_id = lexdesk_acting()) $$""",
    """CREATE FUNCTION lexdesk_received(of_release text) RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path FROM CURRENT
    AS $$ SELECT EXISTS (SELECT 1 FROM release_recipients r
                         WHERE r.release_id = of_release AND r.agency_id = lexdesk_acting()) $$""",
)

_OWN = f"agency_id = {ACTING}"
_USER = "EXISTS (SELECT 1 FROM users u WHERE u.id = user_id)"
_RELEASE = "EXISTS (SELECT 1 FROM releases r WHERE r.id = release_id)"
_INSTRUMENT = "EXISTS (SELECT 1 FROM instruments i WHERE i.id = instrument_id)"

#: Each agency-scoped table and who, besides a transaction acting for every agency, sees its
#: rows. A clause that reads another table reads it through that table's own policy.
VISIBLE = {
    "users": _OWN,
    "credentials": _USER,
    "sessions": _USER,
    "login_tickets": _USER,
    "login_failures": _USER,
    "notification_preferences": _USER,
    "notifications": _USER,
    "saved_searches": _USER,
    "form_drafts": _USER,
    "calendar_feeds": _USER,
    "retired_usernames": _USER,
    "role_grants": _OWN,
    "api_tokens": _OWN,
    "letterheads": _OWN,
    "signing_keys": _OWN,
    "webhook_subscriptions": _OWN,
    "report_schedules": _OWN,
    "report_tallies": _OWN,
    "report_answer_times": _OWN,
    "assignments": _OWN,
    "case_notes": _OWN,
    # An agency writes the events its acts mean for the other parties of an instrument.
    "outbox_events": f"{_OWN} OR {_INSTRUMENT}",
    "outbox_messages": "EXISTS (SELECT 1 FROM outbox_events e WHERE e.id = event_id)",
    "delivery_attempts": "EXISTS (SELECT 1 FROM outbox_messages m WHERE m.id = message_id)",
    "persons": f"owner_agency_id = {ACTING} OR lexdesk_sees_person(id)",
    "person_identifiers": f"owner_agency_id = {ACTING} OR lexdesk_sees_person(person_id)",
    "convictions": "lexdesk_sees_person(person_id)",
    "custodies": f"{_OWN} OR lexdesk_sees_person(person_id)",
    "charges": "EXISTS (SELECT 1 FROM custodies k WHERE k.id = custody_id)",
    "cases": (
        f"requesting_agency_id = {ACTING} OR custodial_agency_id = {ACTING} OR lexdesk_on_case(id)"
    ),
    "case_parties": f"{_OWN} OR lexdesk_on_case(case_id)",
    "instruments": (
        f"issuer_agency_id = {ACTING} OR addressee_agency_id = {ACTING} OR lexdesk_on_case(case_id)"
    ),
    # Its instrument's parties see an event as soon as it is written (a new case's parties are
    # recorded after its first events).
    "instrument_events": f"lexdesk_on_case(case_id) OR {_INSTRUMENT}",
    "determinations": _INSTRUMENT,
    "attachments": f"{_OWN} OR {_INSTRUMENT}",
    "service_records": f"{_OWN} OR {_INSTRUMENT}",
    "productions": f"producer_agency_id = {ACTING} OR {_INSTRUMENT}",
    # A transparency report's signed PDF belongs to no instrument: it is public.
    "documents": f"instrument_id IS NULL OR {_INSTRUMENT}",
    "releases": (
        f"custodian_agency_id = {ACTING} OR lexdesk_on_case(case_id) OR lexdesk_received(id)"
    ),
    "release_recipients": f"{_OWN} OR {_RELEASE}",
}

POLICY = "agency_wall"

APP_ROLE = "lexdesk_app"
#: Tables made since 0017 without a grant to the application's role: the desk could not have
#: run as that role (the tests now do).
UNGRANTED = (
    "idempotency_keys",
    "report_answer_times",
    "report_schedules",
    "report_tallies",
    "report_tally_marks",
)
GRANTS = (
    f"GRANT SELECT, INSERT, UPDATE, DELETE ON {', '.join(UNGRANTED)} TO {APP_ROLE}",
    f"""DO $$ BEGIN
        EXECUTE format('GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA %I TO {APP_ROLE}',
                       current_schema());
    END $$""",
)


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for statement in (*GRANTS, *FUNCTIONS):
        op.execute(statement)
    for table, clause in VISIBLE.items():
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
        op.execute(
            f"CREATE POLICY {POLICY} ON {table} USING ({EVERY} OR {clause}) WITH CHECK (true)"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in VISIBLE:
        op.execute(f"DROP POLICY {POLICY} ON {table}")
        op.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
    op.execute(f"REVOKE ALL ON {', '.join(UNGRANTED)} FROM {APP_ROLE}")
    for name in ("lexdesk_received", "lexdesk_sees_person", "lexdesk_on_case", "lexdesk_acting"):
        op.execute(f"DROP FUNCTION {name}")
