"""saved searches and form drafts

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30

A list's search may name a person, so it is kept here and the address carries only an opaque
id, good for the user who searched and for 30 days (``domain.work.SavedSearch``). A form's
values are kept between its POST and the GET that shows them checked or for review
(``domain.work.FormDraft``), so that no page answers a POST and Back never posts again.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

APP_ROLE = "lexdesk_app"


def upgrade() -> None:
    op.create_table(
        "saved_searches",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("user_id", sa.String(40), nullable=False),
        sa.Column("text", sa.String(200), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_saved_searches_user_id_users"),
        sa.PrimaryKeyConstraint("id", name="pk_saved_searches"),
    )
    op.create_index("ix_saved_searches_user_id", "saved_searches", ["user_id"])
    op.create_table(
        "form_drafts",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("user_id", sa.String(40), nullable=False),
        sa.Column("form", sa.String(100), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_to", sa.String(200), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_form_drafts_user_id_users"),
        sa.PrimaryKeyConstraint("id", name="pk_form_drafts"),
    )
    op.create_index("ix_form_drafts_user_id", "form_drafts", ["user_id"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"GRANT SELECT, INSERT, DELETE ON saved_searches TO {APP_ROLE}")
        op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON form_drafts TO {APP_ROLE}")


def downgrade() -> None:
    op.drop_index("ix_form_drafts_user_id", table_name="form_drafts")
    op.drop_table("form_drafts")
    op.drop_index("ix_saved_searches_user_id", table_name="saved_searches")
    op.drop_table("saved_searches")
