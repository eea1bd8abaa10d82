"""The simulated exchange's own market: one random-walk price path per contract,
a snapshot of every asked-for contract at CTP's cadence (a ``TickSource``).

The months lie on one curve: the nearest month asked for walks on its own, every
later one follows it with its carry spread (``pricepath.carry_price``), and a month
started later starts on that curve."""

from collections.abc import Callable, Collection, Iterator
from datetime import datetime
from decimal import Decimal

from arbig.clock import Callback, Clock, Timer
from arbig.config import SimSettings
from arbig.domain.calendar import TradingCalendar
from arbig.domain.contract import ContractError, ContractSpec, parse_symbol
from arbig.domain.tick import Tick
from arbig.gateways.sim.pricepath import PathState, PricePath, carry_price


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
        """One snapshot per symbol, in the order asked; the nearest month moves first."""
        day = self._calendar.trading_day(now)
        ticks: dict[str, Tick] = {}
        front: tuple[str, PricePath] | None = None
        for symbol in sorted(symbols, key=_expiry):
            path = self.path(symbol)
            if front is None:
                front = symbol, path
                ticks[symbol] = path.next_tick(now, day)
            else:
                anchor = carry_price(front[1].fair, front[0], symbol)
                ticks[symbol] = path.next_tick(now, day, follow=(front[1].last_return, anchor))
        return [ticks[symbol] for symbol in symbols]

    def path(self, symbol: str) -> PricePath:
        """``symbol``'s path (ValueError/KeyError from the contract table if unknown)."""
        path = self._paths.get(symbol)
        if path is None:
            spec = self._spec_for(symbol)
            saved = self._saved.get(symbol)
            if saved is not None:
                path = PricePath(spec, self._sim.volatility, saved)
            else:
                start = self._sim.start_price
                if self._paths:  # a new month starts on the curve of the months there
                    near, other = min(self._paths.items(), key=lambda item: _expiry(item[0]))
                    start = Decimal(repr(carry_price(other.fair, near, symbol)))
                path = PricePath.start(spec, start, self._sim.volatility, self._sim.seed)
            self._paths[symbol] = path
        return path

    def states(self) -> Iterator[tuple[str, PathState]]:
        """Each started path's state, to be saved with the simulator's books."""
        for symbol, path in self._paths.items():
            yield symbol, path.snapshot()


def _expiry(symbol: str) -> tuple[int, int, str]:
    """Sort key: the nearest month first (anything else after, by name)."""
    try:
        _, year, month = parse_symbol(symbol)
    except ContractError:
        return (9999, 12, symbol)
    return (year, month, symbol)
