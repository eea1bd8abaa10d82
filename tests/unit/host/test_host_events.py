"""``events()`` of the in-process client: every bus event in order, through a bounded
queue; a consumer that falls behind loses the backlog and is told so by a ``Gap``."""

import asyncio
import contextlib
from collections.abc import AsyncIterator

from arbig.api.events import Event, EventType, Gap
from arbig.engine.bus import EventBus
from arbig.host.events import bus_events


async def take(events: AsyncIterator[Event | Gap], n: int) -> list[Event | Gap]:
    return [await anext(events) for _ in range(n)]


async def test_events_arrive_in_publication_order() -> None:
    bus = EventBus()
    events = bus_events(bus)
    bus.publish(EventType.ORDER, {"n": 1})
    bus.publish(EventType.TRADE, {"n": 2})
    assert await take(events, 2) == [
        Event(EventType.ORDER, {"n": 1}),
        Event(EventType.TRADE, {"n": 2}),
    ]
    waiting = asyncio.ensure_future(anext(events))
    await asyncio.sleep(0)
    bus.publish(EventType.SYSTEM, {"n": 3})
    assert await asyncio.wait_for(waiting, 1) == Event(EventType.SYSTEM, {"n": 3})
    await events.aclose()  # type: ignore[attr-defined]


async def test_a_subscriber_that_falls_behind_gets_a_gap_then_the_new_events() -> None:
    bus = EventBus()
    events = bus_events(bus, limit=3)
    for n in range(5):  # the fourth overflows: the three queued and it are lost
        bus.publish(EventType.ORDER, {"n": n})
    assert await take(events, 2) == [Gap(4), Event(EventType.ORDER, {"n": 4})]
    await events.aclose()  # type: ignore[attr-defined]


async def test_closing_the_iterator_unsubscribes_it() -> None:
    bus = EventBus()
    events = bus_events(bus)
    reading = asyncio.ensure_future(anext(events))
    await asyncio.sleep(0)
    reading.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await reading
    bus.publish(EventType.ORDER, {})
    assert bus._handlers.get(EventType.ORDER, ()) == ()
