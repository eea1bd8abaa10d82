"""The trading state is saved before a loosening change takes effect; the emergency stop
acts whatever the store does (docs/storage.md, "The core's standing state")."""

import asyncio
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from corekit import Rig, running
from sqlalchemy import text

from arbig.api.errors import ControlRefused
from arbig.domain.enums import TradingState
from arbig.domain.state import TradingStatus
from arbig.engine.emergency import SAVE_RETRY_S


async def lose_the_state_table(rig: Rig) -> None:
    """A real failure of the store: its table is gone."""
    async with rig.sessions() as session, session.begin():
        await session.execute(text("DROP TABLE trading_state"))


async def test_a_state_change_is_saved_and_survives_a_restart(tmp_path: Path) -> None:
    async with running(tmp_path) as rig:
        status = await rig.controls.set_trading_state(TradingState.REDUCING, "eod", "ops")
        assert status.state is TradingState.REDUCING
        saved = await rig.state.load_trading_status()
        assert saved is not None and (saved.state, saved.reason) == (TradingState.REDUCING, "eod")

    async with running(tmp_path) as again:
        assert again.controls.risk.state is TradingState.REDUCING
        assert again.controls.trading_status().actor == "ops"


async def test_a_resume_that_cannot_be_saved_is_refused_and_changes_nothing(
    tmp_path: Path,
) -> None:
    async with running(tmp_path) as rig:
        await rig.controls.set_trading_state(TradingState.HALTED, "checking", "ops")
        await lose_the_state_table(rig)

        with pytest.raises(ControlRefused, match="cannot be saved, nothing changed"):
            await rig.controls.set_trading_state(TradingState.ACTIVE, "done", "ops")

        assert rig.controls.risk.state is TradingState.HALTED
        assert rig.controls.trading_status().reason == "checking"


async def test_the_emergency_stop_halts_even_when_its_save_fails(tmp_path: Path) -> None:
    async with running(tmp_path) as rig:
        await lose_the_state_table(rig)

        report = await rig.controls.emergency_stop("fat finger", "ops", flatten=False)

        assert rig.controls.risk.state is TradingState.HALTED
        assert report.status.emergency
        assert report.errors and report.errors[0].startswith("the halt is not saved")
        with pytest.raises(ControlRefused, match="cannot be saved"):
            await rig.controls.reset_emergency("checked", "ops")
        assert rig.controls.trading_status().emergency


async def test_the_halts_save_is_retried_on_the_kernels_clock(tmp_path: Path) -> None:
    async with running(tmp_path) as rig:
        save = rig.state.save_trading_status
        attempts: list[datetime] = []

        async def away_once(status: TradingStatus) -> None:
            attempts.append(rig.clock.now())
            if len(attempts) == 1:
                raise ConnectionError("database away")
            await save(status)

        rig.state.save_trading_status = away_once  # type: ignore[method-assign]
        report = await rig.controls.emergency_stop("fat finger", "ops", flatten=False)
        assert report.errors[0].startswith("the halt is not saved")

        # More than the retry interval of wall time: the driven clock has not moved, so
        # no retry yet.
        await asyncio.sleep(SAVE_RETRY_S * 1.5)
        assert len(attempts) == 1
        rig.clock.advance(SAVE_RETRY_S)
        for _ in range(100):
            saved = await rig.state.load_trading_status()
            if saved is not None and saved.emergency:
                break
            await asyncio.sleep(0.01)
        assert saved is not None and saved.emergency
        assert attempts[1] - attempts[0] == timedelta(seconds=SAVE_RETRY_S)
