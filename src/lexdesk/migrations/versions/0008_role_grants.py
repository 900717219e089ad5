"""role grants

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30

Separation of duties between an agency's administrators (docs/adr/0013-separation-of-duties.md):
a request to grant the ``legal``, ``officer`` or ``admin`` role waits in ``role_grants`` until
a second administrator of the same agency approves or refuses it.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

APP_ROLE = "lexdesk_app"


def upgrade() -> None:
    op.create_table(
        "role_grants",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("agency_id", sa.String(63), nullable=False),
        sa.Column("user_id", sa.String(40), nullable=False),
        sa.Column("username", sa.String(63), nullable=False),
        sa.Column("roles", sa.JSON(), nullable=False),
        sa.Column("requested_by", sa.String(63), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.String(500), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("decided_by", sa.String(63), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_reason", sa.String(500), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name="fk_role_grants_agency_id_agencies"
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_role_grants_user_id_users"),
        sa.PrimaryKeyConstraint("id", name="pk_role_grants"),
    )
    op.create_index("ix_role_grants_user_id", "role_grants", ["user_id"])
    op.create_index("ix_role_grants_agency", "role_grants", ["agency_id", "status", "requested_at"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"GRANT SELECT, INSERT, UPDATE ON role_grants TO {APP_ROLE}")


def downgrade() -> None:
    op.drop_index("ix_role_grants_agency", table_name="role_grants")
    op.drop_index("ix_role_grants_user_id", table_name="role_grants")
    op.drop_table("role_grants")
