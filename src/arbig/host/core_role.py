"""The core role of the split deployment (`arbig run --role core`): the kernel, the
gateway, the book writer and the strategy, serving the web replicas over Redis.

The role is built passive. ``activate`` builds and starts the runtime, then publishes
its events and serves the request stream; ``deactivate`` stops serving first (no
request is taken up any more), then stops the runtime. A deactivated role is spent:
its process ends, and a supervisor starts a fresh one. Whoever decides when a core
may trade (the lease) calls these two; without one the role activates at once.
"""

import asyncio
import os
import socket
import uuid
from collections.abc import Awaitable, Callable
from typing import Protocol

import structlog
from redis.asyncio import Redis

from arbig.api.client import CoreClient
from arbig.config import Settings
from arbig.engine.book import Events
from arbig.host.command_server import CommandServer
from arbig.host.publisher import EventPublisher
from arbig.host.wire import BusKeys
from arbig.ops.metrics import Metrics

log = structlog.get_logger(__name__)


class CoreRuntime(Protocol):
    """The runtime as the core role uses it (``arbig.runtime.EmbeddedRuntime``)."""

    @property
    def client(self) -> CoreClient: ...

    @property
    def metrics(self) -> Metrics: ...

    @property
    def bus(self) -> Events: ...

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


def core_name() -> str:
    """This core's name on the bus: host, process and a random part (a restarted process
    with the same pid is another core)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class CoreRole:
    def __init__(
        self, settings: Settings, build: Callable[[Settings], Awaitable[CoreRuntime]]
    ) -> None:
        if not settings.redis_url:
            raise ValueError("the core role needs ARBIG_REDIS_URL")
        self.settings = settings
        self.name = core_name()
        self.keys = BusKeys(settings.split.prefix)
        self._build = build
        # Without socket_timeout: each call is bounded by redis_conn.within instead (a
        # timer, where redis-py's socket_timeout runs every send as a task of its own).
        # The requests' client is their own, so that no batch of events queues ahead.
        self._events_redis: Redis = Redis.from_url(
            settings.redis_url, socket_connect_timeout=2.0, socket_timeout=None
        )
        self._requests_redis: Redis = Redis.from_url(
            settings.redis_url, socket_connect_timeout=2.0, socket_timeout=None
        )
        self.runtime: CoreRuntime | None = None
        self._publisher: EventPublisher | None = None
        self._server: CommandServer | None = None
        self._lock = asyncio.Lock()
        self.active = False

    async def activate(self) -> None:
        """Start trading: the runtime (which reconciles with the broker before it
        trades), then the event stream and the request stream."""
        async with self._lock:
            if self.active:
                return
            runtime = self.runtime = await self._build(self.settings)
            await runtime.start()
            split = self.settings.split
            self._publisher = EventPublisher(
                self._events_redis, self.keys, runtime.bus, maxlen=split.events_maxlen
            )
            await self._publisher.start()
            self._server = CommandServer(
                self._requests_redis,
                self.keys,
                runtime.client,
                name=self.name,
                max_deliveries=split.max_deliveries,
                retry_after_s=split.retry_after_s,
                on_dead_letter=runtime.metrics.commands_dead_lettered.inc,
                observe=lambda kind, stage, seconds: runtime.metrics.bus_serving.labels(
                    kind, stage
                ).observe(seconds),
            )
            await self._server.start()
            self.active = True
            log.info("core active", core=self.name)

    async def deactivate(self) -> None:
        """Stop taking requests, then stop the runtime. Final for this role."""
        async with self._lock:
            if self._server is not None:
                await self._server.stop()
                self._server = None
            if self.runtime is not None:
                await self.runtime.stop()
            if self._publisher is not None:
                await self._publisher.stop()
                self._publisher = None
            if self.active:
                log.info("core inactive", core=self.name)
            self.active = False

    async def close(self) -> None:
        await self.deactivate()
        await self._events_redis.aclose()
        await self._requests_redis.aclose()
