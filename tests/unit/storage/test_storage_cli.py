"""``arbig db``: clear one-line errors, Rich listings, and a backup that restores."""

import asyncio
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from storage_samples import T0, make_account, make_order, make_position, make_trade
from typer.testing import CliRunner

from arbig.domain.account import DailySettlement
from arbig.storage.cli import db_app
from arbig.storage.database import create_engine, session_factory
from arbig.storage.models import SystemLogRow
from arbig.storage.writer import BookWriter

runner = CliRunner()


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.sqlite3'}"
    monkeypatch.setenv("ARBIG_DATABASE_URL", url)
    monkeypatch.delenv("ARBIG_CONFIG", raising=False)
    monkeypatch.setenv("COLUMNS", "250")  # Rich would fold the tables to 80 columns
    return url


def db(*args: str) -> tuple[int, str]:
    result = runner.invoke(db_app, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


def record_book(url: str) -> None:
    async def work() -> None:
        engine = create_engine(url)
        sessions = session_factory(engine)
        writer = BookWriter(sessions, "sim-001")
        await writer.start()
        writer.order(make_order())
        writer.trade(make_trade("t1"))
        writer.trade(make_trade("t2", seconds=5))
        writer.positions([make_position(2)])
        writer.account(make_account())
        writer.settlement(
            DailySettlement(
                "sim-001", T0.date(), Decimal("1000000"), Decimal(0), Decimal(0),
                Decimal("-40"), Decimal("1980"), Decimal("20"), Decimal("1001920"),
                (("au2612", Decimal("921.00")),),
            )
        )  # fmt: skip
        await writer.stop()
        async with sessions() as session, session.begin():
            for level in ("info", "warning", "error"):
                session.add(
                    SystemLogRow(
                        time=T0 + timedelta(minutes=1),
                        level=level,
                        source="arbig.test",
                        message=f"a {level} message",
                    )
                )
        await engine.dispose()

    asyncio.run(work())


def test_listing_before_init_says_run_init(database: str) -> None:
    code, output = db("trades")
    assert code == 2
    assert output.strip().endswith("run: arbig db init")
    assert "Traceback" not in output


def test_init_creates_the_schema_and_tables_lists_it(database: str) -> None:
    code, output = db("init")
    assert code == 0
    assert "created the ARBIG schema" in output
    assert "nothing to do" in db("upgrade")[1]
    code, output = db("tables")
    assert code == 0
    for name in ("trades", "strategy_triggers", "system_logs", "daily_trade_summary"):
        assert name in output


def test_listings_show_the_recorded_book(database: str) -> None:
    db("init")
    record_book(database)
    code, output = db("trades", "--symbol", "au2612", "--limit", "1", "--since", "2026-11-20")
    assert code == 0
    assert "t2" in output
    assert "t1" not in output
    assert "920.02" in output
    assert "2026-11-20 09:30:05" in output  # exchange time
    assert "no trades" not in db("trades", "--symbol", "au2702")[1]
    assert "Trades: none" in db("trades", "--symbol", "au2702")[1]
    assert "not_traded" in db("orders")[1]
    assert "long" in db("positions")[1]
    assert "1000000.00" in db("accounts")[1]
    logs = db("logs", "--level", "warning", "--since", "2026-11-20")[1]
    assert "a warning message" in logs
    assert "a error message" in logs
    assert "a info message" not in logs
    assert "Strategy triggers: none" in db("triggers")[1]
    header, row = db("settlements")[1].splitlines()  # piped: tab-separated
    cells = dict(zip(header.split("\t"), row.split("\t"), strict=True))
    assert cells["trading day"] == "2026-11-20"
    assert (cells["pre-balance"], cells["balance"]) == ("1000000.00", "1001920.00")
    assert (cells["close profit"], cells["position profit"], cells["fee"]) == (
        "-40.00",
        "1980.00",
        "20.00",
    )


def test_unknown_log_level_is_one_line(database: str) -> None:
    db("init")
    code, output = db("logs", "--level", "loud")
    assert code == 2
    assert output.strip() == (
        "arbig: log level 'loud': use one of debug, info, warning, error, critical"
    )


def test_unreachable_server_is_one_line() -> None:
    code, output = db("--url", "postgresql://arbig@127.0.0.1:9/arbig", "tables")
    assert code == 2
    assert len(output.strip().splitlines()) == 1
    assert "cannot use the database at postgresql+asyncpg://arbig@127.0.0.1:9/arbig" in output


def test_backup_restores_and_refuses_a_non_empty_database(database: str, tmp_path: Path) -> None:
    db("init")
    record_book(database)
    backup = tmp_path / "book.jsonl.gz"
    code, output = db("backup", "--file", str(backup))
    assert code == 0, output
    assert "wrote 10 rows" in output
    code, output = db("restore", "--file", str(backup))
    assert code == 2
    assert "database is not empty" in output
    assert "--force" in output
    code, output = db("restore", "--file", str(backup), "--force")
    assert code == 0, output
    assert "restored 10 rows" in output
    target = f"sqlite+aiosqlite:///{tmp_path / 'copy.sqlite3'}"
    code, output = db("--url", target, "restore", "--file", str(backup))
    assert code == 0, output
    assert "t2" in db("--url", target, "trades")[1]


def test_restore_of_a_file_that_is_not_a_backup(database: str, tmp_path: Path) -> None:
    db("init")
    junk = tmp_path / "junk.jsonl"
    junk.write_text('{"hello": 1}\n')
    code, output = db("restore", "--file", str(junk))
    assert code == 2
    assert output.strip() == f"arbig: {junk} is not an ARBIG backup"
