"""/ws under a real uvicorn with ARBIG's protocol class: the hub writes ready-made
frames to clients that keep up, and a client that stops reading is dropped alone.
With uvicorn's own protocol (the fallback on another uvicorn version) every message
goes through ASGI, and the same holds."""

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import orjson
import pytest
import uvicorn
from fastapi import FastAPI
from webkit import SYMBOL, make_settings
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from arbig.api.events import EventType
from arbig.auth.credential_file import CredentialFile
from arbig.embedded import embedded_app
from arbig.fastpath import UVICORN_FRAME_SINK
from arbig.web.app import SERVER_OPTIONS
from arbig.web.frames import Outgoing
from arbig.web.hub import CLOSE_IDLE, CLOSE_TOO_SLOW, Hub
from arbig.web.server_ws import FrameSinkProtocol


class Served:
    def __init__(self, app: FastAPI, port: int, token: str) -> None:
        self.app = app
        self.url = f"ws://127.0.0.1:{port}/ws"
        self.headers = {"Authorization": f"Bearer {token}"}

    @property
    def hub(self) -> Hub:
        hub: Hub = self.app.state.hub
        return hub

    def connect(self, compression: str | None = None) -> Any:
        return connect(self.url, additional_headers=self.headers, compression=compression)


@pytest.fixture
def options() -> dict[str, Any]:
    return SERVER_OPTIONS


@pytest.fixture
async def served(tmp_path: Path, options: dict[str, Any]) -> AsyncIterator[Served]:
    settings = make_settings(tmp_path / "data")
    store = CredentialFile(settings.data_dir)
    creds = store.load()
    creds.set_password("correct horse battery")
    token = creds.add_token("ws-test")
    store.save(creds)
    app = embedded_app(settings)
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_config=None, **options)
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:  # noqa: ASYNC110 (uvicorn offers no event to wait on)
        await asyncio.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]
    yield Served(app, port, token)
    server.should_exit = True
    await asyncio.wait_for(task, 15)


async def receive(ws: ClientConnection) -> dict[str, Any]:
    message: dict[str, Any] = orjson.loads(await asyncio.wait_for(ws.recv(), 10))
    return message


async def subscribe(ws: ClientConnection, *topics: str) -> None:
    await ws.send(orjson.dumps({"op": "subscribe", "topics": list(topics)}).decode())
    assert (await receive(ws))["type"] == "ack"


def test_on_the_pinned_uvicorn_the_server_runs_the_frame_sink_protocol() -> None:
    assert UVICORN_FRAME_SINK.installed() == UVICORN_FRAME_SINK.version
    assert SERVER_OPTIONS["ws"] is FrameSinkProtocol


async def test_ticks_reach_every_client_through_the_frame_sink_in_seq_order(
    served: Served,
) -> None:
    topic = f"tick:{SYMBOL}"
    async with served.connect() as one, served.connect() as two:
        for ws in (one, two):
            await subscribe(ws, topic)
        assert all(channel.sink is not None for channel in served.hub.channels)
        for ws in (one, two):
            messages = [await receive(ws) for _ in range(4)]
            # (no tick snapshot if the simulator has not ticked yet since the start)
            assert all(m["type"] == "tick" for m in messages)
            seqs = [m["seq"] for m in messages]
            assert seqs == sorted(set(seqs))
            await ws.send(b"\x00")  # a reply goes the same way, and the connection stays
            while (message := await receive(ws))["type"] != "error":
                pass
            assert message["message"] == "binary frames are not supported"
            await ws.send('{"op": "ping"}')
            while (message := await receive(ws))["type"] != "pong":
                pass


async def test_a_client_that_stops_reading_is_dropped_and_the_others_get_everything(
    served: Served,
) -> None:
    served.hub.send_timeout = 0.5
    blob = "x" * 100_000  # 20 MB in all: more than the socket buffers of a stopped reader
    async with served.connect() as fast, served.connect() as slow:
        for ws in (fast, slow):
            await subscribe(ws, "system")
        channels = list(served.hub.channels)
        while (await receive(fast)).get("snapshot") is not True:
            pass
        # `slow` is never read from again: its client stops reading from the socket
        # once its own small queue is full.
        first = served.hub.seq("system") + 1
        for n in range(200):
            served.hub.on_event(EventType.SYSTEM, {"n": n, "blob": blob})
            await asyncio.sleep(0)
        got = []
        while len(got) < 200:
            message = await receive(fast)
            if message.get("topic") == "system" and "n" in message["data"]:
                got.append(message["seq"])
        assert got == list(range(first, first + 200))
        for _ in range(50):
            if any(c.close_reason for c in channels):
                break
            await asyncio.sleep(0.1)
        reasons = sorted(str(c.close_reason) for c in channels)
        assert reasons == ["None", "too slow: a send took over 0.5 s"]
        with pytest.raises(ConnectionClosed) as closed:
            while True:
                await asyncio.wait_for(slow.recv(), 10)
        # Dropped with its buffer: it never reads as far as the close frame.
        assert closed.value.rcvd is None or closed.value.rcvd.code == CLOSE_TOO_SLOW
        await fast.send('{"op": "ping"}')
        while (await receive(fast))["type"] != "pong":
            pass


async def test_a_silent_client_is_closed_as_idle(served: Served) -> None:
    served.app.state.ws_idle_timeout = 0.3
    async with served.connect() as ws:
        with pytest.raises(ConnectionClosed) as closed:
            await asyncio.wait_for(ws.recv(), 5)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == CLOSE_IDLE


async def test_an_idle_client_whose_buffer_is_full_is_dropped_within_the_send_timeout(
    served: Served,
) -> None:
    served.app.state.ws_idle_timeout = 1.0
    served.hub.send_timeout = 0.5
    blob = "x" * 100_000
    async with served.connect() as ws:
        await subscribe(ws, "system")
        (channel,) = served.hub.channels
        assert channel.sink is not None
        # Frames written while the socket takes them, until it takes no more: no sender
        # task is left to find the client too slow, only a full buffer that the close
        # frame waits behind.
        frame = Outgoing(orjson.dumps({"type": "system", "data": blob}).decode()).frame
        while True:
            while channel.sink.can_write():
                channel.sink.write_frame(frame)
            await asyncio.sleep(0.3)  # the kernel's buffers fill up behind it
            if not channel.sink.can_write():
                break
        assert channel.close_reason is None
        loop = asyncio.get_running_loop()
        started = loop.time()
        while served.hub.channels:
            assert loop.time() - started < 5, "the idle close hung on the full buffer"
            await asyncio.sleep(0.05)
    assert channel.close_reason == "closed"


@pytest.mark.parametrize("options", [{**SERVER_OPTIONS, "ws_per_message_deflate": True}])
async def test_with_permessage_deflate_the_hub_uses_plain_asgi_sends(served: Served) -> None:
    topic = f"tick:{SYMBOL}"
    async with served.connect(compression="deflate") as ws:
        await subscribe(ws, topic)
        assert [channel.sink for channel in served.hub.channels] == [None]
        messages = [await receive(ws) for _ in range(3)]
    assert all(m["type"] == "tick" for m in messages)
    assert [m["seq"] for m in messages] == sorted({m["seq"] for m in messages})


@pytest.mark.parametrize("options", [{**SERVER_OPTIONS, "ws": "auto"}])
async def test_with_uvicorns_own_protocol_ticks_and_replies_go_through_asgi(
    served: Served,
) -> None:
    topic = f"tick:{SYMBOL}"
    async with served.connect() as one, served.connect() as two:
        for ws in (one, two):
            await subscribe(ws, topic)
        assert [channel.sink for channel in served.hub.channels] == [None, None]
        for ws in (one, two):
            messages = [await receive(ws) for _ in range(3)]
            assert all(m["type"] == "tick" for m in messages)
            assert [m["seq"] for m in messages] == sorted({m["seq"] for m in messages})
            await ws.send('{"op": "ping"}')
            while (await receive(ws))["type"] != "pong":
                pass
