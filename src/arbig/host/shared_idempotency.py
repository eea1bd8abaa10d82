"""``Idempotency-Key`` shared by every web replica through Redis (split deployment).

The same rule as the web layer's own (``arbig.web.idempotency``): the first request
with a key acts; a request with the same key from the same caller within the window
answers that first answer without acting again (waiting for it while it runs, on
whichever replica); the same key with another body is refused; an answer that is
neither a success nor a refusal (a 5xx) is not kept, so the retry acts. The answer
is kept as what went out: a response's status and body, or a model's JSON.
"""

import asyncio
import hashlib
import importlib
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import orjson
from fastapi import HTTPException
from pydantic import BaseModel
from redis.asyncio import Redis
from redis.exceptions import RedisError
from starlette.responses import Response

log = logging.getLogger(__name__)
T = TypeVar("T")

WINDOW_S = 24 * 3600
RUNNING_S = 120  # a first request that ran longer than this is taken as gone
POLL_S = 0.05


class SharedIdempotency:
    def __init__(self, redis: Redis, prefix: str, window_s: int = WINDOW_S) -> None:
        self._redis = redis
        self._prefix = f"{prefix}idempotency:"
        self._window_s = window_s

    async def once(
        self,
        key: str | None,
        scope: tuple[str, str],
        body: str,
        act: Callable[[], Awaitable[Any]],
    ) -> Any:
        if key is None:
            return await act()
        slot = self._prefix + hashlib.sha256("\0".join((*scope, key)).encode()).hexdigest()
        deadline = time.monotonic() + RUNNING_S
        running = orjson.dumps({"body": body})
        while not await self._checked(self._redis.set(slot, running, nx=True, ex=RUNNING_S)):
            kept: Any = await self._checked(self._redis.get(slot))
            if kept is None:
                continue  # the first one failed and let go: this one acts
            entry = orjson.loads(kept)
            if entry["body"] != body:
                raise HTTPException(
                    422, "the Idempotency-Key header was already used with a different body"
                )
            if "answer" in entry:
                return _answer_of(entry["answer"])
            if time.monotonic() > deadline:
                raise HTTPException(503, "the first request with this key did not finish")
            await asyncio.sleep(POLL_S)
        try:
            answer = await act()
        except HTTPException as exc:
            if exc.status_code >= 500:
                await self._let_go(slot)
                raise
            refusal = {"refusal": exc.status_code, "detail": exc.detail, "headers": exc.headers}
            await self._keep(slot, body, refusal)
            raise
        except BaseException:
            await self._let_go(slot)
            raise
        await self._keep(slot, body, _kept(answer))
        return answer

    async def _keep(self, slot: str, body: str, answer: dict[str, Any]) -> None:
        """Keep the answer; one that cannot be kept is logged, and the request's own
        answer still goes out (it acted)."""
        entry = orjson.dumps({"body": body, "answer": answer})
        try:
            await self._redis.set(slot, entry, ex=self._window_s)
        except (RedisError, OSError) as exc:
            log.error("idempotency: an answer could not be kept: %s", exc)

    async def _let_go(self, slot: str) -> None:
        try:
            await self._redis.delete(slot)
        except (RedisError, OSError) as exc:  # it expires after RUNNING_S
            log.warning("idempotency: a key could not be let go: %s", exc)

    async def _checked(self, call: Awaitable[T]) -> T:
        try:
            return await call
        except (RedisError, OSError) as exc:
            raise HTTPException(
                503,
                f"the Idempotency-Key cannot be checked now (Redis: {type(exc).__name__}); "
                "nothing was done",
            ) from None


def _kept(answer: Any) -> dict[str, Any]:
    if isinstance(answer, Response):
        return {
            "status": answer.status_code,
            "media": answer.media_type,
            "content": bytes(answer.body).decode(),
        }
    if isinstance(answer, BaseModel):
        cls = type(answer)
        return {"model": f"{cls.__module__}:{cls.__qualname__}", "json": answer.model_dump_json()}
    raise TypeError(f"an answer of type {type(answer).__name__} cannot be kept")


def _answer_of(kept: dict[str, Any]) -> Any:
    if "refusal" in kept:
        raise HTTPException(kept["refusal"], kept["detail"], headers=kept["headers"])
    if "model" in kept:
        module, _, name = kept["model"].partition(":")
        cls: type[BaseModel] = getattr(importlib.import_module(module), name)
        return cls.model_validate_json(kept["json"])
    return Response(kept["content"], status_code=kept["status"], media_type=kept["media"])
