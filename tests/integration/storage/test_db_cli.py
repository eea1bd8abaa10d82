"""``arbig db init`` on an empty database of each backend, then the listings."""

import asyncio
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from arbig.storage.cli import db_app
from arbig.storage.database import create_engine
from arbig.storage.models import VIEWS

pytestmark = pytest.mark.integration
DESIGN_TABLES = {
    "accounts",
    "positions",
    "orders",
    "trades",
    "strategy_configs",
    "strategy_triggers",
    "system_logs",
}


async def _run(url: str, statement: str) -> list[str]:
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            result = await connection.execute(text(statement))
            return [row[0] for row in result] if result.returns_rows else []
    finally:
        await engine.dispose()


@pytest.fixture
def empty_database(
    backend_database: tuple[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[str, str]]:
    """(backend, URL) of a database with nothing in it, dropped afterwards."""
    backend, session_url = backend_database
    monkeypatch.setenv("COLUMNS", "250")
    if backend == "sqlite":
        yield backend, f"sqlite:///{tmp_path / 'empty.sqlite3'}"
        return
    name = f"arbig_cli_{secrets.token_hex(3)}"
    asyncio.run(_run(session_url, f"CREATE DATABASE {name}"))
    yield backend, make_url(session_url).set(database=name).render_as_string(False)
    force = " WITH (FORCE)" if backend == "postgresql" else ""
    asyncio.run(_run(session_url, f"DROP DATABASE {name}{force}"))


def test_init_creates_the_design_tables_and_views(empty_database: tuple[str, str]) -> None:
    backend, url = empty_database
    runner = CliRunner()
    result = runner.invoke(db_app, ["--url", url, "init"])
    assert result.exit_code == 0, result.output
    assert "created the ARBIG schema" in result.output
    result = runner.invoke(db_app, ["--url", url, "tables"])
    assert result.exit_code == 0, result.output
    for name in (*DESIGN_TABLES, *VIEWS):
        assert name in result.output
    if backend == "mariadb":
        shown = set(asyncio.run(_run(url, "SHOW TABLES")))
        assert {*DESIGN_TABLES, *VIEWS} <= shown
    result = runner.invoke(db_app, ["--url", url, "trades", "--limit", "5"])
    assert (result.exit_code, result.output.strip()) == (0, "Trades: none")
