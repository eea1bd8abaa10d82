"""The split deployment's cost: a tick and a command through Redis, beside the
embedded path, in the same run.

    .venv/bin/python bench/bench_split.py [--clients 1,100] [--seconds 20] [--orders 300]
                                          [--order-rounds N] [--compare-bin DIR]

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

For the split path it also prints where a request's time went, as the two processes
measured it (their ``arbig_bus_*`` histograms, scraped before and after; means): the
replica's round trip and transit (what the bus adds), the core's taken, carried_out
and answered stages.

``--order-rounds N`` then starts the deployments at once and sends N alternating rounds
of orders (and reads) to each; ``--compare-bin DIR`` adds to those rounds a split
deployment run by the ``arbig`` in DIR (another checkout's ``.venv/bin``: its code,
this run's machine and moments).

Caveat: everything shares one machine (2 cores here) with the client harness.
"""

import argparse
import asyncio
import os
import platform
import re
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
    def __init__(
        self,
        kind: str,
        tmp: Path,
        database: str,
        prefix: str,
        *,
        bin_dir: Path = BIN,
        label: str = "",
    ) -> None:
        self.kind = kind
        self.label = label or kind
        self.bin = bin_dir
        self.tmp = tmp / self.label.replace("/", "_").replace(" ", "_")
        self.data = self.tmp / "data"
        # The core's probe listener (its /metrics), on a port of each deployment's own.
        self.core_probe = free_port() if kind == "split" else None
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
        arbig = self.bin / "arbig"
        subprocess.run(
            [arbig, "auth", "set-password", "--data-dir", str(self.data)],
            input=b"bench password 1234\n",
            env=self.env,  # where the credential lives may be the database
            check=True,
            capture_output=True,
        )
        created = subprocess.run(
            [arbig, "auth", "create-token", "bench", "--data-dir", str(self.data)],
            env=self.env,
            check=True,
            capture_output=True,
            text=True,
        )
        self.token = created.stdout.split()[-1]
        web = ["--port", str(self.port), "--data-dir", str(self.data)]
        if self.kind == "embedded":
            self._spawn("arbig", [arbig, "run", *web])
        else:
            core_dir = self.tmp / "core"
            core_dir.mkdir()
            core = [arbig, "run", "--role", "core", "--data-dir", core_dir]
            self._spawn("core", core, ARBIG_PROBE__PORT=str(self.core_probe))
            self._spawn("web", [arbig, "run", "--role", "web", *web])

    def _spawn(self, name: str, args: list[Any], **env: str) -> None:
        with open(self.tmp / f"{name}.log", "wb") as log:
            self.processes.append(
                subprocess.Popen(
                    args, env={**self.env, **env}, stdout=log, stderr=subprocess.STDOUT
                )
            )

    async def times(self) -> "BusTimes":
        """The timing histograms of this deployment's processes now, (sum, count) by
        series: the console's REST routes and, for a split one, the ``arbig_bus_*``
        families of the replica and the core (none in a version without them)."""
        urls = [f"{self.base}/metrics"]
        if self.kind == "split":
            urls.append(f"http://127.0.0.1:{self.core_probe}/metrics")
        found: BusTimes = {}
        async with httpx.AsyncClient(headers=self.headers, timeout=10) as client:
            for url in urls:
                sums: dict[str, float] = {}
                counts: dict[str, int] = {}
                for line in (await client.get(url)).text.splitlines():
                    match = TIMED_SERIES.match(line)
                    if match:
                        name, which, labels, value = match.groups()
                        series = f"{name}{{{labels}}}"
                        if which == "sum":
                            sums[series] = float(value)
                        else:
                            counts[series] = int(float(value))
                found.update({key: (sums[key], counts.get(key, 0)) for key in sums})
        return found

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
        logs = "".join(
            f"\n--- {log.name}\n" + log.read_text(errors="replace")[-2000:]
            for log in sorted(self.tmp.glob("*.log"))
        )
        raise RuntimeError(f"{self.label} did not come up:{logs}")

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


async def order_round_trips(deployment: Deployment, orders: int) -> tuple[list[float], list[str]]:
    """The round trips of ``orders`` resting orders, and their ids (cancel them after)."""
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
    return times, ids


async def cancel_orders(deployment: Deployment, ids: list[str]) -> None:
    async with httpx.AsyncClient(headers=deployment.headers, timeout=30) as client:
        for order_id in ids:
            await client.delete(f"{deployment.base}/api/v1/orders/{order_id}")


TIMED_SERIES = re.compile(
    r"^(arbig_bus_\w+_seconds|arbig_http_request_duration_seconds)_(sum|count)\{([^}]*)\} (\S+)$"
)
BusTimes = dict[str, tuple[float, int]]


def bus_delta(before: BusTimes, after: BusTimes) -> BusTimes:
    return {
        key: (total - before.get(key, (0.0, 0))[0], count - before.get(key, (0.0, 0))[1])
        for key, (total, count) in after.items()
    }


def add_bus(into: BusTimes, more: BusTimes) -> None:
    for key, (total, count) in more.items():
        old_total, old_count = into.get(key, (0.0, 0))
        into[key] = (old_total + total, old_count + count)


async def measure(
    deployment: Deployment, counts: list[int], seconds: float, orders: int
) -> tuple[dict[str, list[float]], dict[str, BusTimes]]:
    await deployment.ready()
    results: dict[str, list[float]] = {}
    stages: dict[str, BusTimes] = {}
    for count in counts:
        results[f"tick {count}"] = await tick_latencies(deployment, count, seconds)
    before = await deployment.times()
    results["read"] = await read_round_trips(deployment, orders)
    middle = await deployment.times()
    results["order"], ids = await order_round_trips(deployment, orders)
    stages["read"] = bus_delta(before, middle)
    stages["order"] = bus_delta(middle, await deployment.times())
    await cancel_orders(deployment, ids)
    return results, stages


STAGES = {
    "order": (
        "POST /orders",
        "command",
        'arbig_http_request_duration_seconds{method="POST",route="/api/v1/orders",status="2xx"}',
    ),
    "read": (
        "GET /account",
        "read",
        'arbig_http_request_duration_seconds{method="GET",route="/api/v1/account",status="2xx"}',
    ),
}


def print_stages(key: str, by_label: dict[str, BusTimes]) -> None:
    """Means of a request's stages, as each process measured them, by deployment."""
    title, kind, http = STAGES[key]
    rows = [
        ("web process: the whole request", http),
        (
            "replica: round trip to the core",
            f'arbig_bus_request_seconds{{kind="{kind}",part="round_trip"}}',
        ),
        (
            "replica: transit (the bus adds)",
            f'arbig_bus_request_seconds{{kind="{kind}",part="transit"}}',
        ),
        ("core: taken (act-once mark)", f'arbig_bus_serve_seconds{{kind="{kind}",stage="taken"}}'),
        ("core: carried out", f'arbig_bus_serve_seconds{{kind="{kind}",stage="carried_out"}}'),
        ("core: answered", f'arbig_bus_serve_seconds{{kind="{kind}",stage="answered"}}'),
    ]
    labels = list(by_label)
    print(f"\n{title}: where the time went (means in ms, as each process measured them)")
    print(f"  {'':<34}" + "".join(f"{label:>16}" for label in labels))
    for name, series in rows:
        cells = []
        for label in labels:
            total, count = by_label[label].get(series, (0.0, 0))
            cells.append(f"{total / count * 1000:16.3f}" if count else f"{'-':>16}")
        if any(cell.strip() != "-" for cell in cells):
            print(f"  {name:<34}" + "".join(cells))


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
        f"| {name:<44} | {len(values):>7} | {statistics.median(values) * 1000:8.2f} | "
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
        help="then also, with the deployments up at once, ROUNDS alternating rounds of "
        "--orders orders and reads each, and --round-tick-seconds of ticks at one client "
        "(they meet the same database and machine moments)",
    )
    parser.add_argument("--round-tick-seconds", type=float, default=5.0)
    parser.add_argument(
        "--compare-bin",
        type=Path,
        help="in the alternating rounds, also a split deployment run by DIR/arbig (another "
        "checkout's .venv/bin)",
    )
    parser.add_argument(
        "--rounds-only", action="store_true", help="skip the one-after-the-other runs"
    )
    args = parser.parse_args()
    counts = [int(c) for c in args.clients.split(",")]
    # A database each: a fresh simulated exchange must meet a fresh book.
    databases = {kind: f"arbig_bench_{kind}_{secrets.token_hex(3)}" for kind in KINDS}
    if args.rounds_only:
        databases.clear()
    results: dict[str, dict[str, list[float]]] = {}
    stages: dict[str, dict[str, BusTimes]] = {}
    rounds: dict[str, dict[str, list[float]]] = {}
    round_stages: dict[str, BusTimes] = {}
    try:
        with tempfile.TemporaryDirectory() as tmp, harness_without_gc():
            if not args.rounds_only:
                for kind in KINDS:
                    create_database(databases[kind])
                    prefix = f"bench{secrets.token_hex(3)}:"
                    deployment = Deployment(kind, Path(tmp), databases[kind], prefix)
                    deployment.start()
                    try:
                        results[kind], stages[kind] = asyncio.run(
                            measure(deployment, counts, args.seconds, args.orders)
                        )
                    finally:
                        deployment.stop()
            if args.order_rounds:
                specs = [("embedded", BIN, "embedded"), ("split", BIN, "split")]
                if args.compare_bin:
                    checkout = args.compare_bin.resolve().parent.parent.name
                    specs.append(("split", args.compare_bin, f"split, {checkout}"))
                # Fresh ones again: a new simulated exchange must meet a new book.
                fresh = {
                    label: f"arbig_bench_r{n}_{secrets.token_hex(3)}"
                    for n, (_, _, label) in enumerate(specs)
                }
                databases.update({f"round {label}": name for label, name in fresh.items()})
                for (_, bin_dir, _), database in zip(specs, fresh.values(), strict=True):
                    create_database(database, bin_dir)
                rounds, round_stages = interleaved(
                    Path(tmp) / "rounds",
                    specs,
                    fresh,
                    args.order_rounds,
                    args.orders,
                    args.round_tick_seconds,
                )
    finally:
        for database in databases.values():
            admin(f"DROP DATABASE IF EXISTS {database}")

    print(
        f"\n{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
        f"load average {os.getloadavg()[0]:.2f}"
    )
    if results:
        print(f"| {'path':<44} | samples |  p50 ms  |  p99 ms  |")
        print(f"|{'-' * 46}|---------|----------|----------|")
        for key in results["embedded"]:
            for kind in KINDS:
                print(row(f"{LABELS.get(key, key + ' client(s)')}, {kind}", results[kind][key]))
        print()
        for key in results["embedded"]:
            added = percentile(results["split"][key], 0.99) - percentile(
                results["embedded"][key], 0.99
            )
            print(f"{key}: the split path adds {added * 1000:+.2f} ms at p99")
        for key in ("order", "read"):
            print_stages(key, {kind: stages[kind][key] for kind in KINDS})
    if rounds:
        print(f"\ndeployments up at once, {args.order_rounds} alternating rounds:")
        print(f"| {'path':<44} | samples |  p50 ms  |  p99 ms  |")
        print(f"|{'-' * 46}|---------|----------|----------|")
        for key in rounds["embedded"]:
            for label in rounds:
                print(row(f"{LABELS.get(key, key + ' client(s)')}, {label}", rounds[label][key]))
        print()
        for key in rounds["embedded"]:
            for label in list(rounds)[1:]:
                base, split = rounds["embedded"][key], rounds[label][key]
                p50 = statistics.median(split) - statistics.median(base)
                p99 = percentile(split, 0.99) - percentile(base, 0.99)
                shift = f"{p50 * 1000:+.2f} ms at p50, {p99 * 1000:+.2f} ms at p99"
                print(f"{key} ({label}): adds {shift}")
        for key in ("order", "read"):
            print_stages(key, round_stages)


LABELS = {"read": "GET /account round trip", "order": "POST /orders round trip"}


def create_database(database: str, bin_dir: Path = BIN) -> None:
    """A fresh database, at the schema of the code in ``bin_dir``."""
    admin(f"CREATE DATABASE {database}")
    subprocess.run(
        [bin_dir / "arbig", "db", "upgrade"],
        env={**os.environ, "ARBIG_DATABASE_URL": f"{MYSQL}/{database}"},
        check=True,
        capture_output=True,
    )


def interleaved(
    tmp: Path,
    specs: list[tuple[str, Path, str]],
    databases: dict[str, str],
    rounds: int,
    orders: int,
    tick_seconds: float,
) -> tuple[dict[str, dict[str, list[float]]], dict[str, BusTimes]]:
    """Every deployment of ``specs`` (kind, bin folder, label) up at once, measured in
    alternating rounds (the first of each round alternates too), so that a slow spell
    of the shared database or machine falls on every path alike. Returns the samples by
    label, and the timings each deployment's processes took meanwhile."""
    deployments = {
        label: Deployment(
            kind,
            tmp,
            databases[label],
            f"bench{secrets.token_hex(3)}:",
            bin_dir=bin_dir,
            label=label,
        )
        for kind, bin_dir, label in specs
    }
    times: dict[str, dict[str, list[float]]] = {
        label: {"tick 1": [], "read": [], "order": []} for label in deployments
    }
    stages: dict[str, BusTimes] = {label: {} for label in deployments}
    try:
        for deployment in deployments.values():
            deployment.start()

        async def run() -> None:
            for deployment in deployments.values():
                await deployment.ready()
            order = list(deployments)
            for n in range(rounds):
                for label in order if n % 2 == 0 else reversed(order):
                    deployment = deployments[label]
                    if tick_seconds > 0:
                        times[label]["tick 1"] += await tick_latencies(deployment, 1, tick_seconds)
                    before = await deployment.times()
                    times[label]["read"] += await read_round_trips(deployment, orders)
                    sent, ids = await order_round_trips(deployment, orders)
                    times[label]["order"] += sent
                    add_bus(stages[label], bus_delta(before, await deployment.times()))
                    await cancel_orders(deployment, ids)

        asyncio.run(run())
    finally:
        for deployment in deployments.values():
            deployment.stop()
    if tick_seconds <= 0:
        for samples in times.values():
            del samples["tick 1"]
    return times, stages


if __name__ == "__main__":
    main()
