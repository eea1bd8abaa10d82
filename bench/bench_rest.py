"""REST latency at a fixed request rate: ARBIG beside a FastAPI hello world.

    .venv/bin/python bench/bench_rest.py [--rate 200] [--seconds 10]

Starts ``arbig run`` in a subprocess (a fresh data folder: password and an API token
set through ``arbig auth``, the simulated exchange, SQLite), records a few round
trips (so that /trades has rows), then sends GET /api/v1/positions and GET
/api/v1/trades at a fixed rate (open loop: a request is due every 1/rate s whatever
the previous one did, so a stall shows as latency instead of as fewer requests),
with ``Authorization: Bearer``, over keep-alive connections (a new one only
when all are busy) from a bare asyncio HTTP/1.1 client. A plain FastAPI app
answering ``{"hello": "world"}`` under uvicorn is measured the same way in the
same run. Latency is from the moment a request was due to the moment its body
has arrived; p50, p99 and max.
"""

import argparse
import asyncio
import contextlib
import os
import platform
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import httpx
from _harness import harness_without_gc

from arbig.config import default_main_contract

SYMBOL = default_main_contract()  # a listed month outside its delivery month, today
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve_hello(port: int) -> None:
    import uvicorn
    from fastapi import FastAPI

    app = FastAPI()

    @app.get("/hello")
    async def hello() -> dict[str, str]:
        return {"hello": "world"}

    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")


async def wait_up(url: str, limit_s: float = 60) -> None:
    deadline = time.monotonic() + limit_s
    async with httpx.AsyncClient() as http:
        while time.monotonic() < deadline:
            with contextlib.suppress(httpx.HTTPError):
                if (await http.get(url)).status_code < 500:
                    return
            await asyncio.sleep(0.2)
    raise RuntimeError(f"{url} did not answer")


async def record_trades(base: str, headers: dict[str, str], rounds: int) -> int:
    """Buy and sell through the market ``rounds`` times; returns the trades recorded."""
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=10) as http:
        for round_ in range(rounds):
            if round_:
                await asyncio.sleep(1.1)  # past the risk engine's duplicate-order window
            for side in ("buy", "sell"):
                for _ in range(100):  # no tick yet right after start
                    answer = await http.get(f"/api/v1/market/{SYMBOL}/tick")
                    if not answer.is_error:
                        break
                    await asyncio.sleep(0.1)
                tick = answer.json()
                price = (
                    Decimal(tick["ask_price"]) + Decimal("0.40")
                    if side == "buy"
                    else Decimal(tick["bid_price"]) - Decimal("0.40")
                )
                offset = "open" if side == "buy" else "close_today"
                order = {
                    "symbol": SYMBOL,
                    "side": side,
                    "offset": offset,
                    "price": str(price),
                    "volume": 1,
                }
                response = await http.post("/api/v1/orders", json=order)
                if response.is_error:
                    raise SystemExit(f"bench_rest: order refused: {response.text}")
                for _ in range(100):
                    if not (await http.get("/api/v1/orders", params={"active": True})).json():
                        break
                    await asyncio.sleep(0.05)
        for _ in range(100):
            total = int((await http.get("/api/v1/trades", params={"limit": 1})).json()["total"])
            if total >= 2 * rounds:
                return total
            await asyncio.sleep(0.1)
        return total


class Connection:
    """One keep-alive HTTP/1.1 connection; a bare client, so that the load generator
    (httpx spends about a millisecond of CPU per request) is not what is measured."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    @classmethod
    async def open(cls, host: str, port: int) -> "Connection":
        reader, writer = await asyncio.open_connection(host, port)
        return cls(reader, writer)

    async def get(self, request: bytes) -> int:
        self.writer.write(request)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        length = 0
        for line in head.split(b"\r\n"):
            if line[:15].lower() == b"content-length:":
                length = int(line[15:])
        await self.reader.readexactly(length)
        return status


async def fixed_rate(
    url: str, headers: dict[str, str], rate: float, seconds: float
) -> tuple[list[float], int]:
    """Latencies (s) of requests due every 1/rate s for ``seconds``; and the error count."""
    parts = httpx.URL(url)
    host, port = parts.host, parts.port or 80
    request = (
        f"GET {parts.raw_path.decode()} HTTP/1.1\r\nHost: {host}:{port}\r\n"
        + "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        + "\r\n"
    ).encode()
    idle: asyncio.Queue[Connection] = asyncio.Queue()
    opened: list[Connection] = []
    latencies: list[float] = []
    errors = 0

    async def connection() -> Connection:
        if not idle.empty():
            return idle.get_nowait()
        conn = await Connection.open(host, port)
        opened.append(conn)
        return conn

    async def one(due: float) -> None:
        nonlocal errors
        conn = await connection()
        try:
            if await conn.get(request) != 200:
                errors += 1
            idle.put_nowait(conn)
        except (OSError, asyncio.IncompleteReadError, ValueError):
            errors += 1
        latencies.append(time.perf_counter() - due)

    for _ in range(20):  # warm a connection and the code paths
        await one(time.perf_counter())
    latencies.clear()
    tasks = []
    with harness_without_gc():
        start = time.perf_counter()
        for i in range(int(rate * seconds)):
            due = start + i / rate
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(due)))
        await asyncio.gather(*tasks)
    for conn in opened:
        conn.writer.close()
    return latencies, errors


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def start(tmp: Path) -> tuple[subprocess.Popen[bytes], subprocess.Popen[bytes], int, int, str]:
    """A fresh ``arbig run`` (password and token through ``arbig auth``) and the hello app."""
    data = tmp / "data"
    subprocess.run(
        [BIN / "arbig", "auth", "set-password", "--data-dir", str(data)],
        input="bench password 1234\n",
        text=True,
        check=True,
        capture_output=True,
    )
    created = subprocess.run(
        [BIN / "arbig", "auth", "create-token", "bench", "--data-dir", str(data)],
        text=True,
        check=True,
        capture_output=True,
    )
    token = created.stdout.split()[-1]
    arbig_port, hello_port = free_port(), free_port()
    env = {**os.environ, "ARBIG_MAIN_CONTRACT": SYMBOL, "ARBIG_LOG_LEVEL": "warning"}
    with open(tmp / "arbig.log", "wb") as log:
        arbig = subprocess.Popen(
            [BIN / "arbig", "run", "--port", str(arbig_port), "--data-dir", str(data)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    hello = subprocess.Popen([sys.executable, __file__, "--serve-hello", str(hello_port)])
    return arbig, hello, arbig_port, hello_port, token


async def measure(
    arbig_port: int, hello_port: int, token: str, rate: float, seconds: float
) -> tuple[list[tuple[str, list[float], int]], int]:
    headers = {"Authorization": f"Bearer {token}"}
    base = f"http://127.0.0.1:{arbig_port}"
    await wait_up(f"{base}/api/v1/health")
    await wait_up(f"http://127.0.0.1:{hello_port}/hello")
    trades = await record_trades(base, headers, rounds=10)
    targets = [
        ("ARBIG GET /api/v1/positions", f"{base}/api/v1/positions", headers),
        ("ARBIG GET /api/v1/trades", f"{base}/api/v1/trades", headers),
        ("FastAPI hello world", f"http://127.0.0.1:{hello_port}/hello", {}),
    ]
    rows = []
    for name, url, hdrs in targets:
        latencies, errors = await fixed_rate(url, hdrs, rate, seconds)
        rows.append((name, latencies, errors))
        print(f"  {name:<30} p99 {percentile(latencies, 0.99) * 1000:7.2f} ms", flush=True)
    return rows, trades


def run(rate: float, seconds: float) -> None:
    started = time.monotonic()
    arbig, hello, arbig_port, hello_port, token = start(
        Path(tempfile.mkdtemp(prefix="arbig-bench-rest-"))
    )
    try:
        rows, trades = asyncio.run(measure(arbig_port, hello_port, token, rate, seconds))
    finally:
        for process in (arbig, hello):
            process.terminate()
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    print()
    print(
        f"REST at {rate:g} requests/s for {seconds:g} s each, "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, load average {os.getloadavg()[0]:.1f}; "
        f"{trades} trades recorded; took {time.monotonic() - started:.0f} s"
    )
    header = f"{'endpoint':<32}{'requests':>9}{'errors':>8}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}"
    print(header)
    print("-" * len(header))
    for name, latencies, errors in rows:
        print(
            f"{name:<32}{len(latencies):>9}{errors:>8}"
            f"{percentile(latencies, 0.5) * 1000:>9.2f}{percentile(latencies, 0.99) * 1000:>9.2f}"
            f"{max(latencies) * 1000:>9.2f}"
        )
    print()
    print("target (issue 6): REST p99 <= 50 ms at 200 requests/s")
    for name, latencies, _ in rows[:2]:
        p99 = percentile(latencies, 0.99) * 1000
        print(f"  {name}: {p99:.2f} ms  {'met' if p99 <= 50 else 'MISSED'}")


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--serve-hello":
        serve_hello(int(sys.argv[2]))
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rate", type=float, default=200.0, help="requests per second")
    parser.add_argument("--seconds", type=float, default=10.0, help="per endpoint")
    args = parser.parse_args()
    run(args.rate, args.seconds)


if __name__ == "__main__":
    main()
