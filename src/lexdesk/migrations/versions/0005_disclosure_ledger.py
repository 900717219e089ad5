"""disclosure ledger, custody events and the policy's read model

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30

docs/adr/0006-disclosure-ledger.md: the ledger of releases (``releases``, with the agencies
each reached in ``release_recipients``); what each party may see of an instrument's status and
due date (``instruments.issuer_status``, ``issuer_due_at``) and of a case (``case_parties``);
whom an answer's records go to (``instruments.produce_to``); what an answer performed and any
override of the evaluation (``determinations``); the requester's name for the person
(``cases.subject``) and at most one open case per requester, custodian and person; custody
that ends (``custodies.left_at``, ``destination``); identifiers scoped to the custodian that
holds the record, so that two custodians may each book the same person.

Rows that exist are carried over conservatively: an issuer is shown no due date of a detainer,
notification or transfer request (those run from the release) until the next change to the
case recomputes its view; answers are given the actions they performed by their outcome.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

CUSTODY_KINDS = ("detainer", "notification_request", "transfer_request")
DISCLOSE = "disclose:"
APP_ROLE = "lexdesk_app"
#: The ledger is a record of what happened: rows are added, never changed or removed.
LEDGER = ("releases", "release_recipients")
SQLITE_LEDGER_TRIGGERS = tuple(
    f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
    f"BEGIN SELECT RAISE(ABORT, '{table} is a ledger: {verb} refused'); END"
    for table in LEDGER
    for verb in ("UPDATE", "DELETE")
)
POSTGRES_LEDGER = (
    """CREATE FUNCTION ledger_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION '% is a ledger: % refused', TG_TABLE_NAME, TG_OP
            USING ERRCODE = 'insufficient_privilege';
    END $$""",
    *(
        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change()"
        for table in LEDGER
    ),
    f"GRANT SELECT, INSERT, UPDATE, DELETE ON case_parties TO {APP_ROLE}",
    *(f"GRANT SELECT, INSERT ON {table} TO {APP_ROLE}" for table in LEDGER),
)


def upgrade() -> None:
    _facts_the_law_turns_on()
    _identifiers_per_custodian()
    with op.batch_alter_table("custodies") as batch:
        batch.add_column(sa.Column("left_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("destination", sa.String(63), nullable=True))
    _cases()
    _instruments()
    _determinations()
    _ledger()
    statements = (
        POSTGRES_LEDGER if op.get_bind().dialect.name == "postgresql" else SQLITE_LEDGER_TRIGGERS
    )
    for statement in statements:
        op.execute(statement)


def _facts_the_law_turns_on() -> None:
    """An immigration agency's component; a conviction that is a youthful-offender
    adjudication; a charge on which a magistrate found probable cause; fields already public."""
    with op.batch_alter_table("agencies") as batch:
        batch.add_column(sa.Column("component", sa.String(20), nullable=True))
    op.execute("UPDATE agencies SET component = 'ice' WHERE kind = 'immigration'")
    false = sa.text("false")
    with op.batch_alter_table("convictions") as batch:
        batch.add_column(
            sa.Column("youthful_offender", sa.Boolean(), nullable=False, server_default=false)
        )
    with op.batch_alter_table("charges") as batch:
        batch.add_column(
            sa.Column("probable_cause_found", sa.Boolean(), nullable=False, server_default=false)
        )
    with op.batch_alter_table("persons") as batch:
        batch.add_column(sa.Column("public_information", sa.JSON(), nullable=True))
    op.execute("UPDATE persons SET public_information = '[]'")
    with op.batch_alter_table("persons") as batch:
        batch.alter_column("public_information", existing_type=sa.JSON(), nullable=False)


def _identifiers_per_custodian() -> None:
    with op.batch_alter_table("person_identifiers") as batch:
        batch.add_column(sa.Column("owner_agency_id", sa.String(63), nullable=True))
    op.execute(
        "UPDATE person_identifiers SET owner_agency_id = (SELECT owner_agency_id FROM persons"
        " WHERE persons.id = person_identifiers.person_id)"
    )
    with op.batch_alter_table("person_identifiers") as batch:
        batch.alter_column("owner_agency_id", existing_type=sa.String(63), nullable=False)
        batch.drop_index("ix_person_identifiers_lookup")
        batch.drop_constraint("uq_person_identifiers_scheme_value", type_="unique")
        batch.create_unique_constraint(
            "uq_person_identifiers_owner_scheme_value", ["owner_agency_id", "scheme", "value"]
        )
        batch.create_foreign_key(
            "fk_person_identifiers_owner_agency_id_agencies",
            "agencies",
            ["owner_agency_id"],
            ["id"],
        )


def _cases() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("subject", sa.String(200), nullable=False, server_default=""))
    where = sa.text("status = 'open'")
    op.create_index(
        "uq_cases_open_matter",
        "cases",
        ["requesting_agency_id", "custodial_agency_id", "person_id"],
        unique=True,
        sqlite_where=where,
        postgresql_where=where,
    )
    op.create_table(
        "case_parties",
        sa.Column("case_id", sa.String(40), nullable=False),
        sa.Column("agency_id", sa.String(63), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name="fk_case_parties_agency_id_agencies"
        ),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name="fk_case_parties_case_id_cases"),
        sa.PrimaryKeyConstraint("case_id", "agency_id", name="pk_case_parties"),
    )
    op.create_index("ix_case_parties_list", "case_parties", ["agency_id", "status", "opened_at"])
    op.execute(
        "INSERT INTO case_parties (case_id, agency_id, status, opened_at)"
        " SELECT id, requesting_agency_id, status, opened_at FROM cases"
        " UNION SELECT id, custodial_agency_id, status, opened_at FROM cases"
        " UNION SELECT c.id, i.issuer_agency_id, c.status, c.opened_at"
        "   FROM cases c JOIN instruments i ON i.case_id = c.id"
        " UNION SELECT c.id, i.addressee_agency_id, c.status, c.opened_at"
        "   FROM cases c JOIN instruments i ON i.case_id = c.id"
    )


def _instruments() -> None:
    with op.batch_alter_table("instruments") as batch:
        batch.add_column(sa.Column("produce_to", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("issuer_status", sa.String(30), nullable=True))
        batch.add_column(sa.Column("issuer_due_at", sa.DateTime(timezone=True), nullable=True))
    bind = op.get_bind()
    table = sa.table(
        "instruments",
        sa.column("id"),
        sa.column("kind"),
        sa.column("status"),
        sa.column("due_at", sa.DateTime(timezone=True)),
        sa.column("issuer_agency_id"),
        sa.column("produce_to", sa.JSON()),
        sa.column("issuer_status"),
        sa.column("issuer_due_at", sa.DateTime(timezone=True)),
    )
    rows = bind.execute(
        sa.select(table.c.id, table.c.kind, table.c.status, table.c.due_at,
                  table.c.issuer_agency_id)
    ).all()  # fmt: skip
    for row in rows:
        recipients = (
            [] if row.kind in ("referral", "enforcement_petition") else [row.issuer_agency_id]
        )
        hidden = row.kind in CUSTODY_KINDS
        bind.execute(
            sa.update(table)
            .where(table.c.id == row.id)
            .values(
                produce_to=recipients,
                issuer_status=row.status,
                issuer_due_at=None if hidden else row.due_at,
            )
        )
    with op.batch_alter_table("instruments") as batch:
        batch.alter_column("produce_to", existing_type=sa.JSON(), nullable=False)
        batch.alter_column("issuer_status", existing_type=sa.String(30), nullable=False)
        batch.drop_index("ix_instruments_issuer_outbox")
        batch.create_index(
            "ix_instruments_issuer_outbox", ["issuer_agency_id", "issuer_status", "issuer_due_at"]
        )


def _determinations() -> None:
    with op.batch_alter_table("determinations") as batch:
        batch.add_column(sa.Column("actions_performed", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("override", sa.JSON(), nullable=True))
    bind = op.get_bind()
    dets = sa.table(
        "determinations",
        sa.column("instrument_id"),
        sa.column("outcome"),
        sa.column("released_fields", sa.JSON()),
        sa.column("actions_performed", sa.JSON()),
    )
    ins = sa.table("instruments", sa.column("id"), sa.column("actions", sa.JSON()))
    rows = bind.execute(
        sa.select(dets.c.instrument_id, dets.c.outcome, dets.c.released_fields, ins.c.actions).join(
            ins, ins.c.id == dets.c.instrument_id
        )
    ).all()
    for row in rows:
        bind.execute(
            sa.update(dets)
            .where(dets.c.instrument_id == row.instrument_id)
            .values(actions_performed=_performed(row))
        )
    with op.batch_alter_table("determinations") as batch:
        batch.alter_column("actions_performed", existing_type=sa.JSON(), nullable=False)


def _performed(row: Any) -> list[str]:
    if row.outcome == "complied":
        return list(row.actions)
    if row.outcome == "partially_complied":
        return [DISCLOSE + name for name in row.released_fields]
    return []


def _ledger() -> None:
    op.create_table(
        "releases",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("person_id", sa.String(40), nullable=False),
        sa.Column("case_id", sa.String(40), nullable=False),
        sa.Column("instrument_id", sa.String(40), nullable=False),
        sa.Column("custodian_agency_id", sa.String(63), nullable=False),
        sa.Column("released_by", sa.String(100), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("basis", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name="fk_releases_case_id_cases"),
        sa.ForeignKeyConstraint(
            ["custodian_agency_id"],
            ["agencies.id"],
            name="fk_releases_custodian_agency_id_agencies",
        ),
        sa.ForeignKeyConstraint(
            ["instrument_id"], ["instruments.id"], name="fk_releases_instrument_id_instruments"
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.id"], name="fk_releases_person_id_persons"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_releases"),
    )
    op.create_index("ix_releases_person_id", "releases", ["person_id"])
    op.create_index("ix_releases_instrument_id", "releases", ["instrument_id"])
    op.create_table(
        "release_recipients",
        sa.Column("release_id", sa.String(40), nullable=False),
        sa.Column("agency_id", sa.String(63), nullable=False),
        sa.Column("person_id", sa.String(40), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name="fk_release_recipients_agency_id_agencies"
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.id"], name="fk_release_recipients_person_id_persons"
        ),
        sa.ForeignKeyConstraint(
            ["release_id"], ["releases.id"], name="fk_release_recipients_release_id_releases"
        ),
        sa.PrimaryKeyConstraint("release_id", "agency_id", name="pk_release_recipients"),
    )
    op.create_index(
        "ix_release_recipients_agency_person", "release_recipients", ["agency_id", "person_id"]
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in LEDGER:
            op.execute(f"DROP TRIGGER {table}_append_only ON {table}")
        op.execute("DROP FUNCTION ledger_refuse_change()")
    op.drop_table("release_recipients")
    op.drop_table("releases")
    with op.batch_alter_table("determinations") as batch:
        batch.drop_column("override")
        batch.drop_column("actions_performed")
    with op.batch_alter_table("instruments") as batch:
        batch.drop_index("ix_instruments_issuer_outbox")
        batch.create_index("ix_instruments_issuer_outbox", ["issuer_agency_id", "status", "due_at"])
        batch.drop_column("issuer_due_at")
        batch.drop_column("issuer_status")
        batch.drop_column("produce_to")
    op.drop_table("case_parties")
    op.drop_index("uq_cases_open_matter", "cases")
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("subject")
    with op.batch_alter_table("custodies") as batch:
        batch.drop_column("destination")
        batch.drop_column("left_at")
    with op.batch_alter_table("persons") as batch:
        batch.drop_column("public_information")
    with op.batch_alter_table("charges") as batch:
        batch.drop_column("probable_cause_found")
    with op.batch_alter_table("convictions") as batch:
        batch.drop_column("youthful_offender")
    with op.batch_alter_table("agencies") as batch:
        batch.drop_column("component")
    with op.batch_alter_table("person_identifiers") as batch:
        batch.drop_constraint("fk_person_identifiers_owner_agency_id_agencies", type_="foreignkey")
        batch.drop_constraint("uq_person_identifiers_owner_scheme_value", type_="unique")
        batch.create_unique_constraint(
            "uq_person_identifiers_scheme_value", ["scheme", "value", "person_id"]
        )
        batch.create_index("ix_person_identifiers_lookup", ["scheme", "value"])
        batch.drop_column("owner_agency_id")
