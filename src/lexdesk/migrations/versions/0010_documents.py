"""documents

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30

Signed documents (docs/adr/0018-documents.md): ``signing_keys`` (the deployment CA and each
agency's keys, private keys encrypted at rest; a rotated key is retired, never deleted, so the
documents it signed stay verifiable), ``documents`` (per document issued: its verification
code, instrument, kind, issuer, the SHA-256 of the signed bytes, when, by which key; never the
bytes), ``letterheads`` (an agency's address and seal) and ``attachments`` (files on an
instrument or an answer, by SHA-256 in the blob store) and ``service_records`` (how, by whom
and when an instrument was served).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

APP_ROLE = "lexdesk_app"


def upgrade() -> None:
    op.create_table(
        "signing_keys",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("purpose", sa.String(10), nullable=False),
        sa.Column("agency_id", sa.String(63), nullable=True),
        sa.Column("subject", sa.String(200), nullable=False),
        sa.Column("certificate_pem", sa.Text(), nullable=False),
        sa.Column("encrypted_key", sa.LargeBinary(), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name="fk_signing_keys_agency_id_agencies"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_signing_keys"),
        sa.UniqueConstraint("fingerprint", name="uq_signing_keys_fingerprint"),
    )
    op.create_index("ix_signing_keys_agency_id", "signing_keys", ["agency_id"])
    op.create_table(
        "documents",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("code", sa.String(14), nullable=False),
        sa.Column("instrument_id", sa.String(40), nullable=False),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("issuer_agency_id", sa.String(63), nullable=False),
        sa.Column("rendered_for", sa.String(63), nullable=False),
        sa.Column("rendered_by", sa.String(63), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("key_id", sa.String(40), nullable=False),
        sa.ForeignKeyConstraint(
            ["instrument_id"], ["instruments.id"], name="fk_documents_instrument_id_instruments"
        ),
        sa.ForeignKeyConstraint(
            ["issuer_agency_id"], ["agencies.id"], name="fk_documents_issuer_agency_id_agencies"
        ),
        sa.ForeignKeyConstraint(
            ["key_id"], ["signing_keys.id"], name="fk_documents_key_id_signing_keys"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_documents"),
        sa.UniqueConstraint("code", name="uq_documents_code"),
        sa.UniqueConstraint("sha256", name="uq_documents_sha256"),
    )
    op.create_index("ix_documents_instrument_id", "documents", ["instrument_id"])
    op.create_table(
        "letterheads",
        sa.Column("agency_id", sa.String(63), nullable=False),
        sa.Column("address", sa.Text(), nullable=False),
        sa.Column("seal_png", sa.LargeBinary(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name="fk_letterheads_agency_id_agencies"
        ),
        sa.PrimaryKeyConstraint("agency_id", name="pk_letterheads"),
    )
    op.create_table(
        "attachments",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("instrument_id", sa.String(40), nullable=False),
        sa.Column("placement", sa.String(12), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("media_type", sa.String(40), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("filename", sa.String(200), nullable=False),
        sa.Column("agency_id", sa.String(63), nullable=False),
        sa.Column("uploaded_by", sa.String(63), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["instrument_id"], ["instruments.id"], name="fk_attachments_instrument_id_instruments"
        ),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name="fk_attachments_agency_id_agencies"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_attachments"),
    )
    op.create_index("ix_attachments_instrument_id", "attachments", ["instrument_id"])
    op.create_table(
        "service_records",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("instrument_id", sa.String(40), nullable=False),
        sa.Column("method", sa.String(12), nullable=False),
        sa.Column("served_by", sa.String(200), nullable=False),
        sa.Column("served_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("agency_id", sa.String(63), nullable=False),
        sa.Column("recorded_by", sa.String(63), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.String(500), nullable=False),
        sa.ForeignKeyConstraint(
            ["instrument_id"],
            ["instruments.id"],
            name="fk_service_records_instrument_id_instruments",
        ),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name="fk_service_records_agency_id_agencies"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_service_records"),
    )
    op.create_index("ix_service_records_instrument_id", "service_records", ["instrument_id"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"GRANT SELECT, INSERT, UPDATE ON signing_keys, letterheads TO {APP_ROLE}")
        op.execute(f"GRANT SELECT, INSERT ON documents, attachments, service_records TO {APP_ROLE}")


def downgrade() -> None:
    op.drop_index("ix_service_records_instrument_id", table_name="service_records")
    op.drop_table("service_records")
    op.drop_index("ix_attachments_instrument_id", table_name="attachments")
    op.drop_table("attachments")
    op.drop_table("letterheads")
    op.drop_index("ix_documents_instrument_id", table_name="documents")
    op.drop_table("documents")
    op.drop_index("ix_signing_keys_agency_id", table_name="signing_keys")
    op.drop_table("signing_keys")
