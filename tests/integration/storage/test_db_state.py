"""The core's standing state in SQL on every backend: the trading state and the market
choice read back as saved, and the old JSON files imported once, then kept aside."""

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from arbig.domain.enums import TradingState
from arbig.domain.state import MarketChoice, TradingStatus
from arbig.storage.state_import import import_json_state
from arbig.storage.state_store import SqlStateStore

pytestmark = pytest.mark.integration
Sessions = async_sessionmaker[AsyncSession]
SINCE = datetime(2026, 6, 1, 2, 0, 0, 123456, tzinfo=UTC)


def names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


async def test_nothing_saved_reads_as_nothing_chosen(sessions: Sessions) -> None:
    store = SqlStateStore(sessions)
    assert await store.load_trading_status() is None
    assert await store.load_market_choice() == MarketChoice()


async def test_the_trading_state_reads_back_as_saved_and_a_save_replaces_it(
    sessions: Sessions,
) -> None:
    store = SqlStateStore(sessions)
    halted = TradingStatus(TradingState.HALTED, True, SINCE, "fat finger", "operator")
    await store.save_trading_status(halted)
    assert await store.load_trading_status() == halted

    reducing = TradingStatus(TradingState.REDUCING, False, SINCE, "end of day", "ops")
    await SqlStateStore(sessions).save_trading_status(reducing)
    assert await store.load_trading_status() == reducing


async def test_the_market_choice_keeps_the_watchlist_order_and_empty_apart_from_unset(
    sessions: Sessions,
) -> None:
    store = SqlStateStore(sessions)
    saved = await store.save_market_choice(MarketChoice("au2702", ("au2706", "au2612")))
    assert saved.updated_at is not None
    loaded = await store.load_market_choice()
    assert (loaded.main_contract, loaded.watchlist) == ("au2702", ("au2706", "au2612"))

    await store.save_market_choice(MarketChoice("au2702", ()))
    assert (await store.load_market_choice()).watchlist == ()
    await store.save_market_choice(MarketChoice(None, None))
    loaded = await store.load_market_choice()
    assert (loaded.main_contract, loaded.watchlist) == (None, None)


async def test_old_json_state_is_imported_once_and_the_files_renamed(
    sessions: Sessions, tmp_path: Path
) -> None:
    store = SqlStateStore(sessions)
    (tmp_path / "risk-state.json").write_text(
        json.dumps(
            {
                "state": "halted",
                "emergency": True,
                "since": SINCE.isoformat(),
                "reason": "test",
                "actor": "tester",
            }
        )
    )
    (tmp_path / "market.json").write_text(
        json.dumps({"main_contract": "au2702", "watchlist": ["au2612"], "updated_at": "x"})
    )

    imported = await import_json_state(tmp_path, store)

    assert sorted(imported) == ["market.json", "risk-state.json"]
    status = TradingStatus(TradingState.HALTED, True, SINCE, "test", "tester")
    assert await store.load_trading_status() == status
    choice = await store.load_market_choice()
    assert (choice.main_contract, choice.watchlist) == ("au2702", ("au2612",))
    assert names(tmp_path) == ["market.json.imported", "risk-state.json.imported"]
    # Put back (an old backup restored): the tables win, the files are set aside again.
    (tmp_path / "risk-state.json").write_text(json.dumps({"state": "active"}))
    assert await import_json_state(tmp_path, store) == []
    assert await store.load_trading_status() == status
    assert not (tmp_path / "risk-state.json").exists()


async def test_an_unreadable_old_trading_state_imports_as_an_engaged_halt(
    sessions: Sessions, tmp_path: Path
) -> None:
    store = SqlStateStore(sessions)
    (tmp_path / "risk-state.json").write_text("{half a file")
    await import_json_state(tmp_path, store)
    status = await store.load_trading_status()
    assert status is not None
    assert (status.state, status.emergency) == (TradingState.HALTED, True)
    assert "unreadable risk-state.json" in status.reason
