"""The saved main-contract choice: atomic file, precedence at start-up, validation."""

from datetime import date
from pathlib import Path

import pytest

from arbig.domain.contract import ContractError
from arbig.engine.contracts import (
    CHOICE_FILE,
    MarketChoice,
    load_choice,
    resolve_main_contract,
    save_choice,
    validate_symbols,
)

TODAY = date(2026, 11, 22)


def test_a_saved_choice_is_read_back(tmp_path: Path) -> None:
    save_choice(tmp_path, MarketChoice("au2702", ("au2704",)))
    choice = load_choice(tmp_path)
    assert (choice.main_contract, choice.watchlist) == ("au2702", ("au2704",))
    assert choice.updated_at is not None
    assert [p.name for p in tmp_path.iterdir()] == [CHOICE_FILE]  # no temporary file left


def test_nothing_saved_or_an_unreadable_file_means_nothing_chosen(tmp_path: Path) -> None:
    assert load_choice(tmp_path) == MarketChoice()
    (tmp_path / CHOICE_FILE).write_text("{not json")
    assert load_choice(tmp_path) == MarketChoice()


def test_the_environment_wins_then_the_saved_choice_then_the_config(tmp_path: Path) -> None:
    assert resolve_main_contract("au2612", tmp_path, {}) == ("au2612", "config")
    save_choice(tmp_path, MarketChoice("au2702"))
    assert resolve_main_contract("au2612", tmp_path, {}) == ("au2702", "saved")
    env = {"ARBIG_MAIN_CONTRACT": "au2612"}
    assert resolve_main_contract("au2612", tmp_path, env) == ("au2612", "env")


def test_watchlist_symbols_are_validated_and_deduplicated() -> None:
    assert validate_symbols(["au2702", " au2702", "au2612"], TODAY) == ("au2702", "au2612")
    with pytest.raises(ContractError, match="not a listed gold month"):
        validate_symbols(["au2703"], TODAY)  # odd months are listed only three ahead
    with pytest.raises(ContractError, match="not an SHFE gold symbol"):
        validate_symbols(["ag2702"], TODAY)
