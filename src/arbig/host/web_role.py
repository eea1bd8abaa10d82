"""The web role of the split deployment (`arbig run --role web`): REST, the WebSocket
hub and the console, with no trading state of its own. The host it hands the web app
is a ``RedisCoreClient`` to the active core, the SQL session and credential stores
shared by every replica, and this process's own metrics (the report cache's hits and
misses among them)."""

from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine

from arbig.api.client import CoreClient
from arbig.auth.ratelimit import LoginLimiter
from arbig.auth.shared_limit import SharedLoginLimiter
from arbig.config import Settings
from arbig.host.redis_client import RedisCoreClient
from arbig.host.shared_idempotency import SharedIdempotency
from arbig.host.wire import BusKeys
from arbig.ops.metrics import Metrics
from arbig.storage.credential_store import SqlCredentialStore
from arbig.storage.database import session_factory
from arbig.storage.session_store import SqlSessionStore


class WebHost:
    def __init__(self, settings: Settings, engine: AsyncEngine) -> None:
        if not settings.redis_url:
            raise ValueError("the web role needs ARBIG_REDIS_URL")
        self.metrics = Metrics()
        self.notifier = None
        self._engine = engine
        self._settings = settings
        self._limit_redis: Redis | None = None
        self._keys_redis: Redis = Redis.from_url(
            settings.redis_url, socket_connect_timeout=1.0, socket_timeout=2.0
        )
        # Idempotency-Key answers, shared by the replicas (the web app takes it).
        self.idempotency = SharedIdempotency(self._keys_redis, settings.split.prefix)
        sessions = session_factory(engine)
        self.session_store = SqlSessionStore(sessions)
        # The operator's credential, shared by every replica through the database.
        self.credential_store = SqlCredentialStore(sessions)
        split = settings.split
        self._client = RedisCoreClient(
            settings.redis_url,
            BusKeys(split.prefix),
            timeout_s=split.command_timeout_s,
            cache_ttl_s=split.cache_ttl_s,
            counted=lambda result: self.metrics.report_cache.labels(result).inc(),
        )

    def login_limiter(self, rule: LoginLimiter) -> SharedLoginLimiter:
        """The login delay, shared with the other replicas through Redis."""
        assert self._settings.redis_url is not None
        self._limit_redis = Redis.from_url(
            self._settings.redis_url, socket_connect_timeout=1.0, socket_timeout=1.0
        )
        return SharedLoginLimiter(self._limit_redis, self._settings.split.prefix, rule)

    @property
    def client(self) -> CoreClient:
        return self._client

    @property
    def replica(self) -> str:
        return self._client.replica

    async def start(self) -> None:
        await self._client.start()

    async def stop(self) -> None:
        try:
            await self._client.stop()
            if self._limit_redis is not None:
                await self._limit_redis.aclose()
            await self._keys_redis.aclose()
        finally:
            await self._engine.dispose()
