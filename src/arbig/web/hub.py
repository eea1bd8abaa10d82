"""The WebSocket hub: topic subscriptions, per-topic sequence numbers, fan-out.

Each message is serialised once and handed to every subscribed channel. A
channel that is keeping up gets it written at once, as a frame built once for all
(when the server offers a frame sink, see frames.py): the same loop as
``websockets.broadcast``, with no task or await per client. A channel that is
behind (something queued, or its socket's buffer full) never blocks the hub: it
gets a sender task until it has caught up; meanwhile ticks are conflated to the
newest per symbol, other messages wait in a bounded queue, and a channel that
falls too far behind is closed with a reason (after Freqtrade's channel design).
"""

import asyncio
import contextlib
import time
from collections import deque
from typing import Any

import orjson
import structlog
from starlette.websockets import WebSocket

from arbig.api.events import EventType
from arbig.codec import json_bytes, tick_fields
from arbig.domain.tick import Tick
from arbig.ops.metrics import Metrics
from arbig.web.frames import FrameSink, Outgoing
from arbig.web.topics import MESSAGE_TYPE, browser_payload, is_conflated, topic_kind, topic_of

log = structlog.get_logger(__name__)

CLOSE_TOO_SLOW = 4008
CLOSE_IDLE = 4000
GONE = "disconnected"  # the close reason of a channel whose socket failed


def envelope(topic: str, seq: int, data: Any, *, snapshot: bool = False) -> str:
    message: dict[str, Any] = {
        "type": MESSAGE_TYPE[topic_kind(topic)],
        "topic": topic,
        "seq": seq,
        # A tick is most of the traffic: its fields go to orjson as they are (see
        # codec.json_bytes).
        "data": tick_fields(data) if isinstance(data, Tick) else data,
    }
    if snapshot:
        message["snapshot"] = True
    return json_bytes(message).decode()


class Gone(Exception):
    """The connection closed while a message waited for it."""


class Channel:
    """One connected browser or script.

    Invariant: something is queued only while a sender task runs, so a message is
    written at once only when nothing older is waiting, and order is kept.
    """

    def __init__(
        self,
        websocket: WebSocket,
        sink: FrameSink | None = None,
        *,
        queue_limit: int,
        send_timeout: float,
    ) -> None:
        self.websocket = websocket
        self.sink = sink
        self.topics: set[str] = set()
        # Created when first behind: an empty deque alone is 760 bytes.
        self._queue: deque[Outgoing] | None = None
        self._latest: dict[str, Outgoing] = {}
        self._limit = queue_limit
        self._send_timeout = send_timeout
        # Only while behind: an idle client costs no task.
        self._sender: asyncio.Task[None] | None = None
        self.close_reason: str | None = None
        self.sent = 0

    def offer(self, topic: str, message: Outgoing) -> None:
        if self.close_reason is not None:
            return
        if self._sender is None and self._write_now(message):
            return
        if is_conflated(topic):
            self._latest.pop(topic, None)
            self._latest[topic] = message
        elif self._queue is None:
            self._queue = deque((message,))
        elif len(self._queue) >= self._limit:
            self.close_reason = f"too slow: more than {self._limit} messages behind"
        else:
            self._queue.append(message)
        self._start_sender()

    def reply(self, message: dict[str, Any]) -> None:
        """An answer to the client's own op: never dropped, never conflated."""
        if self.close_reason is not None:
            return
        outgoing = Outgoing(orjson.dumps(message).decode())
        if self._sender is None and self._write_now(outgoing):
            return
        if self._queue is None:
            self._queue = deque()
        self._queue.append(outgoing)
        self._start_sender()

    def stop(self) -> None:
        """No more messages; a sender that is closing a too slow client may finish."""
        if self.close_reason is None:
            self.close_reason = "closed"
            if self._sender is not None:
                self._sender.cancel()

    def _write_now(self, message: Outgoing) -> bool:
        """Written at once if the socket takes it; if not, the caller queues it and the
        sender finds out whether the socket is only full or gone."""
        if self.sink is None or not self.sink.can_write():
            return False
        try:
            self.sink.write_frame(message.frame)
        except Exception:  # runs inside the hub's fan-out: never stop the other clients
            log.warning("websocket write failed", exc_info=True)
            return False
        self.sent += 1
        return True

    def _start_sender(self) -> None:
        if self._sender is None:
            self._sender = asyncio.get_running_loop().create_task(self._drain(), name="ws-sender")

    def _next(self) -> Outgoing | None:
        if self._queue:
            return self._queue.popleft()
        self._queue = None
        if self._latest:
            topic = next(iter(self._latest))
            return self._latest.pop(topic)
        return None

    async def _send(self, message: Outgoing) -> None:
        if self.sink is None:
            await self.websocket.send_text(message.text)
        elif await self.sink.until_writable():
            self.sink.write_frame(message.frame)
        else:
            raise Gone

    async def _drain(self) -> None:
        try:
            while self.close_reason is None and (message := self._next()) is not None:
                try:
                    # asyncio.timeout, not wait_for: no extra task per message.
                    async with asyncio.timeout(self._send_timeout):
                        await self._send(message)
                except TimeoutError:
                    self.close_reason = f"too slow: a send took over {self._send_timeout:g} s"
                except Exception:  # the client went away: its receive loop ends the channel
                    log.debug("websocket send failed", exc_info=True)
                    self.close_reason = GONE
                    return
                else:
                    self.sent += 1
            if self.close_reason is not None:
                self._queue = None
                self._latest.clear()
                await self.close(CLOSE_TOO_SLOW, self.close_reason)
        finally:
            self._sender = None

    async def close(self, code: int, reason: str) -> None:
        """Send the close frame, within the send timeout: it waits behind the unsent
        data, like any send, and a client that reads nothing would otherwise hold its
        buffer (and this task) until the keepalive ping gives up on it."""
        with contextlib.suppress(Exception):
            async with asyncio.timeout(self._send_timeout):
                await self.websocket.close(code, reason)
            return
        if self.sink is not None:
            self.sink.abort()


class Hub:
    def __init__(self, *, queue_limit: int = 512, send_timeout: float = 5.0) -> None:
        self._seq: dict[str, int] = {}
        self._subscribers: dict[str, set[Channel]] = {}
        self.channels: set[Channel] = set()
        self.queue_limit = queue_limit
        self.send_timeout = send_timeout
        self.metrics: Metrics | None = None

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
        message = Outgoing(envelope(topic, seq, browser_payload(event_type, payload)))
        for channel in channels:
            channel.offer(topic, message)
        if self.metrics is not None and event_type is EventType.TICK:
            self.metrics.tick_to_websocket.observe(time.time() - payload.datetime.timestamp())

    def topics(self) -> list[str]:
        """The topics someone is subscribed to."""
        return [topic for topic, channels in self._subscribers.items() if channels]

    def resync(self, topic: str, snapshot: Any) -> None:
        """After events were lost: the topic's state now, as a snapshot under the next
        seq (the console takes a snapshot as its new baseline)."""
        seq = self._seq[topic] = self._seq.get(topic, 0) + 1
        message = Outgoing(envelope(topic, seq, snapshot, snapshot=True))
        for channel in self._subscribers.get(topic, set()):
            channel.offer(topic, message)

    def open(self, websocket: WebSocket, sink: FrameSink | None = None) -> Channel:
        channel = Channel(
            websocket, sink, queue_limit=self.queue_limit, send_timeout=self.send_timeout
        )
        self.channels.add(channel)
        return channel

    def close(self, channel: Channel) -> None:
        if (
            self.metrics is not None
            and channel in self.channels
            and (channel.close_reason or "").startswith("too slow")
        ):
            self.metrics.websocket_slow_dropped.inc()
        for topic in channel.topics:
            self._drop(channel, topic)
        channel.topics.clear()
        channel.stop()
        self.channels.discard(channel)

    def subscribe(self, channel: Channel, topic: str, snapshot: Any | None) -> None:
        """Subscribe and queue the topic's current state first (synchronously, so no
        change can slip between the snapshot and the subscription)."""
        if snapshot is not None:
            channel.offer(
                topic, Outgoing(envelope(topic, self.seq(topic), snapshot, snapshot=True))
            )
        channel.topics.add(topic)
        self._subscribers.setdefault(topic, set()).add(channel)

    def unsubscribe(self, channel: Channel, topic: str) -> None:
        channel.topics.discard(topic)
        self._drop(channel, topic)

    def _drop(self, channel: Channel, topic: str) -> None:
        """A topic leaves the tables with its last subscriber: names a client made up
        (``tick:ab1234``) must not accumulate. Its seq is kept only while events come."""
        channels = self._subscribers.get(topic)
        if channels is None:
            return
        channels.discard(channel)
        if not channels:
            del self._subscribers[topic]

    @property
    def table_size(self) -> int:
        """Topics in the subscription table (every one has a subscriber)."""
        return len(self._subscribers)
