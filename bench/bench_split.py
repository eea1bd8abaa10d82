"""The split deployment's cost: a tick and a command through Redis, beside the
embedded path, in the same run.

    .venv/bin/python bench/bench_split.py [--clients 1,100] [--seconds 20] [--orders 300]
                                          [--order-rounds N]

Both deployments run the same code on MariaDB (a fresh database each) and
the same Redis (the machine's, db 15, keys under a fresh prefix, deleted after),
so only the bus differs:

- **embedded**: one `arbig run` (the default role);
- **split**: `arbig run --role core` and one `arbig run --role web`.

They run one after the other, each on a freshly started system, the simulated
exchange ticking every 50 ms. Measured by one asyncio client process:

- *tick to WebSocket*: from the tick's own time (set by the simulated exchange when it
  makes the tick, before the core sees it) to the moment a subscribed client has the
  message, over every (client, tick) pair, at each client count;
- *read round trip*: ``GET /api/v1/account`` (the core answers from memory), sequential;
- *command round trip*: ``POST /api/v1/orders`` (a resting limit order, cancelled
  after) from the request to its 202 answer, which comes once the gateway has taken
  the order: sequential requests.

Caveat: everything shares one machine (2 cores here) with the client harness.
"""

import argparse
import asyncio
import os
import platform
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import orjson
import redis
from _harness import harness_without_gc
from websockets.asyncio.client import connect

from arbig.config import default_main_contract

SYMBOL = default_main_contract()
BIN = Path(sys.executable).parent
MYSQL = os.environ.get("ARBIG_BENCH_MYSQL_URL", "mysql+asyncmy://root@127.0.0.1:3306")
KINDS = ("embedded", "split")
REDIS = os.environ.get("ARBIG_BENCH_REDIS_URL", "redis://127.0.0.1:6379/15")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def admin(statement: str) -> None:
    code = (
        "import asyncio, sys\n"
        "from sqlalchemy import text\n"
        "from arbig.storage.database import create_engine\n"
        "async def main():\n"
        "    e = create_engine(sys.argv[1], isolation_level='AUTOCOMMIT')\n"
        "    async with e.connect() as c:\n"
        "        await c.execute(text(sys.argv[2]))\n"
        "    await e.dispose()\n"
        "asyncio.run(main())\n"
    )
    subprocess.run([sys.executable, "-c", code, f"{MYSQL}/mysql", statement], check=True)


class Deployment:
    def __init__(self, kind: str, tmp: Path, database: str, prefix: str) -> None:
        self.kind = kind
        self.tmp = tmp / kind
        self.data = self.tmp / "data"
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "ARBIG_DATABASE_URL": f"{MYSQL}/{database}",
            "ARBIG_REDIS_URL": REDIS,
            "ARBIG_SPLIT__PREFIX": prefix,
            "ARBIG_PROBE__PORT": "0",
            "ARBIG_MAIN_CONTRACT": SYMBOL,
            "ARBIG_LOG_LEVEL": "warning",
            "ARBIG_SIM__TICK_INTERVAL_MS": "50",
            "ARBIG_RISK__MAX_ORDERS_PER_MINUTE": "100000",
            "ARBIG_RISK__MAX_ORDERS_PER_DAY": "100000",
            "ARBIG_RISK__MAX_WORKING_ORDERS": "100000",
            "ARBIG_RISK__DUPLICATE_WINDOW_S": "0",
            "ARBIG_RISK__MAX_POSITION": "100000",
            "ARBIG_SIM__CAPITAL": "1000000000",
            "ARBIG_RISK__MAX_TICKS_FROM_MARKET": "500",
        }
        self.processes: list[subprocess.Popen[bytes]] = []
        self.token = ""

    def start(self) -> None:
        self.data.mkdir(parents=True)
        subprocess.run(
            [BIN / "arbig", "auth", "set-password", "--data-dir", str(self.data)],
            input=b"bench password 1234\n",
            env=self.env,
            check=True,
            capture_output=True,
        )
        created = subprocess.run(
            [BIN / "arbig", "auth", "create-token", "bench", "--data-dir", str(self.data)],
            env=self.env,
            check=True,
            capture_output=True,
            text=True,
        )
        self.token = created.stdout.split()[-1]
        web = ["--port", str(self.port), "--data-dir", str(self.data)]
        if self.kind == "embedded":
            self._spawn("arbig", [BIN / "arbig", "run", *web])
        else:
            core_dir = self.tmp / "core"
            core_dir.mkdir()
            self._spawn("core", [BIN / "arbig", "run", "--role", "core", "--data-dir", core_dir])
            self._spawn("web", [BIN / "arbig", "run", "--role", "web", *web])

    def _spawn(self, name: str, args: list[Any]) -> None:
        with open(self.tmp / f"{name}.log", "wb") as log:
            self.processes.append(
                subprocess.Popen(args, env=self.env, stdout=log, stderr=subprocess.STDOUT)
            )

    async def ready(self) -> None:
        deadline = time.monotonic() + 90
        async with httpx.AsyncClient(headers=self.headers) as client:
            while time.monotonic() < deadline:
                try:
                    health = (await client.get(f"{self.base}/api/v1/health")).json()
                    tick = await client.get(f"{self.base}/api/v1/market/{SYMBOL}/tick")
                    if health.get("status") == "up" and tick.status_code == 200:
                        return
                except (httpx.TransportError, ValueError):
                    pass
                await asyncio.sleep(0.3)
        raise RuntimeError(f"{self.kind} did not come up; see {self.tmp}")

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def stop(self) -> None:
        for process in reversed(self.processes):
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        # The bus's keys of this run, and the tick stream the core wrote.
        client = redis.Redis.from_url(REDIS)
        keys = [*client.scan_iter(match=f"{self.env['ARBIG_SPLIT__PREFIX']}*", count=1000)]
        for start in range(0, len(keys), 500):
            client.delete(*keys[start : start + 500])
        client.delete(f"market_data:{SYMBOL}")
        client.close()


async def tick_latencies(deployment: Deployment, clients: int, seconds: float) -> list[float]:
    url = deployment.base.replace("http", "ws") + "/ws"
    latencies: list[float] = []
    stop = asyncio.Event()

    async def client() -> None:
        async with connect(url, additional_headers=deployment.headers, max_size=None) as ws:
            await ws.send(orjson.dumps({"op": "subscribe", "topics": [f"tick:{SYMBOL}"]}).decode())
            pinged = time.monotonic()
            while not stop.is_set():
                try:
                    raw = await asyncio.wait_for(ws.recv(), 1.0)
                except TimeoutError:
                    continue
                now = time.time()
                message = orjson.loads(raw)
                if message.get("type") == "tick" and not message.get("snapshot"):
                    made = datetime.fromisoformat(message["data"]["datetime"]).timestamp()
                    latencies.append(now - made)
                if now - pinged > 20:
                    await ws.send('{"op": "ping"}')
                    pinged = now

    tasks = [asyncio.create_task(client()) for _ in range(clients)]
    await asyncio.sleep(2.0)  # all connected and subscribed
    latencies.clear()
    await asyncio.sleep(seconds)
    stop.set()
    await asyncio.gather(*tasks)
    return latencies


async def order_round_trips(deployment: Deployment, orders: int) -> list[float]:
    times: list[float] = []
    async with httpx.AsyncClient(headers=deployment.headers, timeout=30) as client:
        tick = (await client.get(f"{deployment.base}/api/v1/market/{SYMBOL}/tick")).json()
        price = Decimal(tick["bid_price"]) - Decimal("0.60")  # rests, unless the market falls to it
        ids = []
        for n in range(orders):
            body = {"symbol": SYMBOL, "side": "buy", "price": f"{price:.2f}", "volume": 1}
            started = time.perf_counter()
            answer = await client.post(f"{deployment.base}/api/v1/orders", json=body)
            elapsed = time.perf_counter() - started
            if answer.status_code != 202:
                raise RuntimeError(f"order {n}: {answer.status_code} {answer.text}")
            times.append(elapsed)
            ids.append(answer.json()["order_id"])
        for order_id in ids:
            await client.delete(f"{deployment.base}/api/v1/orders/{order_id}")
    return times


async def measure(
    deployment: Deployment, counts: list[int], seconds: float, orders: int
) -> dict[str, list[float]]:
    await deployment.ready()
    results: dict[str, list[float]] = {}
    for count in counts:
        results[f"tick {count}"] = await tick_latencies(deployment, count, seconds)
    results["read"] = await read_round_trips(deployment, orders)
    results["order"] = await order_round_trips(deployment, orders)
    return results


async def read_round_trips(deployment: Deployment, count: int) -> list[float]:
    """``GET /api/v1/account``: answered from the core's memory, so what the split path
    adds to a request is all there is besides HTTP."""
    times: list[float] = []
    async with httpx.AsyncClient(headers=deployment.headers, timeout=30) as client:
        for _ in range(count):
            started = time.perf_counter()
            answer = await client.get(f"{deployment.base}/api/v1/account")
            times.append(time.perf_counter() - started)
            answer.raise_for_status()
    return times


def row(name: str, values: list[float]) -> str:
    return (
        f"| {name:<34} | {len(values):>7} | {statistics.median(values) * 1000:8.2f} | "
        f"{percentile(values, 0.99) * 1000:8.2f} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", default="1,100")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--orders", type=int, default=300)
    parser.add_argument(
        "--order-rounds",
        type=int,
        default=0,
        help="then also, with both deployments up at once, ROUNDS alternating rounds of "
        "--orders orders each (the two paths meet the same database moments)",
    )
    args = parser.parse_args()
    counts = [int(c) for c in args.clients.split(",")]
    # A database each: a fresh simulated exchange must meet a fresh book.
    databases = {kind: f"arbig_bench_{kind}_{secrets.token_hex(3)}" for kind in KINDS}
    results = {}
    try:
        for database in databases.values():
            create_database(database)
        with tempfile.TemporaryDirectory() as tmp, harness_without_gc():
            for kind in KINDS:
                prefix = f"bench{secrets.token_hex(3)}:"
                deployment = Deployment(kind, Path(tmp), databases[kind], prefix)
                deployment.start()
                try:
                    results[kind] = asyncio.run(
                        measure(deployment, counts, args.seconds, args.orders)
                    )
                finally:
                    deployment.stop()
            if args.order_rounds:
                # Fresh ones again: a new simulated exchange must meet a new book.
                fresh = {kind: f"{name}_i" for kind, name in databases.items()}
                databases.update({f"{kind}_i": name for kind, name in fresh.items()})
                for database in fresh.values():
                    create_database(database)
                interleaved = orders_interleaved(
                    Path(tmp) / "interleaved", fresh, args.order_rounds, args.orders
                )
    finally:
        for database in databases.values():
            admin(f"DROP DATABASE IF EXISTS {database}")

    print(
        f"\n{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
        f"load average {os.getloadavg()[0]:.2f}"
    )
    print("| path                               | samples |  p50 ms  |  p99 ms  |")
    print("|------------------------------------|---------|----------|----------|")
    for key in results["embedded"]:
        label = {"read": "GET /account round trip", "order": "POST /orders round trip"}.get(
            key, f"{key} client(s)"
        )
        for kind in ("embedded", "split"):
            print(row(f"{label}, {kind}", results[kind][key]))
    print()
    for key in results["embedded"]:
        added = percentile(results["split"][key], 0.99) - percentile(results["embedded"][key], 0.99)
        print(f"{key}: the split path adds {added * 1000:+.2f} ms at p99")
    if args.order_rounds:
        print(f"\norders, both deployments up, {args.order_rounds} alternating rounds:")
        for kind in KINDS:
            print(row(f"POST /orders round trip, {kind}", interleaved[kind]))
        added = percentile(interleaved["split"], 0.99) - percentile(interleaved["embedded"], 0.99)
        print(f"order (interleaved): the split path adds {added * 1000:+.2f} ms at p99")


def create_database(database: str) -> None:
    admin(f"CREATE DATABASE {database}")
    subprocess.run(
        [BIN / "arbig", "db", "upgrade"],
        env={**os.environ, "ARBIG_DATABASE_URL": f"{MYSQL}/{database}"},
        check=True,
        capture_output=True,
    )


def orders_interleaved(
    tmp: Path, databases: dict[str, str], rounds: int, orders: int
) -> dict[str, list[float]]:
    """Order round trips with both deployments running, in alternating rounds (the
    first deployment of each round alternates too), so that a slow spell of the shared
    database or machine falls on both paths alike."""
    deployments = {
        kind: Deployment(kind, tmp, databases[kind], f"bench{secrets.token_hex(3)}:")
        for kind in KINDS
    }
    times: dict[str, list[float]] = {kind: [] for kind in KINDS}
    try:
        for deployment in deployments.values():
            deployment.start()

        async def run() -> None:
            for deployment in deployments.values():
                await deployment.ready()
            for n in range(rounds):
                kinds = KINDS if n % 2 == 0 else tuple(reversed(KINDS))
                for kind in kinds:
                    times[kind] += await order_round_trips(deployments[kind], orders)

        asyncio.run(run())
    finally:
        for deployment in deployments.values():
            deployment.stop()
    return times


if __name__ == "__main__":
    main()
