"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "agencies",
        sa.Column("id", sa.String(length=63), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("jurisdiction", sa.String(length=100), nullable=False),
        sa.Column("rule_pack", sa.String(length=63), nullable=True),
        sa.Column("deadline_policy", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agencies")),
    )
    op.create_table(
        "persons",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("owner_agency_id", sa.String(length=63), nullable=False),
        sa.Column("family_name", sa.String(length=200), nullable=False),
        sa.Column("given_name", sa.String(length=200), nullable=False),
        sa.Column("date_of_birth", sa.Date(), nullable=True),
        sa.Column("place_of_birth", sa.String(length=200), nullable=False),
        sa.Column("citizenship", sa.String(length=100), nullable=False),
        sa.Column("facts", sa.JSON(), nullable=False),
        sa.Column("record", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_agency_id"], ["agencies.id"], name=op.f("fk_persons_owner_agency_id_agencies")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_persons")),
    )
    with op.batch_alter_table("persons", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_persons_owner_agency_id"), ["owner_agency_id"], unique=False
        )

    op.create_table(
        "users",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("username", sa.String(length=63), nullable=False),
        sa.Column("agency_id", sa.String(length=63), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("roles", sa.JSON(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_users_agency_id_agencies")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("username", name=op.f("uq_users_username")),
    )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_users_agency_id"), ["agency_id"], unique=False)

    op.create_table(
        "cases",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("requesting_agency_id", sa.String(length=63), nullable=False),
        sa.Column("custodial_agency_id", sa.String(length=63), nullable=False),
        sa.Column("person_id", sa.String(length=40), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["custodial_agency_id"],
            ["agencies.id"],
            name=op.f("fk_cases_custodial_agency_id_agencies"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.id"], name=op.f("fk_cases_person_id_persons")
        ),
        sa.ForeignKeyConstraint(
            ["requesting_agency_id"],
            ["agencies.id"],
            name=op.f("fk_cases_requesting_agency_id_agencies"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cases")),
    )
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_cases_custodial_agency_id"), ["custodial_agency_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_cases_person_id"), ["person_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_cases_requesting_agency_id"), ["requesting_agency_id"], unique=False
        )

    op.create_table(
        "convictions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("person_id", sa.String(length=40), nullable=False),
        sa.Column("offense", sa.String(length=60), nullable=False),
        sa.Column("offense_class", sa.String(length=20), nullable=False),
        sa.Column("convicted_on", sa.Date(), nullable=False),
        sa.Column("sentence", sa.String(length=200), nullable=False),
        sa.Column("released_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["persons.id"],
            name=op.f("fk_convictions_person_id_persons"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_convictions")),
    )
    with op.batch_alter_table("convictions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_convictions_person_id"), ["person_id"], unique=False)

    op.create_table(
        "custodies",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("person_id", sa.String(length=40), nullable=False),
        sa.Column("agency_id", sa.String(length=63), nullable=False),
        sa.Column("booked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("arrested_on", sa.Date(), nullable=False),
        sa.Column("expected_release_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_custodies_agency_id_agencies")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["persons.id"],
            name=op.f("fk_custodies_person_id_persons"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_custodies")),
    )
    with op.batch_alter_table("custodies", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_custodies_agency_id"), ["agency_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_custodies_person_id"), ["person_id"], unique=False)

    op.create_table(
        "person_identifiers",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("person_id", sa.String(length=40), nullable=False),
        sa.Column("scheme", sa.String(length=30), nullable=False),
        sa.Column("value", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["persons.id"],
            name=op.f("fk_person_identifiers_person_id_persons"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person_identifiers")),
        sa.UniqueConstraint(
            "scheme", "value", "person_id", name="uq_person_identifiers_scheme_value"
        ),
    )
    with op.batch_alter_table("person_identifiers", schema=None) as batch_op:
        batch_op.create_index("ix_person_identifiers_lookup", ["scheme", "value"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_person_identifiers_person_id"), ["person_id"], unique=False
        )

    op.create_table(
        "charges",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("custody_id", sa.String(length=40), nullable=False),
        sa.Column("offense", sa.String(length=60), nullable=False),
        sa.Column("offense_class", sa.String(length=20), nullable=False),
        sa.Column("charged_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(
            ["custody_id"],
            ["custodies.id"],
            name=op.f("fk_charges_custody_id_custodies"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_charges")),
    )
    with op.batch_alter_table("charges", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_charges_custody_id"), ["custody_id"], unique=False)

    op.create_table(
        "instruments",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("case_id", sa.String(length=40), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("actions", sa.JSON(), nullable=False),
        sa.Column("warrant", sa.String(length=20), nullable=False),
        sa.Column("issuer_agency_id", sa.String(length=63), nullable=False),
        sa.Column("addressee_agency_id", sa.String(length=63), nullable=False),
        sa.Column("parent_id", sa.String(length=40), nullable=True),
        sa.Column("status", sa.String(length=30), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("due", sa.JSON(), nullable=True),
        sa.Column("reference", sa.String(length=100), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["addressee_agency_id"],
            ["agencies.id"],
            name=op.f("fk_instruments_addressee_agency_id_agencies"),
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_instruments_case_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["issuer_agency_id"],
            ["agencies.id"],
            name=op.f("fk_instruments_issuer_agency_id_agencies"),
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["instruments.id"], name=op.f("fk_instruments_parent_id_instruments")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_instruments")),
    )
    with op.batch_alter_table("instruments", schema=None) as batch_op:
        batch_op.create_index(
            "ix_instruments_addressee_inbox",
            ["addressee_agency_id", "status", "due_at"],
            unique=False,
        )
        batch_op.create_index(batch_op.f("ix_instruments_case_id"), ["case_id"], unique=False)
        batch_op.create_index(
            "ix_instruments_issuer_outbox", ["issuer_agency_id", "status", "due_at"], unique=False
        )

    op.create_table(
        "determinations",
        sa.Column("instrument_id", sa.String(length=40), nullable=False),
        sa.Column("outcome", sa.String(length=30), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("released_fields", sa.JSON(), nullable=False),
        sa.Column("determined_by", sa.String(length=100), nullable=False),
        sa.Column("determined_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("evaluation", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["instrument_id"],
            ["instruments.id"],
            name=op.f("fk_determinations_instrument_id_instruments"),
        ),
        sa.PrimaryKeyConstraint("instrument_id", name=op.f("pk_determinations")),
    )
    op.create_table(
        "instrument_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("instrument_id", sa.String(length=40), nullable=False),
        sa.Column("case_id", sa.String(length=40), nullable=False),
        sa.Column("transition", sa.String(length=30), nullable=False),
        sa.Column("from_status", sa.String(length=30), nullable=True),
        sa.Column("to_status", sa.String(length=30), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_instrument_events_case_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["instrument_id"],
            ["instruments.id"],
            name=op.f("fk_instrument_events_instrument_id_instruments"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_instrument_events")),
    )
    with op.batch_alter_table("instrument_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_instrument_events_case_id"), ["case_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_instrument_events_instrument_id"), ["instrument_id"], unique=False
        )


def downgrade() -> None:

    with op.batch_alter_table("instrument_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_instrument_events_instrument_id"))
        batch_op.drop_index(batch_op.f("ix_instrument_events_case_id"))

    op.drop_table("instrument_events")
    op.drop_table("determinations")
    with op.batch_alter_table("instruments", schema=None) as batch_op:
        batch_op.drop_index("ix_instruments_issuer_outbox")
        batch_op.drop_index(batch_op.f("ix_instruments_case_id"))
        batch_op.drop_index("ix_instruments_addressee_inbox")

    op.drop_table("instruments")
    with op.batch_alter_table("charges", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_charges_custody_id"))

    op.drop_table("charges")
    with op.batch_alter_table("person_identifiers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_person_identifiers_person_id"))
        batch_op.drop_index("ix_person_identifiers_lookup")

    op.drop_table("person_identifiers")
    with op.batch_alter_table("custodies", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_custodies_person_id"))
        batch_op.drop_index(batch_op.f("ix_custodies_agency_id"))

    op.drop_table("custodies")
    with op.batch_alter_table("convictions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_convictions_person_id"))

    op.drop_table("convictions")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cases_requesting_agency_id"))
        batch_op.drop_index(batch_op.f("ix_cases_person_id"))
        batch_op.drop_index(batch_op.f("ix_cases_custodial_agency_id"))

    op.drop_table("cases")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_users_agency_id"))

    op.drop_table("users")
    with op.batch_alter_table("persons", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_persons_owner_agency_id"))

    op.drop_table("persons")
    op.drop_table("agencies")
