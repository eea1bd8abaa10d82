"""The console's browser sessions, recorded so that logout ends them everywhere.

Revision ID: 0006_web_sessions
Revises: 0005_strategy_handovers
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from arbig.storage.types import UTCDateTime

revision: str = "0006_web_sessions"
down_revision: str | None = "0005_strategy_handovers"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "web_sessions",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("expires", sa.BigInteger(), nullable=False),
        sa.Column("create_time", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade() -> None:
    op.drop_table("web_sessions")
