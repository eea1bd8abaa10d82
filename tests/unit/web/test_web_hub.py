"""The hub never lets a slow client hold up the others."""

import asyncio
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import orjson

from arbig.domain.enums import Exchange
from arbig.domain.tick import Tick
from arbig.engine.bus import EventType
from arbig.web.hub import CLOSE_TOO_SLOW, Hub


class RecordingSocket:
    """A stand-in for a browser's socket: records what it is sent; optionally never reads."""

    def __init__(self, *, stalled: bool = False) -> None:
        self.sent: list[dict[str, Any]] = []
        self.closed: tuple[int, str] | None = None
        self.stalled = stalled

    async def send_text(self, text: str) -> None:
        if self.stalled:
            await asyncio.Event().wait()
        self.sent.append(orjson.loads(text))

    async def close(self, code: int, reason: str) -> None:
        self.closed = (code, reason)


def tick(n: int, symbol: str = "au2612") -> Tick:
    price = Decimal("900.00") + Decimal("0.02") * n
    return Tick(
        symbol=symbol,
        exchange=Exchange.SHFE,
        datetime=datetime.now(UTC),
        trading_day=datetime.now(UTC).date(),
        last_price=price,
        volume=n,
        turnover=Decimal(0),
        open_interest=1,
        bid_price=price,
        bid_volume=1,
        ask_price=price,
        ask_volume=1,
        open_price=price,
        high_price=price,
        low_price=price,
        pre_settlement=price,
        pre_close=price,
        limit_up=price,
        limit_down=price,
    )


async def test_ticks_are_conflated_to_the_newest_for_a_client_that_lags() -> None:
    hub = Hub()
    socket = RecordingSocket()
    channel = hub.open(socket)  # type: ignore[arg-type]
    hub.subscribe(channel, "tick:au2612", None)
    for n in range(1, 51):  # a burst before the client's sender gets to run
        hub.on_event(EventType.TICK, tick(n))
    sender = asyncio.create_task(channel.run_sender())
    await asyncio.sleep(0.01)
    sender.cancel()
    assert [m["seq"] for m in socket.sent] == [50]
    assert socket.sent[0]["data"]["volume"] == 50


async def test_a_client_that_stops_reading_is_closed_and_the_others_keep_up() -> None:
    hub = Hub(queue_limit=20, send_timeout=0.2)
    slow, fast = RecordingSocket(stalled=True), RecordingSocket()
    slow_channel, fast_channel = hub.open(slow), hub.open(fast)  # type: ignore[arg-type]
    for channel in (slow_channel, fast_channel):
        hub.subscribe(channel, "orders", None)
    senders = [asyncio.create_task(c.run_sender()) for c in (slow_channel, fast_channel)]
    for n in range(100):
        hub.on_event(EventType.ORDER, {"n": n})
        await asyncio.sleep(0)
    await asyncio.sleep(0.5)
    assert [m["seq"] for m in fast.sent] == list(range(1, 101))
    assert slow.closed is not None and slow.closed[0] == CLOSE_TOO_SLOW
    assert "too slow" in slow.closed[1]
    for sender in senders:
        sender.cancel()


async def test_a_client_far_behind_on_a_queued_topic_is_disconnected_with_the_reason() -> None:
    hub = Hub(queue_limit=10, send_timeout=5)
    socket = RecordingSocket()
    channel = hub.open(socket)  # type: ignore[arg-type]
    hub.subscribe(channel, "trades", None)
    for n in range(11):
        hub.on_event(EventType.TRADE, {"n": n})
    await asyncio.wait_for(channel.run_sender(), 1)
    assert socket.closed == (CLOSE_TOO_SLOW, "too slow: more than 10 messages behind")


def test_seq_grows_by_one_per_topic_even_with_no_subscriber() -> None:
    hub = Hub()
    for _ in range(3):
        hub.on_event(EventType.ACCOUNT, {})
    hub.on_event(EventType.POSITIONS, [])
    assert hub.seq("account") == 3
    assert hub.seq("positions") == 1
