"""The simulator's state file: everything survives a round trip, money stays exact."""

from decimal import Decimal
from pathlib import Path

import orjson
import pytest
from simkit import MONDAY_10AM, make_tick, request, spec, spec_for

from arbig.domain.enums import Direction, Offset, Side
from arbig.gateways.sim.matching import MatchingEngine
from arbig.gateways.sim.pricepath import PricePath
from arbig.gateways.sim.state import (
    STATE_FILE_NAME,
    SimState,
    StateFileError,
    load_state,
    save_state,
)


def busy_state() -> SimState:
    """An account with a position, working and finished orders, trades and a market."""
    matching = MatchingEngine(SimState.fresh("sim-001", Decimal("1000000.00")), spec_for)
    matching.start_session()
    matching.on_tick(make_tick())
    matching.submit(request(Side.BUY, "920.02", 3), MONDAY_10AM)
    matching.on_tick(make_tick(ask_volume=2))
    matching.submit(request(Side.SELL, "930.00", 1, Offset.CLOSE_TODAY), MONDAY_10AM)
    path = PricePath.start(spec(), Decimal("920.00"), 0.00025, 1)
    path.next_tick(MONDAY_10AM, MONDAY_10AM.date())
    matching.state.markets["au2612"] = path.snapshot()
    return matching.state


def test_the_state_file_is_named_sim_exchange_json() -> None:
    assert STATE_FILE_NAME == "sim-exchange.json"


def test_a_saved_state_loads_back_equal(tmp_path: Path) -> None:
    state = busy_state()
    save_state(state, tmp_path / STATE_FILE_NAME)
    loaded = load_state(tmp_path / STATE_FILE_NAME)
    assert loaded is not None
    assert loaded.orders == state.orders
    assert loaded.trades == state.trades
    assert loaded.markets == state.markets
    assert (loaded.session, loaded.order_seq, loaded.trade_seq) == (1, 2, 1)
    assert loaded.trading_day == state.trading_day
    assert loaded.account.capital == state.account.capital
    assert loaded.account.commission == Decimal("20.00")
    leg = loaded.positions.leg("au2612", Direction.LONG)
    assert (leg.volume_today, leg.avg_price) == (2, Decimal("920.02"))


def test_a_restored_market_continues_the_same_path(tmp_path: Path) -> None:
    state = busy_state()
    save_state(state, tmp_path / STATE_FILE_NAME)
    loaded = load_state(tmp_path / STATE_FILE_NAME)
    assert loaded is not None
    before = PricePath(spec(), 0.00025, state.markets["au2612"])
    after = PricePath(spec(), 0.00025, loaded.markets["au2612"])
    day = MONDAY_10AM.date()
    assert before.next_tick(MONDAY_10AM, day) == after.next_tick(MONDAY_10AM, day)


def test_money_is_written_as_strings(tmp_path: Path) -> None:
    save_state(busy_state(), tmp_path / STATE_FILE_NAME)
    document = orjson.loads((tmp_path / STATE_FILE_NAME).read_bytes())
    assert document["account"]["capital"] == "1000000.00"
    assert document["trades"][0]["price"] == "920.02"
    assert document["positions"][0]["today"] == [["920.02", 2]]


def test_saving_replaces_the_file_and_leaves_no_temporary_behind(tmp_path: Path) -> None:
    path = tmp_path / "nested" / STATE_FILE_NAME
    save_state(SimState.fresh("a", Decimal(1)), path)
    save_state(busy_state(), path)
    assert [p.name for p in path.parent.iterdir()] == [STATE_FILE_NAME]
    loaded = load_state(path)
    assert loaded is not None and loaded.account.account_id == "sim-001"


def test_no_file_means_no_state_yet(tmp_path: Path) -> None:
    assert load_state(tmp_path / STATE_FILE_NAME) is None


def test_an_unreadable_file_is_an_error_not_a_fresh_account(tmp_path: Path) -> None:
    path = tmp_path / STATE_FILE_NAME
    path.write_bytes(b"{not json")
    with pytest.raises(StateFileError, match="not a readable simulator state file"):
        load_state(path)
