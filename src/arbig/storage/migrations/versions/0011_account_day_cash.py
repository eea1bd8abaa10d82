"""The trading day's deposit and withdrawal totals on the ``accounts`` row.

Revision ID: 0011_account_day_cash
Revises: 0010_web_credential
Create Date: 2026-12-03

A restart books the unsettled day's totals again from the row: the audit trail is
written only when the broker's totals differ from them (docs/storage.md, "Deposits and
withdrawals"). The views do not read the new columns.
"""

import importlib.util
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

import sqlalchemy as sa
from alembic import op

from arbig.storage.types import Money

revision: str = "0011_account_day_cash"
down_revision: str | None = "0010_web_credential"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ("deposit", "withdraw")


def upgrade() -> None:
    for name in COLUMNS:
        op.add_column("accounts", sa.Column(name, Money(), nullable=False, server_default="0"))


def downgrade() -> None:
    # SQLite rebuilds the table to drop a column: the view that reads it goes first.
    views = _views_0004()
    sql = views._views_0002()._Sql(op.get_bind().dialect.name)
    op.execute("DROP VIEW IF EXISTS account_summary")
    with op.batch_alter_table("accounts") as batch:
        for name in COLUMNS:
            batch.drop_column(name)
    op.execute(views.account_summary(sql))


def _views_0004() -> ModuleType:
    path = Path(__file__).with_name("0004_daily_settlement.py")
    spec = importlib.util.spec_from_file_location("arbig_migration_0004", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
