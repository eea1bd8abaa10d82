"""The book writer against the raw driver, per backend, in the same run.

    PYTHONPATH=src .venv/bin/python bench/bench_writer.py [--rows 20000] [--backends sqlite,...]

For trades and for bars: rows per second through ``BookWriter`` (enqueue everything,
then ``flush``: the writer's own batches, one transaction each, insert-or-ignore or
upsert) beside the driver's ``executemany`` of the same rows, one transaction per 500
rows (the writer's ``batch_max``), twice: with the statement the writer must run
(trades insert-or-ignore, bars upsert, written by hand here in each dialect's SQL,
money at the column's four places), which is the reference, and with a plain INSERT,
shown for comparison. Both start from the same domain values; the driver side's
conversion to driver values is timed too. Then
fill-to-commit latency (enqueue to committed transaction) for single fills arriving
every 5 ms, as a live session sees them, and under the burst. Each backend gets a
fresh temporary database (servers: ARBIG_BENCH_MYSQL_URL, ARBIG_BENCH_POSTGRES_URL
admin URLs).
"""

import argparse
import asyncio
import os
import platform
import secrets
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import aiosqlite
import asyncmy
import asyncpg
import sqlalchemy
from sqlalchemy import text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from arbig.domain.bar import Bar
from arbig.domain.enums import Exchange, Offset, Side
from arbig.domain.trade import Trade
from arbig.storage import rows
from arbig.storage.checkpoint import WalCheckpointer
from arbig.storage.database import create_engine, session_factory
from arbig.storage.migrations import upgrade
from arbig.storage.writer import BookWriter

ACCOUNT = "bench-001"
CHUNK = 500
T0 = datetime(2026, 11, 20, 1, 0, tzinfo=UTC)
ADMIN = {
    "mariadb": os.environ.get("ARBIG_BENCH_MYSQL_URL", "mysql+asyncmy://root@127.0.0.1/mysql"),
    "postgresql": os.environ.get(
        "ARBIG_BENCH_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1/postgres"
    ),
}


def trades(count: int, prefix: str) -> list[Trade]:
    base = Trade(
        trade_id="",
        order_id="o1",
        symbol="au2612",
        exchange=Exchange.SHFE,
        side=Side.BUY,
        offset=Offset.OPEN,
        price=Decimal("920.02"),
        volume=1,
        datetime=T0,
        trading_day=date(2026, 11, 20),
        commission=Decimal("10.00"),
    )
    return [
        replace(base, trade_id=f"{prefix}{n}", datetime=T0 + timedelta(milliseconds=n))
        for n in range(count)
    ]


def bars(count: int) -> list[Bar]:
    price = Decimal("920.02")
    return [
        Bar(
            symbol="au2612",
            trading_day=date(2026, 11, 20),
            start=T0 + timedelta(minutes=n),
            open=price,
            high=price + 1,
            low=price - 1,
            close=price,
            volume=10,
            turnover=Decimal("9200200"),
            open_interest=1000,
        )
        for n in range(count)
    ]


@asynccontextmanager
async def database(backend: str) -> AsyncIterator[str]:
    """A fresh migrated database's URL, dropped afterwards."""
    if backend == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            url = f"sqlite+aiosqlite:///{Path(folder) / 'bench.sqlite3'}"
            await _migrate(url)
            yield url
        return
    admin = create_engine(ADMIN[backend], isolation_level="AUTOCOMMIT")
    name = f"arbig_bench_{secrets.token_hex(3)}"
    async with admin.connect() as connection:
        await connection.execute(text(f"CREATE DATABASE {name}"))
    try:
        url = make_url(ADMIN[backend]).set(database=name).render_as_string(False)
        await _migrate(url)
        yield url
    finally:
        force = " WITH (FORCE)" if backend == "postgresql" else ""
        async with admin.connect() as connection:
            await connection.execute(text(f"DROP DATABASE {name}{force}"))
        await admin.dispose()


async def _migrate(url: str) -> None:
    engine = create_engine(url)
    await upgrade(engine)
    await engine.dispose()


async def empty(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        await connection.execute(text("DELETE FROM trades"))
        await connection.execute(text("DELETE FROM bars"))


async def through_writer(engine: AsyncEngine, kind: str, items: list[Any]) -> tuple[float, Any]:
    writer = BookWriter(session_factory(engine), ACCOUNT, queue_size=len(items) + 1)
    await writer.start()
    started = time.perf_counter()
    for item in items:
        if kind == "trades":
            writer.trade(item, multiplier=1000)
        else:
            writer.bar(item)
    await writer.flush()
    elapsed = time.perf_counter() - started
    await writer.stop()
    return len(items) / elapsed, writer.latency()


def driver_tuples(backend: str, kind: str, items: list[Any]) -> list[tuple[Any, ...]]:
    """What code on the bare driver would hand it: the domain values converted the
    plainest way the driver accepts (inside the timing, as the writer's own are)."""
    sqlite, mariadb = backend == "sqlite", backend == "mariadb"

    def money(value: Decimal) -> Any:
        # NUMERIC(20, 4): SQLite keeps the text, so the same row needs the same places.
        return str(value.quantize(PLACES)) if sqlite else value

    def when(value: datetime) -> Any:
        if sqlite:  # SQLAlchemy's SQLite DATETIME text, microseconds always
            return value.replace(tzinfo=None).isoformat(" ", "microseconds")
        return value.replace(tzinfo=None) if mariadb else value

    def day(value: date) -> Any:
        return value.isoformat() if sqlite else value

    now = datetime.now(UTC)
    if kind == "bars":
        return [
            (
                b.symbol,
                day(b.trading_day),
                when(b.start),
                money(b.open),
                money(b.high),
                money(b.low),
                money(b.close),
                b.volume,
                b.open_interest,
                money(b.turnover),
            )
            for b in items
        ]
    return [
        (
            t.trade_id,
            t.order_id,
            ACCOUNT,
            t.symbol,
            t.exchange.value,
            t.side.value,
            t.offset.value,
            t.volume,
            money(t.price),
            money(t.commission),
            money(t.price * t.volume * 1000),
            money(Decimal(0)),
            day(t.trading_day),
            when(t.datetime),
            when(now),
        )
        for t in items
    ]


PLACES = Decimal("0.0001")

COLUMNS = {
    "trades": list(rows.trade_row(ACCOUNT, trades(1, "c")[0], Decimal(0), 1000)),
    "bars": list(rows.bar_row(bars(1)[0])),
}


KEYS = {"trades": ("account_id", "trade_id"), "bars": ("symbol", "start_time")}


def conflict_clause(backend: str, kind: str, quote: str) -> str:
    """What the writer adds to the INSERT: a repeated trade is ignored, a bar replaced."""
    key = KEYS[kind]
    if kind == "trades":
        if backend == "mariadb":
            return f" ON DUPLICATE KEY UPDATE {quote}{key[0]}{quote} = {quote}{key[0]}{quote}"
        return f" ON CONFLICT ({', '.join(key)}) DO NOTHING"
    updated = [c for c in COLUMNS[kind] if c not in key]
    if backend == "mariadb":
        sets = ", ".join(f"{quote}{c}{quote} = VALUES({quote}{c}{quote})" for c in updated)
        return f" ON DUPLICATE KEY UPDATE {sets}"
    sets = ", ".join(f"{c} = excluded.{c}" for c in updated)
    return f" ON CONFLICT ({', '.join(key)}) DO UPDATE SET {sets}"


async def through_driver(
    url: URL, backend: str, kind: str, items: list[Any], *, plain: bool = False
) -> float:
    """Executemany of the same rows, one transaction per CHUNK: the writer's statement,
    or with ``plain`` a bare INSERT."""
    columns = COLUMNS[kind]
    quote = "`" if backend == "mariadb" else '"'
    names = ", ".join(f"{quote}{c}{quote}" for c in columns)
    tail = "" if plain else conflict_clause(backend, kind, quote)
    marks = ", ".join("?" if backend == "sqlite" else "%s" for _ in columns)
    if backend == "postgresql":
        marks = ", ".join(f"${i + 1}" for i in range(len(columns)))
    sql = f"INSERT INTO {kind} ({names}) VALUES ({marks}){tail}"
    started = time.perf_counter()
    values = driver_tuples(backend, kind, items)
    chunks = [values[i : i + CHUNK] for i in range(0, len(values), CHUNK)]
    if backend == "sqlite":
        async with aiosqlite.connect(url.database or "") as db:
            await db.execute("PRAGMA journal_mode=WAL")
            await db.execute("PRAGMA synchronous=NORMAL")
            for chunk in chunks:
                await db.executemany(sql, chunk)
                await db.commit()
    elif backend == "mariadb":
        conn = await asyncmy.connect(
            host=url.host,
            port=url.port or 3306,
            user=url.username,
            password=url.password or "",
            database=url.database,
        )
        async with conn.cursor() as cursor:
            for chunk in chunks:
                await cursor.executemany(sql, chunk)
                await conn.commit()
        conn.close()
    else:
        conn = await asyncpg.connect(
            host=url.host,
            port=url.port or 5432,
            user=url.username,
            password=url.password,
            database=url.database,
        )
        for chunk in chunks:
            async with conn.transaction():
                await conn.executemany(sql, chunk)
        await conn.close()
    return len(values) / (time.perf_counter() - started)


async def trickle(engine: AsyncEngine, count: int, every_s: float) -> Any:
    """Single fills arriving every ``every_s`` seconds: the live-session latency, with
    SQLite's WAL checkpoints running on their timer as they do in `arbig run` (here
    every second, so that several fall inside the measurement)."""
    writer = BookWriter(session_factory(engine), ACCOUNT)
    checkpointer = WalCheckpointer(engine, interval_s=1.0)
    await writer.start()
    await checkpointer.start()
    for trade in trades(count, "live-"):
        writer.trade(trade, multiplier=1000)
        await asyncio.sleep(every_s)
    await writer.flush()
    await checkpointer.stop()
    await writer.stop()
    return writer.latency()


async def bench(backend: str, count: int, rounds: int, report: Callable[[str], None]) -> None:
    async with database(backend) as url:
        engine = create_engine(url)
        parsed = make_url(url)
        async with engine.connect() as connection:
            version = await connection.run_sync(lambda c: c.dialect.server_version_info)
        report(f"\n## {backend} {'.'.join(str(v) for v in version or ())}\n")
        report(
            "| rows | writer rows/s | driver, same statement | writer/driver "
            "| driver, plain INSERT | writer/plain | burst p50 / p99 ms |"
        )
        report("|---|---:|---:|---:|---:|---:|---:|")
        for kind in ("trades", "bars"):
            best_writer, best_raw, best_plain, burst = 0.0, 0.0, 0.0, None
            for round_ in range(rounds):
                items: list[Any] = trades(count, f"w{round_}-") if kind == "trades" else bars(count)
                await empty(engine)
                rate, latency = await through_writer(engine, kind, items)
                if rate > best_writer:
                    best_writer, burst = rate, latency
                await empty(engine)
                best_raw = max(best_raw, await through_driver(parsed, backend, kind, items))
                await empty(engine)
                plain = await through_driver(parsed, backend, kind, items, plain=True)
                best_plain = max(best_plain, plain)
            spread = f"{burst.p50_ms:.0f} / {burst.p99_ms:.0f}" if kind == "trades" else "-"
            report(
                f"| {kind} | {best_writer:,.0f} | {best_raw:,.0f} | {best_writer / best_raw:.0%} "
                f"| {best_plain:,.0f} | {best_writer / best_plain:.0%} | {spread} |"
            )
        await empty(engine)
        live = await trickle(engine, 1000, 0.005)
        report(
            f"\nfill-to-commit, one fill every 5 ms ({live.count} fills): min {live.min_ms:.2f} "
            f"ms, p50 {live.p50_ms:.2f} ms, p99 {live.p99_ms:.2f} ms, max {live.max_ms:.2f} ms"
        )
        await engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--backends", default="sqlite,mariadb,postgresql")
    args = parser.parse_args()
    print(
        f"# bench_writer: {args.rows} rows x {args.rounds} rounds, best round shown\n"
        f"load average before: {' '.join(f'{v:.1f}' for v in os.getloadavg())}\n"
        f"python {platform.python_version()}, SQLAlchemy {sqlalchemy.__version__}, "
        f"{os.cpu_count()} CPUs, {platform.platform()}"
    )
    for backend in args.backends.split(","):
        try:
            asyncio.run(bench(backend, args.rows, args.rounds, print))
        except (OSError, sqlalchemy.exc.SQLAlchemyError) as exc:
            print(f"\n## {backend}: skipped ({exc.__class__.__name__}: {exc})", file=sys.stderr)


if __name__ == "__main__":
    main()
