"""Account-level protections: limits on the whole account, not on one order.

A daily loss limit (equity lost since the trading day's start), a maximum drawdown
from the day's peak equity, a maximum margin ratio, and a cooldown after N losing
closing trades in a row. Each, when reached, moves the trading state to reducing or
halted (as configured) with the reason; the caller (``arbig.ops.watch``) applies it,
audits it and notifies. Pure: no I/O, no clock of its own.

A protection trips once per trading day: an operator who resumes trading on
purpose is not overruled a tick later. The losing streak is the exception: its stop
lifts itself after ``cooldown_minutes`` and it counts again from zero.
"""

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from arbig.domain.enums import TradingState
from arbig.ops.equity import EquityFigures
from arbig.opsconfig import ProtectionSettings

STRICTNESS = {TradingState.ACTIVE: 0, TradingState.REDUCING: 1, TradingState.HALTED: 2}


class Protection(StrEnum):
    DAILY_LOSS = "daily_loss"
    DRAWDOWN = "drawdown"
    MARGIN_RATIO = "margin_ratio"
    LOSING_STREAK = "losing_streak"


@dataclass(frozen=True, slots=True)
class Trip:
    protection: Protection
    state: TradingState
    reason: str

    @property
    def actor(self) -> str:
        return f"protection:{self.protection}"


class Protections:
    def __init__(self, settings: ProtectionSettings) -> None:
        self.settings = settings
        self._tripped: dict[Protection, date | None] = {}

    def check(self, figures: EquityFigures) -> Trip | None:
        """The first protection ``figures`` trips that has not tripped today, or None."""
        for trip in self._reached(figures):
            if trip.protection in self._tripped and (
                self._tripped[trip.protection] == figures.trading_day
            ):
                continue
            self._tripped[trip.protection] = figures.trading_day
            return trip
        return None

    def rearm(self, protection: Protection) -> None:
        """Let ``protection`` trip again (the losing streak, once its cooldown is over)."""
        self._tripped.pop(protection, None)

    def _reached(self, f: EquityFigures) -> list[Trip]:
        s = self.settings
        found: list[Trip] = []
        if s.daily_loss_limit_yuan is not None and -f.day_pnl >= s.daily_loss_limit_yuan:
            found.append(
                Trip(
                    Protection.DAILY_LOSS,
                    TradingState(s.daily_loss_action),
                    f"daily loss {-f.day_pnl:.2f} reached the limit {s.daily_loss_limit_yuan}",
                )
            )
        if s.max_drawdown_ratio is not None and f.drawdown >= s.max_drawdown_ratio:
            found.append(
                Trip(
                    Protection.DRAWDOWN,
                    TradingState(s.drawdown_action),
                    f"drawdown {f.drawdown:.2%} from the day's peak {f.peak:.2f} reached the "
                    f"limit {s.max_drawdown_ratio:.2%}",
                )
            )
        if s.max_margin_ratio is not None and f.margin_ratio >= s.max_margin_ratio:
            found.append(
                Trip(
                    Protection.MARGIN_RATIO,
                    TradingState(s.margin_action),
                    f"margin ratio {f.margin_ratio:.2%} reached the limit {s.max_margin_ratio:.2%}",
                )
            )
        if s.max_losing_streak is not None and f.losing_streak >= s.max_losing_streak:
            cooldown = (
                f"; trading resumes after a {s.cooldown_minutes:g} minute cooldown"
                if s.cooldown_minutes
                else ""
            )
            found.append(
                Trip(
                    Protection.LOSING_STREAK,
                    TradingState(s.streak_action),
                    f"{f.losing_streak} losing trades in a row (limit {s.max_losing_streak})"
                    + cooldown,
                )
            )
        return found


def stricter(state: TradingState, than: TradingState) -> bool:
    return STRICTNESS[state] > STRICTNESS[than]
