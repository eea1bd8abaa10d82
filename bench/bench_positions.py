"""Building the position snapshots (``Portfolio.position_snapshots``), which the core
does on every tick that moves a held position while someone listens to ``positions``.

    .venv/bin/python bench/bench_positions.py [--calls 20000]

One held leg, in two books measured in the same run: a plain one (no strategy, no
working order: the ownership shortcut, the reference) and one where a strategy owns a
lot and a manual close works (the owned and free lots counted). Prints the best of 5
rounds per call and the share of it spent on ownership, with the load average.
"""

import argparse
import os
import timeit
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import partial

from arbig.config import Settings
from arbig.domain.enums import Exchange, Offset, OrderStatus, Side
from arbig.domain.order import Order
from arbig.domain.trade import Trade
from arbig.engine.portfolio import Portfolio

NOW = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)
DAY = date(2026, 6, 1)
SPEC = Settings(main_contract="au2612").contract_spec("au2612")


def trade(trade_id: str, volume: int) -> Trade:
    return Trade(
        trade_id=trade_id,
        order_id="O1",
        symbol="au2612",
        exchange=Exchange.SHFE,
        side=Side.BUY,
        offset=Offset.OPEN,
        price=Decimal("920.00"),
        volume=volume,
        datetime=NOW,
        trading_day=DAY,
        commission=Decimal("10.00"),
    )


def book(owned: bool) -> Portfolio:
    b = Portfolio("bench", Decimal("10000000"), lambda _: SPEC)
    b.apply_trade(trade("T1", 2))
    if owned:
        mine = trade("T2", 1)
        b.apply_trade(mine)
        b.apply_owned("ma_crossover", mine)
        close = Order(
            order_id="O2",
            symbol="au2612",
            exchange=Exchange.SHFE,
            side=Side.SELL,
            offset=Offset.CLOSE,
            price=Decimal("920.00"),
            volume=1,
            traded=0,
            status=OrderStatus.NOT_TRADED,
            created_at=NOW,
            updated_at=NOW,
        )
        b.on_order(close)
    return b


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=20_000)
    calls = parser.parse_args().calls
    print(f"load average {os.getloadavg()[0]:.2f}")
    for label, b in (
        ("plain book (reference)", book(False)),
        ("1 strategy's lot + 1 manual working close", book(True)),
    ):
        [leg] = b.positions.legs.values()
        snap = min(timeit.repeat(partial(b.position_snapshots, NOW), number=calls, repeat=5))
        own = min(timeit.repeat(partial(b._ownership, leg), number=calls, repeat=5))
        print(
            f"{label}: {snap / calls * 1e6:.2f} us per position_snapshots, "
            f"{own / calls * 1e6:.2f} us of it counting owned and free lots"
        )


if __name__ == "__main__":
    main()
