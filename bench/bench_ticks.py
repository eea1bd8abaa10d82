"""Tick store and bar builder throughput, each beside a same-run baseline.

    .venv/bin/python bench/bench_ticks.py [--ticks 100000] [--redis redis://127.0.0.1:6379/0]

1. raw pipelined XADD from redis-py (pre-encoded fields, batches of 500) - the baseline;
2. ARBIG's RedisTickStore writer: ``add()`` N ticks, until all are stored;
3. write -> tail latency: a tick ``add()``-ed until a StreamTail yields it (p50/p99);
4. the pure BarBuilder, ticks/s.

Keys live under a random ``bench:<hex>:`` prefix and are deleted at the end; the
shared Redis is otherwise untouched.
"""

import argparse
import asyncio
import secrets
import statistics
import time
from datetime import datetime, timedelta
from decimal import Decimal

from redis.asyncio import Redis

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


async def raw_xadd(url: str, key: str, data: list[Tick]) -> float:
    fields = [encode_tick(t) for t in data]  # encoding is not part of the baseline
    client: Redis = Redis.from_url(url)
    began = time.perf_counter()
    for i in range(0, len(fields), BATCH):
        async with client.pipeline(transaction=False) as pipe:
            for entry in fields[i : i + BATCH]:
                pipe.xadd(key, entry, maxlen=1000, approximate=True)  # type: ignore[arg-type]
            await pipe.execute()
    elapsed = time.perf_counter() - began
    await client.aclose()
    return len(data) / elapsed


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
    return len(data) / elapsed


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
    try:
        raw = await raw_xadd(args.redis, f"{prefix}raw", data)
        ours = await arbig_writer(args.redis, prefix, data)
        p50, p99 = await write_to_tail(args.redis, f"{prefix}tail:", args.latency_ticks)
    finally:
        client: Redis = Redis.from_url(args.redis)
        keys = [k async for k in client.scan_iter(match=f"{prefix}*")]
        if keys:
            await client.delete(*keys)
        await client.aclose()
    bars = max(bar_builder(data) for _ in range(3))
    print(f"ticks: {args.ticks}, batch {BATCH}, MAXLEN ~1000, Redis {args.redis}")
    print(f"raw pipelined XADD (redis-py)    {raw:>12,.0f} ticks/s   (baseline)")
    print(f"ARBIG RedisTickStore writer      {ours:>12,.0f} ticks/s   ({ours / raw:.0%} of raw)")
    print(f"write -> tail latency            p50 {p50:.3f} ms   p99 {p99:.3f} ms")
    print(f"BarBuilder                       {bars:>12,.0f} ticks/s")


if __name__ == "__main__":
    asyncio.run(main())
