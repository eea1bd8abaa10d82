"""Batches of XADDs on one connection of their own, several batches in flight.

Why not redis-py's pipeline, nor a Lua script: redis-py spends most of a
pipelined XADD in Python (packing ~42 arguments per entry, then a coroutine and
a timeout context per reply), and a Lua script that unpacks a batch costs Redis
several times the work of plain XADDs (docs/performance.md has the figures).
So the writer encodes each batch straight into RESP (``codec.xadd_command``),
writes it, and parses the replies with hiredis in one loop. And it does not
wait for a batch's replies before sending the next: Redis works on batch N
while Python encodes batch N+1, which on a 2-core machine is where most of the
rate comes from.

Order is kept because one connection carries every batch and Redis answers a
connection's commands in the order they were sent. A batch whose replies did
not all arrive is sent again, whole and in order, on the next connection: its
entry ids make that idempotent (an id Redis already has is refused as "equal
or smaller" and counted as a duplicate).
"""

import asyncio
from typing import NamedTuple

import hiredis
import structlog
from redis.asyncio import ConnectionPool
from redis.asyncio.connection import AbstractConnection
from redis.exceptions import ConnectionError as RedisConnectionError

from arbig.ticks.redis_conn import raise_if_not_ready

log = structlog.get_logger(__name__)

_READ_SIZE = 1 << 18


class Batch(NamedTuple):
    """XADD commands in RESP, and how many (one reply each)."""

    payload: bytes
    size: int


class BatchResult(NamedTuple):
    stored: int
    duplicates: int
    refused: int


class XaddPipe:
    """Sends batches and reads their replies, in order, on one connection.

    redis-py opens the connection (so every URL form it knows works: password,
    database, TLS, unix socket); after that the pipe reads and writes the
    connection's streams itself. Any error leaves the reply stream out of step,
    so the caller must ``close()`` and send the unanswered batches again."""

    def __init__(self, url: str, *, connect_timeout_s: float = 2.0, timeout_s: float = 5.0) -> None:
        self._pool = ConnectionPool.from_url(url, socket_connect_timeout=connect_timeout_s)
        self._timeout_s = timeout_s
        self._connection: AbstractConnection | None = None
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._replies = hiredis.Reader()

    async def open(self) -> None:
        """Connect unless connected (raises redis-py's connection errors)."""
        if self._writer is not None:
            return
        pool = self._pool
        connection = pool.connection_class(**pool.connection_kwargs)
        self._connection = connection
        await connection.connect()  # type: ignore[no-untyped-call]  # redis-py: untyped
        # redis-py keeps asyncio's streams here once connected (stable since 4.2).
        self._reader, self._writer = connection._reader, connection._writer
        if self._reader is None or self._writer is None:
            raise RedisConnectionError("redis connection has no streams")
        self._replies = hiredis.Reader()  # nothing half-parsed from an earlier connection

    async def send(self, batch: Batch) -> None:
        """Hand ``batch`` to the socket; waits only while the socket's buffer is full."""
        await self.open()
        writer = self._writer
        assert writer is not None
        writer.write(batch.payload)
        async with asyncio.timeout(self._timeout_s):
            await writer.drain()

    async def replies(self, batch: Batch) -> BatchResult:
        """Read the replies to ``batch``, the oldest batch sent and not yet answered."""
        reader, replies = self._reader, self._replies
        if reader is None:
            raise RedisConnectionError("redis connection closed")
        stored = duplicates = refused = 0
        error = ""
        remaining = batch.size
        while remaining:
            reply = replies.gets()
            if reply is False:
                async with asyncio.timeout(self._timeout_s):
                    data = await reader.read(_READ_SIZE)
                if not data:
                    raise RedisConnectionError("redis closed the connection")
                replies.feed(data)
                continue
            remaining -= 1
            if not isinstance(reply, hiredis.ReplyError):
                stored += 1
            elif "equal or smaller" in str(reply):
                duplicates += 1  # written before a connection broke: sent again
            else:
                # A restarted Redis still loading its data refuses every command: try the
                # whole batch again later rather than count its ticks as lost.
                raise_if_not_ready(reply)
                refused += 1
                error = str(reply)
        if refused:
            log.error("redis refused ticks", count=refused, error=error)
        return BatchResult(stored, duplicates, refused)

    async def close(self) -> None:
        connection, self._connection = self._connection, None
        self._reader = self._writer = None
        if connection is not None:
            await connection.disconnect(nowait=True)

    async def aclose(self) -> None:
        await self.close()
        await self._pool.aclose()
