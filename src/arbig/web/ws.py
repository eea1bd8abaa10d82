"""The /ws endpoint: the op protocol of DESIGN.md on top of the hub."""

import asyncio
import contextlib
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import orjson
import structlog
from fastapi import APIRouter, WebSocket, WebSocketDisconnect

from arbig.api.client import CoreClient
from arbig.api.events import Gap
from arbig.api.reports import TradeFilter
from arbig.web.frames import frame_sink
from arbig.web.hub import CLOSE_IDLE, GONE, Channel, Hub
from arbig.web.security import Guard
from arbig.web.topics import is_valid_topic, topic_kind

log = structlog.get_logger(__name__)
router = APIRouter()

MAX_MESSAGE_BYTES = 16 * 1024
MAX_TOPICS_PER_CONNECTION = 64  # the console uses about a dozen
SNAPSHOT_ROWS = 50  # the newest trades or triggers a list topic starts with
CLOSE_POLICY = 1008


class ProtocolError(ValueError):
    pass


def parse_op(text: str) -> tuple[str, list[str]]:
    """The op and its topics; ProtocolError says what is wrong with the message."""
    if len(text) > MAX_MESSAGE_BYTES:
        raise ProtocolError(f"message larger than {MAX_MESSAGE_BYTES} bytes")
    try:
        message = orjson.loads(text)
    except orjson.JSONDecodeError:
        raise ProtocolError("message is not valid JSON") from None
    if not isinstance(message, dict):
        raise ProtocolError("message must be a JSON object with an 'op'")
    op = message.get("op")
    if op == "ping":
        return "ping", []
    if op not in ("subscribe", "unsubscribe"):
        raise ProtocolError(f"unknown op {op!r}: expected subscribe, unsubscribe or ping")
    topics = message.get("topics")
    if not isinstance(topics, list) or not all(isinstance(t, str) for t in topics) or not topics:
        raise ProtocolError(f"{op} needs 'topics': a non-empty list of strings")
    bad = [t for t in topics if not is_valid_topic(t)]
    if bad:
        raise ProtocolError(
            f"unknown topic {bad[0][:64]!r}: expected tick:SYMBOL, bar:SYMBOL, positions, "
            "account, orders, trades, triggers or system"
        )
    return op, topics


async def snapshot_of(client: CoreClient, topic: str) -> Any | None:
    kind = topic_kind(topic)
    if kind == "tick":
        return await client.latest_tick(topic.split(":", 1)[1])
    if kind == "positions":
        return await client.positions()
    if kind == "account":
        return await client.account()
    if kind == "orders":
        return await client.orders(active_only=True)
    if kind == "system":
        return await client.health()
    if kind == "trades":
        records, _ = await client.trades(TradeFilter(), limit=SNAPSHOT_ROWS, offset=0)
        return [record.trade for record in records]
    if kind == "triggers":
        return await client.triggers(limit=SNAPSHOT_ROWS)
    if kind == "bar":
        now = datetime.now(UTC)
        symbol = topic.split(":", 1)[1]
        return await client.bars(
            symbol, now - timedelta(hours=24), now + timedelta(minutes=1), include_current=True
        )
    return None


async def relay(client: CoreClient, hub: Hub) -> None:
    """The core's events to the hub, until cancelled. After a ``Gap`` (the relay fell
    behind and events were dropped) every subscribed topic gets a fresh snapshot."""
    events = client.events()
    try:
        async for item in events:
            try:
                if isinstance(item, Gap):
                    log.warning("websocket relay fell behind: resending snapshots", lost=item.lost)
                    for topic in hub.topics():
                        snapshot = await snapshot_of(client, topic)
                        if snapshot is not None:
                            hub.resync(topic, snapshot)
                else:
                    hub.on_event(item.type, item.payload)
            except Exception:  # one bad event or snapshot must not stop the relay
                log.exception("websocket relay: an event could not be sent on")
    finally:
        aclose = getattr(events, "aclose", None)
        if aclose is not None:
            with contextlib.suppress(Exception):
                await aclose()


async def handle(channel: Channel, hub: Hub, client: CoreClient, text: str) -> None:
    try:
        op, topics = parse_op(text)
    except ProtocolError as exc:
        channel.reply({"type": "error", "message": str(exc)})
        return
    if op == "ping":
        channel.reply({"type": "pong"})
        return
    if op == "subscribe":
        wanted = channel.topics | set(topics)
        if len(wanted) > MAX_TOPICS_PER_CONNECTION:
            channel.reply(
                {
                    "type": "error",
                    "message": f"too many subscriptions: at most {MAX_TOPICS_PER_CONNECTION} "
                    f"topics per connection (this one has {len(channel.topics)}); "
                    "unsubscribe first",
                }
            )
            return
        channel.reply({"type": "ack", "op": op, "topics": topics})
        for topic in topics:
            if topic not in channel.topics:
                hub.subscribe(channel, topic, await snapshot_of(client, topic))
    else:
        for topic in topics:
            hub.unsubscribe(channel, topic)
        channel.reply({"type": "ack", "op": op, "topics": topics})


async def handshake_refusal(websocket: WebSocket, guard: Guard) -> str | None:
    """Why a handshake is refused: a browser page from another origin, or no credential."""
    origin = websocket.headers.get("origin")
    if origin is not None and urlsplit(origin).netloc != websocket.headers.get("host", ""):
        return "origin not allowed"
    if await guard.identify(websocket) is None:
        return "login required"
    return None


async def websocket_endpoint(websocket: WebSocket) -> None:
    hub: Hub = websocket.app.state.hub
    client: CoreClient = websocket.app.state.client
    idle_timeout: float = websocket.app.state.ws_idle_timeout
    guard: Guard = websocket.app.state.guard
    refusal = await handshake_refusal(websocket, guard)
    await websocket.accept()
    if refusal is not None:
        # Accept, then close with the reason: a browser never sees why a handshake
        # failed, but it does see a close code (1008) and its reason.
        await websocket.close(CLOSE_POLICY, refusal)
        return
    channel = hub.open(websocket, frame_sink(websocket.scope))
    try:
        while True:
            try:
                # asyncio.timeout, not wait_for: no task per receive, for every client.
                async with asyncio.timeout(idle_timeout):
                    message = await websocket.receive()
            except TimeoutError:
                await channel.close(CLOSE_IDLE, f"idle for {idle_timeout:g} s without a ping")
                break
            if message["type"] == "websocket.disconnect":
                break
            if channel.close_reason == GONE:
                break
            if channel.close_reason is not None:
                continue  # being closed as too slow: let the close frame go out first
            text = message.get("text")
            if text is None:
                channel.reply({"type": "error", "message": "binary frames are not supported"})
                continue
            await handle(channel, hub, client, text)
    except (WebSocketDisconnect, RuntimeError):
        pass
    finally:
        hub.close(channel)


# A plain Starlette route, not @router.websocket: FastAPI's wraps every connection in
# dependency solving and two exit stacks that stay alive as long as the socket, memory
# held per idle client (docs/performance.md) for an endpoint that uses none.
router.add_websocket_route("/ws", websocket_endpoint)
