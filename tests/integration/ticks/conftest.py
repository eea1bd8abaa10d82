"""Redis for the tick store tests: the machine's shared server (unique keys per test,
deleted afterwards) or a private redis-server this suite starts, stops and restarts.

ARBIG_TEST_REDIS_URL names the shared server (default redis://127.0.0.1:6379/0). An
unreachable server skips the tests with the reason, or fails the run when CI=true.
"""

import os
import secrets
import shutil
import socket
import subprocess
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import redis
from redis.asyncio import Redis

pytestmark = pytest.mark.integration

SHARED_URL = os.environ.get("ARBIG_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def unavailable(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture
def redis_url() -> str:
    try:
        redis.Redis.from_url(SHARED_URL, socket_connect_timeout=1).ping()
    except redis.RedisError as exc:
        unavailable(f"Redis not reachable at {SHARED_URL}: {exc}")
    return SHARED_URL


@pytest.fixture
def prefix() -> str:
    """A key prefix no other test (or person) uses: ``test:<random>:market_data:``."""
    return f"test:{secrets.token_hex(4)}:market_data:"


@pytest.fixture
async def cleanup(redis_url: str, prefix: str) -> AsyncIterator[Redis]:
    """A plain client for assertions; every key under ``prefix`` is deleted afterwards."""
    client = Redis.from_url(redis_url)
    yield client
    keys = [key async for key in client.scan_iter(match=f"{prefix}*")]
    if keys:
        await client.delete(*keys)
    await client.aclose()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class PrivateRedis:
    """A redis-server of our own on a free port, without persistence: stopping it
    loses its data, as a crash of a cache-only Redis would."""

    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.workdir = workdir
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            unavailable("redis-server is not installed (apt-get install redis-server)")
        assert binary is not None
        self.process = subprocess.Popen(
            [
                binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.workdir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                redis.Redis(port=self.port, socket_connect_timeout=0.2).ping()
                return
            except redis.RedisError:
                time.sleep(0.05)
        self.kill()
        pytest.fail(f"private redis-server on port {self.port} did not start")

    def kill(self) -> None:
        """Stop it by its own PID (never by name: the shared Redis must live on)."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[PrivateRedis]:
    server = PrivateRedis(tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.kill()
