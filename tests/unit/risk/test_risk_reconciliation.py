"""One trading state: while the book differs from the broker's, no strategy starts and
trading cannot be resumed; accepting the broker's positions (an audited adjustment)
lifts that, and the adjustment survives a restart. (The host audits the acceptance:
tests/integration/web/test_web_reconciliation.py.)"""

import sqlite3
from pathlib import Path

import pytest
from corekit import running
from sample_strategies import SAMPLES

from arbig.api.errors import ControlRefused
from arbig.domain.enums import Direction, Side, TradingState


async def test_a_book_that_differs_halts_until_the_broker_positions_are_accepted(
    tmp_path: Path,
) -> None:
    async with running(tmp_path, strategies=SAMPLES) as rig:
        await rig.core.send_order(rig.request(Side.BUY, volume=2))
        await rig.tick(2)
        assert rig.core.portfolio.positions.leg(rig.request().symbol, Direction.LONG).volume == 2
    with sqlite3.connect(tmp_path / "arbig.sqlite3") as db:  # a fill the broker never made
        cursor = db.execute("SELECT * FROM trades")
        columns = [c[0] for c in cursor.description]
        row = dict(zip(columns, cursor.fetchone(), strict=True))
        row.update(id=None, trade_id=row["trade_id"] + "-phantom")
        db.execute(
            f"INSERT INTO trades ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
            [row[c] for c in columns],
        )

    async with running(tmp_path, strategies=SAMPLES) as rig:
        assert rig.core.halt_reason is not None and "broker 2" in rig.core.halt_reason
        with pytest.raises(ControlRefused, match="reconciliation"):
            await rig.controls.start_strategy("resting")
        with pytest.raises(ControlRefused, match="accept the broker's positions first"):
            await rig.controls.set_trading_state(TradingState.ACTIVE, "looks fine", "ops")
        [difference] = await rig.core.position_differences()
        assert (difference.book, difference.broker) == (4, 2)

        [adjustment] = await rig.core.accept_broker_positions("ops", "the broker is right")

        assert adjustment.trade_id.startswith("ADJ-") and adjustment.volume == 2
        assert rig.core.halt_reason is None
        assert await rig.core.position_differences() == []
        await rig.controls.set_trading_state(TradingState.ACTIVE, "reconciled", "ops")
        await rig.controls.start_strategy("resting")

    async with running(tmp_path, strategies=SAMPLES) as rig:  # the adjustment was recorded
        assert rig.core.halt_reason is None
