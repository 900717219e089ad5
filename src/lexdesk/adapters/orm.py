"""The tables. SQLAlchemy Core only: repositories map rows onto domain objects by hand, so
the domain stays plain Python and every write is an explicit, versioned statement."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware in Python, UTC in the database, on SQLite (which has no time zones) too."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: lexdesk stores only timezone-aware times")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# Constraint names are fixed so that migrations can name them on both databases.
metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

ID = String(40)
#: The open statuses (``vocabulary.OPEN_STATUSES``), for partial indexes.
OPEN_WHERE = "status IN ('issued', 'acknowledged')"
#: The same, as the issuer may see the status (``issuer_status``).
ISSUER_OPEN_WHERE = "issuer_status IN ('issued', 'acknowledged')"
#: An auto-numbered key: 64 bits on PostgreSQL, SQLite's rowid (which is 64 bits too).
SERIAL = BigInteger().with_variant(Integer, "sqlite")

agencies = Table(
    "agencies",
    metadata,
    Column("id", String(63), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("jurisdiction", String(100), nullable=False),
    Column("rule_pack", String(63), nullable=True),
    Column("deadline_policy", JSON, nullable=False),
    Column("component", String(20), nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
)

users = Table(
    "users",
    metadata,
    Column("id", ID, primary_key=True),
    Column("username", String(63), nullable=False, unique=True),
    Column("agency_id", ForeignKey("agencies.id"), nullable=False, index=True),
    Column("display_name", String(200), nullable=False),
    Column("roles", JSON, nullable=False),
    Column("active", Boolean, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("email", String(254), nullable=True),
    # The account's life (migration 0021, domain/account_lifecycle.py): who made it, when a
    # temporary one ends, the days it was last used and last enabled (the inactivity clock
    # runs from the later), the day the sweep said it kept it although inactive (the
    # agency's last administrator), and when it was removed.
    Column("created_by", String(100), nullable=True),
    Column("ends_at", UTCDateTime, nullable=True),
    Column("last_active_on", Date, nullable=True),
    Column("enabled_on", Date, nullable=True),
    Column("inactivity_kept_on", Date, nullable=True),
    Column("removed_at", UTCDateTime, nullable=True),
)

#: Usernames freed by a removed (or renamed) account, kept from reuse for a year (IA-4 d).
retired_usernames = Table(
    "retired_usernames",
    metadata,
    Column("username", String(63), primary_key=True),
    Column("user_id", ForeignKey("users.id"), primary_key=True),
    Column("retired_at", UTCDateTime, nullable=False),
    Column("reason", String(20), nullable=False),
)

#: A person's record, sealed (``adapters.person_records``): the names in ``name``, everything
#: else the custodian knows of the person in ``sealed``; found by name through ``person_terms``.
persons = Table(
    "persons",
    metadata,
    Column("id", ID, primary_key=True),
    Column("owner_agency_id", ForeignKey("agencies.id"), nullable=False, index=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("name", Text, nullable=False),
    Column("sealed", Text, nullable=False),
)

#: The blind index of the custodian's people by name: a keyed digest of each word of a name and
#: of its beginnings (``adapters.person_records.name_terms``).
person_terms = Table(
    "person_terms",
    metadata,
    Column("owner_agency_id", ForeignKey("agencies.id"), primary_key=True),
    Column("term", BigInteger, primary_key=True, autoincrement=False),
    Column("person_id", ForeignKey("persons.id", ondelete="CASCADE"), primary_key=True),
    Index("ix_person_terms_person_id", "person_id"),
)

#: An identifier names one person within one custodian's records: two custodians may each hold
#: a record of the same NYSID (the police, then the jail), and neither learns of the other's.
#: The value is sealed; ``digest`` (a keyed digest of scheme and value) finds it and keeps it
#: unique.
person_identifiers = Table(
    "person_identifiers",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("person_id", ForeignKey("persons.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("owner_agency_id", ForeignKey("agencies.id"), nullable=False),
    Column("scheme", String(30), nullable=False),
    Column("digest", String(32), nullable=False),
    Column("value", Text, nullable=False),
    UniqueConstraint(
        "owner_agency_id", "scheme", "digest", name="uq_person_identifiers_owner_scheme_digest"
    ),
)

custodies = Table(
    "custodies",
    metadata,
    Column("id", ID, primary_key=True),
    Column("person_id", ForeignKey("persons.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("agency_id", ForeignKey("agencies.id"), nullable=False, index=True),
    Column("booked_at", UTCDateTime, nullable=False),
    Column("expected_release_at", UTCDateTime, nullable=True),
    Column("status", String(20), nullable=False),
    # When the person left this custody (released, transferred) and, for a transfer, to whom.
    Column("left_at", UTCDateTime, nullable=True),
    Column("destination", String(63), nullable=True),
    # The arrest date and the charges, sealed (``adapters.person_records``).
    Column("sealed", Text, nullable=False),
    # Who is due for release soon: the custodian's list of releases within 48 hours (0024).
    Index(
        "ix_custodies_release_soon",
        "agency_id",
        "expected_release_at",
        sqlite_where=text("status = 'in_custody'"),
        postgresql_where=text("status = 'in_custody'"),
    ),
)

cases = Table(
    "cases",
    metadata,
    Column("id", ID, primary_key=True),
    Column("requesting_agency_id", ForeignKey("agencies.id"), nullable=False, index=True),
    Column("custodial_agency_id", ForeignKey("agencies.id"), nullable=False, index=True),
    Column("person_id", ForeignKey("persons.id"), nullable=False, index=True),
    Column("opened_at", UTCDateTime, nullable=False),
    Column("status", String(20), nullable=False),
    Column("version", Integer, nullable=False),
    # The person as the requester named them, sealed with the case's id; found through
    # ``case_terms``.
    Column("subject", Text, nullable=False),
    # At most one open case per requester, custodian and person: two requests about one person
    # at the same instant join one case (the loser of the race retries and finds it).
    Index(
        "uq_cases_open_matter",
        "requesting_agency_id",
        "custodial_agency_id",
        "person_id",
        unique=True,
        sqlite_where=text("status = 'open'"),
        postgresql_where=text("status = 'open'"),
    ),
)

#: The requester's blind index of its cases by subject (as ``person_terms`` for people).
case_terms = Table(
    "case_terms",
    metadata,
    Column("agency_id", ForeignKey("agencies.id"), primary_key=True),
    Column("term", BigInteger, primary_key=True, autoincrement=False),
    Column("case_id", ForeignKey("cases.id"), primary_key=True),
)

#: The read model of the disclosure policy for case lists: each agency that takes part in a
#: case, and the case's status as that agency may see it (``domain.visibility``).
case_parties = Table(
    "case_parties",
    metadata,
    Column("case_id", ForeignKey("cases.id"), primary_key=True),
    Column("agency_id", ForeignKey("agencies.id"), primary_key=True),
    Column("status", String(20), nullable=False),
    Column("opened_at", UTCDateTime, nullable=False),
    Index("ix_case_parties_list", "agency_id", "status", "opened_at"),
    # Newest first whatever the status: the case list unfiltered walks it (0024).
    Index("ix_case_parties_newest", "agency_id", "opened_at", "case_id"),
)

instruments = Table(
    "instruments",
    metadata,
    Column("id", ID, primary_key=True),
    Column("case_id", ForeignKey("cases.id"), nullable=False, index=True),
    Column("position", Integer, nullable=False),
    Column("kind", String(30), nullable=False),
    Column("actions", JSON, nullable=False),
    Column("warrant", String(20), nullable=False),
    Column("issuer_agency_id", ForeignKey("agencies.id"), nullable=False),
    Column("addressee_agency_id", ForeignKey("agencies.id"), nullable=False),
    Column("parent_id", ForeignKey("instruments.id"), nullable=True),
    Column("status", String(30), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("issued_at", UTCDateTime, nullable=True),
    Column("due_at", UTCDateTime, nullable=True),
    Column("due", JSON, nullable=True),
    Column("reference", String(100), nullable=False),
    Column("version", Integer, nullable=False),
    Column("produce_to", JSON, nullable=False),
    # Recorded from paper by its addressee, until its issuer confirms (domain.instruments).
    Column("recorded_by", ForeignKey("agencies.id"), nullable=True),
    Column("confirmed_at", UTCDateTime, nullable=True),
    # What the issuer may see of the status and due date (``domain.visibility.issuer_view``):
    # its lists filter and sort on these, never on what the custodian alone may know.
    Column("issuer_status", String(30), nullable=False),
    Column("issuer_due_at", UTCDateTime, nullable=True),
    # The inboxes: one agency's instruments in a status, soonest due first; the same, and one
    # kind's, walk a list sorted by status or kind a page at a time (0030).
    Index("ix_instruments_addressee_inbox", "addressee_agency_id", "status", "due_at", "id"),
    Index(
        "ix_instruments_issuer_outbox", "issuer_agency_id", "issuer_status", "issuer_due_at", "id"
    ),
    Index("ix_instruments_addressee_kind", "addressee_agency_id", "kind", "due_at", "id"),
    Index("ix_instruments_issuer_kind", "issuer_agency_id", "kind", "issuer_due_at", "id"),
    # The desk's lists, a keyset page at a time (queries.desk_lists, 0024): each side's open
    # instruments soonest due first, and all of a side's by the time they were issued and by
    # due date.
    Index(
        "ix_instruments_addressee_open_due",
        "addressee_agency_id",
        "due_at",
        "id",
        sqlite_where=text(OPEN_WHERE),
        postgresql_where=text(OPEN_WHERE),
    ),
    Index(
        "ix_instruments_issuer_open_due",
        "issuer_agency_id",
        "issuer_due_at",
        "id",
        sqlite_where=text(ISSUER_OPEN_WHERE),
        postgresql_where=text(ISSUER_OPEN_WHERE),
    ),
    Index("ix_instruments_addressee_issued", "addressee_agency_id", "issued_at", "id"),
    Index("ix_instruments_issuer_issued", "issuer_agency_id", "issued_at", "id"),
    Index("ix_instruments_addressee_due", "addressee_agency_id", "due_at", "id"),
    Index("ix_instruments_issuer_due", "issuer_agency_id", "issuer_due_at", "id"),
    # The sweep's: the open instruments by due time (what lapses, what to remind of).
    Index(
        "ix_instruments_open_due",
        "due_at",
        sqlite_where=text(OPEN_WHERE),
        postgresql_where=text(OPEN_WHERE),
    ),
)

determinations = Table(
    "determinations",
    metadata,
    Column("instrument_id", ForeignKey("instruments.id"), primary_key=True),
    Column("outcome", String(30), nullable=False),
    Column("reason", Text, nullable=False),
    Column("released_fields", JSON, nullable=False),
    Column("determined_by", String(100), nullable=False),
    Column("determined_at", UTCDateTime, nullable=False),
    # The rule engine's record, sealed: its inputs and explanation tell the person's history
    # (``adapters.person_records``). The rule it applied to the first requested action stays
    # clear for the transparency reports' tallies.
    Column("evaluation", Text, nullable=True),
    Column("deciding_rule", String(200), nullable=True),
    Column("actions_performed", JSON, nullable=False),
    Column("override", JSON, nullable=True),
)

# The disclosure ledger (domain/disclosure.py): each release, with the values as they stood,
# and the agencies it reached.
releases = Table(
    "releases",
    metadata,
    Column("id", ID, primary_key=True),
    Column("person_id", ForeignKey("persons.id"), nullable=False, index=True),
    Column("case_id", ForeignKey("cases.id"), nullable=False),
    Column("instrument_id", ForeignKey("instruments.id"), nullable=False, index=True),
    Column("custodian_agency_id", ForeignKey("agencies.id"), nullable=False),
    Column("released_by", String(100), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    # The values released, as they stood: the person's record, sealed with a key of the
    # release's own (``adapters.person_records``), which ``release_keys`` keeps sealed.
    Column("fields", Text, nullable=False),
    Column("basis", JSON, nullable=False),
)

#: Each release's own key, sealed with the data key ring: the ledger's rows never change, so a
#: rotation re-seals these instead (envelope encryption).
release_keys = Table(
    "release_keys",
    metadata,
    Column("release_id", ForeignKey("releases.id"), primary_key=True),
    Column("sealed_key", Text, nullable=False),
)

release_recipients = Table(
    "release_recipients",
    metadata,
    Column("release_id", ForeignKey("releases.id"), primary_key=True),
    Column("agency_id", ForeignKey("agencies.id"), primary_key=True),
    # Who got what about a person: every read of the person's instruments asks (0025).
    Column("person_id", ForeignKey("persons.id"), nullable=False, index=True),
    Index("ix_release_recipients_agency_person", "agency_id", "person_id"),
)

instrument_events = Table(
    "instrument_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("instrument_id", ForeignKey("instruments.id"), nullable=False, index=True),
    Column("case_id", ForeignKey("cases.id"), nullable=False, index=True),
    Column("transition", String(30), nullable=False),
    Column("from_status", String(30), nullable=True),
    Column("to_status", String(30), nullable=False),
    Column("actor", String(100), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("reason", Text, nullable=False),
    Column("changes", JSON, nullable=False),
)


# Work at the desk (migration 0006, docs/adr/0017-work-management.md): each agency's own
# assignments and notes. No other agency reads a row of another's.

#: Who of an agency works an instrument or a case: one row per object and agency.
assignments = Table(
    "assignments",
    metadata,
    Column("object_type", String(20), primary_key=True),
    Column("object_id", ID, primary_key=True),
    Column("agency_id", ForeignKey("agencies.id"), primary_key=True),
    Column("assignee_id", ForeignKey("users.id"), nullable=False),
    Column("assigned_by", String(100), nullable=False),
    Column("assigned_at", UTCDateTime, nullable=False),
    Index("ix_assignments_assignee", "agency_id", "assignee_id"),
)

#: An agency's notes on a case, append-only (triggers refuse UPDATE and DELETE).
case_notes = Table(
    "case_notes",
    metadata,
    Column("id", ID, primary_key=True),
    Column("case_id", ForeignKey("cases.id"), nullable=False),
    Column("agency_id", ForeignKey("agencies.id"), nullable=False),
    Column("author", String(100), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("text", Text, nullable=False),
    Index("ix_case_notes_case_agency", "case_id", "agency_id", "at"),
)


# Accounts (CJIS IA-2, IA-5, AC-7; ASVS V6, V7). Secrets a user types or holds are stored only
# as argon2id hashes or SHA-256 digests; the TOTP seed must be kept to check codes.

credentials = Table(
    "credentials",
    metadata,
    Column("user_id", ForeignKey("users.id"), primary_key=True),
    Column("password_hash", String(200), nullable=False),
    Column("totp_secret", String(200), nullable=False),  # sealed (adapters.sealing, 0020)
    Column("totp_last_step", BigInteger, nullable=True),
    Column("mfa_enrolled", Boolean, nullable=False),
    Column("locked", Boolean, nullable=False),
    Column("locked_at", UTCDateTime, nullable=True),
    # The one-time enrolment code, as a SHA-256 digest, until used or expired (0021).
    Column("enrolment_digest", String(64), nullable=True),
    Column("enrolment_expires_at", UTCDateTime, nullable=True),
)

login_failures = Table(
    "login_failures",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    # None: a name that is no account, counted against the address it came from (0019).
    Column("user_id", ForeignKey("users.id"), nullable=True, index=True),
    Column("at", UTCDateTime, nullable=False),
    Column("source", String(100), nullable=False, server_default=""),
    Index("ix_login_failures_source_at", "source", "at"),
)

#: Between the password and the TOTP code: a short-lived ticket, stored as a digest.
login_tickets = Table(
    "login_tickets",
    metadata,
    Column("digest", String(64), primary_key=True),
    Column("user_id", ForeignKey("users.id"), nullable=False, index=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("used_at", UTCDateTime, nullable=True),
    Column("enrolling", Boolean, nullable=False, server_default=text("false")),
)

sessions = Table(
    "sessions",
    metadata,
    Column("token_digest", String(64), primary_key=True),
    Column("user_id", ForeignKey("users.id"), nullable=False, index=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("last_seen_at", UTCDateTime, nullable=False),
    Column("ended_at", UTCDateTime, nullable=True),
    Column("end_reason", String(20), nullable=True),
    Column("confirmed_at", UTCDateTime, nullable=True),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", ID, primary_key=True),
    Column("digest", String(64), nullable=False, unique=True),
    Column("agency_id", ForeignKey("agencies.id"), nullable=False, index=True),
    Column("created_by", String(63), nullable=False),
    Column("name", String(100), nullable=False),
    Column("scopes", JSON, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("revoked_at", UTCDateTime, nullable=True),
    Column("last_used_on", Date, nullable=True),
)

#: Requests to grant a role that needs a second administrator's approval (migration 0008,
#: docs/adr/0013-separation-of-duties.md): made by one administrator, decided by another.
#: A user's list searches, which may name a person, kept out of addresses (domain.work).
saved_searches = Table(
    "saved_searches",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("user_id", ForeignKey("users.id"), nullable=False, index=True),
    # What was searched (it may name a person): sealed with the search's id.
    Column("text", Text, nullable=False),
    Column("at", UTCDateTime, nullable=False),
)

#: What a user typed into a form, between its POST and the GET that shows it (domain.work).
form_drafts = Table(
    "form_drafts",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("user_id", ForeignKey("users.id"), nullable=False, index=True),
    Column("form", String(100), nullable=False),
    # What was typed (a booking form holds a person's record) and what the desk answered,
    # sealed with the draft's id, as JSON.
    Column("fields", Text, nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("sent_to", String(200), nullable=True),
    Column("said", Text, nullable=True),
)

role_grants = Table(
    "role_grants",
    metadata,
    Column("id", ID, primary_key=True),
    Column("agency_id", ForeignKey("agencies.id"), nullable=False),
    Column("user_id", ForeignKey("users.id"), nullable=False, index=True),
    Column("username", String(63), nullable=False),
    Column("roles", JSON, nullable=False),
    Column("requested_by", String(63), nullable=False),
    Column("requested_at", UTCDateTime, nullable=False),
    Column("reason", String(500), nullable=False),
    Column("status", String(10), nullable=False),
    Column("decided_by", String(63), nullable=True),
    Column("decided_at", UTCDateTime, nullable=True),
    Column("decision_reason", String(500), nullable=False),
    Index("ix_role_grants_agency", "agency_id", "status", "requested_at"),
)


def _audited_act(*, later_default: str | None) -> list[Column[Any]]:
    """What an audit entry says of the act, the same in the chain and in the queue before it;
    ``later_default`` is the chain's server default for the fields of migration 0022."""
    return [
        Column("at", UTCDateTime, nullable=False),
        Column("actor", String(100), nullable=False),
        Column("agency", String(63), nullable=False),
        Column("action", String(60), nullable=False),
        Column("object_type", String(40), nullable=False),
        Column("object_id", String(100), nullable=False),
        Column("outcome", String(10), nullable=False),
        Column("source", String(100), nullable=False),
        Column("detail", JSON, nullable=False),
        # Migration 0022: where the entry came in, the client, and the receiving agency.
        Column("component", String(20), nullable=False, server_default=later_default),
        Column("client", String(200), nullable=False, server_default=later_default),
        Column("receiving_agency", String(63), nullable=False, server_default=later_default),
    ]


# The audit trail (see domain/audit.py and docs/adr/0003-audit-trail.md). Append-only: the
# migration adds triggers that refuse UPDATE and DELETE, and on PostgreSQL the application's
# role is granted only SELECT and INSERT. ``seq`` is assigned by the sequencer as last + 1
# (docs/adr/0029-audit-sequencer.md).
audit_log = Table(
    "audit_log",
    metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    *_audited_act(later_default=""),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    # Migration 0029: the submission (``audit_pending.id``) the sequencer made this entry of;
    # a submission may leave the queue only once its entry is in the chain.
    Column("submitted", BigInteger, nullable=True),
    Index(
        "ux_audit_log_submitted",
        "submitted",
        unique=True,
        postgresql_where=text("submitted IS NOT NULL"),
        sqlite_where=text("submitted IS NOT NULL"),
    ),
)

#: Entries submitted by the transactions that made them and not yet chained (migration 0029,
#: docs/adr/0029-audit-sequencer.md): the sequencer gives each its place and hash in the order
#: of ``id``, in batches, so no request waits on the chain's lock.
audit_pending = Table(
    "audit_pending",
    metadata,
    Column("id", SERIAL, primary_key=True, autoincrement=True),
    *_audited_act(later_default=None),
    # SQLite would reuse the id of a row deleted (every submission is, once chained): its
    # AUTOINCREMENT never does, so ``audit_log.submitted`` names one submission only.
    sqlite_autoincrement=True,
)

#: Where the chain starts after a purge (migration 0004): the last purged entry's seq and hash,
#: which the first kept entry's ``prev_hash`` must name. Only the owner writes it.
audit_anchors = Table(
    "audit_anchors",
    metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("hash", String(64), nullable=False),
    Column("purged_at", UTCDateTime, nullable=False),
    Column("purged_by", String(100), nullable=False),
)

# The outbox (docs/adr/0014-worker-outbox.md): events written with the change they report, the
# messages the worker makes of them, and what the worker itself reports.
outbox_events = Table(
    "outbox_events",
    metadata,
    Column("id", SERIAL, primary_key=True, autoincrement=True),
    Column("key", String(200), nullable=False, unique=True),
    Column("agency_id", ForeignKey("agencies.id"), nullable=False),
    Column("topic", String(20), nullable=False),
    Column("subject", String(400), nullable=False),
    Column("link", String(200), nullable=False),
    Column("instrument_id", String(40), nullable=False),
    Column("data", JSON, nullable=False),
    Column("at", UTCDateTime, nullable=False),
    # Set when the worker has made the event's messages: the partial index finds the rest.
    Column("expanded_at", UTCDateTime, nullable=True),
    Index(
        "ix_outbox_events_unexpanded",
        "id",
        sqlite_where=text("expanded_at IS NULL"),
        postgresql_where=text("expanded_at IS NULL"),
    ),
)

outbox_messages = Table(
    "outbox_messages",
    metadata,
    Column("id", SERIAL, primary_key=True, autoincrement=True),
    Column("key", String(300), nullable=False, unique=True),
    Column("event_id", ForeignKey("outbox_events.id"), nullable=False, index=True),
    Column("channel", String(20), nullable=False),
    Column("target", String(40), nullable=False),
    Column("address", String(500), nullable=False),
    Column("status", String(20), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", UTCDateTime, nullable=False),
    Column("last_error", String(500), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("delivered_at", UTCDateTime, nullable=True),
    # What the workers claim: the pending, soonest first.
    Index("ix_outbox_messages_due", "status", "next_attempt_at"),
)

delivery_attempts = Table(
    "delivery_attempts",
    metadata,
    Column("id", SERIAL, primary_key=True, autoincrement=True),
    Column("message_id", ForeignKey("outbox_messages.id"), nullable=False, index=True),
    Column("channel", String(20), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("ok", Boolean, nullable=False),
    Column("detail", String(500), nullable=False),
    Column("worker", String(100), nullable=False),
)

notifications = Table(
    "notifications",
    metadata,
    Column("id", SERIAL, primary_key=True, autoincrement=True),
    Column("user_id", ForeignKey("users.id"), nullable=False),
    Column("event_id", ForeignKey("outbox_events.id"), nullable=False),
    Column("topic", String(20), nullable=False),
    Column("subject", String(400), nullable=False),
    Column("link", String(200), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("read_at", UTCDateTime, nullable=True),
    UniqueConstraint("user_id", "event_id", name="uq_notifications_user_event"),
    Index("ix_notifications_user_unread", "user_id", "read_at", "id"),
)

notification_preferences = Table(
    "notification_preferences",
    metadata,
    Column("user_id", ForeignKey("users.id"), primary_key=True),
    Column("topic", String(20), primary_key=True),
    Column("channel", String(20), primary_key=True),
    Column("enabled", Boolean, nullable=False),
)

webhook_subscriptions = Table(
    "webhook_subscriptions",
    metadata,
    Column("id", ID, primary_key=True),
    Column("agency_id", ForeignKey("agencies.id"), nullable=False, index=True),
    Column("url", String(500), nullable=False),
    Column("topics", JSON, nullable=False),
    # Standard Webhooks secrets (``whsec_...``): the current one, and the one before a rotation
    # for as long as receivers may still check it.
    Column("secret", String(200), nullable=False),
    Column("previous_secret", String(200), nullable=True),
    Column("previous_until", UTCDateTime, nullable=True),
    Column("active", Boolean, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)

calendar_feeds = Table(
    "calendar_feeds",
    metadata,
    Column("id", ID, primary_key=True),
    Column("user_id", ForeignKey("users.id"), nullable=False, index=True),
    Column("token_digest", String(64), nullable=False, unique=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("revoked_at", UTCDateTime, nullable=True),
)

worker_heartbeats = Table(
    "worker_heartbeats",
    metadata,
    Column("worker", String(100), primary_key=True),
    Column("started_at", UTCDateTime, nullable=False),
    Column("beat_at", UTCDateTime, nullable=False),
    Column("swept_at", UTCDateTime, nullable=True),
    Column("sweep_seconds", Float, nullable=False),
    Column("sweeps", BigInteger, nullable=False),
    Column("lapses", BigInteger, nullable=False),
    Column("reminders", BigInteger, nullable=False),
)


# Documents (docs/adr/0018-documents.md): the signing keys (private keys encrypted), the
# documents issued (their hash and verification code, never their bytes), the letterheads.
signing_keys = Table(
    "signing_keys",
    metadata,
    Column("id", ID, primary_key=True),
    Column("purpose", String(10), nullable=False),
    Column("agency_id", ForeignKey("agencies.id"), nullable=True, index=True),
    Column("subject", String(200), nullable=False),
    Column("certificate_pem", Text, nullable=False),
    Column("encrypted_key", LargeBinary, nullable=False),
    Column("fingerprint", String(64), nullable=False, unique=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("retired_at", UTCDateTime, nullable=True),
)

documents = Table(
    "documents",
    metadata,
    Column("id", ID, primary_key=True),
    Column("code", String(14), nullable=False, unique=True),
    # Of an instrument, or (migration 0016) of a published transparency report: one of them.
    Column("instrument_id", ForeignKey("instruments.id"), nullable=True, index=True),
    Column("published_report_id", ForeignKey("published_reports.id"), nullable=True, unique=True),
    Column("kind", String(30), nullable=False),
    Column("issuer_agency_id", ForeignKey("agencies.id"), nullable=False),
    Column("rendered_for", String(63), nullable=False),
    Column("rendered_by", String(63), nullable=False),
    Column("sha256", String(64), nullable=False, unique=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("key_id", ForeignKey("signing_keys.id"), nullable=False),
    CheckConstraint(
        "(instrument_id IS NULL) <> (published_report_id IS NULL)", name="of_one_thing"
    ),
)

letterheads = Table(
    "letterheads",
    metadata,
    Column("agency_id", ForeignKey("agencies.id"), primary_key=True),
    Column("address", Text, nullable=False),
    Column("seal_png", LargeBinary, nullable=True),
    Column("updated_at", UTCDateTime, nullable=False),
)

attachments = Table(
    "attachments",
    metadata,
    Column("id", ID, primary_key=True),
    Column("instrument_id", ForeignKey("instruments.id"), nullable=False, index=True),
    Column("placement", String(12), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("media_type", String(40), nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("filename", String(200), nullable=False),
    Column("agency_id", ForeignKey("agencies.id"), nullable=False),
    Column("uploaded_by", String(63), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)

productions = Table(
    "productions",
    metadata,
    Column("id", ID, primary_key=True),
    Column("instrument_id", ForeignKey("instruments.id"), nullable=False, unique=True),
    Column("release_id", ForeignKey("releases.id"), nullable=False),
    Column("producer_agency_id", ForeignKey("agencies.id"), nullable=False),
    Column("recipients", JSON, nullable=False),
    Column("bates_prefix", String(20), nullable=False),
    Column("first_number", Integer, nullable=False),
    Column("last_number", Integer, nullable=False),
    Column("exhibits", JSON, nullable=False),
    Column("made_by", String(63), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    # One sequence per prefix: two productions made at once cannot take the same numbers.
    UniqueConstraint("bates_prefix", "first_number", name="uq_productions_bates_first"),
)

service_records = Table(
    "service_records",
    metadata,
    Column("id", ID, primary_key=True),
    Column("instrument_id", ForeignKey("instruments.id"), nullable=False, index=True),
    Column("method", String(12), nullable=False),
    Column("served_by", String(200), nullable=False),
    Column("served_at", UTCDateTime, nullable=False),
    Column("agency_id", ForeignKey("agencies.id"), nullable=False),
    Column("recorded_by", String(63), nullable=False),
    Column("recorded_at", UTCDateTime, nullable=False),
    Column("note", String(500), nullable=False),
)

# Published transparency reports (migration 0011, docs/adr/0019-transparency-reports.md): what
# an administrator published, never changed (triggers refuse UPDATE and DELETE); a correction
# is the next edition, with its note. The figures hold no raw count that suppression withheld.
published_reports = Table(
    "published_reports",
    metadata,
    Column("id", ID, primary_key=True),
    Column("report_id", String(63), nullable=False),
    Column("report_version", String(40), nullable=False),
    Column("agency_id", ForeignKey("agencies.id"), nullable=False),
    Column("period", String(20), nullable=False),
    Column("edition", Integer, nullable=False),
    Column("watermark_event_id", BigInteger, nullable=False),
    Column("watermark_at", UTCDateTime, nullable=True),
    Column("digest", String(64), nullable=False),
    Column("document", JSON, nullable=False),
    Column("note", Text, nullable=False),
    Column("published_by", String(100), nullable=False),
    Column("published_at", UTCDateTime, nullable=False),
    UniqueConstraint(
        "report_id", "agency_id", "period", "edition", name="uq_published_reports_edition"
    ),
    Index("ix_published_reports_agency", "agency_id", "published_at"),
)

# The transparency reports' tallies (migration 0017, docs/adr/0019): how many instruments each
# agency received, answered, let lapse or escalated on each of its own days, by every dimension
# and filter a report definition can use. Summed up to ``report_tally_marks.through_event_id``
# and added to by the worker; a report reads them and counts only the events after the mark.
report_tallies = Table(
    "report_tallies",
    metadata,
    Column("agency_id", String(63), primary_key=True),
    Column("day", Date, primary_key=True),
    Column("transition", String(30), primary_key=True),
    Column("kind", String(40), primary_key=True),
    Column("warrant", String(30), primary_key=True),
    Column("requester", String(63), primary_key=True),
    Column("outcome", String(30), primary_key=True),
    Column("rule", String(200), primary_key=True),
    #: The actions the answer performed, as ``|disclose|hold|`` (each once, sorted).
    Column("performed", String(200), primary_key=True),
    Column("override", Boolean, primary_key=True),
    Column("instruments", Integer, nullable=False),
)
#: How long each answer took, to the microsecond, for the median hours to answer: the same
#: answers the tallies count as ``determine``, kept by duration so that a median is exact.
report_answer_times = Table(
    "report_answer_times",
    metadata,
    Column("agency_id", String(63), primary_key=True),
    Column("day", Date, primary_key=True),
    Column("kind", String(40), primary_key=True),
    Column("outcome", String(30), primary_key=True),
    Column("performed", String(200), primary_key=True),
    Column("override", Boolean, primary_key=True),
    Column("micros", BigInteger, primary_key=True),
    Column("instruments", Integer, nullable=False),
)
report_tally_marks = Table(
    "report_tally_marks",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    #: Every event up to this id is in the tallies, and none after it.
    Column("through_event_id", BigInteger, nullable=False),
    #: The last event id the previous refresh saw: the next one tallies up to it, never
    #: beyond, so that an event whose transaction was still open then (its id taken, not
    #: yet committed) is not passed over.
    Column("seen_event_id", BigInteger, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)

# Reports published on a schedule (migration 0015): the worker publishes each closed period
# ``delay_days`` after it ends, as the administrator who scheduled it.
report_schedules = Table(
    "report_schedules",
    metadata,
    Column("agency_id", ForeignKey("agencies.id"), primary_key=True),
    Column("report_id", String(63), primary_key=True),
    Column("delay_days", Integer, nullable=False),
    Column("scheduled_by", String(100), nullable=False),
    Column("scheduled_at", UTCDateTime, nullable=False),
    Column("last_tried_at", UTCDateTime, nullable=True),
    Column("last_error", String(500), nullable=True),
    CheckConstraint("delay_days >= 0 AND delay_days <= 365", name="delay"),
)

# Idempotency keys (migration 0018): a POST that creates something, remembered for 24 hours
# per account and key, so that a client that retries gets the first result, not a second one.
idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("scope", String(200), primary_key=True),  # agency/username, or the API token's id
    Column("key", String(255), primary_key=True),
    Column("fingerprint", String(64), nullable=False),  # SHA-256 of method, path and body
    Column("status", Integer, nullable=True),  # null while the first request runs
    Column("body", LargeBinary, nullable=True),
    Column("headers", Text, nullable=True),  # JSON: the answer's Location, ETag, content type
    Column("created_at", UTCDateTime, nullable=False),
    Index("ix_idempotency_keys_created_at", "created_at"),
)
