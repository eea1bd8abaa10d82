"""A believable gold price path for the simulated exchange.

The log return of each snapshot is drawn with a GARCH(1,1) variance, so calm
and busy stretches alternate as they do in the real market; the default
volatility gives SHFE gold's daily volatility (docs/configuration.md, ``[sim]``).
Months lie on one curve: the front month walks, and every later month takes the
front's return plus a small mean-reverting move of its own around a carry spread
(``follow``), so a calendar spread moves slowly as it does in the market. Open
interest moves with the volume traded and reverts to the middle of its band. An unsnapped
"fair" price carries the walk, so that moves smaller than a tick still add up;
the traded price is the fair price snapped to the tick grid and kept inside the
day's limit band, computed from the previous settlement (the day's
volume-weighted average price, as SHFE settles).

Pure: no asyncio and no clock reads; the caller passes the time and the
trading day. A seeded ``random.Random`` makes a run reproducible, and its state
is part of ``PathState`` so a restarted simulator continues the same path.
"""

import math
import random
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal

from arbig.domain.contract import ContractSpec, parse_symbol
from arbig.domain.tick import Tick

# GARCH(1,1) weights: alpha on the last squared return, beta on the last
# variance; omega is set so that the long-run variance is volatility**2.
ALPHA = 0.08
BETA = 0.90
MAX_DEPTH = 50
# Open interest stays in this band, drawn back towards its middle.
OPEN_INTEREST_BAND = (150_000, 250_000)
OPEN_INTEREST_REVERSION = 1 / 20_000  # per snapshot: a half-life of about 2 hours
# Cost of carry between months (annual, in log terms): gold's curve is in contango by
# about the interest rate.
CARRY_PER_YEAR = 0.025
# A later month's own move around the carry spread: per snapshot, and its pull back.
SPREAD_NOISE = 2e-6
SPREAD_REVERSION = 1 / 20_000


@dataclass(slots=True)
class PathState:
    """Everything needed to continue a path, as saved in the simulator's state file."""

    symbol: str
    fair: float
    variance: float
    last_return: float
    trading_day: date | None
    pre_settlement: Decimal
    pre_close: Decimal
    last_price: Decimal
    open_price: Decimal
    high_price: Decimal
    low_price: Decimal
    volume: int
    turnover: Decimal
    open_interest: int
    # random.Random's state: (version, the Mersenne Twister's words, gauss_next)
    rng_state: tuple[int, tuple[int, ...], float | None]


class PricePath:
    """The market of one contract, advanced one snapshot at a time."""

    def __init__(self, spec: ContractSpec, volatility: float, state: PathState) -> None:
        self.spec = spec
        self.volatility = volatility
        self._state = replace(state)
        self._rng = random.Random()
        self._rng.setstate(state.rng_state)
        self._band = state.pre_settlement, spec.limit_band(state.pre_settlement)

    @classmethod
    def start(
        cls, spec: ContractSpec, start_price: Decimal, volatility: float, seed: int | None
    ) -> "PricePath":
        """A fresh path at ``start_price``; the same seed and symbol give the same path."""
        rng = random.Random(f"{seed}:{spec.symbol}") if seed is not None else random.Random()
        price = spec.snap(start_price)
        state = PathState(
            symbol=spec.symbol,
            fair=float(price),
            variance=volatility**2,
            last_return=0.0,
            trading_day=None,
            pre_settlement=price,
            pre_close=price,
            last_price=price,
            open_price=price,
            high_price=price,
            low_price=price,
            volume=0,
            turnover=Decimal(0),
            open_interest=rng.randint(*OPEN_INTEREST_BAND),
            rng_state=rng.getstate(),
        )
        return cls(spec, volatility, state)

    def snapshot(self) -> PathState:
        """A copy of the path's state, random generator included."""
        return replace(self._state, rng_state=self._rng.getstate())

    @property
    def band(self) -> tuple[Decimal, Decimal]:
        """(limit down, limit up) of the current trading day."""
        settlement = self._state.pre_settlement
        if self._band[0] != settlement:
            self._band = settlement, self.spec.limit_band(settlement)
        return self._band[1]

    def steer(self, price: Decimal) -> None:
        """Move the fair price to ``price``: the next snapshot starts from there (a test's
        scripted price path; with a tiny volatility the next last price is ``price``)."""
        self._state.fair = float(price)

    @property
    def fair(self) -> float:
        """The unsnapped price the path walks on."""
        return self._state.fair

    @property
    def last_return(self) -> float:
        """The log return of the latest snapshot."""
        return self._state.last_return

    def next_tick(
        self, now: datetime, trading_day: date, follow: tuple[float, float] | None = None
    ) -> Tick:
        """The next market snapshot, stamped ``now`` and belonging to ``trading_day``.

        ``follow`` = (the front month's return, where this month's carry puts it) makes
        this month move with the front plus its own small pull towards that price."""
        s, rng, spec = self._state, self._rng, self.spec
        if s.trading_day != trading_day:
            self._new_day(trading_day)
        down, up = self.band
        shock = rng.gauss(0.0, 1.0)
        if follow is None:
            omega = self.volatility**2 * (1 - ALPHA - BETA)
            s.variance = omega + ALPHA * s.last_return**2 + BETA * s.variance
            step = math.sqrt(s.variance) * shock
        else:
            common, anchor = follow
            step = common - SPREAD_REVERSION * math.log(s.fair / anchor) + SPREAD_NOISE * shock
        fair = _reflect(s.fair * math.exp(step), float(down), float(up))
        s.last_return = math.log(fair / s.fair)
        s.fair = fair
        previous = s.last_price
        price = min(max(spec.snap(Decimal(repr(fair))), down), up)
        traded = int(rng.expovariate(1 / 5.0) * (1 + abs(shock)))
        if price != previous and traded == 0:
            traded = 1  # a new last price means something traded
        first = s.volume == 0 and traded > 0
        s.last_price = price
        s.volume += traded
        s.turnover += price * traded * spec.multiplier
        low, high = OPEN_INTEREST_BAND
        pull = OPEN_INTEREST_REVERSION * ((low + high) / 2 - s.open_interest)
        moved = s.open_interest + round(rng.gauss(pull, traded / 2)) if traded else s.open_interest
        s.open_interest = min(max(moved, low), high)
        if first:
            s.open_price = s.high_price = s.low_price = price
        elif traded:
            s.high_price = max(s.high_price, price)
            s.low_price = min(s.low_price, price)
        bid, ask = self._quote(price, previous, down, up)
        return Tick(
            symbol=spec.symbol,
            exchange=spec.exchange,
            datetime=now,
            trading_day=trading_day,
            last_price=price,
            volume=s.volume,
            turnover=s.turnover,
            open_interest=s.open_interest,
            bid_price=bid,
            bid_volume=rng.randint(1, MAX_DEPTH),
            ask_price=ask,
            ask_volume=rng.randint(1, MAX_DEPTH),
            open_price=s.open_price,
            high_price=s.high_price,
            low_price=s.low_price,
            pre_settlement=s.pre_settlement,
            pre_close=s.pre_close,
            limit_up=up,
            limit_down=down,
        )

    def _quote(
        self, price: Decimal, previous: Decimal, down: Decimal, up: Decimal
    ) -> tuple[Decimal, Decimal]:
        """Best bid and ask around the last price: one tick apart, sometimes two.

        An uptick traded at the ask, a downtick at the bid."""
        tick = self.spec.price_tick
        spread = 1 if self._rng.random() < 0.8 else 2
        if price > previous:
            below = spread
        elif price < previous:
            below = 0
        else:
            below = self._rng.randint(0, spread)
        bid = max(price - below * tick, down)
        ask = bid + spread * tick
        if ask > up:
            ask, bid = up, up - spread * tick
        return bid, ask

    def _new_day(self, trading_day: date) -> None:
        s = self._state
        if s.trading_day is not None:
            if s.volume:
                vwap = s.turnover / (s.volume * self.spec.multiplier)
                s.pre_settlement = self.spec.snap(vwap)
            else:
                s.pre_settlement = s.last_price
            s.pre_close = s.last_price
        s.trading_day = trading_day
        s.volume = 0
        s.turnover = Decimal(0)
        s.open_price = s.high_price = s.low_price = s.last_price
        down, up = self.band
        s.fair = _reflect(s.fair, float(down), float(up))


def months_apart(front: str, symbol: str) -> int:
    """How many months ``symbol`` expires after ``front`` (symbols such as au2612)."""
    _, fy, fm = parse_symbol(front)
    _, y, m = parse_symbol(symbol)
    return (y * 12 + m) - (fy * 12 + fm)


def carry_price(front_fair: float, front: str, symbol: str) -> float:
    """Where the curve puts ``symbol`` given the front month's price."""
    return front_fair * math.exp(CARRY_PER_YEAR * months_apart(front, symbol) / 12)


def _reflect(value: float, low: float, high: float) -> float:
    """``value`` mirrored back into [low, high], so the walk bounces off the limits."""
    if value > high:
        value = high - (value - high)
    elif value < low:
        value = low + (low - value)
    return min(max(value, low), high)
