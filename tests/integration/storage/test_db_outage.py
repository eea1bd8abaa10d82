"""The database going away loses nothing: writes wait, health degrades, and they
flush on recovery. The outage is a TCP proxy the test cuts, not the shared server."""

import asyncio
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
import structlog
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine
from storage_samples import ACCOUNT, make_account, make_trade
from structlog.testing import LogCapture
from tcp_proxy import TcpProxy

from arbig.config import Settings
from arbig.engine import core
from arbig.runtime import build_embedded
from arbig.storage.database import create_engine, session_factory
from arbig.storage.models import TradeRow
from arbig.storage.writer import BookWriter, WriterBackpressure

pytestmark = pytest.mark.integration


@pytest.fixture
async def proxied(engine: AsyncEngine, backend: str) -> AsyncIterator[tuple[TcpProxy, str]]:
    if backend == "sqlite":
        pytest.skip("SQLite is a file: there is no connection to lose")
    url = engine.url
    proxy = TcpProxy(url.host or "127.0.0.1", url.port or (5432 if backend != "mariadb" else 3306))
    await proxy.start()
    yield proxy, url.set(port=proxy.port).render_as_string(hide_password=False)
    await proxy.close()


async def _until(condition: Callable[[], bool], seconds: float = 15) -> None:
    """Poll: the writer's state is plain attributes, there is nothing to await."""
    async with asyncio.timeout(seconds):
        while True:
            if condition():
                return
            await asyncio.sleep(0.02)


async def test_writes_wait_out_an_outage_and_flush_on_recovery(
    proxied: tuple[TcpProxy, str], engine: AsyncEngine
) -> None:
    proxy, url = proxied
    through_proxy = create_engine(url)
    writer = BookWriter(session_factory(through_proxy), ACCOUNT, queue_size=50, retry_max_s=0.2)
    await writer.start()
    writer.trade(make_trade("t0"))
    await writer.flush()

    proxy.cut()
    for n in range(1, 41):
        writer.trade(make_trade(f"t{n}", seconds=n))
    await _until(lambda: not writer.healthy)
    assert writer.queue_depth > 0
    assert writer.last_error
    assert writer.saturated  # 40 of 50: the core halts new risk, fills still fit
    for n in range(41, 60):  # past the bound: fills are still queued, never lost
        writer.trade(make_trade(f"t{n}", seconds=n))
    assert writer.queue_depth > writer.queue_size
    with pytest.raises(WriterBackpressure):  # a snapshot is refused: the next supersedes it
        writer.equity(make_account())

    proxy.restore()
    async with asyncio.timeout(30):
        await writer.flush()
    assert writer.healthy
    assert writer.dropped == 0
    await writer.stop()
    await through_proxy.dispose()
    async with engine.connect() as connection:
        count = await connection.scalar(select(func.count()).select_from(TradeRow))
    assert count == writer.committed == 60


async def test_stop_during_an_outage_reports_what_is_left(
    proxied: tuple[TcpProxy, str],
) -> None:
    proxy, url = proxied
    through_proxy = create_engine(url)
    writer = BookWriter(session_factory(through_proxy), ACCOUNT, retry_max_s=0.2)
    await writer.start()
    proxy.cut()
    writer.trade(make_trade("t1"))
    await _until(lambda: not writer.healthy)
    assert await writer.stop(drain_s=0.5) == 1
    await through_proxy.dispose()


async def test_a_fill_repeated_during_an_outage_is_recorded_once(
    proxied: tuple[TcpProxy, str], engine: AsyncEngine
) -> None:
    proxy, url = proxied
    through_proxy = create_engine(url)
    writer = BookWriter(session_factory(through_proxy), ACCOUNT, retry_max_s=0.2)
    await writer.start()
    proxy.cut()
    writer.trade(make_trade("again"))
    writer.trade(make_trade("again"))  # CTP replays the day's trades on every reconnect
    await _until(lambda: not writer.healthy)
    proxy.restore()
    async with asyncio.timeout(30):
        await writer.flush()
    await writer.stop()
    await through_proxy.dispose()
    async with engine.connect() as connection:
        count = await connection.scalar(select(func.count()).select_from(TradeRow))
    assert count == 1


async def test_a_hung_database_is_reported_within_five_seconds_and_stop_is_bounded(
    proxied: tuple[TcpProxy, str],
) -> None:
    # The server accepts the connection and the statements but never answers: no
    # attempt fails, only the age of the oldest queued write tells.
    proxy, url = proxied
    through_proxy = create_engine(url)
    writer = BookWriter(session_factory(through_proxy), ACCOUNT, retry_max_s=0.2)
    await writer.start()
    writer.trade(make_trade("t0"))
    await writer.flush()
    assert writer.healthy

    proxy.freeze()
    writer.trade(make_trade("t1"))
    started = asyncio.get_running_loop().time()
    await _until(lambda: not writer.healthy, seconds=5)
    assert asyncio.get_running_loop().time() - started < 5
    assert "no commit for" in writer.health_detail
    async with asyncio.timeout(3):
        assert await writer.stop(drain_s=1.0) == 1
    proxy.restore()
    await through_proxy.dispose()


async def test_an_idle_writer_sees_a_hung_database_by_its_probe(
    proxied: tuple[TcpProxy, str],
) -> None:
    proxy, url = proxied
    through_proxy = create_engine(url)
    writer = BookWriter(
        session_factory(through_proxy), ACCOUNT, probe_interval_s=0.5, probe_timeout_s=1.0
    )
    await writer.start()
    writer.trade(make_trade("t0"))
    await writer.flush()

    proxy.freeze()  # nothing is queued: no write grows old
    await _until(lambda: not writer.healthy, seconds=5)
    assert "did not answer" in writer.health_detail
    proxy.restore()
    await _until(lambda: writer.healthy, seconds=15)
    await writer.stop(drain_s=1.0)
    await through_proxy.dispose()


async def test_the_system_stops_within_its_limit_while_the_database_hangs(
    proxied: tuple[TcpProxy, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The core's logger is swapped for one that keeps what it says: where its lines go
    # otherwise depends on an earlier test's logging set-up (a handler holding the
    # stream captured then, cached loggers, a level), which must not hide them here.
    capture = LogCapture()
    monkeypatch.setattr(
        core,
        "log",
        structlog.wrap_logger(None, processors=[capture], wrapper_class=structlog.BoundLogger),
    )
    proxy, url = proxied
    settings = Settings(
        data_dir=tmp_path, database_url=url, main_contract="au2612", shutdown_timeout_s=4
    )
    runtime = await build_embedded(settings)
    await runtime.start()
    await asyncio.sleep(0.5)  # ticks flow, the book is being recorded
    proxy.freeze()
    runtime.core.on_trade(make_trade("during-the-outage"))  # a fill the database never takes
    started = asyncio.get_running_loop().time()
    async with asyncio.timeout(15):
        await runtime.stop()
    assert asyncio.get_running_loop().time() - started < 4 + 1.5
    said = [e["event"] for e in capture.entries if e["log_level"] == "error"]
    assert any("recovered from the broker at the next start" in line for line in said), said
    proxy.restore()
