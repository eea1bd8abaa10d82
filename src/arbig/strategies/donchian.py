"""Donchian channel breakout with a stop-loss: enter when a bar closes beyond the highest
high (lowest low) of the previous ``window`` bars, leave at the opposite exit channel or
when the loss reaches ``stop_loss_ticks``."""

from decimal import Decimal

from pydantic import Field

from arbig.domain.bar import Bar
from arbig.domain.enums import Offset
from arbig.domain.trade import Trade
from arbig.engine.strategy.base import Strategy, StrategyParams


class DonchianParams(StrategyParams):
    """Channel lengths count 1-minute bars; the stop is in price ticks from the entry."""

    window: int = Field(20, ge=2, le=1000, description="bars in the entry channel")
    exit_window: int = Field(10, ge=1, le=1000, description="bars in the exit channel")
    stop_loss_ticks: int = Field(50, ge=1, le=10_000, description="loss that closes at once")
    allow_short: bool = Field(True, description="also trade breakouts downwards")


class DonchianBreakout(Strategy[DonchianParams]):
    """Trend following on channel breakouts; the entry price is kept across restarts."""

    name = "donchian"
    description = "Donchian channel breakout with a stop-loss, on 1-minute bars"
    params_model = DonchianParams

    def on_start(self) -> None:
        # The channel is whole from the first bar after a start, not window minutes on.
        self.load_bars(self.params.window + 1)

    def on_bar(self, bar: Bar) -> None:
        history = list(self.bars)[:-1]  # the channel is made of the bars before this one
        p = self.params
        if len(history) < p.window or self.working_orders:
            return
        close = bar.close
        if self.long or self.short_volume:
            self._manage(close, history)
            return
        upper = max(b.high for b in history[-p.window :])
        lower = min(b.low for b in history[-p.window :])
        if close > upper:
            self.buy(f"close {close} broke above the {p.window}-bar high {upper}")
        elif close < lower and p.allow_short:
            self.short(f"close {close} broke below the {p.window}-bar low {lower}")

    def on_trade(self, trade: Trade) -> None:
        if trade.offset is Offset.OPEN:
            self.state["entry"] = str(trade.price)
        elif not (self.long or self.short_volume):
            self.state.pop("entry", None)

    def _manage(self, close: Decimal, history: list[Bar]) -> None:
        p = self.params
        entry = Decimal(self.state.get("entry", close))
        stop = self.ctx.spec().price_tick * p.stop_loss_ticks
        recent = history[-p.exit_window :]
        if self.long:
            floor = min(b.low for b in recent)
            if close <= entry - stop:
                self.sell(f"stop-loss: close {close} is {entry - close} below the entry {entry}")
            elif close < floor:
                self.sell(f"close {close} fell below the {p.exit_window}-bar low {floor}")
        else:
            ceiling = max(b.high for b in recent)
            if close >= entry + stop:
                self.cover(f"stop-loss: close {close} is {close - entry} above the entry {entry}")
            elif close > ceiling:
                self.cover(f"close {close} rose above the {p.exit_window}-bar high {ceiling}")
