"""The emergency stop, and the trading state kept across restarts.

One call stops the strategy, cancels every working order, sets the trading state
to halted and, if asked, flattens every position with marketable limit orders.
The trading state is saved in the state store (SQL ``trading_state``), so it
survives a restart until an operator resets it with a reason.

Saving comes first for a change that loosens trading (a reset, a move to active
or reducing): if the state cannot be saved, nothing changes and the command is
refused with the reason. The emergency stop never waits on the database: it halts
in memory, stops the strategy's dispatch, cancels every working order at the
exchange and flattens if asked; only then does it record (the strategy's stop,
the saved halt), each record waited for at most ``RECORD_WAIT_S`` and reported
among its errors when it fails or is late. A second stop while one is engaged
flattens nothing more but cancels again whatever is still working: idempotent in
effect, not only in flag.
"""

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any

import structlog

from arbig.api.trading import EmergencyReport
from arbig.clock import Clock, sleep
from arbig.domain.enums import OrderSource, TradingState
from arbig.domain.state import TradingStatus
from arbig.engine.book import BookView, Events, OrderDesk
from arbig.engine.bus import EventType
from arbig.engine.ports import StateStore
from arbig.engine.risk import RiskEngine
from arbig.engine.strategy.engine import StrategyEngine
from arbig.engine.strategy.orders import PlanError, close_requests

log = structlog.get_logger(__name__)

CANCEL_WAIT_S = 5.0
RECORD_WAIT_S = 3.0
SAVE_RETRY_S = 1.0
SAVE_TRIES = 600
__all__ = ["EmergencyReport", "EmergencyStop", "TradingStateError", "TradingStatus"]


class TradingStateError(ValueError):
    """A trading-state change that is not allowed now; the message says why."""


class EmergencyStop:
    """Owns the trading state of ``risk`` and its saving; see the module docstring."""

    def __init__(
        self,
        book: BookView,
        events: Events,
        orders: OrderDesk,
        risk: RiskEngine,
        strategies: StrategyEngine | None,
        store: StateStore,
        *,
        slippage_ticks: int = 3,
        clock: Clock,
        book_halt: Callable[[], str | None] = lambda: None,
    ) -> None:
        self._book = book
        self._events = events
        self._orders = orders
        self._risk = risk
        self._strategies = strategies
        self._store = store
        self._slippage = slippage_ticks
        self._clock = clock.now
        self._timers = clock  # the halt's save retries wait on it
        self._in_progress = False
        self._status = TradingStatus(TradingState.ACTIVE)
        self._book_halt = book_halt  # the reconciliation's reason, while the book differs

    @property
    def status(self) -> TradingStatus:
        return _with_count(self._status, self._risk.refused)

    async def load(self) -> TradingStatus:
        """Restore the state saved before a restart (nothing saved means active)."""
        saved = await self._store.load_trading_status()
        self._status = saved or TradingStatus(TradingState.ACTIVE)
        self._risk.state = self._status.state
        if self._status.emergency:
            log.warning("emergency stop still engaged", since=str(self._status.since))
        return self.status

    async def engage(self, reason: str, actor: str, *, flatten: bool = False) -> EmergencyReport:
        """Stop everything; see the module docstring. Returns what was done."""
        self._risk.state = TradingState.HALTED  # first, so nothing new passes risk
        if self._strategies is not None:
            self._strategies.halt_now()
        if self._in_progress or self._status.emergency:
            errors: list[str] = []
            cancelled = await self._cancel_working(errors)
            return EmergencyReport(True, self.status, cancelled, [], errors)
        self._in_progress = True
        try:
            status = TradingStatus(TradingState.HALTED, True, self._clock(), reason, actor)
            self._status = status
            report = await self._stop_everything(flatten)
            await self._record(report.errors, status)
        finally:
            self._in_progress = False
        self._events.publish(EventType.SYSTEM, {"emergency_stop": True, "reason": reason})
        return report

    async def _record(self, errors: list[str], status: TradingStatus) -> None:
        """After the exchange-side work: the strategy's stop and the saved halt."""
        if self._strategies is not None:
            stopping = self._strategies.stop("emergency stop")
            await _bounded("the strategy's stop", stopping, errors)
        first: asyncio.Future[str | None] = asyncio.get_running_loop().create_future()
        saving = asyncio.ensure_future(self._save_halt(status, first))
        _late.add(saving)
        saving.add_done_callback(_late.discard)
        done, _ = await asyncio.wait({first}, timeout=RECORD_WAIT_S)
        if not done:
            errors.append(
                "the halt is not saved yet (retried until it is): "
                f"the database did not answer in {RECORD_WAIT_S:g}s"
            )
        elif (failure := first.result()) is not None:
            errors.append(f"the halt is not saved (retried until it is): {failure}")

    async def _save_halt(self, status: TradingStatus, first: "asyncio.Future[str | None]") -> None:
        """Save the halt, retrying while the database is away: a restart must find it.
        ``first`` hears how the first attempt went. Gives up when the state has changed
        meanwhile (a later save has its own) or after SAVE_TRIES attempts."""
        for _ in range(SAVE_TRIES):
            try:
                await self._store.save_trading_status(status)
            except Exception as exc:
                if not first.done():
                    first.set_result(_first_line(exc))
                log.error("emergency halt not saved; retrying", error=_first_line(exc))
            else:
                if not first.done():
                    first.set_result(None)
                else:
                    log.info("emergency halt saved")
                return
            await sleep(self._timers, SAVE_RETRY_S)
            if self._status is not status:
                return
        log.error("emergency halt not saved; given up", tries=SAVE_TRIES)

    async def reset(self, reason: str, actor: str) -> TradingStatus:
        """Lift the emergency stop: trading becomes active again. A reason is required."""
        if not reason.strip():
            raise TradingStateError("a reason is required to reset the emergency stop")
        if not self._status.emergency:
            raise TradingStateError("no emergency stop is engaged")
        self._refuse_while_the_book_differs()
        await self._save(TradingStatus(TradingState.ACTIVE, False, self._clock(), reason, actor))
        return self.status

    async def set_state(self, state: TradingState, reason: str, actor: str) -> TradingStatus:
        """Set active, reducing or halted by hand; not while an emergency stop is engaged."""
        if self._status.emergency and state is not TradingState.HALTED:
            raise TradingStateError("an emergency stop is engaged: reset it first, with a reason")
        if state is not TradingState.HALTED:
            self._refuse_while_the_book_differs()
        await self._save(TradingStatus(state, self._status.emergency, self._clock(), reason, actor))
        return self.status

    def _refuse_while_the_book_differs(self) -> None:
        reason = self._book_halt()
        if reason is not None:
            raise TradingStateError(
                f"trading stays halted: {reason}; accept the broker's positions first "
                "(arbig db reconcile, or the System page), then resume"
            )

    async def _stop_everything(self, flatten: bool) -> EmergencyReport:
        errors: list[str] = []
        cancelled = await self._cancel_working(errors)
        await self._until_no_working_orders(errors)
        sent = await self._flatten(errors) if flatten else []
        return EmergencyReport(False, self.status, cancelled, sent, errors)

    async def _cancel_working(self, errors: list[str]) -> list[str]:
        cancelled = []
        for order in self._book.active_orders():
            try:
                await self._orders.cancel_order(order.order_id)
                cancelled.append(order.order_id)
            except Exception as exc:
                errors.append(f"cancel {order.order_id}: {exc}")
        return cancelled

    async def _until_no_working_orders(self, errors: list[str]) -> None:
        """Cancels are confirmed asynchronously; flattening must see them done."""
        done = asyncio.Event()

        def check(_: EventType, __: object) -> None:
            if not self._book.active_orders():
                done.set()

        self._events.subscribe(EventType.ORDER, check)
        try:
            check(EventType.ORDER, None)
            await asyncio.wait_for(done.wait(), CANCEL_WAIT_S)
        except TimeoutError:
            errors.append(f"orders still working after {CANCEL_WAIT_S}s")
        finally:
            self._events.unsubscribe(EventType.ORDER, check)

    async def _flatten(self, errors: list[str]) -> list[str]:
        sent: list[str] = []
        working = self._book.active_orders()
        for leg in self._book.held():
            tick = self._risk.last_tick(leg.symbol)
            if tick is None:
                errors.append(f"flatten {leg.symbol} {leg.direction}: no quote")
                continue
            try:
                requests = close_requests(
                    self._book.spec(leg.symbol),
                    leg,
                    tick,
                    working,
                    ticks_through=self._slippage,
                    source=OrderSource.RISK,
                    reference="emergency stop",
                )
                for request in requests:
                    sent.append(await self._orders.send_order(request))
            except (PlanError, ValueError) as exc:
                errors.append(f"flatten {leg.symbol} {leg.direction}: {exc}")
        return sent

    async def _save(self, status: TradingStatus) -> None:
        """Saved first, then in force: a state that cannot be saved changes nothing."""
        try:
            await self._store.save_trading_status(status)
        except Exception as exc:
            log.error("trading state not saved", state=str(status.state), error=_first_line(exc))
            raise TradingStateError(
                f"the trading state cannot be saved, nothing changed: {_first_line(exc)}"
            ) from None
        self._status = status
        self._risk.state = status.state


_late: set["asyncio.Task[object]"] = set()  # records still running after their wait


async def _bounded(what: str, work: Coroutine[Any, Any, object], errors: list[str]) -> None:
    """Wait at most RECORD_WAIT_S for ``work``; a late one goes on in the background
    (it is not cancelled: a hung database can hold a cancelled call as long)."""
    task: asyncio.Task[object] = asyncio.ensure_future(work)
    done, _ = await asyncio.wait({task}, timeout=RECORD_WAIT_S)
    if not done:
        errors.append(f"{what} is not recorded yet: the database did not answer in time")
        log.error("emergency stop record late", what=what)
        _late.add(task)
        task.add_done_callback(_late_done)
        return
    exc = task.exception()
    if exc is not None:
        log.error("emergency stop record failed", what=what, error=_first_line(exc))
        errors.append(f"{what} is not recorded: {_first_line(exc)}")


def _late_done(task: "asyncio.Task[object]") -> None:
    _late.discard(task)
    if not task.cancelled() and task.exception() is not None:
        exc = task.exception()
        log.error("emergency stop record failed late", error=_first_line(exc) if exc else "")


def strategy_start_refusal(status: TradingStatus, book_halt: str | None = None) -> str | None:
    """Why no strategy may start in ``status`` (the strategy engine asks), or None.
    ``book_halt``: the reconciliation's reason while the book differs from the broker's."""
    if book_halt is not None:
        return f"trading is halted by the reconciliation: {book_halt}"
    if status.emergency:
        return "the emergency stop is engaged: reset it (with a reason) before starting"
    if status.state is not TradingState.ACTIVE:
        return f"trading is {status.state}: a strategy starts only when trading is active"
    return None


def _first_line(exc: BaseException) -> str:
    """The error without SQLAlchemy's statement and background lines."""
    lines = str(exc).splitlines()
    return f"{type(exc).__name__}: {lines[0] if lines else ''}"


def _with_count(status: TradingStatus, refused: int) -> TradingStatus:
    return TradingStatus(
        status.state, status.emergency, status.since, status.reason, status.actor, refused
    )
