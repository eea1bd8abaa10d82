"""WebSocket fan-out: ARBIG's hub beside the `websockets` library's own broadcast().

    .venv/bin/python bench/bench_ws.py [--clients 1,100,1000] [--rounds 5] [--no-memory]

Two servers, each in its own subprocess on 127.0.0.1, measured by the same client
harness (one asyncio process, `websockets` clients) in the same run:

- **ARBIG**: the real web app (``create_app``) under uvicorn, with the real embedded
  runtime (core, SQLite in a temporary folder, memory tick store) whose simulated
  exchange does not tick by itself (its interval is set to an hour). A bench-only
  route ``POST /_bench/burst`` produces the ticks:
  - latency runs call ``SimGateway.step()``: gateway -> core (hygiene, tick store,
    portfolio mark) -> ``bus.publish(TICK)`` -> hub -> the frame written to each
    client that keeps up (a sender task only for one that is behind), exactly as in
    production;
  - throughput runs call ``core.bus.publish(EventType.TICK, tick)`` directly (a copy
    of the last tick stamped now), the core's own publish call, so that the
    simulator's price path and state file do not cap the rate: what is measured is
    the web layer's fan-out, as for the reference.
  Clients authenticate with ``Authorization: Bearer`` at the handshake and
  subscribe to the tick topic of the default main contract.
- **reference**: a plain ``websockets`` server that serialises the same envelope
  (``arbig.web.hub.envelope`` of a Tick stamped with the publish time) once per
  tick and hands it to ``websockets.broadcast()`` for every connected client. It
  runs on uvloop when uvloop is installed, as uvicorn (``loop="auto"``) runs ARBIG,
  so that both servers have the same event loop under them.

Latency is the tick's own timestamp (set when it is produced) to the moment the
client coroutine has the message, over every (client, message) pair. Two runs per
client count and server:

- *latency*: ticks at a steady 20 per second (ten times CTP's cadence), p50/p99/max;
- *throughput*: ticks produced back to back for a fixed time; messages delivered
  per second summed over all clients, from the first tick to the last message.
  ARBIG conflates ticks per client (a client that is behind gets only the newest),
  so it may deliver fewer of the published ticks: the table shows how many. After
  one unrecorded burst each, the servers take turns for several rounds (both keep
  their clients connected), and each server's median round is compared: on this
  2-core VM the same server's rate moves by up to 50% from one second to the next
  (the same pure-CPU encoding takes 11 us in one round and 21 us in another), so a
  single burst each decides nothing.

First, the memory of an idle, subscribed client: the server's RSS with N clients
connected minus before they connected, divided by N, each on a freshly started
server, with clients that offer no extension and with clients that offer
permessage-deflate as browsers do.

Caveat: the clients share the machine with the server (2 cores here), so at 1000
clients the harness itself is part of what is measured, for both servers alike.
"""

import argparse
import asyncio
import base64
import contextlib
import os
import platform
import resource
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import orjson
import websockets
from _harness import harness_without_gc
from websockets.asyncio.client import connect

from arbig.config import default_main_contract

SYMBOL = default_main_contract()  # a listed month outside its delivery month, today
TOPIC = f"tick:{SYMBOL}"
LATENCY_TICKS = 40
LATENCY_INTERVAL_MS = 50
BURST_SECONDS = 1.0
WARM_UP_SECONDS = 0.5
ROUNDS = 9


# --------------------------------------------------------------------------- servers


def raise_fd_limit() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def serve_arbig(port: int, data_dir: Path) -> None:
    """The ARBIG server process: create_app + the real embedded runtime, no autotick."""
    import uvicorn
    from fastapi import Request

    from arbig.config import Settings, SimSettings
    from arbig.domain.calendar import to_exchange_time
    from arbig.engine.bus import EventType
    from arbig.logs import configure_logging
    from arbig.runtime import EmbeddedRuntime, build_embedded
    from arbig.web.app import SERVER_OPTIONS, create_app

    raise_fd_limit()
    configure_logging("warning")
    held: dict[str, EmbeddedRuntime] = {}

    async def runtime_factory(settings: Settings) -> EmbeddedRuntime:
        runtime = await build_embedded(settings)
        held["runtime"] = runtime
        return runtime

    # tick_interval_ms 3_600_000: the simulated exchange's own timer never fires in a run.
    settings = Settings(
        data_dir=data_dir,
        main_contract=SYMBOL,
        sim=SimSettings(tick_interval_ms=3_600_000, seed=7),
    )
    # As `arbig run` serves it (freeze_heap: see web/app.py settle_heap).
    app = create_app(settings, runtime_factory, freeze_heap=True)

    volume = 0

    def publish_on_bus() -> None:
        """The core's own publish call, with a copy of the last tick stamped now."""
        nonlocal volume
        core = held["runtime"].core
        volume += 1
        last = core._last_ticks[SYMBOL]
        now = to_exchange_time(datetime.now(UTC))
        core.bus.publish(EventType.TICK, replace(last, datetime=now, volume=last.volume + volume))

    @app.post("/_bench/burst", include_in_schema=False)
    async def burst(request: Request) -> dict[str, Any]:
        spec = await request.json()
        if spec.get("via") == "bus":
            return await produce(publish_on_bus, spec)
        return await produce(lambda: held["runtime"].gateway.step(), spec)

    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", backlog=4096, **SERVER_OPTIONS
    )
    print(f"ARBIG: ws {config.ws}, loop {config.loop}", file=sys.stderr, flush=True)
    uvicorn.Server(config).run()


async def produce(step: Any, spec: dict[str, Any]) -> dict[str, Any]:
    """Produce ticks: ``count`` at ``interval_ms``, or back to back for ``seconds``.

    In a task of its own, as the gateway's ticks come in production: awaited inline,
    each tick's ``sleep(0)`` would resume the whole chain of the control request's
    coroutines (some twenty frames under FastAPI's middleware, three under the
    reference's handler), a cost that is neither server's fan-out.
    """
    return await asyncio.create_task(_produce(step, spec), name="bench-producer")


async def _produce(step: Any, spec: dict[str, Any]) -> dict[str, Any]:
    interval = spec.get("interval_ms", 0) / 1000
    count = spec.get("count")
    until = time.monotonic() + spec.get("seconds", 0)
    start = time.time()
    produced = 0
    loop = asyncio.get_running_loop()
    deadline = loop.time()
    while (produced < count) if count is not None else (time.monotonic() < until):
        step()
        produced += 1
        if interval:
            deadline += interval
            await asyncio.sleep(max(deadline - loop.time(), 0))
        else:
            await asyncio.sleep(0)  # let the senders run, as a live loop would
    return {"start": start, "end": time.time(), "produced": produced}


def serve_reference(port: int) -> None:
    """A plain websockets server: the same envelope, websockets.broadcast() to all."""
    from websockets.asyncio.server import ServerConnection, broadcast, serve

    from arbig.domain.calendar import to_exchange_time
    from arbig.domain.enums import Exchange
    from arbig.domain.tick import Tick
    from arbig.web.hub import envelope

    raise_fd_limit()
    clients: set[ServerConnection] = set()
    seq = 0
    base = Tick(
        symbol=SYMBOL,
        exchange=Exchange.SHFE,
        datetime=datetime.now(UTC),
        trading_day=date.today(),
        last_price=Decimal("920.00"),
        volume=1000,
        turnover=Decimal("920000000.00"),
        open_interest=50000,
        bid_price=Decimal("919.98"),
        bid_volume=3,
        ask_price=Decimal("920.02"),
        ask_volume=5,
        open_price=Decimal("918.00"),
        high_price=Decimal("921.00"),
        low_price=Decimal("917.50"),
        pre_settlement=Decimal("918.50"),
        pre_close=Decimal("918.40"),
        limit_up=Decimal("991.98"),
        limit_down=Decimal("845.02"),
    )

    def step() -> None:
        nonlocal seq
        seq += 1
        now = to_exchange_time(datetime.now(UTC))
        tick = replace(base, datetime=now, volume=base.volume + seq)
        broadcast(clients, envelope(TOPIC, seq, tick))

    async def handler(ws: ServerConnection) -> None:
        if ws.request is not None and ws.request.path == "/control":
            async for text in ws:
                await ws.send(orjson.dumps(await produce(step, orjson.loads(text))).decode())
            return
        with contextlib.suppress(websockets.ConnectionClosed):
            async for text in ws:
                message = orjson.loads(text)
                if message.get("op") == "subscribe":
                    clients.add(ws)
                    await ws.send(orjson.dumps({"type": "ack", "op": "subscribe"}).decode())
                elif message.get("op") == "ping":
                    await ws.send('{"type":"pong"}')
        clients.discard(ws)

    async def main() -> None:
        async with serve(handler, "127.0.0.1", port, backlog=4096, ping_interval=None):
            await asyncio.Future()

    try:
        import uvloop
    except ImportError:
        print("reference: asyncio event loop", file=sys.stderr, flush=True)
        asyncio.run(main())
    else:
        print("reference: uvloop event loop", file=sys.stderr, flush=True)
        uvloop.run(main())


# --------------------------------------------------------------------------- harness


class Client(asyncio.Protocol):
    """A minimal WebSocket client (RFC 6455, no extensions) on a raw asyncio protocol.

    The harness must not be the bottleneck at 1000 clients in one process: a frame is
    parsed in ``data_received`` and, while recording, only (arrival time, payload)
    is kept; JSON is parsed after the run. It answers the server's keepalive pings
    (ARBIG's uvicorn pings every 20 s and drops a client that does not answer). No
    permessage-deflate is offered, so neither server compresses (browsers do offer
    it: see the memory note).
    """

    def __init__(self, path: str, host: str, headers: dict[str, str]) -> None:
        self.request = (
            f"GET {path} HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\n"
            "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
            f"Sec-WebSocket-Key: {base64.b64encode(os.urandom(16)).decode()}\r\n"
            + "".join(f"{k}: {v}\r\n" for k, v in headers.items())
            + "\r\n"
        ).encode()
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.upgraded = asyncio.get_running_loop().create_future()
        self.acked = asyncio.get_running_loop().create_future()
        self.recording = False
        self.frames: list[tuple[float, bytes]] = []
        self.last_at = 0.0

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        transport.write(self.request)

    def send_text(self, text: str) -> None:
        self.send_frame(0x1, text.encode())

    def send_frame(self, opcode: int, payload: bytes) -> None:
        mask = os.urandom(4)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        length = len(payload)
        header = (
            bytes([0x80 | opcode, 0x80 | length])
            if length < 126
            else bytes([0x80 | opcode, 0xFE]) + (length.to_bytes(2, "big"))
        )
        assert self.transport is not None
        self.transport.write(header + mask + masked)

    def data_received(self, data: bytes) -> None:
        now = time.time()
        self.buffer += data
        if not self.upgraded.done():
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            status = bytes(self.buffer[:end]).split(b"\r\n", 1)[0]
            del self.buffer[: end + 4]
            if b" 101 " not in status:
                self.upgraded.set_exception(RuntimeError(status.decode()))
                return
            self.upgraded.set_result(None)
        buffer = self.buffer
        while len(buffer) >= 2:
            opcode, length, offset = buffer[0] & 0x0F, buffer[1] & 0x7F, 2
            if length == 126:
                if len(buffer) < 4:
                    return
                length, offset = int.from_bytes(buffer[2:4], "big"), 4
            elif length == 127:
                if len(buffer) < 10:
                    return
                length, offset = int.from_bytes(buffer[2:10], "big"), 10
            if len(buffer) < offset + length:
                return
            payload = bytes(buffer[offset : offset + length])
            del buffer[: offset + length]
            if opcode == 0x1:
                if self.recording:
                    self.frames.append((now, payload))
                    self.last_at = now
                elif not self.acked.done() and b'"ack"' in payload:
                    self.acked.set_result(None)
            elif opcode == 0x9:  # the server's keepalive ping: a browser answers at once
                self.send_frame(0xA, payload)
            elif opcode == 0x8 and self.transport is not None:
                self.transport.close()

    def close(self) -> None:
        if self.transport is not None:
            mask = os.urandom(4)
            code = (1000).to_bytes(2, "big")
            masked = bytes(b ^ mask[i] for i, b in enumerate(code))
            self.transport.write(bytes([0x88, 0x82]) + mask + masked)  # close frame, 1000
            self.transport.close()

    def latencies(self) -> list[float]:
        """Seconds from the tick's timestamp to arrival, for every tick recorded."""
        out = []
        for arrived, payload in self.frames:
            message = orjson.loads(payload)
            if message.get("type") == "tick" and not message.get("snapshot"):
                sent = datetime.fromisoformat(message["data"]["datetime"]).timestamp()
                out.append(arrived - sent)
        return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS")


class Server:
    def __init__(self, name: str, argv: list[str], port: int, headers: dict[str, str]) -> None:
        self.name = name
        self.port = port
        self.headers = headers
        self.process = subprocess.Popen([sys.executable, __file__, *argv])

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    async def wait_ready(self) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError):
                _, writer = await asyncio.open_connection("127.0.0.1", self.port)
                writer.close()
                await asyncio.sleep(0.5 if self.name == "ARBIG" else 0.1)
                return
            await asyncio.sleep(0.1)
        raise RuntimeError(f"{self.name} did not start")

    async def produce(self, spec: dict[str, Any]) -> dict[str, Any]:
        raise NotImplementedError


class ArbigServer(Server):
    async def produce(self, spec: dict[str, Any]) -> dict[str, Any]:
        async with httpx.AsyncClient(timeout=120) as http:
            url = f"http://127.0.0.1:{self.port}/_bench/burst"
            response = await http.post(url, json=spec)
            response.raise_for_status()
            result: dict[str, Any] = response.json()
            return result


class ReferenceServer(Server):
    async def produce(self, spec: dict[str, Any]) -> dict[str, Any]:
        async with connect(f"ws://127.0.0.1:{self.port}/control", max_size=None) as ws:
            await ws.send(orjson.dumps(spec).decode())
            result: dict[str, Any] = orjson.loads(await ws.recv())
            return result


async def open_clients(server: Server, count: int) -> list[Client]:
    loop = asyncio.get_running_loop()
    gate = asyncio.Semaphore(64)
    host = f"127.0.0.1:{server.port}"

    async def one() -> Client:
        async with gate:
            _, client = await loop.create_connection(
                lambda: Client("/ws", host, server.headers), "127.0.0.1", server.port
            )
            await asyncio.wait_for(client.upgraded, 30)
            client.send_text(orjson.dumps({"op": "subscribe", "topics": [TOPIC]}).decode())
            await asyncio.wait_for(client.acked, 30)
            return client

    return list(await asyncio.gather(*(one() for _ in range(count))))


async def idle_memory(server: Server, count: int, *, deflate: bool) -> float:
    """KiB per idle subscribed client: server RSS delta / N on a fresh server. With
    ``deflate`` the clients offer permessage-deflate as browsers do (the `websockets`
    client library's default), and both servers then keep zlib state per connection."""
    pid = server.process.pid
    await server.produce({"count": 3, "interval_ms": 10})  # warm the code paths
    await asyncio.sleep(0.5)
    rss_before = rss_kib(pid)
    if not deflate:
        raw = await open_clients(server, count)
        await asyncio.sleep(1.0)
        kib = (rss_kib(pid) - rss_before) / count
        for c in raw:
            c.close()
        return kib
    url = f"ws://127.0.0.1:{server.port}/ws"
    gate = asyncio.Semaphore(64)

    async def one() -> Any:
        async with gate:
            ws = await connect(url, additional_headers=server.headers, ping_interval=None)
            await ws.send(orjson.dumps({"op": "subscribe", "topics": [TOPIC]}).decode())
            while orjson.loads(await ws.recv()).get("type") != "ack":
                pass
            return ws

    sockets = await asyncio.gather(*(one() for _ in range(count)))
    await asyncio.sleep(1.0)
    kib = (rss_kib(pid) - rss_before) / count
    await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)
    return kib


async def quiet(clients: list[Client], for_s: float = 0.5, limit_s: float = 30.0) -> None:
    """Wait until no client has received anything for ``for_s``."""
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        latest = max((c.last_at for c in clients), default=0.0)
        if time.time() - latest > for_s:
            return
        await asyncio.sleep(0.1)


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


@dataclass
class Row:
    server: str
    clients: int
    p50_ms: float
    p99_ms: float
    max_ms: float
    lat_delivered: str
    rates: list[float]  # messages/s of each throughput round
    thr_delivered: str  # of the median round

    @property
    def msgs_per_s(self) -> float:
        return statistics.median(self.rates)


PING = orjson.dumps({"op": "ping"}).decode()


async def keep_alive(clients: list[Client]) -> None:
    """A ping from every client, as the console sends one: ARBIG closes a client that
    sends nothing for 60 s, and a full run keeps its clients longer than that."""
    for c in clients:
        c.send_text(PING)
    await asyncio.sleep(0.1)


async def latency(server: Server, clients: list[Client]) -> tuple[list[float], int]:
    """Ticks at a steady rate through the whole production path."""
    await keep_alive(clients)
    for c in clients:
        c.frames.clear()
        c.recording = True
    await server.produce({"count": LATENCY_TICKS, "interval_ms": LATENCY_INTERVAL_MS})
    await quiet(clients)
    for c in clients:
        c.recording = False
    latencies = [x for c in clients for x in c.latencies()]
    return latencies, len(latencies)


async def burst(server: Server, clients: list[Client], seconds: float) -> tuple[float, str]:
    """Ticks back to back for ``seconds``: messages/s over all clients, and delivered."""
    await keep_alive(clients)
    for c in clients:
        c.frames.clear()
        c.last_at = 0.0
        c.recording = True
    produced = await server.produce({"seconds": seconds, "via": "bus"})
    await quiet(clients)
    for c in clients:
        c.recording = False
    received = sum(len(c.latencies()) for c in clients)
    elapsed = max(max(c.last_at for c in clients) - produced["start"], 1e-9)
    return received / elapsed, f"{received}/{produced['produced'] * len(clients)}"


async def measure(servers: list[Server], count: int, rounds: int) -> list[Row]:
    """Latency, then throughput in ``rounds`` rounds that alternate between the servers.

    Both servers keep their ``count`` clients connected throughout, so that a round of
    one follows a round of the other: a drift of the machine (another process, the
    scheduler putting server and harness on one core) hits both, and the median of
    the rounds is what is compared. One unrecorded burst first warms each server.
    """
    clients = {s.name: await open_clients(s, count) for s in servers}
    await asyncio.sleep(1.0)
    for server in servers:  # warm-up: a few ticks nobody records
        await server.produce({"count": 5, "interval_ms": 20})
        await quiet(clients[server.name])
    rows = {}
    with harness_without_gc():
        for server in servers:
            latencies, received = await latency(server, clients[server.name])
            rows[server.name] = Row(
                server=server.name,
                clients=count,
                p50_ms=percentile(latencies, 0.50) * 1000,
                p99_ms=percentile(latencies, 0.99) * 1000,
                max_ms=max(latencies, default=float("nan")) * 1000,
                lat_delivered=f"{received}/{LATENCY_TICKS * count}",
                rates=[],
                thr_delivered="",
            )
        for server in servers:
            await burst(server, clients[server.name], WARM_UP_SECONDS)
        delivered: dict[str, list[tuple[float, str]]] = {s.name: [] for s in servers}
        for _ in range(rounds):
            for server in servers:
                rate, counts = await burst(server, clients[server.name], BURST_SECONDS)
                delivered[server.name].append((rate, counts))
                rows[server.name].rates.append(rate)
    for server in servers:
        ordered = sorted(delivered[server.name])
        rows[server.name].thr_delivered = ordered[len(ordered) // 2][1]
        for c in clients[server.name]:
            c.close()
    await asyncio.sleep(1.0)
    return [rows[s.name] for s in servers]


def make_credentials(data_dir: Path) -> str:
    from arbig.auth.credential_file import CredentialFile

    store = CredentialFile(data_dir)
    creds = store.load()
    creds.set_password(secrets.token_urlsafe(16))
    token = creds.add_token("bench")
    store.save(creds)
    return token


def start_servers(tmp: Path) -> list[Server]:
    data_dir = tmp / f"data-{secrets.token_hex(4)}"
    token = make_credentials(data_dir)
    arbig_port, ref_port = free_port(), free_port()
    return [
        ArbigServer(
            "ARBIG",
            ["--serve-arbig", str(arbig_port), str(data_dir)],
            arbig_port,
            {"Authorization": f"Bearer {token}"},
        ),
        ReferenceServer("websockets.broadcast", ["--serve-reference", str(ref_port)], ref_port, {}),
    ]


async def run(counts: list[int], rounds: int, with_memory: bool) -> None:
    raise_fd_limit()
    tmp = Path(tempfile.mkdtemp(prefix="arbig-bench-ws-"))
    rows: list[Row] = []
    memory: dict[tuple[str, bool], float] = {}
    started = time.monotonic()
    # Memory first, each figure on a freshly started server (freed memory is reused).
    for deflate in (False, True) if with_memory else ():
        servers = start_servers(tmp)
        try:
            for server in servers:
                await server.wait_ready()
                memory[(server.name, deflate)] = await idle_memory(
                    server, max(counts), deflate=deflate
                )
        finally:
            for server in servers:
                server.stop()
    servers = start_servers(tmp)
    try:
        for server in servers:
            await server.wait_ready()
        for count in counts:
            for row in await measure(servers, count, rounds):
                rows.append(row)
                print(
                    f"  {row.server:<22} N={count:<5} p99 {row.p99_ms:8.2f} ms  "
                    f"{row.msgs_per_s:10.0f} msg/s (median of {rounds})",
                    flush=True,
                )
    finally:
        for server in servers:
            server.stop()
    report(rows, memory, counts, rounds, time.monotonic() - started)


def report(
    rows: list[Row],
    memory: dict[tuple[str, bool], float],
    counts: list[int],
    rounds: int,
    took: float,
) -> None:
    print()
    print(
        f"WebSocket fan-out, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}, websockets "
        f"{websockets.__version__}, load average {os.getloadavg()[0]:.1f}"
    )
    print(
        f"latency: {LATENCY_TICKS} ticks at {1000 // LATENCY_INTERVAL_MS}/s; throughput: ticks "
        f"back to back for {BURST_SECONDS:g} s, {rounds} rounds alternating between the "
        f"servers, median (min-max); took {took:.0f} s"
    )
    header = (
        f"{'server':<22}{'N':>6}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}"
        f"{'delivered':>15}{'msg/s':>11}{'(min-max)':>16}{'delivered':>17}"
    )
    print(header)
    print("-" * len(header))
    for row in rows:
        print(
            f"{row.server:<22}{row.clients:>6}{row.p50_ms:>9.2f}{row.p99_ms:>9.2f}"
            f"{row.max_ms:>9.2f}{row.lat_delivered:>15}{row.msgs_per_s:>11.0f}"
            f"{f'({min(row.rates):.0f}-{max(row.rates):.0f})':>16}{row.thr_delivered:>17}"
        )
    if memory:
        print(f"memory per idle subscribed client (server RSS delta / N, N={max(counts)}):")
    for (name, deflate), kib in memory.items():
        offered = "permessage-deflate offered (browsers)" if deflate else "no extension"
        print(f"  {name:<22} {offered:<40} {kib:6.1f} KiB")
    print()
    print("targets (issue 6):")
    by = {(r.server, r.clients): r for r in rows}
    for count, limit in ((100, 15.0), (1000, 50.0)):
        arbig = by.get(("ARBIG", count))
        if arbig:
            verdict = "met" if arbig.p99_ms <= limit else "MISSED"
            print(f"  p99 at {count} clients <= {limit:g} ms: {arbig.p99_ms:.2f} ms  {verdict}")
    for count in counts:
        arbig, ref = by.get(("ARBIG", count)), by.get(("websockets.broadcast", count))
        if arbig and ref:
            ratio = arbig.msgs_per_s / ref.msgs_per_s
            verdict = "met" if ratio >= 0.8 else "MISSED"
            # Each round against the reference's round right after it, to show the spread.
            each = [a / r for a, r in zip(arbig.rates, ref.rates, strict=True)]
            print(
                f"  throughput at {count} clients >= 80% of reference: {ratio:.0%}  {verdict}"
                f"  (ratio of the medians of {len(each)} rounds; round by round "
                f"{min(each):.0%}-{max(each):.0%})"
            )
    for deflate in (False, True):
        idle = memory.get(("ARBIG", deflate))
        if idle is not None:
            verdict = "met" if idle <= 32 else "MISSED"
            how = "with deflate" if deflate else "no extension"
            print(f"  idle client <= 32 KiB ({how}): {idle:.1f} KiB  {verdict}")


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--serve-arbig":
        serve_arbig(int(sys.argv[2]), Path(sys.argv[3]))
        return
    if len(sys.argv) > 1 and sys.argv[1] == "--serve-reference":
        serve_reference(int(sys.argv[2]))
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", default="1,100,1000", help="client counts, comma-separated")
    parser.add_argument("--rounds", type=int, default=ROUNDS, help="throughput rounds per server")
    parser.add_argument(
        "--no-memory", action="store_true", help="skip the idle-client memory measurement"
    )
    args = parser.parse_args()
    counts = [int(c) for c in args.clients.split(",")]
    asyncio.run(run(counts, args.rounds, not args.no_memory))


if __name__ == "__main__":
    main()
