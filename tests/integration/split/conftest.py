"""The split deployment's bus against the machine's Redis, each test under a key
prefix of its own (deleted afterwards). An unreachable Redis skips the tests with the
reason, or fails the run when CI=true."""

import os
import secrets
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import redis
from redis.asyncio import Redis

sys.path.insert(0, str(Path(__file__).parents[1] / "ticks"))

from redis_kit import unavailable

from arbig.host.wire import BusKeys

pytestmark = pytest.mark.integration

SHARED_URL = os.environ.get("ARBIG_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture
def redis_url() -> str:
    try:
        redis.Redis.from_url(SHARED_URL, socket_connect_timeout=1).ping()
    except redis.RedisError as exc:
        unavailable(f"Redis not reachable at {SHARED_URL}: {exc}")
    return SHARED_URL


@pytest.fixture
async def keys(redis_url: str) -> AsyncIterator[BusKeys]:
    """A prefix no other test uses; every key under it is deleted afterwards."""
    keys = BusKeys(f"test:{secrets.token_hex(4)}:bus:")
    yield keys
    client = Redis.from_url(redis_url)
    found = [key async for key in client.scan_iter(match=f"{keys.prefix}*")]
    if found:
        await client.delete(*found)
    await client.aclose()


@pytest.fixture
async def plain(redis_url: str) -> AsyncIterator[Redis]:
    client = Redis.from_url(redis_url)
    yield client
    await client.aclose()
