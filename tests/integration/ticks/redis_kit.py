"""The machine's shared Redis for the integration tests (checked, and every key under a
test's prefix deleted afterwards), and a private redis-server for the tests that stop
and restart Redis (the shared one is never stopped). A module of its own: test
modules import it by this unique name, never through ``conftest`` (pytest keeps one
``conftest`` module name for every folder's conftest.py)."""

import asyncio
import os
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import redis
from redis.asyncio import Redis

SHARED_URL = os.environ.get("ARBIG_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def unavailable(reason: str) -> None:
    """Skip with ``reason``; under CI=true fail instead."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(reason)
    pytest.skip(reason)


def shared_redis_url() -> str:
    """The shared server's URL (ARBIG_TEST_REDIS_URL), once it answers a PING."""
    try:
        redis.Redis.from_url(SHARED_URL, socket_connect_timeout=1).ping()
    except redis.RedisError as exc:
        unavailable(f"Redis not reachable at {SHARED_URL}: {exc}")
    return SHARED_URL


async def delete_prefixed(client: Redis, prefix: str) -> None:
    """Delete every key under ``prefix``: what a test left on the shared server."""
    keys = [key async for key in client.scan_iter(match=f"{prefix}*")]
    if keys:
        await client.delete(*keys)


@dataclass
class LostCancellations:
    lost: list[str] = field(default_factory=list)  # the tasks that lost one
    reading: set[str] = field(default_factory=set)  # the tasks in a read now


def lose_cancellations(monkeypatch: pytest.MonkeyPatch, *reads: str) -> LostCancellations:
    """From now on, each task's first cancellation that comes during one of ``reads``
    (``Redis`` methods) is lost and taken back (``uncancel``): raised, the read answers
    nothing instead; lost by redis-py itself (as it may lose one that comes as a command
    is sent), the read answers what it read. Only the first: a failing test still
    ends."""
    seen = LostCancellations()
    for name in reads:
        monkeypatch.setattr(Redis, name, _losing(getattr(Redis, name), seen))
    return seen


def _losing(read: Any, seen: LostCancellations) -> Any:
    async def losing_read(self: Redis, *args: Any, **kwargs: Any) -> Any:
        task = asyncio.current_task()
        assert task is not None
        name = task.get_name()
        seen.reading.add(name)
        try:
            answer = await read(self, *args, **kwargs)
        except asyncio.CancelledError:
            if name in seen.lost:
                raise
            answer = []
        else:
            if name in seen.lost or not task.cancelling():
                return answer
        finally:
            seen.reading.discard(name)
        seen.lost.append(name)
        task.uncancel()
        return answer

    return losing_read


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
