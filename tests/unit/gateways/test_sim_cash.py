"""The simulated exchange takes deposits and withdrawals: the day's totals grow, the
balance and what is available move, a withdrawal above what is available is refused
with nothing changed, the books keep them, and a new day folds them into the capital."""

import shutil
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from simkit import MONDAY, MONDAY_10AM, make_settings, make_tick, request, spec_for

from arbig.clock import DrivenClock
from arbig.domain.calendar import TradingCalendar
from arbig.domain.enums import Side
from arbig.gateways.base import GatewayError
from arbig.gateways.sim import SimGateway
from arbig.gateways.sim.matching import MatchingEngine, MatchingError
from arbig.gateways.sim.state import STATE_FILE_NAME, SimState, load_state, save_state

D = Decimal
TUESDAY = date(2026, 6, 2)


def engine() -> MatchingEngine:
    matching = MatchingEngine(SimState.fresh("sim-001", D("1000000.00")), spec_for)
    matching.start_session()
    matching.on_tick(make_tick())
    return matching


def test_a_deposit_adds_to_the_balance_and_what_is_available() -> None:
    matching = engine()
    matching.deposit(D("50000.00"))
    matching.deposit(D("0.50"))
    account = matching.account
    assert (account.deposit, account.withdraw) == (D("50000.50"), D(0))
    assert account.balance == D("1050000.50")
    assert account.available == D("1050000.50")


def test_a_withdrawal_takes_from_the_balance() -> None:
    matching = engine()
    matching.withdraw(D("1000.00"))
    assert matching.account.balance == D("999000.00")
    assert matching.account.withdraw == D("1000.00")


def test_a_withdrawal_above_what_is_available_is_refused_and_nothing_changes() -> None:
    matching = engine()
    matching.submit(request(Side.BUY, "920.02", 5), MONDAY_10AM)
    matching.on_tick(make_tick(ask_volume=5))
    available = matching.account.available
    assert available < D("1000000.00")  # the margin of 5 lots is held
    with pytest.raises(MatchingError, match=r"only .* is available"):
        matching.withdraw(available + D("0.01"))
    assert matching.account.available == available
    assert (matching.account.deposit, matching.account.withdraw) == (D(0), D(0))
    matching.withdraw(available)
    assert matching.account.available == D(0)


@pytest.mark.parametrize("amount", ["0", "-5", "0.001", "NaN", "Infinity"])
def test_an_amount_that_is_not_a_positive_sum_in_cents_is_refused(amount: str) -> None:
    matching = engine()
    with pytest.raises(MatchingError, match="amount must"):
        matching.deposit(D(amount))
    with pytest.raises(MatchingError, match="amount must"):
        matching.withdraw(D(amount))
    assert matching.account.balance == D("1000000.00")


def test_a_new_trading_day_starts_the_days_totals_at_zero_and_keeps_the_money() -> None:
    matching = engine()
    matching.deposit(D("50000.00"))
    matching.withdraw(D("20000.00"))
    matching.on_tick(make_tick(day=TUESDAY, at=MONDAY_10AM + timedelta(days=1)))
    account = matching.account
    assert (account.deposit, account.withdraw) == (D(0), D(0))
    assert account.balance == D("1030000.00")
    assert account.capital == D("1030000.00")


def test_the_books_keep_the_days_cash_moves(tmp_path: Path) -> None:
    matching = engine()
    matching.deposit(D("50000.00"))
    matching.withdraw(D("20000.00"))
    save_state(matching.state, tmp_path / STATE_FILE_NAME)
    loaded = load_state(tmp_path / STATE_FILE_NAME)
    assert loaded is not None
    assert loaded.trading_day == MONDAY
    account = loaded.account
    assert (account.deposit, account.withdraw) == (D("50000.00"), D("20000.00"))
    assert account.balance == D("1030000.00")


async def test_a_move_the_exchange_cannot_keep_is_undone_and_refused(tmp_path: Path) -> None:
    books = tmp_path / "books"
    settings = make_settings()
    gateway = SimGateway(
        settings,
        spec_for,
        TradingCalendar.gold([]),
        books / STATE_FILE_NAME,
        DrivenClock(MONDAY_10AM),
        autotick=False,
    )
    await gateway.connect()
    try:
        before = gateway.account_report()
        shutil.rmtree(books)
        books.write_text("not a folder")  # the books can no longer be saved
        with pytest.raises(GatewayError, match="could not be saved"):
            await gateway.deposit(D("50000.00"))
        assert gateway.account_report() == before
    finally:
        books.unlink()
        await gateway.close()
