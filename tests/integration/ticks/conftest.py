"""Redis for the tick store tests: the machine's shared server (unique keys per test,
deleted afterwards) or a private redis-server this suite starts, stops and restarts.

ARBIG_TEST_REDIS_URL names the shared server (default redis://127.0.0.1:6379/0). An
unreachable server skips the tests with the reason, or fails the run when CI=true.
"""

import secrets
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from redis.asyncio import Redis
from redis_kit import PrivateRedis, delete_prefixed, shared_redis_url

pytestmark = pytest.mark.integration


@pytest.fixture
def redis_url() -> str:
    return shared_redis_url()


@pytest.fixture
def prefix() -> str:
    """A key prefix no other test (or person) uses: ``test:<random>:market_data:``."""
    return f"test:{secrets.token_hex(4)}:market_data:"


@pytest.fixture
async def cleanup(redis_url: str, prefix: str) -> AsyncIterator[Redis]:
    """A plain client for assertions; every key under ``prefix`` is deleted afterwards."""
    client = Redis.from_url(redis_url)
    yield client
    await delete_prefixed(client, prefix)
    await client.aclose()


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[PrivateRedis]:
    server = PrivateRedis(tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.kill()
