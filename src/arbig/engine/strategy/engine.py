"""The strategy engine: one strategy active at a time, its configuration and its lifecycle.

Parameters live in ``strategy_configs`` and take effect at the next start. Start
and stop are persisted (``is_active``): a strategy that was running when the
process ended comes back stopped, with a notice, unless ``strategy.resume`` says
to start it again.
"""

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import structlog

from arbig.api.trading import StrategyInfo, StrategyStatus
from arbig.clock import Clock
from arbig.domain.bar import Bar
from arbig.domain.calendar import TradingCalendar
from arbig.domain.contract import ContractError, ContractTable
from arbig.domain.enums import Direction
from arbig.domain.handover import Handover, HandoverError, split_handover
from arbig.domain.trigger import Trigger
from arbig.engine.book import CorePorts
from arbig.engine.bus import EventType
from arbig.engine.strategy.base import StrategyParams
from arbig.engine.strategy.loader import StrategyClass, StrategyError, validate_params
from arbig.engine.strategy.runner import BARS_KEPT, StrategyRunner
from arbig.engine.strategy.store import StrategyStore

log = structlog.get_logger(__name__)

# The last bars of a symbol before now, oldest first (``Strategy.load_bars``).
BarHistory = Callable[[str, int], Awaitable[list[Bar]]]


@dataclass(frozen=True, slots=True)
class StrategyOptions:
    """How the engine starts strategies (the settings' ``strategy``, without its modules)."""

    name: str | None = None  # the strategy to start with autostart
    params: dict[str, Any] = field(default_factory=dict)  # its parameters when none are stored
    autostart: bool = False
    resume: bool = False  # restart a strategy that was running when the process stopped
    slippage_ticks: int = 3
    decision_max_age_s: float = 2.0  # older when its orders would leave: dropped


class StrategyEngine:
    """Loads, starts and stops strategies; see the module docstring."""

    def __init__(
        self,
        core: CorePorts,
        main_contract: Callable[[], str],
        store: StrategyStore,
        calendar: TradingCalendar,
        options: StrategyOptions,
        strategies: dict[str, StrategyClass],
        *,
        can_start: Callable[[], str | None] = lambda: None,
        clock: Clock,
        contracts: ContractTable,
        history: BarHistory | None = None,
    ) -> None:
        """``history``: the last bars of a symbol before now, for ``load_bars``."""
        self._core = core
        self._contracts = contracts  # a ``symbol`` parameter must name a listed month
        self._main_contract = main_contract
        self.settings = options
        self.strategies = strategies
        self.notice: str | None = None
        self.error: str | None = None
        self._store = store
        self._calendar = calendar
        self._can_start = can_start
        self._history = history
        self._clock = clock.now
        self._params: dict[str, dict[str, Any]] = {}
        self._runner: StrategyRunner | None = None
        self._started_at: datetime | None = None
        self._stopped_at: datetime | None = None
        self._lock = asyncio.Lock()
        self._cleanup: asyncio.Task[None] | None = None

    @property
    def running(self) -> str | None:
        """The name of the running strategy, or None."""
        runner = self._runner
        return runner.name if runner is not None and runner.running else None

    async def open(self) -> None:
        """Read the stored configurations; resume, notice or autostart as configured."""
        configs = {c.name: c for c in await self._store.load_configs()}
        self._params = {name: c.params for name, c in configs.items()}
        wanted = self.settings.name
        if wanted and wanted not in self._params:
            await self._store.save_params(wanted, self.settings.params)
            self._params[wanted] = dict(self.settings.params)
        was_running = [c.name for c in configs.values() if c.is_active]
        resume = [n for n in was_running if self.settings.resume and n in self.strategies][:1]
        for name in was_running:
            if name not in resume:
                await self._store.set_active(name, False)
                self.notice = (
                    f"strategy {name} was running when ARBIG stopped; it is stopped now: "
                    "start it again when ready (or set strategy.resume)"
                )
                log.warning("strategy not resumed", strategy=name, notice=self.notice)
                self._core.events.publish(
                    EventType.SYSTEM, {"strategy": name, "notice": self.notice}
                )
        first = resume[0] if resume else wanted if self.settings.autostart else None
        if first:
            try:
                await self.start(first)
            except StrategyError as exc:
                self.notice = f"strategy {first} did not start: {exc}"
                log.error("strategy autostart failed", strategy=first, error=str(exc))

    async def shutdown(self) -> None:
        """Stop for a process exit: the strategy stays marked active, so the next start
        knows it was running."""
        await self._stop(persist=False)

    def catalog(self) -> list[StrategyInfo]:
        return [
            StrategyInfo(
                name=name,
                description=cls.description,
                params=self._effective_params(name),
                params_schema=cls.params_model.model_json_schema(),
                running=self.running == name,
            )
            for name, cls in sorted(self.strategies.items())
        ]

    def status(self) -> StrategyStatus:
        runner = self._runner
        if runner is None or runner.strategy is None:
            return StrategyStatus("failed" if self.error else "stopped", notice=self.notice)
        running = runner.running
        return StrategyStatus(
            state="running" if running else "failed" if self.error else "stopped",
            name=runner.name,
            symbol=runner.symbol,
            started_at=self._started_at,
            stopped_at=None if running else self._stopped_at,
            error=self.error,
            notice=self.notice,
            params=runner.strategy.params.model_dump(mode="json"),
            working_orders=len(runner.working_orders()),
            long=runner.leg(Direction.LONG).volume,
            short=runner.leg(Direction.SHORT).volume,
        )

    async def start(self, name: str) -> StrategyStatus:
        """Start ``name``; StrategyError when another runs, it is unknown or invalid."""
        async with self._lock:
            if self.running:
                raise StrategyError(
                    f"{self.running} is running; stop it before starting {name} "
                    "(one strategy at a time)"
                )
            cls = self.strategies.get(name)
            if cls is None:
                known = ", ".join(sorted(self.strategies)) or "none"
                raise StrategyError(f"no strategy named {name!r}; known: {known}")
            refusal = self._can_start()
            if refusal:
                raise StrategyError(refusal)
            params = self._validated(cls, self._params.get(name, {}))
            symbol = params.symbol or self._main_contract()
            stored = {c.name: c for c in await self._store.load_configs()}.get(name)
            runner = StrategyRunner(
                self._core,
                self._store,
                self._calendar,
                symbol,
                slippage_ticks=self.settings.slippage_ticks,
                on_failure=self._on_failure,
                clock=self._clock,
                decision_max_age_s=self.settings.decision_max_age_s,
            )
            strategy = cls(params, runner, dict(stored.state) if stored else {})
            await self._store.set_active(name, True)
            self._runner, self.error, self.notice = runner, None, None
            self._started_at = self._clock()
            history = await self._history(symbol, BARS_KEPT) if self._history else []
            runner.start(strategy, self._core.book.last_tick(symbol), history)
            log.info("strategy started", strategy=name, symbol=symbol)
            self._core.events.publish(EventType.SYSTEM, {"strategy": name, "state": "running"})
            return self.status()

    async def stop(self, reason: str = "operator") -> StrategyStatus:
        """Stop the running strategy and cancel its working orders; a no-op when none runs."""
        name = self.running
        await self._stop(persist=True)
        if name:
            log.info("strategy stopped", strategy=name, reason=reason)
            self._core.events.publish(EventType.SYSTEM, {"strategy": name, "state": "stopped"})
        return self.status()

    async def update_params(self, name: str, params: dict[str, Any]) -> tuple[StrategyInfo, str]:
        """Validate and store ``name``'s parameters; returns its info and what happens next."""
        cls = self.strategies.get(name)
        if cls is None:
            raise StrategyError(f"no strategy named {name!r}")
        clean = self._validated(cls, params).model_dump(mode="json", exclude_unset=True)
        await self._store.save_params(name, clean)
        self._params[name] = clean
        message = (
            f"saved; {name} is running with its old parameters until it is restarted"
            if self.running == name
            else "saved; the new parameters take effect at the next start"
        )
        info = next(i for i in self.catalog() if i.name == name)
        return info, message

    def _validated(self, cls: StrategyClass, data: dict[str, Any]) -> StrategyParams:
        """``data`` as ``cls``'s parameters, its ``symbol`` (when set) a contract listed
        today by the contract table: a strategy on a month that never ticks never acts."""
        params = validate_params(cls, data)
        if params.symbol is not None:
            calendar = self._calendar
            today = calendar.trading_day(self._clock())
            try:
                self._contracts.validate(params.symbol, today, calendar.holidays)
            except ContractError as exc:
                raise StrategyError(
                    f"parameters of {cls.name} do not validate: symbol: {exc}"
                ) from None
        return params

    async def hand_over(
        self, name: str | None, symbol: str, direction: Direction, volume: int
    ) -> Handover:
        """Make ``volume`` lots of the account's ``symbol`` ``direction`` leg the own
        position of ``name`` (the running strategy when None); StrategyError when it is
        unknown or the account does not hold that many lots free of other strategies'
        positions and working closes. Recorded before it takes effect."""
        async with self._lock:
            name = name or self.running
            if name is None:
                raise StrategyError("no strategy is running: name the strategy to hand lots to")
            if name not in self.strategies:
                known = ", ".join(sorted(self.strategies)) or "none"
                raise StrategyError(f"no strategy named {name!r}; known: {known}")
            book = self._core.book
            account = book.leg(symbol, direction)
            try:
                yesterday, today = split_handover(
                    account, book.owned_legs(symbol, direction), book.active_orders(), volume
                )
            except HandoverError as exc:
                raise StrategyError(f"{symbol} {direction}: {exc}") from None
            assert account is not None  # split_handover refuses a leg never held
            now = self._clock()
            handover = Handover(
                strategy_name=name,
                symbol=symbol,
                direction=direction,
                volume_yesterday=yesterday,
                volume_today=today,
                price=account.avg_price,
                trading_day=self._calendar.trading_day(now),
                handed_at=now,
            )
            await self._store.insert_handover(book.account.account_id, handover)
            self._core.hand_over(handover)
            log.info("lots handed to strategy", strategy=name, symbol=symbol, volume=volume)
            # The account's positions do not change: this event is what tells the
            # console's strategy views that the strategy's own position did.
            self._core.events.publish(
                EventType.SYSTEM,
                {
                    "strategy": name,
                    "handover": {
                        "symbol": symbol,
                        "direction": direction.value,
                        "volume": volume,
                        "price": str(handover.price),
                    },
                },
            )
            return handover

    async def triggers(self, name: str | None = None, limit: int = 100) -> list[Trigger]:
        return await self._store.triggers(name, limit)

    @property
    def busy(self) -> bool:
        """Whether ``idle`` would wait: a strategy's queued work or a stop's cleanup."""
        cleanup = self._cleanup
        return (cleanup is not None and not cleanup.done()) or (
            self._runner is not None and self._runner.busy
        )

    async def idle(self) -> None:
        """Wait until the running strategy's queued work (trigger writes, sends) is done."""
        if self._cleanup is not None:
            await asyncio.gather(self._cleanup, return_exceptions=True)
        if self._runner is not None:
            await self._runner.idle()

    def halt_now(self) -> None:
        """Stop dispatching at once (the emergency stop's first step); ``stop`` follows."""
        if self._runner is not None:
            self._runner.halt()

    def _effective_params(self, name: str) -> dict[str, Any]:
        try:
            params = validate_params(self.strategies[name], self._params.get(name, {}))
        except StrategyError:
            return dict(self._params.get(name, {}))
        return params.model_dump(mode="json")

    async def _stop(self, *, persist: bool, call_on_stop: bool = True) -> None:
        async with self._lock:
            runner = self._runner
            if runner is None or runner.strategy is None or runner.closed:
                return
            runner.halt()
            await runner.finish(call_on_stop=call_on_stop)
            await runner.close()
            self._stopped_at = self._clock()
            if persist:
                await self._store.set_active(runner.name, False)

    def _on_failure(self, message: str) -> None:
        self.error = message
        name = self._runner.name if self._runner else "?"
        self._core.events.publish(
            EventType.SYSTEM, {"strategy": name, "state": "failed", "error": message}
        )
        self._cleanup = asyncio.get_running_loop().create_task(
            self._stop(persist=True, call_on_stop=False), name="strategy-failure-stop"
        )
