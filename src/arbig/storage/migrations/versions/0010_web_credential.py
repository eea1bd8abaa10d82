"""The operator's credential and API tokens in the database, shared by every web process.

Revision ID: 0010_web_credential
Revises: 0009_core_fence
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from arbig.storage.types import UTCDateTime

revision: str = "0010_web_credential"
down_revision: str | None = "0009_core_fence"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # The data folder's credentials.json is imported by the running system (or by
    # `arbig auth`), not here: the migration does not know the data folder.
    op.create_table(
        "web_credential",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=True),
        sa.Column("secret", sa.String(length=128), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("update_time", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "web_tokens",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("create_time", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
        sa.UniqueConstraint("digest", name=op.f("uq_web_tokens_digest")),
    )


def downgrade() -> None:
    op.drop_table("web_tokens")
    op.drop_table("web_credential")
