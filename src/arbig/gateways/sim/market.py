"""The simulated exchange's own market: one random-walk price path per contract,
a snapshot of every asked-for contract at CTP's cadence (a ``TickSource``)."""

from collections.abc import Callable, Collection, Iterator
from datetime import datetime

from arbig.clock import Callback, Clock, Timer
from arbig.config import SimSettings
from arbig.domain.calendar import TradingCalendar
from arbig.domain.contract import ContractSpec
from arbig.domain.tick import Tick
from arbig.gateways.sim.pricepath import PathState, PricePath


class RandomWalk:
    """Price paths started from the ``sim`` settings or continued from saved states."""

    def __init__(
        self,
        settings: SimSettings,
        spec_for: Callable[[str], ContractSpec],
        calendar: TradingCalendar,
        saved: dict[str, PathState],
    ) -> None:
        self._sim = settings
        self._spec_for = spec_for
        self._calendar = calendar
        self._saved = saved
        self._paths: dict[str, PricePath] = {}

    @property
    def interval(self) -> float:
        """Seconds between two snapshots."""
        return self._sim.tick_interval_ms / self._sim.speed / 1000

    def start(self, clock: Clock, due: Callback) -> Timer:
        return clock.call_every(self.interval, due)

    def snapshot(self, now: datetime, symbols: Collection[str]) -> list[Tick]:
        day = self._calendar.trading_day(now)
        return [self.path(symbol).next_tick(now, day) for symbol in symbols]

    def path(self, symbol: str) -> PricePath:
        """``symbol``'s path (ValueError/KeyError from the contract table if unknown)."""
        path = self._paths.get(symbol)
        if path is None:
            spec = self._spec_for(symbol)
            saved = self._saved.get(symbol)
            if saved is not None:
                path = PricePath(spec, self._sim.volatility, saved)
            else:
                path = PricePath.start(
                    spec, self._sim.start_price, self._sim.volatility, self._sim.seed
                )
            self._paths[symbol] = path
        return path

    def states(self) -> Iterator[tuple[str, PathState]]:
        """Each started path's state, to be saved with the simulator's books."""
        for symbol, path in self._paths.items():
            yield symbol, path.snapshot()
