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
from dataclasses import dataclass
from typing import NamedTuple

import hiredis
import structlog
from redis.asyncio import ConnectionPool
from redis.asyncio.connection import AbstractConnection
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError

from arbig.fastpath import REDIS_RESP
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
    database, TLS, unix socket). On the redis-py version it was checked against
    (``arbig.fastpath.REDIS_RESP``) the pipe then reads and writes the connection's
    asyncio streams itself and parses every reply of a batch with hiredis in one
    loop; on any other version it uses the connection's public
    ``send_packed_command`` and ``read_response``, one awaited read per reply.
    Any error leaves the reply stream out of step, so the caller must ``close()``
    and send the unanswered batches again."""

    def __init__(
        self,
        url: str,
        *,
        connect_timeout_s: float = 2.0,
        timeout_s: float = 5.0,
        fast: bool | None = None,
    ) -> None:
        self._pool = ConnectionPool.from_url(url, socket_connect_timeout=connect_timeout_s)
        self._timeout_s = timeout_s
        self.fast = REDIS_RESP.holds() if fast is None else fast
        self._connection: AbstractConnection | None = None
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._replies = hiredis.Reader()

    async def open(self) -> None:
        """Connect unless connected (raises redis-py's connection errors)."""
        if self._connection is not None:
            return
        pool = self._pool
        connection = pool.connection_class(**pool.connection_kwargs)
        await connection.connect()  # type: ignore[no-untyped-call]  # redis-py: untyped
        self._connection = connection
        if self.fast:
            # Private to redis-py: asyncio's streams, kept here once connected.
            self._reader, self._writer = connection._reader, connection._writer
            if self._reader is None or self._writer is None:
                await self.close()
                raise RedisConnectionError("redis connection has no streams")
            self._replies = hiredis.Reader()  # nothing half-parsed from an earlier connection

    async def send(self, batch: Batch) -> None:
        """Hand ``batch`` to the socket; waits only while the socket's buffer is full."""
        await self.open()
        connection = self._connection
        assert connection is not None
        async with asyncio.timeout(self._timeout_s):
            if self._writer is None:
                await connection.send_packed_command(batch.payload, check_health=False)
            else:
                self._writer.write(batch.payload)
                await self._writer.drain()

    async def replies(self, batch: Batch) -> BatchResult:
        """Read the replies to ``batch``, the oldest batch sent and not yet answered."""
        if self._connection is None:
            raise RedisConnectionError("redis connection closed")
        counts = Counts()
        if self._reader is None:
            await self._read_public(batch.size, counts)
        else:
            await self._read_streams(batch.size, counts)
        if counts.refused:
            log.error("redis refused ticks", count=counts.refused, error=counts.error)
        return BatchResult(counts.stored, counts.duplicates, counts.refused)

    async def _read_streams(self, remaining: int, counts: "Counts") -> None:
        reader, replies = self._reader, self._replies
        assert reader is not None
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
            counts.add(reply if isinstance(reply, hiredis.ReplyError) else None)

    async def _read_public(self, remaining: int, counts: "Counts") -> None:
        connection = self._connection
        assert connection is not None
        for _ in range(remaining):
            try:
                async with asyncio.timeout(self._timeout_s):
                    await connection.read_response()
            except ResponseError as refusal:
                counts.add(refusal)
            else:
                counts.add(None)

    async def close(self) -> None:
        connection, self._connection = self._connection, None
        self._reader = self._writer = None
        if connection is not None:
            await connection.disconnect(nowait=True)

    async def aclose(self) -> None:
        await self.close()
        await self._pool.aclose()


@dataclass(slots=True)
class Counts:
    """What the replies to one batch said."""

    stored: int = 0
    duplicates: int = 0
    refused: int = 0
    error: str = ""

    def add(self, refusal: Exception | None) -> None:
        if refusal is None:
            self.stored += 1
        elif "equal or smaller" in str(refusal):
            self.duplicates += 1  # written before a connection broke: sent again
        else:
            # A restarted Redis still loading its data refuses every command: try the
            # whole batch again later rather than count its ticks as lost.
            raise_if_not_ready(refusal)
            self.refused += 1
            self.error = str(refusal)
