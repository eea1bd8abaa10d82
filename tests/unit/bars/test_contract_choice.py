"""The main contract at start-up: precedence of the environment, the saved choice and
the config; watchlist validation. (The store itself: tests/integration/storage.)"""

from datetime import UTC, date, datetime

import pytest

from arbig.clock import DrivenClock
from arbig.config import Settings
from arbig.domain.contract import ContractError
from arbig.domain.state import MarketChoice
from arbig.engine.contracts import ContractManager, resolve_main_contract, validate_symbols
from arbig.engine.ports import MemoryStateStore

TODAY = date(2026, 11, 22)


def test_the_environment_wins_then_the_saved_choice_then_the_config() -> None:
    assert resolve_main_contract("au2612", MarketChoice(), {}) == ("au2612", "config")
    saved = MarketChoice("au2702")
    assert resolve_main_contract("au2612", saved, {}) == ("au2702", "saved")
    env = {"ARBIG_MAIN_CONTRACT": "au2612"}
    assert resolve_main_contract("au2612", saved, env) == ("au2612", "env")


def test_watchlist_symbols_are_validated_and_deduplicated() -> None:
    table = Settings(main_contract="au2612").contract_table
    got = validate_symbols(table, ["au2702", " au2702", "au2612"], TODAY)
    assert got == ("au2702", "au2612")
    with pytest.raises(ContractError, match="not a listed gold month"):
        validate_symbols(table, ["au2703"], TODAY)  # odd months are listed only three ahead
    with pytest.raises(ContractError, match="product 'ag' is not in the contract table"):
        validate_symbols(table, ["ag2702"], TODAY)


class Market:
    """The core's subscriptions, as far as a switch uses them."""

    def __init__(self, main_contract: str) -> None:
        self.main_contract = main_contract
        self.subscribed = frozenset({main_contract})

    async def subscribe(self, symbol: str) -> None:
        self.subscribed |= {symbol}

    async def unsubscribe(self, symbol: str) -> None:
        self.subscribed -= {symbol}

    async def switch_main_contract(self, symbol: str) -> str:
        previous, self.main_contract = self.main_contract, symbol
        self.subscribed = (self.subscribed - {previous}) | {symbol}
        return previous


async def test_the_listed_months_follow_the_kernels_clock() -> None:
    # A driven clock on 2026-06-01: au2606 is listed until its last trading day (the
    # 15th); moved past it, the same switch is refused, whatever the wall clock says.
    clock = DrivenClock(datetime(2026, 6, 1, 2, 0, tzinfo=UTC))
    market = Market("au2612")
    manager = ContractManager(
        market,
        None,  # type: ignore[arg-type]  # a switch does not read the book
        MemoryStateStore(),
        contracts=Settings(main_contract="au2612").contract_table,
        clock=clock,
    )
    assert await manager.switch("au2606") == "au2612"
    assert await manager.switch("au2612") == "au2606"

    clock.advance_to(datetime(2026, 6, 16, 2, 0, tzinfo=UTC))
    with pytest.raises(ContractError, match="'au2606' has expired"):
        await manager.switch("au2606")
    assert market.main_contract == "au2612"
