"""The database going away does not lose the book: writes wait, health degrades, they flush
on recovery. The outage is a TCP proxy this test controls between the writer and the
server, so the machine's shared MariaDB and PostgreSQL are never stopped."""

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from storage_samples import ACCOUNT, make_trade

from arbig.storage.database import create_engine, session_factory
from arbig.storage.models import TradeRow
from arbig.storage.writer import BookWriter

pytestmark = pytest.mark.integration


class TcpProxy:
    """Forwards a local port to the database; ``cut`` drops every connection and refuses
    new ones until ``restore``."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = int(probe.getsockname()[1])
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", self.port)

    async def cut(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        for writer in list(self._writers):
            writer.transport.abort()
        self._writers.clear()

    async def restore(self) -> None:
        await self.start()

    async def _serve(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        try:
            server_r, server_w = await asyncio.open_connection(*self.target)
        except OSError:
            client_w.transport.abort()
            return
        self._writers |= {client_w, server_w}

        async def pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            with contextlib.suppress(OSError, asyncio.CancelledError):
                while data := await reader.read(65536):
                    writer.write(data)
                    await writer.drain()
            writer.transport.abort()

        await asyncio.gather(pipe(client_r, server_w), pipe(server_r, client_w))


@pytest.fixture
async def proxy(backend_database: tuple[str, str]) -> AsyncIterator[tuple[TcpProxy, str]]:
    backend, url = backend_database
    if backend == "sqlite":
        pytest.skip("SQLite is a file: there is no server to lose")
    parsed = make_url(url)
    tcp = TcpProxy(parsed.host or "127.0.0.1", parsed.port or 0)
    await tcp.start()
    yield tcp, parsed.set(host="127.0.0.1", port=tcp.port).render_as_string(False)
    await tcp.cut()


async def count_trades(url: str) -> int:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            return int(await connection.scalar(select(func.count()).select_from(TradeRow)) or 0)
    finally:
        await engine.dispose()


async def test_writes_wait_through_an_outage_and_flush_once_on_recovery(
    proxy: tuple[TcpProxy, str], backend_database: tuple[str, str]
) -> None:
    tcp, proxied_url = proxy
    engine = create_engine(proxied_url)
    writer = BookWriter(session_factory(engine), ACCOUNT, retry_max_s=0.5)
    await writer.start()
    try:
        writer.trade(make_trade("before"))
        await asyncio.wait_for(writer.flush(), 10)
        assert writer.healthy

        await tcp.cut()
        for n in range(20):
            writer.trade(make_trade(f"during-{n}", seconds=n))
        writer.trade(make_trade("during-0"))  # a repeat the gateway sent during the outage
        await asyncio.sleep(1.5)
        assert not writer.healthy
        assert writer.queue_depth == 21
        assert writer.last_error

        await tcp.restore()
        await asyncio.wait_for(writer.flush(), 20)
        assert writer.healthy
        assert writer.queue_depth == 0
        assert await count_trades(backend_database[1]) == 21
    finally:
        await writer.stop(drain_s=5)
        await engine.dispose()


async def test_a_full_queue_refuses_more_rather_than_losing_silently(
    proxy: tuple[TcpProxy, str],
) -> None:
    from arbig.storage.writer import WriterBackpressure

    tcp, proxied_url = proxy
    engine = create_engine(proxied_url)
    writer = BookWriter(session_factory(engine), ACCOUNT, queue_size=10, retry_max_s=0.5)
    await writer.start()
    try:
        await tcp.cut()
        for n in range(8):
            writer.trade(make_trade(f"t{n}", seconds=n))
        assert writer.saturated  # past the high-water mark: the core refuses new positions
        writer.trade(make_trade("t8"))
        writer.trade(make_trade("t9"))
        with pytest.raises(WriterBackpressure, match="queue full"):
            writer.trade(make_trade("t10"))
        await tcp.restore()
        await asyncio.wait_for(writer.flush(), 20)
        assert not writer.saturated
    finally:
        await writer.stop(drain_s=5)
        await engine.dispose()
