"""The migrated schema on every backend: DESIGN.md's names, exact money, current revision."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Numeric, inspect
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from arbig.storage.database import check_schema
from arbig.storage.migrations import head_revision
from arbig.storage.models import TABLES, VIEWS, Base

pytestmark = pytest.mark.integration

DESIGN_TABLES = (
    "accounts",
    "positions",
    "orders",
    "trades",
    "strategy_configs",
    "strategy_triggers",
    "system_logs",
)


async def test_tables_and_views_exist(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        tables = set(await connection.run_sync(lambda c: inspect(c).get_table_names()))
        views = set(await connection.run_sync(lambda c: inspect(c).get_view_names()))
    assert set(DESIGN_TABLES) <= tables
    assert set(TABLES) <= tables
    assert set(VIEWS) <= views


async def test_show_tables_lists_design_tables_and_views(engine: AsyncEngine, backend: str) -> None:
    if backend != "mariadb":
        pytest.skip("SHOW TABLES is MySQL/MariaDB")
    async with engine.connect() as connection:
        shown = {row[0] for row in await connection.exec_driver_sql("SHOW TABLES")}
    assert {*DESIGN_TABLES, *VIEWS} <= shown


async def test_money_is_numeric_on_servers(engine: AsyncEngine, backend: str) -> None:
    if backend == "sqlite":
        pytest.skip("SQLite keeps money as exact decimal text")
    async with engine.connect() as connection:
        columns = await connection.run_sync(lambda c: inspect(c).get_columns("trades"))
    price = next(column for column in columns if column["name"] == "price")
    assert isinstance(price["type"], Numeric)
    assert (price["type"].precision, price["type"].scale) == (20, 4)


async def test_schema_check_passes_at_head(engine: AsyncEngine) -> None:
    assert await check_schema(engine) == head_revision()


async def test_migrations_build_exactly_the_models(engine: AsyncEngine) -> None:
    def differences(connection: Connection) -> list[object]:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, Base.metadata))

    async with engine.connect() as connection:
        assert await connection.run_sync(differences) == []
