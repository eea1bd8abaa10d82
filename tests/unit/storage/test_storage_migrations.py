"""The migration builds DESIGN.md's schema, and the start-up check names the fix."""

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from arbig.storage.database import (
    DatabaseUnavailable,
    SchemaError,
    check_connection,
    check_schema,
    create_engine,
)
from arbig.storage.migrations import current_revision, downgrade, head_revision, upgrade
from arbig.storage.models import TABLES, Base

DESIGN_TABLES = {
    "accounts",
    "positions",
    "orders",
    "trades",
    "strategy_configs",
    "strategy_triggers",
    "system_logs",
}


async def test_upgrade_creates_every_design_table(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        names = set(await connection.run_sync(lambda c: inspect(c).get_table_names()))
    assert names >= DESIGN_TABLES
    assert set(TABLES) <= names
    assert {"equity_snapshots", "bars", "audit_log"} <= names


async def test_trades_have_the_design_columns(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        columns = await connection.run_sync(lambda c: inspect(c).get_columns("trades"))
    names = {column["name"] for column in columns}
    assert {
        "trade_id",
        "order_id",
        "account_id",
        "symbol",
        "direction",
        "volume",
        "price",
        "commission",
        "trade_time",
        "create_time",
        "offset",
        "trading_day",
    } <= names


async def test_migrated_database_passes_the_schema_check(engine: AsyncEngine) -> None:
    assert await check_schema(engine) == head_revision()
    assert await current_revision(engine) == head_revision()


async def test_empty_database_is_told_to_run_init(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    with pytest.raises(SchemaError, match="run: arbig db init"):
        await check_schema(engine)
    await engine.dispose()


async def test_older_schema_is_told_to_run_upgrade(engine: AsyncEngine) -> None:
    await downgrade(engine, "0001_initial")
    with pytest.raises(SchemaError) as caught:
        await check_schema(engine)
    message = str(caught.value)
    assert message == (
        f"database at revision 0001_initial, code expects {head_revision()}: run: arbig db upgrade"
    )
    await upgrade(engine)
    assert await check_schema(engine) == head_revision()


async def test_newer_schema_is_not_told_to_upgrade(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        await connection.exec_driver_sql("UPDATE alembic_version SET version_num = '0099_future'")
    with pytest.raises(SchemaError, match="0099_future, which this version of ARBIG does not"):
        await check_schema(engine)


async def test_downgrade_to_base_and_back_again(engine: AsyncEngine) -> None:
    await downgrade(engine, "base")
    assert await current_revision(engine) is None
    await upgrade(engine)
    assert await current_revision(engine) == head_revision()


async def test_unreachable_server_is_one_clear_line() -> None:
    engine = create_engine("postgresql://arbig@127.0.0.1:9/arbig")
    with pytest.raises(DatabaseUnavailable) as caught:
        await check_connection(engine)
    message = str(caught.value)
    assert "\n" not in message
    assert "postgresql+asyncpg://arbig@127.0.0.1:9/arbig" in message
    assert "check ARBIG_DATABASE_URL" in message
    await engine.dispose()


def test_bad_url_is_one_clear_line() -> None:
    with pytest.raises(DatabaseUnavailable, match="not an SQLAlchemy URL"):
        create_engine("arbig.sqlite3")


def test_password_is_hidden_in_messages() -> None:
    engine = create_engine("mysql://root:secret@127.0.0.1:9/arbig")
    assert "secret" not in str(engine.url.render_as_string(hide_password=True))


async def test_migrations_build_exactly_the_models(engine: AsyncEngine) -> None:
    # A model change without its migration shows up here, not in production.
    def differences(connection: Connection) -> list[object]:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, Base.metadata))

    async with engine.connect() as connection:
        assert await connection.run_sync(differences) == []
