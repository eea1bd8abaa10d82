"""Redis for the lease and shared-exchange tests: the machine's shared server, every
key under a prefix of the test's own, deleted afterwards."""

import secrets
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from redis.asyncio import Redis

sys.path.insert(0, str(Path(__file__).parents[1] / "ticks"))

from redis_kit import delete_prefixed, shared_redis_url


@pytest.fixture
def redis_url() -> str:
    return shared_redis_url()


@pytest.fixture
def prefix() -> str:
    return f"test:{secrets.token_hex(4)}:"


@pytest.fixture
async def client(redis_url: str, prefix: str) -> AsyncIterator[Redis]:
    """A client for the test; every key under ``prefix`` is deleted afterwards."""
    client = Redis.from_url(redis_url)
    yield client
    await delete_prefixed(client, prefix)
    await client.aclose()
