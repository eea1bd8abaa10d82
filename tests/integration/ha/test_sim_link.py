"""The shared simulated exchange and a core's sim-link gateway, over the real Redis:
orders and fills travel both ways, and an old leader's order never reaches the book of
the exchange, refused by its own lease check or by the exchange's fenced intake."""

import asyncio
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from redis.asyncio import Redis

from arbig.clock import DrivenClock
from arbig.domain.enums import OrderStatus
from arbig.domain.order import Order
from arbig.domain.trade import Trade
from arbig.gateways.base import GatewayError, TradingAccount
from arbig.gateways.sim import SimGateway
from arbig.gateways.simlink.exchange import SimExchange
from arbig.gateways.simlink.gateway import SimLinkGateway
from arbig.gateways.simlink.wire import ledger_key
from arbig.gateways.ticksource import ScriptedTicks
from arbig.host.lease import CoreLease
from arbig.testkit import MONDAY_10AM

sys.path.insert(0, str(Path(__file__).parents[2] / "unit" / "gateways"))

from redis_kit import lose_cancellations
from simkit import SYMBOL, make_settings, make_tick, request, spec_for

pytestmark = pytest.mark.integration


@dataclass
class Recorder:
    orders: list[Order] = field(default_factory=list)
    trades: list[Trade] = field(default_factory=list)
    connected: list[bool] = field(default_factory=list)

    def on_tick(self, tick: Any) -> None: ...

    def on_order(self, order: Order) -> None:
        self.orders.append(order)

    def on_trade(self, trade: Trade) -> None:
        self.trades.append(trade)

    def on_account(self, account: Any) -> None: ...

    def on_connection(self, connected: bool, reason: str) -> None:
        self.connected.append(connected)

    def on_log(self, level: str, message: str) -> None: ...


async def eventually(condition: Any, timeout_s: float = 10.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.02)


@pytest.fixture
async def exchange(
    client: Redis, prefix: str, tmp_path: Path
) -> AsyncIterator[tuple[SimGateway, SimExchange]]:
    settings = make_settings()
    sim = SimGateway(
        settings,
        spec_for,
        _calendar(),
        tmp_path / "sim-exchange.json",
        DrivenClock(MONDAY_10AM),
        autotick=False,
        source=ScriptedTicks(
            [
                make_tick(bid="919.98", ask="920.00", at=MONDAY_10AM + timedelta(seconds=n))
                for n in range(3)
            ]
        ),
    )
    served = SimExchange(client, prefix, sim)
    ready = asyncio.Event()
    task = asyncio.create_task(served.run(ready))
    await asyncio.wait_for(ready.wait(), 10)
    yield sim, served
    assert await served.stop(), "the exchange did not stop"
    await asyncio.gather(task, return_exceptions=True)


def _calendar() -> Any:
    from arbig.domain.calendar import TradingCalendar

    return TradingCalendar.gold([])


async def _link(redis_url: str, prefix: str, lease: CoreLease) -> tuple[SimLinkGateway, Recorder]:
    settings = make_settings()
    gateway = SimLinkGateway(
        redis_url,
        prefix,
        TradingAccount(settings.sim.account_id, settings.sim.capital),
        lease,
        timeout_s=5.0,
    )
    recorder = Recorder()
    gateway.set_listener(recorder)
    await gateway.connect()
    await gateway.subscribe(SYMBOL)
    return gateway, recorder


async def test_orders_and_fills_travel_through_the_shared_exchange(
    exchange: tuple[SimGateway, SimExchange], client: Redis, redis_url: str, prefix: str
) -> None:
    sim, _served = exchange
    lease = CoreLease(client, prefix, "core-a", 5.0)
    await lease.try_acquire()
    gateway, seen = await _link(redis_url, prefix, lease)
    try:
        assert seen.connected == [True]
        sim.step(MONDAY_10AM)  # the market's first quote
        order_id = await gateway.send_order(request(price="920.00"))
        assert order_id == (await sim.query_orders())[0].order_id
        sim.step(MONDAY_10AM + timedelta(seconds=1))  # the ask is at the order's price
        await eventually(lambda: len(seen.trades) == 1)
        assert seen.trades[0].order_id == order_id
        assert seen.trades[0].price == Decimal("920.00")
        assert [o.status for o in seen.orders][-1] is OrderStatus.ALL_TRADED
        trades = await gateway.query_trades()
        assert [t.trade_id for t in trades] == [seen.trades[0].trade_id]
        positions = await gateway.query_positions()
        assert [(p.symbol, p.volume) for p in positions] == [(SYMBOL, 1)]
        account = await gateway.query_account()
        assert account.account_id == "sim-001"
    finally:
        await gateway.close()


async def test_deposits_and_withdrawals_travel_to_the_shared_exchange(
    exchange: tuple[SimGateway, SimExchange], client: Redis, redis_url: str, prefix: str
) -> None:
    sim, _served = exchange
    lease = CoreLease(client, prefix, "core-a", 5.0)
    await lease.try_acquire()
    gateway, _seen = await _link(redis_url, prefix, lease)
    try:
        sim.step(MONDAY_10AM)
        await gateway.deposit(Decimal("50000.00"))
        await gateway.withdraw(Decimal("1000.00"))
        with pytest.raises(GatewayError, match="cannot withdraw"):
            await gateway.withdraw(Decimal("5000000.00"))
        account = await gateway.query_account()
        assert (account.deposit, account.withdraw) == (Decimal("50000.00"), Decimal("1000.00"))
        assert account.trading_day == MONDAY_10AM.date()
    finally:
        await gateway.close()
    assert sim.account_report().balance == make_settings().sim.capital + Decimal("49000.00")


async def test_an_old_leaders_order_is_refused_by_the_exchanges_intake(
    exchange: tuple[SimGateway, SimExchange], client: Redis, redis_url: str, prefix: str
) -> None:
    sim, served = exchange
    old = CoreLease(client, prefix, "core-a", 30.0)
    await old.try_acquire()
    gateway, _ = await _link(redis_url, prefix, old)
    sim.step(MONDAY_10AM)
    try:
        await gateway.send_order(request(price="919.00"))
        # The old leader was paused: its lease expired and core b holds the next one,
        # while by its own clock it still has time left.
        await client.delete(old.key)
        new = CoreLease(client, prefix, "core-b", 30.0)
        assert await new.try_acquire() == old.token() + 1
        assert old.valid()
        with pytest.raises(GatewayError, match="FENCED"):
            await gateway.send_order(request(price="919.02"))
        with pytest.raises(GatewayError, match="FENCED"):
            await gateway.cancel_order((await sim.query_orders())[0].order_id)
    finally:
        await gateway.close()
    assert len(await sim.query_orders()) == 1
    assert (await sim.query_orders())[0].status is OrderStatus.NOT_TRADED
    ledger = await client.xrange(ledger_key(prefix))
    assert [fields[b"token"] for _id, fields in ledger] == [str(old.token()).encode()]
    assert served.taken >= 1


async def test_a_core_past_its_local_deadline_sends_nothing(
    exchange: tuple[SimGateway, SimExchange], client: Redis, redis_url: str, prefix: str
) -> None:
    sim, _served = exchange
    now = [100.0]
    lease = CoreLease(client, prefix, "core-a", 5.0, monotonic=lambda: now[0])
    await lease.try_acquire()
    gateway, _ = await _link(redis_url, prefix, lease)
    try:
        now[0] += 10  # paused past the lease (SIGSTOP), now running again
        with pytest.raises(GatewayError, match="lapsed"):
            await gateway.send_order(request(price="919.00"))
    finally:
        await gateway.close()
    assert await sim.query_orders() == []
    assert await client.xlen(ledger_key(prefix)) == 0


async def test_the_exchange_refuses_a_request_from_an_older_token_than_it_has_seen(
    exchange: tuple[SimGateway, SimExchange], client: Redis, redis_url: str, prefix: str
) -> None:
    sim, served = exchange
    lease = CoreLease(client, prefix, "core-a", 30.0)
    await lease.try_acquire()
    gateway, _ = await _link(redis_url, prefix, lease)
    sim.step(MONDAY_10AM)
    try:
        await gateway.send_order(request(price="919.00"))
        served.newest_token = lease.token() + 1  # a newer leader has been served meanwhile
        with pytest.raises(GatewayError, match="fenced: token"):
            await gateway.send_order(request(price="919.02"))
    finally:
        await gateway.close()
    assert len(await sim.query_orders()) == 1


async def test_a_core_finds_no_exchange_in_one_line(
    client: Redis, redis_url: str, prefix: str
) -> None:
    lease = CoreLease(client, prefix, "core-a", 5.0)
    await lease.try_acquire()
    settings = make_settings()
    gateway = SimLinkGateway(
        redis_url,
        prefix,
        TradingAccount(settings.sim.account_id, settings.sim.capital),
        lease,
        timeout_s=0.5,
    )
    with pytest.raises(GatewayError, match="is `arbig sim-exchange` running"):
        await gateway.connect()


async def test_the_exchange_and_a_link_stop_when_asked_though_their_cancellations_are_lost(
    exchange: tuple[SimGateway, SimExchange],
    client: Redis,
    redis_url: str,
    prefix: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _sim, served = exchange
    reads = lose_cancellations(monkeypatch, "xread")
    lease = CoreLease(client, prefix, "core-a", 30.0)
    await lease.try_acquire()
    gateway, _ = await _link(redis_url, prefix, lease)
    running = served._task
    assert running is not None
    try:
        await eventually(lambda: running.get_name() in reads.reading)
        running.cancel()
        await asyncio.sleep(1.5)  # reading on, as in the hung CI run
        assert reads.lost == [running.get_name()]
        assert not running.done()
    finally:
        async with asyncio.timeout(5.0):
            await gateway.close()
            assert await served.stop()
    assert running.done() and not running.cancelled()
    # Closing the link cancelled its readers at once, and they lost it too.
    assert sorted(reads.lost[1:]) == ["sim-link-events", "sim-link-replies"]
    readers = [task for task in asyncio.all_tasks() if task.get_name().startswith("sim-")]
    assert readers == []
