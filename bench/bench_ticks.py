"""Tick store and bar builder throughput, each beside a same-run baseline.

    .venv/bin/python bench/bench_ticks.py [--ticks 100000] [--redis redis://127.0.0.1:6379/0]

0. the server's own ceiling: ``redis-benchmark -P 50`` (the C client, pipelined) doing
   the same XADD with the same fields (skipped when redis-benchmark is not installed);
1. raw pipelined XADD from redis-py (pre-encoded fields, batches of 500) - the baseline;
2. ARBIG's RedisTickStore writer: ``add()`` N ticks, until all are stored;
3. write -> tail latency: a tick ``add()``-ed until a StreamTail yields it (p50/p99);
4. the pure BarBuilder, ticks/s.

Beside 1 and 2: this process's CPU time per tick, and the server's (``INFO cpu``) and
its time inside XADD (``INFO commandstats``), so that a slow figure says which side
spent the time. Other clients of a shared Redis count in the server's figures too.

Keys live under a random ``bench:<hex>:`` prefix and are deleted at the end; the
shared Redis is otherwise untouched.
"""

import argparse
import asyncio
import csv
import os
import secrets
import shutil
import statistics
import subprocess
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from redis.asyncio import Redis
from redis.asyncio.connection import ConnectionPool

from arbig.domain.bar import BarBuilder
from arbig.domain.calendar import EXCHANGE_TZ
from arbig.domain.enums import Exchange
from arbig.domain.tick import Tick
from arbig.ticks.codec import encode_tick
from arbig.ticks.redis_stream import RedisTickStore
from arbig.ticks.tail import StreamTail, TailTick

SYMBOL = "au2612"
BATCH = 500


def ticks(count: int, step_ms: int = 500) -> list[Tick]:
    start = datetime(2026, 11, 20, 9, 0, tzinfo=EXCHANGE_TZ)
    out = []
    for i in range(count):
        price = Decimal("920.00") + Decimal("0.02") * (i % 37 - 18)
        out.append(
            Tick(
                symbol=SYMBOL,
                exchange=Exchange.SHFE,
                datetime=start + timedelta(milliseconds=i * step_ms),
                trading_day=start.date(),
                last_price=price,
                volume=i * 3,
                turnover=price * i * 3000,
                open_interest=100_000 + i % 50,
                bid_price=price - Decimal("0.02"),
                bid_volume=3,
                ask_price=price + Decimal("0.02"),
                ask_volume=4,
                open_price=Decimal("918.00"),
                high_price=Decimal("925.00"),
                low_price=Decimal("915.00"),
                pre_settlement=Decimal("917.00"),
                pre_close=Decimal("917.50"),
                limit_up=Decimal("990.36"),
                limit_down=Decimal("843.64"),
            )
        )
    return out


@dataclass(frozen=True)
class Run:
    """Ticks/s of one stage, and where the CPU time went (microseconds per tick)."""

    rate: float
    client_us: float
    server_us: float
    xadd_us: float

    def line(self) -> str:
        return (
            f"this process {self.client_us:.1f} us/tick CPU; redis-server {self.server_us:.1f}"
            f" us/tick CPU, {self.xadd_us:.1f} us/tick inside XADD"
        )


async def _server_cpu(client: Redis) -> tuple[float, int]:
    """redis-server's CPU seconds so far, and microseconds spent in XADD."""
    cpu = await client.info("cpu")
    stats = await client.info("commandstats")
    xadd = stats.get("cmdstat_xadd", {})
    usec = int(xadd.get("usec", 0)) if isinstance(xadd, dict) else 0
    return float(cpu["used_cpu_user"]) + float(cpu["used_cpu_sys"]), usec


async def measured(url: str, count: int, stage: Callable[[], Awaitable[float]]) -> Run:
    """Run ``stage`` (it returns its elapsed seconds) with the CPU accounting around it."""
    probe: Redis = Redis.from_url(url)
    cpu0, xadd0 = await _server_cpu(probe)
    own0 = time.process_time()
    elapsed = await stage()
    own1 = time.process_time()
    cpu1, xadd1 = await _server_cpu(probe)
    await probe.aclose()
    per = 1e6 / count
    return Run(count / elapsed, (own1 - own0) * per, (cpu1 - cpu0) * per, (xadd1 - xadd0) / count)


def raw_fields(data: list[Tick]) -> list[dict[bytes, bytes]]:
    """The baseline's entries, encoded before its clock starts."""
    return [{k.encode(): v.encode() for k, v in encode_tick(t).items()} for t in data]


async def raw_xadd(url: str, key: str, fields: list[dict[bytes, bytes]]) -> float:
    """Plain redis-py at its best for this job: a connection made before the clock
    starts, one non-transactional pipeline object sending ``BATCH`` XADDs per round
    trip, fields passed as bytes (nothing left to encode), hiredis parsing replies."""
    client: Redis = Redis.from_url(url)
    await client.ping()
    began = time.perf_counter()
    pipe = client.pipeline(transaction=False)
    for i in range(0, len(fields), BATCH):
        for entry in fields[i : i + BATCH]:
            pipe.xadd(key, entry, maxlen=1000, approximate=True)  # type: ignore[arg-type]
        await pipe.execute()  # also empties the pipeline for the next batch
    elapsed = time.perf_counter() - began
    await client.aclose()
    return elapsed


async def arbig_writer(url: str, prefix: str, data: list[Tick]) -> float:
    store = RedisTickStore(url, prefix=prefix, batch_size=BATCH, max_pending=len(data) + 1)
    await store.start()
    began = time.perf_counter()
    for tick in data:
        store.add(tick)
    while store.stored + store.duplicates + store.not_stored < len(data):  # noqa: ASYNC110
        await asyncio.sleep(0.0005)
    elapsed = time.perf_counter() - began
    assert store.not_stored == 0, store.stats()
    await store.stop()
    return elapsed


def server_ceiling(url: str, key: str, tick: Tick, count: int) -> float | None:
    """XADDs/s of the C ``redis-benchmark`` (one connection, pipelines of 50), or None."""
    binary = shutil.which("redis-benchmark")
    kwargs = ConnectionPool.from_url(url).connection_kwargs
    if binary is None or kwargs.get("password") or "host" not in kwargs:
        return None
    args = [binary, "-h", str(kwargs["host"]), "-p", str(kwargs.get("port", 6379))]
    args += ["-n", str(count), "-c", "1", "-P", "50", "--csv"]
    args += ["XADD", key, "MAXLEN", "~", "1000", "*"]
    for name, value in encode_tick(tick).items():
        args += [name, value]
    out = subprocess.run(args, capture_output=True, text=True, timeout=120, check=True).stdout
    rows = list(csv.DictReader(out.splitlines()))
    return float(rows[-1]["rps"]) if rows else None


async def write_to_tail(url: str, prefix: str, count: int) -> tuple[float, float]:
    store = RedisTickStore(url, prefix=prefix)
    await store.start()
    tail = StreamTail(url, SYMBOL, prefix=prefix, block_ms=500)
    sent: dict[int, float] = {}
    latencies: list[float] = []

    async def read() -> None:
        async for event in tail:
            if isinstance(event, TailTick):
                latencies.append(time.perf_counter() - sent[event.tick.volume])
                if len(latencies) == count:
                    return

    reader = asyncio.create_task(read())
    await asyncio.sleep(0.2)
    for tick in ticks(count, step_ms=1):
        sent[tick.volume] = time.perf_counter()
        store.add(tick)
        await asyncio.sleep(0.002)  # a steady feed, far above CTP's 2 ticks/s
    await asyncio.wait_for(reader, 10)
    await tail.aclose()
    await store.stop()
    cuts = statistics.quantiles(latencies, n=100)
    return cuts[49] * 1000, cuts[98] * 1000


def bar_builder(data: list[Tick]) -> float:
    builder = BarBuilder(SYMBOL)
    began = time.perf_counter()
    for tick in data:
        builder.update(tick)
    return len(data) / (time.perf_counter() - began)


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--ticks", type=int, default=100_000)
    parser.add_argument("--latency-ticks", type=int, default=2000)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    args = parser.parse_args()
    prefix = f"bench:{secrets.token_hex(4)}:market_data:"
    data = ticks(args.ticks)
    n = len(data)
    load = os.getloadavg()
    try:
        ceiling = server_ceiling(args.redis, f"{prefix}ceiling", data[0], n)
        fields = raw_fields(data)
        raw = await measured(args.redis, n, lambda: raw_xadd(args.redis, f"{prefix}raw", fields))
        ours = await measured(args.redis, n, lambda: arbig_writer(args.redis, prefix, data))
        p50, p99 = await write_to_tail(args.redis, f"{prefix}tail:", args.latency_ticks)
    finally:
        client: Redis = Redis.from_url(args.redis)
        keys = [k async for k in client.scan_iter(match=f"{prefix}*")]
        if keys:
            await client.delete(*keys)
        await client.aclose()
    bars = max(bar_builder(data) for _ in range(3))
    after = os.getloadavg()
    print(f"ticks: {args.ticks}, batch {BATCH}, MAXLEN ~1000, Redis {args.redis}")
    print(f"load average (1 min) {load[0]:.2f} before, {after[0]:.2f} after")
    if ceiling is not None:
        print(f"server ceiling: redis-benchmark -P 50 {ceiling:>12,.0f} XADD/s  (C client)")
    print(f"raw pipelined XADD (redis-py)    {raw.rate:>12,.0f} ticks/s   (baseline)")
    print(f"    {raw.line()}")
    print(
        f"ARBIG RedisTickStore writer      {ours.rate:>12,.0f} ticks/s   "
        f"({ours.rate / raw.rate:.0%} of raw)"
    )
    print(f"    {ours.line()}")
    print(f"write -> tail latency            p50 {p50:.3f} ms   p99 {p99:.3f} ms")
    print(f"BarBuilder                       {bars:>12,.0f} ticks/s")


if __name__ == "__main__":
    asyncio.run(main())
