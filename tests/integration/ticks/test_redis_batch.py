"""One batch, one round trip: the Lua batch and the plain pipeline store the same
entries, and a batch sent twice stores nothing twice."""

import sys
from pathlib import Path

import pytest
from redis.asyncio import Redis
from redis_kit import PrivateRedis

from arbig.ticks.codec import decode_tick, pack_tick
from arbig.ticks.redis_batch import BatchWriter, Entry

sys.path.insert(0, str(Path(__file__).parents[2] / "unit" / "ticks"))

from tickkit import SYMBOL, at, tick_run

pytestmark = pytest.mark.integration


def batch_for(key: str, count: int = 5) -> tuple[list[Entry], list[int]]:
    ticks = tick_run(at("2026-11-20 09:00:00"), count)
    return [(key, f"{1000 + i}-0", pack_tick(t)) for i, t in enumerate(ticks)], [
        t.volume for t in ticks
    ]


@pytest.mark.parametrize("scripting", [True, False], ids=["lua", "pipeline"])
async def test_a_batch_is_stored_once_however_often_it_is_sent(
    redis_url: str, prefix: str, cleanup: Redis, scripting: bool
) -> None:
    key = f"{prefix}{SYMBOL}"
    batch, volumes = batch_for(key)
    writer = BatchWriter(cleanup, 1000, scripting=scripting)
    first = await writer.write(batch)
    again = await writer.write(batch)
    assert (first.stored, first.duplicates, first.refused) == (5, 0, 0)
    assert (again.stored, again.duplicates, again.refused) == (0, 5, 0)
    entries = await cleanup.xrange(key)
    assert [decode_tick(SYMBOL, fields).volume for _, fields in entries] == volumes
    assert entries[0][0] == b"1000-0"


async def test_a_restarted_redis_that_forgot_the_script_gets_it_again(
    private_redis: PrivateRedis,
) -> None:
    client = Redis.from_url(private_redis.url)
    writer = BatchWriter(client, 1000)
    batch, _ = batch_for(f"market_data:{SYMBOL}")
    await writer.write(batch[:2])
    await client.script_flush()  # as a restart would
    result = await writer.write(batch[2:])
    assert result.stored == 3
    assert await client.xlen(f"market_data:{SYMBOL}") == 5
    await client.aclose()
