"""The WebSocket hub: topic subscriptions, per-topic sequence numbers, fan-out.

Each message is serialised once and handed to every subscribed channel. A
channel never blocks the hub: ticks are conflated to the newest per symbol,
other messages wait in a bounded queue, and a channel that falls too far
behind is closed with a reason (after Freqtrade's channel design).
"""

import asyncio
import contextlib
from collections import deque
from typing import Any

import orjson
import structlog
from starlette.websockets import WebSocket

from arbig.codec import to_jsonable
from arbig.engine.bus import EventType
from arbig.web.topics import MESSAGE_TYPE, is_conflated, topic_kind, topic_of

log = structlog.get_logger(__name__)

CLOSE_TOO_SLOW = 4008
CLOSE_IDLE = 4000


def envelope(topic: str, seq: int, data: Any, *, snapshot: bool = False) -> str:
    message: dict[str, Any] = {
        "type": MESSAGE_TYPE[topic_kind(topic)],
        "topic": topic,
        "seq": seq,
        "data": to_jsonable(data),
    }
    if snapshot:
        message["snapshot"] = True
    return orjson.dumps(message).decode()


class Channel:
    """One connected browser or script."""

    def __init__(self, websocket: WebSocket, *, queue_limit: int, send_timeout: float) -> None:
        self.websocket = websocket
        self.topics: set[str] = set()
        self._queue: deque[str] = deque()
        self._latest: dict[str, str] = {}
        self._limit = queue_limit
        self._send_timeout = send_timeout
        self._wakeup = asyncio.Event()
        self.close_reason: str | None = None
        self.sent = 0

    def offer(self, topic: str, text: str) -> None:
        if self.close_reason is not None:
            return
        if is_conflated(topic):
            self._latest.pop(topic, None)
            self._latest[topic] = text
        elif len(self._queue) >= self._limit:
            self.close_reason = f"too slow: more than {self._limit} messages behind"
        else:
            self._queue.append(text)
        self._wakeup.set()

    def reply(self, message: dict[str, Any]) -> None:
        """An answer to the client's own op: never dropped, never conflated."""
        self._queue.append(orjson.dumps(message).decode())
        self._wakeup.set()

    def _next(self) -> str | None:
        if self._queue:
            return self._queue.popleft()
        if self._latest:
            topic = next(iter(self._latest))
            return self._latest.pop(topic)
        return None

    async def run_sender(self) -> None:
        while True:
            await self._wakeup.wait()
            self._wakeup.clear()
            while (text := self._next()) is not None:
                if self.close_reason is not None:
                    break
                try:
                    # asyncio.timeout, not wait_for: no extra task per message on the hot path.
                    async with asyncio.timeout(self._send_timeout):
                        await self.websocket.send_text(text)
                except TimeoutError:
                    self.close_reason = f"too slow: a send took over {self._send_timeout:g} s"
                    break
                self.sent += 1
            if self.close_reason is not None:
                with contextlib.suppress(Exception):
                    await self.websocket.close(CLOSE_TOO_SLOW, self.close_reason)
                return


class Hub:
    def __init__(self, *, queue_limit: int = 512, send_timeout: float = 5.0) -> None:
        self._seq: dict[str, int] = {}
        self._subscribers: dict[str, set[Channel]] = {}
        self.channels: set[Channel] = set()
        self.queue_limit = queue_limit
        self.send_timeout = send_timeout

    def seq(self, topic: str) -> int:
        return self._seq.get(topic, 0)

    def on_event(self, event_type: EventType, payload: Any) -> None:
        topic = topic_of(event_type, payload)
        if topic is None:
            return
        seq = self._seq[topic] = self._seq.get(topic, 0) + 1
        channels = self._subscribers.get(topic)
        if not channels:
            return
        text = envelope(topic, seq, payload)
        for channel in channels:
            channel.offer(topic, text)

    def open(self, websocket: WebSocket) -> Channel:
        channel = Channel(websocket, queue_limit=self.queue_limit, send_timeout=self.send_timeout)
        self.channels.add(channel)
        return channel

    def close(self, channel: Channel) -> None:
        for topic in channel.topics:
            self._subscribers.get(topic, set()).discard(channel)
        channel.topics.clear()
        self.channels.discard(channel)

    def subscribe(self, channel: Channel, topic: str, snapshot: Any | None) -> None:
        """Subscribe and queue the topic's current state first (synchronously, so no
        change can slip between the snapshot and the subscription)."""
        if snapshot is not None:
            channel.offer(topic, envelope(topic, self.seq(topic), snapshot, snapshot=True))
        channel.topics.add(topic)
        self._subscribers.setdefault(topic, set()).add(channel)

    def unsubscribe(self, channel: Channel, topic: str) -> None:
        channel.topics.discard(topic)
        self._subscribers.get(topic, set()).discard(channel)
