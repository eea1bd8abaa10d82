"""The in-process event bus: synchronous dispatch in subscription order."""

from typing import Any

from structlog.testing import capture_logs

from arbig.engine.bus import EventBus, EventType


class Recorder:
    def __init__(self, name: str, seen: list[tuple[str, EventType, Any]]) -> None:
        self.name = name
        self.seen = seen

    def __call__(self, event: EventType, payload: Any) -> None:
        self.seen.append((self.name, event, payload))


def test_handlers_run_in_the_order_they_subscribed() -> None:
    bus = EventBus()
    seen: list[tuple[str, EventType, Any]] = []
    for name in ("portfolio", "tick_store", "hub"):
        bus.subscribe(EventType.TICK, Recorder(name, seen))

    bus.publish(EventType.TICK, "t1")

    assert seen == [
        ("portfolio", EventType.TICK, "t1"),
        ("tick_store", EventType.TICK, "t1"),
        ("hub", EventType.TICK, "t1"),
    ]


def test_dispatch_is_synchronous_every_handler_has_run_when_publish_returns() -> None:
    bus = EventBus()
    seen: list[tuple[str, EventType, Any]] = []
    bus.subscribe(EventType.ORDER, Recorder("a", seen))

    bus.publish(EventType.ORDER, 1)

    assert seen == [("a", EventType.ORDER, 1)]


def test_a_handler_hears_only_the_event_type_it_subscribed_to() -> None:
    bus = EventBus()
    seen: list[tuple[str, EventType, Any]] = []
    bus.subscribe(EventType.TRADE, Recorder("trades", seen))

    bus.publish(EventType.TICK, "tick")
    bus.publish(EventType.TRADE, "trade")

    assert seen == [("trades", EventType.TRADE, "trade")]


def test_subscribe_all_hears_every_event_type() -> None:
    bus = EventBus()
    seen: list[tuple[str, EventType, Any]] = []
    bus.subscribe_all(Recorder("all", seen))

    for event_type in EventType:
        bus.publish(event_type, None)

    assert [event for _, event, _ in seen] == list(EventType)


def test_publishing_with_no_handler_does_nothing() -> None:
    bus = EventBus()

    bus.publish(EventType.SYSTEM, {"gateway": True})

    assert bus.errors == 0


def test_a_raising_handler_is_logged_and_the_rest_still_run() -> None:
    bus = EventBus()
    seen: list[tuple[str, EventType, Any]] = []

    def broken(event: EventType, payload: Any) -> None:
        raise RuntimeError("boom")

    bus.subscribe(EventType.TICK, Recorder("before", seen))
    bus.subscribe(EventType.TICK, broken)
    bus.subscribe(EventType.TICK, Recorder("after", seen))

    with capture_logs() as logs:
        bus.publish(EventType.TICK, "t1")

    assert [name for name, _, _ in seen] == ["before", "after"]
    assert bus.errors == 1
    [entry] = logs
    assert entry["event"] == "event handler failed"
    assert entry["log_level"] == "error"
    assert entry["event_type"] == "tick"
    assert entry["exc_info"] is True
    assert "broken" in entry["handler"]


def test_errors_count_every_failure() -> None:
    bus = EventBus()

    def broken(event: EventType, payload: Any) -> None:
        raise ValueError("bad payload")

    bus.subscribe(EventType.BAR, broken)

    with capture_logs():
        bus.publish(EventType.BAR, 1)
        bus.publish(EventType.BAR, 2)

    assert bus.errors == 2


def test_an_unsubscribed_handler_hears_nothing_more() -> None:
    bus = EventBus()
    seen: list[tuple[str, EventType, Any]] = []
    handler = Recorder("gone", seen)
    bus.subscribe(EventType.TICK, handler)
    bus.publish(EventType.TICK, 1)

    bus.unsubscribe(EventType.TICK, handler)
    bus.publish(EventType.TICK, 2)

    assert seen == [("gone", EventType.TICK, 1)]


def test_unsubscribing_a_handler_that_never_subscribed_is_harmless() -> None:
    bus = EventBus()
    seen: list[tuple[str, EventType, Any]] = []
    kept = Recorder("kept", seen)
    bus.subscribe(EventType.TICK, kept)

    bus.unsubscribe(EventType.TICK, Recorder("stranger", seen))
    bus.unsubscribe(EventType.ORDER, kept)
    bus.publish(EventType.TICK, 1)

    assert seen == [("kept", EventType.TICK, 1)]


def test_unsubscribing_during_dispatch_does_not_skip_the_next_handler() -> None:
    bus = EventBus()
    seen: list[tuple[str, EventType, Any]] = []
    second = Recorder("second", seen)

    def once(event: EventType, payload: Any) -> None:
        seen.append(("once", event, payload))
        bus.unsubscribe(EventType.TICK, once)

    bus.subscribe(EventType.TICK, once)
    bus.subscribe(EventType.TICK, second)

    bus.publish(EventType.TICK, 1)
    bus.publish(EventType.TICK, 2)

    assert [(name, payload) for name, _, payload in seen] == [
        ("once", 1),
        ("second", 1),
        ("second", 2),
    ]


def test_a_handler_subscribed_during_dispatch_hears_from_the_next_event_on() -> None:
    bus = EventBus()
    seen: list[tuple[str, EventType, Any]] = []
    late = Recorder("late", seen)

    def first(event: EventType, payload: Any) -> None:
        seen.append(("first", event, payload))
        if payload == 1:
            bus.subscribe(EventType.TICK, late)

    bus.subscribe(EventType.TICK, first)
    bus.publish(EventType.TICK, 1)
    bus.publish(EventType.TICK, 2)

    assert [(name, payload) for name, _, payload in seen] == [
        ("first", 1),
        ("first", 2),
        ("late", 2),
    ]


def test_after_dispatch_runs_once_every_handler_has_seen_the_event() -> None:
    bus = EventBus()
    seen: list[str] = []

    def strategy(event: EventType, payload: Any) -> None:
        seen.append("strategy")
        bus.after_dispatch(lambda: seen.append("order sent"))

    bus.subscribe(EventType.TICK, strategy)
    bus.subscribe(EventType.TICK, lambda event, payload: seen.append("hub"))
    bus.publish(EventType.TICK, 1)

    assert seen == ["strategy", "hub", "order sent"]


def test_after_dispatch_waits_for_the_outermost_publication_and_runs_at_once_outside() -> None:
    bus = EventBus()
    seen: list[str] = []

    def on_tick(event: EventType, payload: Any) -> None:
        bus.publish(EventType.ORDER, "inner")
        seen.append("tick handled")

    def on_order(event: EventType, payload: Any) -> None:
        bus.after_dispatch(lambda: seen.append("after"))

    bus.subscribe(EventType.TICK, on_tick)
    bus.subscribe(EventType.ORDER, on_order)
    bus.publish(EventType.TICK, 1)
    bus.after_dispatch(lambda: seen.append("outside"))

    assert seen == ["tick handled", "after", "outside"]


def test_a_failing_after_dispatch_callback_is_counted_and_the_next_still_runs() -> None:
    bus = EventBus()
    seen: list[str] = []

    def handler(event: EventType, payload: Any) -> None:
        bus.after_dispatch(lambda: 1 / 0 and None)
        bus.after_dispatch(lambda: seen.append("second"))

    bus.subscribe(EventType.TICK, handler)
    with capture_logs():
        bus.publish(EventType.TICK, 1)

    assert seen == ["second"]
    assert bus.errors == 1
