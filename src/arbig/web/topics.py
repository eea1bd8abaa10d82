"""WebSocket topics: which core event goes to which topic, under which message type."""

import re
from typing import Any

from arbig.api.events import EventType
from arbig.domain.bar import Bar
from arbig.domain.snapshot import PositionSnapshot
from arbig.domain.tick import Tick

_SYMBOL = r"[a-z]{1,2}\d{3,4}"
_PLAIN_TOPICS = "positions|account|orders|trades|triggers|system"
_TOPIC = re.compile(rf"^(?:(?:tick|bar):{_SYMBOL}|{_PLAIN_TOPICS})$")

MESSAGE_TYPE = {
    "tick": "tick",
    "bar": "bar",
    "positions": "positions",
    "account": "account",
    "orders": "order",
    "trades": "trade",
    "triggers": "trigger",
    "system": "system",
}


def is_valid_topic(topic: str) -> bool:
    return _TOPIC.match(topic) is not None


def topic_kind(topic: str) -> str:
    return topic.split(":", 1)[0]


def is_conflated(topic: str) -> bool:
    """Ticks carry the whole quote, so a slow client only needs the newest one."""
    return topic.startswith("tick:")


def topic_of(event_type: EventType, payload: Any) -> str | None:
    """The topic an event is published on, or None for events not pushed to browsers."""
    if event_type is EventType.TICK and isinstance(payload, Tick):
        return f"tick:{payload.symbol}"
    if event_type is EventType.BAR and isinstance(payload, Bar):
        return f"bar:{payload.symbol}"
    return _PLAIN.get(event_type)


def browser_payload(event_type: EventType, payload: Any) -> Any:
    """What a topic's message carries: the core's positions event lists every leg it
    has seen, flat ones included (for the stores that remove them), while the topic
    carries the open positions, as ``GET /positions`` does."""
    if event_type is EventType.POSITIONS and isinstance(payload, list):
        return [p for p in payload if not isinstance(p, PositionSnapshot) or p.volume > 0]
    return payload


_PLAIN = {
    EventType.POSITIONS: "positions",
    EventType.ACCOUNT: "account",
    EventType.ORDER: "orders",
    EventType.TRADE: "trades",
    EventType.TRIGGER: "triggers",
    EventType.SYSTEM: "system",
}
