"""The main contract at start-up: precedence of the environment, the saved choice and
the config; watchlist validation. (The store itself: tests/integration/storage.)"""

from datetime import date

import pytest

from arbig.config import Settings
from arbig.domain.contract import ContractError
from arbig.domain.state import MarketChoice
from arbig.engine.contracts import resolve_main_contract, validate_symbols

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
