"""Redis for the lease and shared-exchange tests: the machine's shared server, every
key under a prefix of the test's own, deleted afterwards."""

import os
import secrets
from collections.abc import AsyncIterator

import pytest
import redis
from redis.asyncio import Redis

SHARED_URL = os.environ.get("ARBIG_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture
def redis_url() -> str:
    try:
        redis.Redis.from_url(SHARED_URL, socket_connect_timeout=1).ping()
    except redis.RedisError as exc:
        reason = f"Redis not reachable at {SHARED_URL}: {exc}"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return SHARED_URL


@pytest.fixture
def prefix() -> str:
    return f"test:{secrets.token_hex(4)}:"


@pytest.fixture
async def client(redis_url: str, prefix: str) -> AsyncIterator[Redis]:
    """A client for the test; every key under ``prefix`` is deleted afterwards."""
    client = Redis.from_url(redis_url)
    yield client
    keys = [key async for key in client.scan_iter(match=f"{prefix}*")]
    if keys:
        await client.delete(*keys)
    await client.aclose()
