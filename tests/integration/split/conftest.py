"""The split deployment's bus against the machine's Redis, each test under a key
prefix of its own (deleted afterwards). An unreachable Redis skips the tests with the
reason, or fails the run when CI=true."""

import secrets
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from redis.asyncio import Redis

sys.path.insert(0, str(Path(__file__).parents[1] / "ticks"))

from redis_kit import delete_prefixed, shared_redis_url

from arbig.host.wire import BusKeys

pytestmark = pytest.mark.integration


@pytest.fixture
def redis_url() -> str:
    return shared_redis_url()


@pytest.fixture
async def keys(redis_url: str) -> AsyncIterator[BusKeys]:
    """A prefix no other test uses; every key under it is deleted afterwards."""
    keys = BusKeys(f"test:{secrets.token_hex(4)}:bus:")
    yield keys
    client = Redis.from_url(redis_url)
    await delete_prefixed(client, keys.prefix)
    await client.aclose()


@pytest.fixture
async def plain(redis_url: str) -> AsyncIterator[Redis]:
    client = Redis.from_url(redis_url)
    yield client
    await client.aclose()
