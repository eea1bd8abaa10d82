"""``arbig sim-exchange``: the simulated exchange as a process of its own, shared by
every core of a split deployment.

It is the embedded simulator (``SimGateway``: its market, its matching engine, its
state file in the data folder) behind Redis instead of inside a core: requests come
from the intake stream (``wire.py``), answers go to each core's reply stream, and what
the exchange pushes goes to the events stream. Its state file is the record of every
order it took and every fill it made, whichever core sent them.

Requests are taken one at a time, in the stream's order. A request whose fencing
token is older than one already seen is refused (the intake script checked it against
the lease when it was appended; this check keeps the order of leaders even for
requests that waited in the stream). A request whose deadline has passed is refused
too: its sender has given up waiting, and an order must not be placed behind its back.
"""

import asyncio
import logging
import time
from collections import deque
from decimal import Decimal, InvalidOperation
from typing import Any

import orjson
from redis.asyncio import Redis

from arbig.domain.order import Order
from arbig.domain.tick import Tick
from arbig.domain.trade import Trade
from arbig.gateways.base import AccountReport, GatewayError
from arbig.gateways.sim.gateway import SimGateway
from arbig.gateways.simlink.streams import follow
from arbig.gateways.simlink.wire import (
    EVENTS_MAXLEN,
    LEDGER_MAXLEN,
    REPLY_KEEP_S,
    REPLY_MAXLEN,
    ConnectionNote,
    Kind,
    LogNote,
    Op,
    Request,
    decode_request,
    encode,
    events_key,
    intake_key,
    ledger_key,
)
from arbig.ticks.redis_conn import (
    BACKOFF_MAX_S,
    BACKOFF_MIN_S,
    STOP_GRACE_S,
    UNAVAILABLE,
    Stopper,
    raise_if_cancelled,
)

log = logging.getLogger(__name__)

# What the exchange's stop waits for before it cancels: the read in progress, the
# simulator's close and the publishing of what is queued (``_Publisher.drain``).
DRAIN_S = 2.0
EXCHANGE_STOP_GRACE_S = STOP_GRACE_S + DRAIN_S


class _Publisher:
    """The gateway's listener: each push queued in order, written to the events stream
    by one task (pipelined), retried while Redis is away."""

    def __init__(self, redis: Redis, key: str) -> None:
        self._redis = redis
        self._key = key
        self._queue: deque[tuple[str, bytes]] = deque()
        self._wake = asyncio.Event()
        self._stopper = Stopper()
        self.published = 0

    def on_tick(self, tick: Tick) -> None:
        self._put(Kind.TICK, encode(tick))

    def on_order(self, order: Order) -> None:
        self._put(Kind.ORDER, encode(order))

    def on_trade(self, trade: Trade) -> None:
        self._put(Kind.TRADE, encode(trade))

    def on_account(self, account: AccountReport) -> None:
        self._put(Kind.ACCOUNT, encode(account))

    def on_connection(self, connected: bool, reason: str) -> None:
        self._put(Kind.CONNECTION, encode(ConnectionNote(connected, reason)))
        log.info("simulated exchange: %s", reason)

    def on_log(self, level: str, message: str) -> None:
        self._put(Kind.LOG, encode(LogNote(level, message)))

    def _put(self, kind: Kind, data: bytes) -> None:
        self._queue.append((kind.value, data))
        self._wake.set()

    async def run(self) -> None:
        delay = BACKOFF_MIN_S
        while not self._stopper.stopped():
            if not self._queue:
                self._wake.clear()
                await self._wake.wait()
                continue
            batch = list(self._queue)
            try:
                async with self._redis.pipeline(transaction=False) as pipe:
                    for kind, data in batch:
                        pipe.xadd(
                            self._key,
                            {"kind": kind, "data": data},
                            maxlen=EVENTS_MAXLEN,
                            approximate=True,
                        )
                    await pipe.execute()
            except UNAVAILABLE as exc:
                raise_if_cancelled()
                log.warning("simulated exchange cannot publish (%s); retrying", exc)
                await self._stopper.pause(delay)
                delay = min(delay * 2, BACKOFF_MAX_S)
                continue
            delay = BACKOFF_MIN_S
            for _ in batch:
                self._queue.popleft()
            self.published += len(batch)

    async def drain(self, timeout_s: float) -> None:
        """Wait up to ``timeout_s`` for what is queued to be published."""
        deadline = time.monotonic() + timeout_s
        while self._queue and time.monotonic() < deadline:  # noqa: ASYNC110 - a bounded wait
            await asyncio.sleep(0.01)

    async def stop(self, task: asyncio.Task[None]) -> None:
        """End ``run`` (its ``task``); what is still queued is not published."""
        self._wake.set()  # seen with the stop: no await comes between
        await self._stopper.stop(task, interrupt=True)


class SimExchange:
    """Serves ``gateway`` (a connected-on-start ``SimGateway``) to the cores over Redis."""

    def __init__(self, redis: Redis, prefix: str, gateway: SimGateway) -> None:
        self._redis = redis
        self._intake = intake_key(prefix)
        self._ledger = ledger_key(prefix)
        self._gateway = gateway
        self._publisher = _Publisher(redis, events_key(prefix))
        gateway.set_listener(self._publisher)
        self.newest_token = 0
        self.taken = 0
        self.refused = 0
        self._stopper = Stopper()
        self._task: asyncio.Task[Any] | None = None

    async def run(self, ready: asyncio.Event | None = None) -> None:
        """Connect the simulator and serve until ``stop`` (or a cancellation); the state
        is saved on the way out. Requests appended before the start are not taken: their
        senders have had no answer and treat them as not sent."""
        self._task = asyncio.current_task()
        publisher = asyncio.create_task(self._publisher.run(), name="sim-exchange-publisher")
        await self._gateway.connect()
        try:
            cursor = await self._last_id()
            if ready is not None:
                ready.set()
            async for _entry_id, fields in follow(
                self._redis,
                self._intake,
                cursor,
                count=100,
                what="the exchange's intake",
                stopper=self._stopper,
            ):
                await self._take(fields)
        finally:
            await self._gateway.close()
            await self._publisher.drain(DRAIN_S)
            await self._publisher.stop(publisher)

    async def stop(self) -> bool:
        """End ``run`` and wait for it: the request in hand is answered, the next ones
        are left to their senders' timeouts. Cancelled if it does not end in time;
        whether it ended."""
        return await self._stopper.stop(self._task, grace_s=EXCHANGE_STOP_GRACE_S)

    async def _last_id(self) -> bytes | str:
        newest: Any = await self._redis.xrevrange(self._intake, count=1)
        return bytes(newest[0][0]) if newest else "0-0"

    async def _take(self, fields: dict[bytes, bytes]) -> None:
        try:
            request = Request.parse(fields)
        except (KeyError, ValueError) as exc:
            log.error("simulated exchange: unreadable request %r: %s", fields, exc)
            return
        if request.token < self.newest_token:
            await self._refuse(request, f"fenced: token {request.token} < {self.newest_token}")
            return
        if time.time() * 1000 > request.deadline_ms:
            await self._refuse(request, "expired: its deadline passed before it was taken")
            return
        self.newest_token = request.token
        try:
            value = await self._serve(request)
        except (GatewayError, ValueError) as exc:
            await self._reply(request, False, str(exc).encode())
            return
        self.taken += 1
        await self._reply(request, True, encode(value))

    async def _serve(self, request: Request) -> Any:
        gateway = self._gateway
        match request.op:
            case Op.HELLO:
                return {"account": gateway.account().account_id}
            case Op.SEND:
                return await gateway.send_order(decode_request(request.body))
            case Op.CANCEL:
                await gateway.cancel_order(_text(request.body))
                return None
            case Op.SUBSCRIBE:
                await gateway.subscribe(_text(request.body))
                return None
            case Op.UNSUBSCRIBE:
                await gateway.unsubscribe(_text(request.body))
                return None
            case Op.ORDERS:
                return await gateway.query_orders()
            case Op.TRADES:
                return await gateway.query_trades()
            case Op.POSITIONS:
                return await gateway.query_positions()
            case Op.ACCOUNT:
                return await gateway.query_account()
            case Op.DEPOSIT:
                await gateway.deposit(_amount(request.body))
                return None
            case Op.WITHDRAW:
                await gateway.withdraw(_amount(request.body))
                return None

    async def _refuse(self, request: Request, reason: str) -> None:
        self.refused += 1
        log.warning("simulated exchange refused %s %s: %s", request.op, request.rid, reason)
        await self._reply(request, False, reason.encode())

    async def _reply(self, request: Request, ok: bool, data: bytes) -> None:
        fields = {"rid": request.rid, "ok": "1" if ok else "0", "data": data}
        try:
            async with self._redis.pipeline(transaction=False) as pipe:
                pipe.xadd(request.reply, fields, maxlen=REPLY_MAXLEN, approximate=True)  # type: ignore[arg-type]
                pipe.expire(request.reply, REPLY_KEEP_S)
                if request.op in (Op.SEND, Op.CANCEL):
                    note = {"op": request.op.value, "token": request.token, **fields}
                    pipe.xadd(self._ledger, note, maxlen=LEDGER_MAXLEN, approximate=True)  # type: ignore[arg-type]
                await pipe.execute()
        except UNAVAILABLE as exc:  # the sender times out and reconciles
            log.warning("simulated exchange could not answer %s: %s", request.rid, exc)


def _amount(body: bytes) -> Decimal:
    try:
        return Decimal(_text(body))
    except InvalidOperation:
        raise ValueError(f"not an amount of money: {body[:32]!r}") from None


def _text(body: bytes) -> str:
    value = orjson.loads(body)
    if not isinstance(value, str):
        raise ValueError(f"expected a string, got {value!r}")
    return value
