"""Live/backtest parity: the backtester replaying a price path makes the same trades
(times counted from the first tick, sides, offsets, prices, volumes) as the kernel
``arbig run`` assembles, fed the same ticks. The kernel here is the driven one of
``test_kernel_parity``, which that test holds equal to the kernel on the live clock
(a second live run here would only add its sensitivity to a loaded machine)."""

import asyncio
from pathlib import Path

from test_kernel_parity import SYMBOL, TradeLine, driven, script

from arbig.backtest.kernel import replay
from arbig.backtest.spec import BacktestSpec
from arbig.config import RiskSettings, Settings
from arbig.testkit import MONDAY_10AM


async def backtested() -> list[TradeLine]:
    settings = Settings(main_contract=SYMBOL, risk=RiskSettings(duplicate_window_s=0))
    spec = BacktestSpec("ma_crossover", SYMBOL, {"source": "tick", "fast": 3, "slow": 8})
    result = await replay(settings, spec, script(MONDAY_10AM))
    return [
        (f.datetime - MONDAY_10AM, str(f.side), str(f.offset), f.price, f.volume)
        for f in result.fills
    ]


def test_the_backtest_trades_as_the_kernel_does_on_the_same_ticks(tmp_path: Path) -> None:
    in_kernel = asyncio.run(driven(tmp_path))
    in_backtest = asyncio.run(backtested())

    assert len(in_backtest) >= 4
    assert in_backtest == in_kernel
