"""The hub never lets a slow client hold up the others."""

import asyncio
import tracemalloc
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import orjson

from arbig.api.events import Event, EventType, Gap
from arbig.domain.enums import Direction, Exchange
from arbig.domain.snapshot import PositionSnapshot
from arbig.domain.tick import Tick
from arbig.web.hub import CLOSE_TOO_SLOW, GONE, Hub
from arbig.web.ws import MAX_TOPICS_PER_CONNECTION, handle, relay


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
        if self.stalled:
            await asyncio.Event().wait()
        self.closed = (code, reason)


class RecordingSink:
    """A stand-in for the server's frame sink, with a write buffer that can be full."""

    def __init__(self) -> None:
        self.frames: list[bytes] = []
        self.writable = asyncio.Event()
        self.writable.set()
        self.aborted = False

    def can_write(self) -> bool:
        return self.writable.is_set() and not self.aborted

    def write_frame(self, frame: bytes) -> None:
        self.frames.append(frame)

    async def until_writable(self) -> bool:
        await self.writable.wait()
        return self.can_write()

    def abort(self) -> None:
        self.aborted = True

    def messages(self) -> list[dict[str, Any]]:
        out = []
        for frame in self.frames:
            assert frame[0] == 0x81  # one unfragmented text frame, unmasked
            length = frame[1] & 0x7F
            offset = 2 if length < 126 else 4
            out.append(orjson.loads(frame[offset:]))
        return out


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
    await asyncio.sleep(0.01)
    assert [m["seq"] for m in socket.sent] == [50]
    assert socket.sent[0]["data"]["volume"] == 50


async def test_a_client_that_stops_reading_is_closed_and_the_others_keep_up() -> None:
    hub = Hub(queue_limit=20, send_timeout=0.2)
    slow, fast = RecordingSocket(stalled=True), RecordingSocket()
    slow_channel, fast_channel = hub.open(slow), hub.open(fast)  # type: ignore[arg-type]
    for channel in (slow_channel, fast_channel):
        hub.subscribe(channel, "orders", None)
    for n in range(100):
        hub.on_event(EventType.ORDER, {"n": n})
        await asyncio.sleep(0)
    await asyncio.sleep(0.5)
    assert [m["seq"] for m in fast.sent] == list(range(1, 101))
    assert slow_channel.close_reason is not None and "too slow" in slow_channel.close_reason


async def test_a_client_far_behind_on_a_queued_topic_is_disconnected_with_the_reason() -> None:
    hub = Hub(queue_limit=10, send_timeout=5)
    socket = RecordingSocket()
    channel = hub.open(socket)  # type: ignore[arg-type]
    hub.subscribe(channel, "trades", None)
    for n in range(11):
        hub.on_event(EventType.TRADE, {"n": n})
    await asyncio.sleep(0.05)
    assert socket.closed == (CLOSE_TOO_SLOW, "too slow: more than 10 messages behind")
    assert socket.sent == []


def test_seq_grows_by_one_per_topic_even_with_no_subscriber() -> None:
    hub = Hub()
    for _ in range(3):
        hub.on_event(EventType.ACCOUNT, {})
    hub.on_event(EventType.POSITIONS, [])
    assert hub.seq("account") == 3
    assert hub.seq("positions") == 1


async def test_clients_keeping_up_get_one_frame_written_at_once_without_a_task() -> None:
    hub = Hub()
    sinks = [RecordingSink() for _ in range(3)]
    channels = [hub.open(RecordingSocket(), sink) for sink in sinks]  # type: ignore[arg-type]
    for channel in channels:
        hub.subscribe(channel, "tick:au2612", tick(0))
    tasks = len(asyncio.all_tasks())
    hub.on_event(EventType.TICK, tick(1))
    assert len(asyncio.all_tasks()) == tasks
    assert all(sink.frames[1] is sinks[0].frames[1] for sink in sinks)  # built once
    first = sinks[0].messages()
    assert first[0]["snapshot"] is True and first[0]["seq"] == 0
    assert first[1]["seq"] == 1 and first[1]["data"]["volume"] == 1


async def test_a_client_behind_catches_up_in_order_then_is_written_directly_again() -> None:
    hub = Hub(send_timeout=5)
    sink = RecordingSink()
    channel = hub.open(RecordingSocket(), sink)  # type: ignore[arg-type]
    for topic in ("tick:au2612", "orders"):
        hub.subscribe(channel, topic, None)
    sink.writable.clear()  # its socket's buffer is full
    for n in range(1, 4):
        hub.on_event(EventType.TICK, tick(n))
        hub.on_event(EventType.ORDER, {"n": n})
    channel.reply({"type": "pong"})
    await asyncio.sleep(0.01)
    assert sink.frames == []
    sink.writable.set()
    await asyncio.sleep(0.01)
    hub.on_event(EventType.TICK, tick(4))  # caught up: written at once
    got = [(m.get("topic"), m.get("seq")) for m in sink.messages()]
    assert got == [
        ("orders", 1),
        ("orders", 2),
        ("orders", 3),
        (None, None),  # the pong, after what was already waiting
        ("tick:au2612", 3),  # the newest tick only
        ("tick:au2612", 4),
    ]


async def test_a_client_whose_buffer_stays_full_is_closed_and_then_dropped() -> None:
    hub = Hub(send_timeout=0.1)
    sink, fast_sink = RecordingSink(), RecordingSink()
    stuck = RecordingSocket(stalled=True)  # not even the close frame gets through
    channel = hub.open(stuck, sink)  # type: ignore[arg-type]
    fast = hub.open(RecordingSocket(), fast_sink)  # type: ignore[arg-type]
    for c in (channel, fast):
        hub.subscribe(c, "orders", None)
    sink.writable.clear()
    for n in range(5):
        hub.on_event(EventType.ORDER, {"n": n})
    assert len(fast_sink.frames) == 5
    await asyncio.sleep(0.4)
    assert channel.close_reason == "too slow: a send took over 0.1 s"
    assert sink.aborted and sink.frames == []


async def test_a_write_that_fails_does_not_stop_the_fan_out_to_the_others() -> None:
    class BrokenSink(RecordingSink):
        def write_frame(self, frame: bytes) -> None:
            raise ConnectionResetError

    hub = Hub(send_timeout=0.1)
    broken, fine = BrokenSink(), RecordingSink()
    channels = [hub.open(RecordingSocket(), s) for s in (broken, fine)]  # type: ignore[arg-type]
    for channel in channels:
        hub.subscribe(channel, "orders", None)
    for n in range(3):
        hub.on_event(EventType.ORDER, {"n": n})
    assert [m["seq"] for m in fine.messages()] == [1, 2, 3]
    await asyncio.sleep(0.05)
    assert channels[0].close_reason == GONE


class GappyClient:
    """Just what ``relay`` reads of a core client: events (one of them a gap) and the
    working orders it resends as a snapshot after the gap."""

    def __init__(self, items: list[Event | Gap]) -> None:
        self.items = items

    async def events(self) -> AsyncIterator[Event | Gap]:
        for item in self.items:
            yield item

    async def orders(self, *, active_only: bool = False) -> list[dict[str, str]]:
        return [{"order_id": "o-2"}]


async def test_after_a_gap_every_subscribed_topic_gets_a_fresh_snapshot() -> None:
    hub = Hub()
    socket = RecordingSocket()
    channel = hub.open(socket)  # type: ignore[arg-type]
    hub.subscribe(channel, "orders", None)
    client = GappyClient(
        [Event(EventType.ORDER, {"order_id": "o-1"}), Gap(7), Event(EventType.ACCOUNT, {})]
    )
    await relay(client, hub)  # type: ignore[arg-type]
    await asyncio.sleep(0.01)
    assert [(m["seq"], m.get("snapshot", False), m["data"]) for m in socket.sent] == [
        (1, False, {"order_id": "o-1"}),
        (2, True, [{"order_id": "o-2"}]),
    ]


async def test_made_up_topics_leave_the_tables_with_their_last_subscriber() -> None:
    # Each connection subscribes to as many new well-formed names as it may, then
    # leaves (or unsubscribes): 3 x 100k names must not stay behind.
    hub = Hub()
    tracemalloc.start()
    try:
        baseline = tracemalloc.take_snapshot()
        for round_ in range(3):
            for start in range(0, 100_000, MAX_TOPICS_PER_CONNECTION):
                channel = hub.open(RecordingSocket())  # type: ignore[arg-type]
                names = [f"tick:a{round_}{n:06d}" for n in range(start, start + 64)]
                for name in names:
                    hub.subscribe(channel, name, None)
                if start % 2:
                    for name in names:
                        hub.unsubscribe(channel, name)
                hub.close(channel)
            assert hub.table_size == 0
        grown = sum(
            stat.size_diff for stat in tracemalloc.take_snapshot().compare_to(baseline, "filename")
        )
    finally:
        tracemalloc.stop()
    assert grown < 1_000_000


async def test_a_connection_past_its_subscription_cap_is_told_why() -> None:
    hub = Hub()
    socket = RecordingSocket()
    channel = hub.open(socket)  # type: ignore[arg-type]
    for n in range(MAX_TOPICS_PER_CONNECTION):
        hub.subscribe(channel, f"tick:au{n:04d}", None)
    await handle(channel, hub, None, '{"op": "subscribe", "topics": ["tick:ag2612"]}')  # type: ignore[arg-type]
    await asyncio.sleep(0.01)
    assert len(channel.topics) == MAX_TOPICS_PER_CONNECTION
    [error] = [m for m in socket.sent if m.get("type") == "error"]
    assert "too many subscriptions" in error["message"]
    hub.close(channel)


def position(symbol: str, volume: int) -> PositionSnapshot:
    now = datetime(2026, 12, 3, 1, 0, tzinfo=UTC)
    return PositionSnapshot(
        account_id="sim-001",
        symbol=symbol,
        direction=Direction.LONG,
        volume=volume,
        volume_today=volume,
        volume_yesterday=0,
        avg_price=Decimal("920.00"),
        current_price=Decimal("921.00"),
        unrealized_pnl=Decimal(1000 * volume),
        margin=Decimal(0),
        open_time=now,
        update_time=now,
    )


def test_the_positions_topic_carries_open_positions_only_as_get_positions_does() -> None:
    hub = Hub()
    sink = RecordingSink()
    channel = hub.open(RecordingSocket(), sink)  # type: ignore[arg-type]
    hub.subscribe(channel, "positions", [])
    # the core's event lists every leg it has seen; au2704 was just closed
    hub.on_event(EventType.POSITIONS, [position("au2702", 2), position("au2704", 0)])
    [_, change] = sink.messages()
    assert change["type"] == "positions"
    assert [p["symbol"] for p in change["data"]] == ["au2702"]
