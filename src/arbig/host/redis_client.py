"""``CoreClient`` over Redis, for a web replica of the split deployment.

Every call is a request on the core's request stream (``command_server.py``) with a
fresh id (a command's idempotency key) and a deadline, answered on this replica's own
reply stream; refusals come back as the classes the core raised, so the web layer
answers them exactly as for a core in its own process. A bus that cannot be reached,
or an answer that does not come in time, raises ``CoreUnreachable`` (HTTP 503):
the request was not carried out, or, if the core took it up before its deadline, its
outcome is in the audit trail. Report reads go through the shared ``ReportCache``.
"""

import asyncio
import contextlib
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import structlog
from redis.asyncio import Redis
from redis.exceptions import ResponseError

from arbig.api.actor import Actor
from arbig.api.closing import ClosePreview, CloseResult
from arbig.api.errors import CoreUnreachable
from arbig.api.events import Event, Gap
from arbig.api.health import Component, ComponentState, Health, LogRecord
from arbig.api.market import ContractInfo, SwitchResult
from arbig.api.reports import DailySummary, TradeFilter, TradeRecord, TriggerSummary
from arbig.api.trading import (
    EmergencyReport,
    ParamsStored,
    Reconciled,
    StrategyInfo,
    StrategyStatus,
    TradingStatus,
)
from arbig.domain.account import DailySettlement
from arbig.domain.audit import AuditEntry
from arbig.domain.bar import Bar
from arbig.domain.enums import Direction, TradingState, Transfer
from arbig.domain.handover import Handover
from arbig.domain.order import Order, OrderRequest
from arbig.domain.reconcile import MoneyReconciliation, PositionDifference
from arbig.domain.session import SettlementStatement
from arbig.domain.snapshot import AccountSnapshot, PositionSnapshot
from arbig.domain.statistics import Statistics
from arbig.domain.tick import Tick
from arbig.domain.trigger import Trigger
from arbig.host.follow import EventFollower
from arbig.host.report_cache import ReportCache
from arbig.host.wire import (
    METHODS,
    REQUESTS_MAXLEN,
    SERVED,
    BusKeys,
    answer_id,
    decode_answer,
    encode,
    request_fields,
)
from arbig.ticks.redis_conn import (
    BACKOFF_MAX_S,
    BACKOFF_MIN_S,
    CALL_LIMIT_S,
    UNAVAILABLE,
    Stopper,
    raise_if_cancelled,
    within,
)

log = structlog.get_logger(__name__)

# Beyond the deadline (by which the core must take a request up), the time a request
# taken up in time may take to be carried out and answered.
ANSWER_GRACE_S = 10.0
BLOCK_MS = 1000
# timed(kind, part, seconds): kind "command" or "read"; part "round_trip" (send to
# answer) or "transit" (that less the core's own time: what the bus adds).
Timed = Callable[[str, str, float], None]


class RedisCoreClient:
    """``arbig.api.client.CoreClient`` for a core in another process."""

    def __init__(
        self,
        url: str,
        keys: BusKeys,
        *,
        timeout_s: float,
        cache_ttl_s: float = 0.0,
        counted: Any = None,
        timed: Timed = lambda kind, part, seconds: None,
        replica: str | None = None,
    ) -> None:
        self._url = url
        self._keys = keys
        self._timeout_s = timeout_s
        self.replica = replica or uuid.uuid4().hex[:12]
        self._reply_key = keys.replies(self.replica)
        self._redis: Redis = Redis.from_url(url, socket_connect_timeout=2.0, socket_timeout=5.0)
        # The requests' way out and the answers' way in: without socket_timeout, each
        # call bounded by redis_conn.within instead (a timer, where redis-py's
        # socket_timeout runs every send as a task of its own).
        self._sender: Redis = Redis.from_url(url, socket_connect_timeout=2.0, socket_timeout=None)
        self._reader: Redis = Redis.from_url(url, socket_connect_timeout=2.0, socket_timeout=None)
        self._timed = timed
        # Requests waiting for their answer, by id: the answer and the core's own time.
        self._waiting: dict[str, asyncio.Future[tuple[bytes, int | None]]] = {}
        self._task: asyncio.Task[None] | None = None
        self._stopper = Stopper()
        self.cache = ReportCache(
            self._redis, keys, cache_ttl_s, counted=counted or (lambda result: None)
        )

    async def start(self) -> None:
        self._task = asyncio.create_task(self._read_replies(), name="reply-reader")

    async def stop(self) -> None:
        await self._stopper.stop(self._task, interrupt=True)
        for future in self._waiting.values():
            if not future.done():
                future.set_exception(CoreUnreachable("this web process is stopping"))
        await self._redis.aclose()
        await self._sender.aclose()
        await self._reader.aclose()

    async def _read_replies(self) -> None:
        # The stream is this process's own (a fresh replica id), so it is read from its
        # start; after a Redis restart new ids still follow the last one read.
        last_id = "0-0"
        backoff = BACKOFF_MIN_S
        while not self._stopper.stopped():
            raise_if_cancelled()  # one lost in the last read that went well
            try:
                reply: Any = await within(
                    self._reader.xread({self._reply_key: last_id}, count=500, block=BLOCK_MS),
                    BLOCK_MS / 1000 + CALL_LIMIT_S,
                )
                backoff = BACKOFF_MIN_S
            except UNAVAILABLE as exc:
                raise_if_cancelled()
                log.info("reply stream interrupted; resuming", error=str(exc))
                await self._stopper.pause(backoff)
                backoff = min(backoff * 2, BACKOFF_MAX_S)
                continue
            for _, entries in reply or ():
                for entry_id, fields in entries:
                    last_id = entry_id.decode()
                    answer = fields.get(b"a", b"")
                    with contextlib.suppress(Exception):
                        future = self._waiting.get(answer_id(answer))
                        if future is not None and not future.done():
                            served = fields.get(SERVED)
                            future.set_result((answer, None if served is None else int(served)))
            if reply:
                # The answered requests go on (their HTTP answers go out) before this
                # loop sends its next read.
                await asyncio.sleep(0)

    async def _ask(
        self, name: str, args: dict[str, Any], *, grace_s: float = ANSWER_GRACE_S
    ) -> bytes:
        """The core's answer to ``name(**args)``, as it came."""
        request_id = uuid.uuid4().hex
        deadline_ms = int((time.time() + self._timeout_s) * 1000)
        future: asyncio.Future[tuple[bytes, int | None]] = (
            asyncio.get_running_loop().create_future()
        )
        self._waiting[request_id] = future
        fields = request_fields(request_id, name, args, deadline_ms, self._reply_key)
        started = time.perf_counter()
        try:
            await self._send(name, fields)
            try:
                async with asyncio.timeout(self._timeout_s + grace_s):
                    answer, served_us = await future
            except TimeoutError:
                raise CoreUnreachable(
                    f"no answer from the trading core within {self._timeout_s:g} s: {name} was "
                    "not carried out unless the core took it up in time (see the audit trail)"
                ) from None
        finally:
            self._waiting.pop(request_id, None)
        round_trip = time.perf_counter() - started
        kind = "command" if METHODS[name].is_command else "read"
        self._timed(kind, "round_trip", round_trip)
        if served_us is not None:
            self._timed(kind, "transit", max(round_trip - served_us / 1e6, 0.0))
        return answer

    async def _send(self, name: str, fields: dict[bytes, bytes]) -> None:
        """XADD the request; once more on a lost connection (a pooled connection that
        died with a restarted Redis): a second copy of a request that did arrive acts
        once all the same, under the same id."""
        for attempt in (1, 2):
            try:
                await within(
                    self._sender.xadd(
                        self._keys.requests,
                        fields,  # type: ignore[arg-type]
                        maxlen=REQUESTS_MAXLEN,
                        approximate=True,
                    )
                )
                return
            except UNAVAILABLE as exc:
                if attempt == 2:
                    raise CoreUnreachable(
                        f"the command bus (Redis) cannot be reached ({type(exc).__name__}): "
                        f"{name} was not sent"
                    ) from None
            except ResponseError as exc:
                raise CoreUnreachable(
                    f"the command bus (Redis) refused the request ({exc}): {name} was not sent"
                ) from None

    async def _call(self, name: str, /, **args: Any) -> Any:
        return decode_answer(await self._ask(name, args), METHODS[name])

    async def _report(self, name: str, /, **args: Any) -> Any:
        """A report read, through the shared cache."""
        if not self.cache.enabled:
            return await self._call(name, **args)

        async def compute() -> tuple[bytes, bool]:
            answer = await self._ask(name, args)
            return answer, b'"error"' not in answer[:64]

        return decode_answer(await self.cache.get(name, encode(args), compute), METHODS[name])

    # --- the system ----------------------------------------------------------------------

    async def health(self) -> Health:
        try:
            # No grace beyond the deadline: the health page must answer while no core does.
            answer = await self._ask("health", {}, grace_s=0.0)
            health: Health = decode_answer(answer, METHODS["health"])
        except CoreUnreachable as exc:
            return Health(
                status=ComponentState.DOWN,
                main_contract="",
                version="",
                uptime_s=0.0,
                components={"core": Component(ComponentState.DOWN, str(exc))},
            )
        return health

    def events(self) -> AsyncIterator[Event | Gap]:
        return self._events()

    async def _events(self) -> AsyncIterator[Event | Gap]:
        follower = EventFollower(self._url, self._keys)
        async for item in follower:
            if isinstance(item, Gap):
                # The one who reads a gap re-reads its state through us next: not before
                # the core answers again.
                await self._core_answers()
            yield item

    async def _core_answers(self, limit_s: float = 60.0) -> None:
        deadline = time.monotonic() + limit_s
        while time.monotonic() < deadline:
            try:
                await self._ask("trading_status", {})
            except CoreUnreachable:
                await asyncio.sleep(0.2)
            else:
                return  # an answer, whatever it says

    async def logs(
        self, *, level: str | None, since: datetime | None, limit: int
    ) -> list[LogRecord]:
        result: list[LogRecord] = await self._call("logs", level=level, since=since, limit=limit)
        return result

    async def audit_entries(
        self,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        action: str | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[AuditEntry]:
        result: list[AuditEntry] = await self._call(
            "audit_entries", since=since, until=until, action=action, limit=limit, offset=offset
        )
        return result

    async def record_login(self, actor: Actor, result: str) -> None:
        await self._call("record_login", actor=actor, result=result)

    # --- market data ---------------------------------------------------------------------

    async def latest_tick(self, symbol: str) -> Tick | None:
        result: Tick | None = await self._call("latest_tick", symbol=symbol)
        return result

    async def ticks(self, symbol: str, count: int) -> list[Tick]:
        result: list[Tick] = await self._call("ticks", symbol=symbol, count=count)
        return result

    async def bars(
        self, symbol: str, start: datetime, end: datetime, *, include_current: bool = False
    ) -> list[Bar]:
        result: list[Bar] = await self._call(
            "bars", symbol=symbol, start=start, end=end, include_current=include_current
        )
        return result

    async def contract(self) -> ContractInfo:
        result: ContractInfo = await self._call("contract")
        return result

    async def switch_main_contract(self, symbol: str, actor: Actor) -> SwitchResult:
        result: SwitchResult = await self._call("switch_main_contract", symbol=symbol, actor=actor)
        return result

    async def watchlist(self) -> tuple[str, ...]:
        result: tuple[str, ...] = await self._call("watchlist")
        return result

    async def set_watchlist(self, symbols: Iterable[str], actor: Actor) -> tuple[str, ...]:
        result: tuple[str, ...] = await self._call(
            "set_watchlist", symbols=list(symbols), actor=actor
        )
        return result

    # --- the book ------------------------------------------------------------------------

    async def positions(self) -> list[PositionSnapshot]:
        result: list[PositionSnapshot] = await self._call("positions")
        return result

    async def account(self) -> AccountSnapshot:
        result: AccountSnapshot = await self._call("account")
        return result

    async def orders(self, *, active_only: bool = False) -> list[Order]:
        result: list[Order] = await self._call("orders", active_only=active_only)
        return result

    async def send_order(self, request: OrderRequest, actor: Actor) -> str:
        result: str = await self._call("send_order", request=request, actor=actor)
        return result

    async def cancel_order(self, order_id: str, actor: Actor) -> None:
        await self._call("cancel_order", order_id=order_id, actor=actor)

    async def preview_close(
        self, symbol: str, direction: Direction, volume: int | None
    ) -> ClosePreview:
        result: ClosePreview = await self._call(
            "preview_close", symbol=symbol, direction=direction, volume=volume
        )
        return result

    async def confirm_close(self, token: str, actor: Actor) -> CloseResult:
        result: CloseResult = await self._call("confirm_close", token=token, actor=actor)
        return result

    async def equity_curve(
        self, since: datetime | None, until: datetime | None, max_points: int
    ) -> list[AccountSnapshot]:
        result: list[AccountSnapshot] = await self._report(
            "equity_curve", since=since, until=until, max_points=max_points
        )
        return result

    async def settlements(
        self, since_day: date | None, until_day: date | None
    ) -> list[DailySettlement]:
        result: list[DailySettlement] = await self._report(
            "settlements", since_day=since_day, until_day=until_day
        )
        return result

    # --- history -------------------------------------------------------------------------

    async def trades(
        self, filters: TradeFilter, *, limit: int, offset: int
    ) -> tuple[list[TradeRecord], int]:
        result: tuple[list[TradeRecord], int] = await self._report(
            "trades", filters=filters, limit=limit, offset=offset
        )
        return result

    async def daily_summary(
        self, since_day: date | None, until_day: date | None
    ) -> list[DailySummary]:
        result: list[DailySummary] = await self._report(
            "daily_summary", since_day=since_day, until_day=until_day
        )
        return result

    async def statistics(self, filters: TradeFilter) -> Statistics:
        result: Statistics = await self._report("statistics", filters=filters)
        return result

    async def trigger_summary(
        self, strategy_name: str | None, since_day: date | None, until_day: date | None
    ) -> list[TriggerSummary]:
        result: list[TriggerSummary] = await self._report(
            "trigger_summary", strategy_name=strategy_name, since_day=since_day, until_day=until_day
        )
        return result

    # --- strategies ----------------------------------------------------------------------

    async def strategies(self) -> list[StrategyInfo]:
        result: list[StrategyInfo] = await self._call("strategies")
        return result

    async def strategy_status(self) -> StrategyStatus:
        result: StrategyStatus = await self._call("strategy_status")
        return result

    async def triggers(self, name: str | None = None, limit: int = 100) -> list[Trigger]:
        result: list[Trigger] = await self._call("triggers", name=name, limit=limit)
        return result

    async def start_strategy(self, name: str, actor: Actor) -> StrategyStatus:
        result: StrategyStatus = await self._call("start_strategy", name=name, actor=actor)
        return result

    async def stop_strategy(self, actor: Actor) -> StrategyStatus:
        result: StrategyStatus = await self._call("stop_strategy", actor=actor)
        return result

    async def update_params(self, name: str, params: dict[str, Any], actor: Actor) -> ParamsStored:
        result: ParamsStored = await self._call(
            "update_params", name=name, params=params, actor=actor
        )
        return result

    async def hand_over(
        self, name: str | None, symbol: str, direction: Direction, volume: int, actor: Actor
    ) -> Handover:
        result: Handover = await self._call(
            "hand_over", name=name, symbol=symbol, direction=direction, volume=volume, actor=actor
        )
        return result

    # --- trading state -------------------------------------------------------------------

    async def trading_status(self) -> TradingStatus:
        result: TradingStatus = await self._call("trading_status")
        return result

    async def set_trading_state(
        self, state: TradingState, reason: str, actor: Actor
    ) -> TradingStatus:
        result: TradingStatus = await self._call(
            "set_trading_state", state=state, reason=reason, actor=actor
        )
        return result

    async def emergency_stop(self, reason: str, flatten: bool, actor: Actor) -> EmergencyReport:
        result: EmergencyReport = await self._call(
            "emergency_stop", reason=reason, flatten=flatten, actor=actor
        )
        return result

    async def reset_emergency(self, reason: str, actor: Actor) -> TradingStatus:
        result: TradingStatus = await self._call("reset_emergency", reason=reason, actor=actor)
        return result

    async def reconciliation(self) -> tuple[str | None, list[PositionDifference]]:
        result: tuple[str | None, list[PositionDifference]] = await self._call("reconciliation")
        return result

    async def settlement_statement(self) -> SettlementStatement | None:
        statement: SettlementStatement | None = await self._call("settlement_statement")
        return statement

    async def money_reconciliation(self) -> MoneyReconciliation | None:
        result: MoneyReconciliation | None = await self._call("money_reconciliation")
        return result

    async def move_cash(self, kind: Transfer, amount: Decimal, actor: Actor) -> AccountSnapshot:
        result: AccountSnapshot = await self._call(
            "move_cash", kind=kind, amount=amount, actor=actor
        )
        return result

    async def accept_broker_positions(self, reason: str, actor: Actor) -> Reconciled:
        result: Reconciled = await self._call("accept_broker_positions", reason=reason, actor=actor)
        return result
