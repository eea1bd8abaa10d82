"""The ``sim-link`` gateway: a core's connection to the shared simulated exchange.

It implements the gateway port (``arbig.gateways.base``) over Redis (``wire.py``):
requests go through the fenced intake script with the core's fencing token, answers
come back on this connection's own reply stream, and the exchange's pushes (ticks,
order reports, fills, the account) are followed on the events stream from the moment
of ``connect``. Before each order or cancel it also checks the core's lease locally
(its deadline on the monotonic clock), so a core paused past its lease sends nothing
when it resumes, before Redis is even asked.
"""

import asyncio
import contextlib
import logging
import secrets
import time
from decimal import Decimal
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import ResponseError

from arbig.domain.order import Order, OrderRequest
from arbig.domain.tick import Tick
from arbig.domain.trade import Trade
from arbig.gateways.base import (
    AccountReport,
    Fence,
    GatewayError,
    GatewayListener,
    PositionReport,
    TradingAccount,
)
from arbig.gateways.simlink.streams import follow
from arbig.gateways.simlink.wire import (
    FENCED,
    FENCED_INTAKE,
    INTAKE_MAXLEN,
    ConnectionNote,
    Kind,
    LogNote,
    Op,
    Request,
    decode_answer,
    decode_event,
    encode,
    events_key,
    intake_key,
    reply_key,
)
from arbig.ticks.redis_conn import (
    UNAVAILABLE,
    Stopper,
    raise_if_cancelled,
)

log = logging.getLogger(__name__)


class _NoListener:
    def on_tick(self, tick: Tick) -> None: ...

    def on_order(self, order: Order) -> None: ...

    def on_trade(self, trade: Trade) -> None: ...

    def on_account(self, account: AccountReport) -> None: ...

    def on_connection(self, connected: bool, reason: str) -> None: ...

    def on_log(self, level: str, message: str) -> None: ...


class SimLinkGateway:
    """The shared simulated exchange, reached over Redis; see the module docstring."""

    name = "sim-link"

    def __init__(
        self,
        redis_url: str,
        prefix: str,
        account: TradingAccount,
        fence: Fence,
        *,
        timeout_s: float = 5.0,
    ) -> None:
        self._url = redis_url
        self._prefix = prefix
        self._account = account
        self._fence = fence
        self._timeout_s = timeout_s
        self._listener: GatewayListener = _NoListener()
        self._redis: Redis | None = None
        self._client = secrets.token_hex(8)
        self._reply_key = reply_key(prefix, self._client)
        self._pending: dict[str, tuple[Op, asyncio.Future[Any]]] = {}
        self._tasks: list[asyncio.Task[None]] = []
        self._stopper = Stopper()
        self._seq = 0

    def account(self) -> TradingAccount:
        return self._account

    def set_listener(self, listener: GatewayListener) -> None:
        self._listener = listener

    async def connect(self) -> None:
        """Follow the exchange's events from now, and check that it answers."""
        if self._redis is not None:
            return
        redis = self._redis = Redis.from_url(self._url)
        self._intake = redis.register_script(FENCED_INTAKE)
        try:
            newest: Any = await redis.xrevrange(events_key(self._prefix), count=1)
        except UNAVAILABLE as exc:
            raise_if_cancelled()
            await self._drop_connection()
            raise GatewayError(f"cannot reach Redis for the simulated exchange: {exc}") from None
        since = newest[0][0] if newest else "0-0"
        self._stopper = Stopper()
        self._tasks = [
            asyncio.create_task(self._follow_replies(redis), name="sim-link-replies"),
            asyncio.create_task(self._follow_events(redis, since), name="sim-link-events"),
        ]
        try:
            hello = await self._call(Op.HELLO, None)
        except GatewayError as exc:
            await self.close()
            raise GatewayError(
                f"the simulated exchange does not answer ({exc}): is `arbig sim-exchange` running "
                "with the same Redis and key prefix?"
            ) from None
        if hello.get("account") != self._account.account_id:
            await self.close()
            raise GatewayError(
                f"the simulated exchange keeps account {hello.get('account')!r}, this core "
                f"{self._account.account_id!r} (setting sim.account_id)"
            )
        self._listener.on_connection(True, "shared simulated exchange ready")

    async def close(self) -> None:
        tasks, self._tasks = self._tasks, []
        await self._stopper.stop(*tasks, interrupt=True)
        for _op, future in self._pending.values():
            if not future.done():
                future.set_exception(GatewayError("the gateway closed"))
        self._pending.clear()
        if self._redis is not None:
            await self._drop_connection()
            self._listener.on_connection(False, "shared simulated exchange closed")

    async def _drop_connection(self) -> None:
        redis, self._redis = self._redis, None
        if redis is not None:
            with contextlib.suppress(Exception):
                await redis.aclose()

    async def subscribe(self, symbol: str) -> None:
        await self._call(Op.SUBSCRIBE, symbol)

    async def unsubscribe(self, symbol: str) -> None:
        await self._call(Op.UNSUBSCRIBE, symbol)

    async def send_order(self, request: OrderRequest) -> str:
        self._check_lease()
        order_id: str = await self._call(Op.SEND, request)
        return order_id

    async def cancel_order(self, order_id: str) -> None:
        self._check_lease()
        await self._call(Op.CANCEL, order_id)

    async def deposit(self, amount: Decimal) -> None:
        self._check_lease()
        await self._call(Op.DEPOSIT, str(amount))

    async def withdraw(self, amount: Decimal) -> None:
        self._check_lease()
        await self._call(Op.WITHDRAW, str(amount))

    async def query_account(self) -> AccountReport:
        account: AccountReport = await self._call(Op.ACCOUNT, None)
        return account

    async def query_positions(self) -> list[PositionReport]:
        positions: list[PositionReport] = await self._call(Op.POSITIONS, None)
        return positions

    async def query_orders(self) -> list[Order]:
        orders: list[Order] = await self._call(Op.ORDERS, None)
        return orders

    async def query_trades(self) -> list[Trade]:
        trades: list[Trade] = await self._call(Op.TRADES, None)
        return trades

    def _check_lease(self) -> None:
        if not self._fence.valid():
            raise GatewayError("this core's lease has lapsed: it sends no orders")

    async def _call(self, op: Op, body: Any) -> Any:
        """Append a request through the fenced intake and wait for its answer."""
        redis = self._redis
        if redis is None:
            raise GatewayError("the shared simulated exchange is not connected")
        try:
            token = self._fence.token()
        except Exception as exc:
            raise GatewayError(f"this core holds no lease: {exc}") from None
        self._seq += 1
        rid = f"{self._client}-{self._seq}"
        deadline_ms = int((time.time() + self._timeout_s) * 1000)
        request = Request(op, rid, self._reply_key, token, deadline_ms, encode(body))
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._pending[rid] = (op, future)
        try:
            await self._intake(
                keys=[self._fence.key, intake_key(self._prefix)],
                args=[token, INTAKE_MAXLEN, *request.fields()],
            )
            async with asyncio.timeout(self._timeout_s):
                return await future
        except ResponseError as exc:
            if str(exc).startswith(FENCED):
                raise GatewayError(f"refused by the exchange's intake: {exc}") from None
            raise GatewayError(f"the exchange's intake failed: {exc}") from None
        except UNAVAILABLE as exc:
            raise_if_cancelled()
            raise GatewayError(f"cannot reach Redis for the simulated exchange: {exc}") from None
        except TimeoutError:
            raise GatewayError(
                f"no answer from the simulated exchange within {self._timeout_s}s"
            ) from None
        finally:
            self._pending.pop(rid, None)

    async def _follow_replies(self, redis: Redis) -> None:
        async for _entry_id, fields in follow(
            redis, self._reply_key, "0-0", count=100, what="replies", stopper=self._stopper
        ):
            self._answer(fields)

    def _answer(self, fields: dict[bytes, bytes]) -> None:
        waiting = self._pending.get(fields[b"rid"].decode())
        if waiting is None:
            return  # its sender gave up
        op, future = waiting
        if future.done():
            return
        if fields[b"ok"] == b"1":
            try:
                future.set_result(decode_answer(op, fields[b"data"]))
            except ValueError as exc:
                future.set_exception(GatewayError(f"unreadable answer to {op}: {exc}"))
        else:
            future.set_exception(GatewayError(fields[b"data"].decode()))

    async def _follow_events(self, redis: Redis, cursor: bytes | str) -> None:
        key = events_key(self._prefix)
        async for entry_id, fields in follow(
            redis, key, cursor, count=500, what="exchange events", stopper=self._stopper
        ):
            try:
                self._push(Kind(fields[b"kind"].decode()), fields[b"data"])
            except Exception:  # one bad event must not stop the feed
                log.exception("sim-link: event %r not taken", entry_id)

    def _push(self, kind: Kind, data: bytes) -> None:
        listener = self._listener
        if kind is Kind.TICK:
            listener.on_tick(decode_event(data, Tick))
        elif kind is Kind.ORDER:
            listener.on_order(decode_event(data, Order))
        elif kind is Kind.TRADE:
            listener.on_trade(decode_event(data, Trade))
        elif kind is Kind.ACCOUNT:
            listener.on_account(decode_event(data, AccountReport))
        elif kind is Kind.LOG:
            note = decode_event(data, LogNote)
            listener.on_log(note.level, note.message)
        elif kind is Kind.CONNECTION:
            state = decode_event(data, ConnectionNote)
            reason = f"shared simulated exchange: {state.reason}"
            listener.on_connection(state.connected, reason)
