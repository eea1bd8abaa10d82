"""``arbig ctp check``: run the trader session's steps once and say what the broker said.

It logs in with the configured settings, runs every step up to trading and reports the
trading day, the account, the positions and the number of contracts, or the first
step that failed and why. A front that never answers ends at the timeout, with the
step it was waiting in. It sends no order.
"""

import asyncio
import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from arbig.clock import LiveClock
from arbig.config import Settings
from arbig.domain.calendar import TradingCalendar
from arbig.domain.order import Order
from arbig.domain.session import SessionStep, StepState
from arbig.domain.trade import Trade
from arbig.gateways.base import AccountReport, PositionReport
from arbig.gateways.ctp.environment import LOCALE_HINT, library_installed, locale_available
from arbig.gateways.ctp.rates import broker_tables
from arbig.gateways.ctp.settings import CtpSettingsError, resolve_login
from arbig.gateways.tables import broker_tables_toml


@dataclass(frozen=True, slots=True)
class CheckReport:
    """What the check found; ``failed`` names the first step that did not finish."""

    failed: str | None
    reason: str
    trading_day: date | None = None
    account: AccountReport | None = None
    positions: list[PositionReport] = field(default_factory=list)
    instruments: int = 0
    steps: list[SessionStep] = field(default_factory=list)
    broker_tables: str = ""  # what the session queried, as a broker_tables file

    @property
    def ok(self) -> bool:
        return self.failed is None


class _Quiet:
    """The check's events: nothing is traded, the last error is kept."""

    def __init__(self) -> None:
        self.errors: list[str] = []

    def on_order(self, order: Order) -> None: ...
    def on_trade(self, trade: Trade) -> None: ...
    def on_account(self, account: AccountReport) -> None: ...
    def on_connection(self, connected: bool, reason: str) -> None: ...
    def on_settlement(self, trading_day: date, text: str) -> None: ...

    def on_log(self, level: str, message: str) -> None:
        if level == "error":
            self.errors.append(message)


def settings_problem(settings: Settings) -> str | None:
    """What keeps the check from starting (library, locale, trader settings)."""
    if not library_installed():
        return "the openctp-ctp package is not installed (make setup)"
    if not locale_available():
        return LOCALE_HINT
    try:
        login = resolve_login(settings.ctp)
    except CtpSettingsError as exc:
        return str(exc)
    missing = [
        name for name in login.missing(trader=True, market_data=False) if name != "ctp.capital"
    ]
    if missing:
        return "CTP settings missing: " + ", ".join(missing) + " (see docs/ctp.md)"
    return None


async def run_check(
    settings: Settings, timeout_s: float, *, api_factory: Callable[[str], Any] | None = None
) -> CheckReport:
    """Run the session steps against the configured trader fronts, within ``timeout_s``."""
    problem = settings_problem(settings)
    if problem is not None:
        return CheckReport("settings", problem)
    from arbig.gateways.ctp.trader import TraderSession, default_api

    login = resolve_login(settings.ctp)
    options = settings.ctp.model_copy(
        update={"step_timeout_s": min(settings.ctp.step_timeout_s, timeout_s)}
    )
    events = _Quiet()
    session = TraderSession(
        login,
        options,
        (settings.ctp.flow_dir or settings.data_dir / "ctp") / "check",
        TradingCalendar.gold(settings.holidays),
        LiveClock(),
        events,
        symbols=lambda: [settings.main_contract],
        api_factory=api_factory or default_api,
    )
    session.start()
    try:
        await _until_done(session, timeout_s)
        trading = session.trading
    finally:
        # CTP's threads may not stop in time; the process ends anyway
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(session.close(), 15)
    steps = list(session.steps.values())
    if trading:
        return CheckReport(
            None,
            "trading",
            session.trading_day,
            session.account,
            session.positions,
            len(session.tables.instruments),
            steps,
            broker_tables_toml(broker_tables(session.tables)),
        )
    failed = next(
        (step for step in steps if step.state is StepState.FAILED and step.name != "front"),
        None,
    ) or next((step for step in steps if step.state is not StepState.DONE), steps[-1])
    if failed.state is StepState.FAILED and failed.name != "front":
        reason = failed.detail
    elif failed.name == "front":
        reason = (
            f"no connection to {', '.join(login.td_fronts)} within {timeout_s:g} s "
            f"({failed.detail or 'no answer'})"
        )
    else:
        reason = f"no answer within {timeout_s:g} s"
    return CheckReport(failed.name, reason, session.trading_day, steps=steps)


async def _until_done(session: Any, timeout_s: float) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while not session.trading:
        if any(
            step.state is StepState.FAILED and step.name != "front"
            for step in session.steps.values()
        ):
            return
        left = deadline - loop.time()
        if left <= 0:
            return
        session.changed.clear()
        try:
            await asyncio.wait_for(session.changed.wait(), left)
        except TimeoutError:
            return
