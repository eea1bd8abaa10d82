"""The core's side of the request stream: read through a consumer group, carried out
on the core's own ``CoreClient``, answered on the asking replica's reply stream.

- A command acts once per request id: its answer is recorded in Redis before it is
  acknowledged, and a repeated delivery answers the record. A delivery that finds the
  command begun and unanswered (the core that took it died) is refused as of unknown
  outcome, never run a second time.
- A request found past its deadline is refused, not carried out late.
- A delivery that cannot be read or answered is not acknowledged: it is taken up again
  after ``retry_after_s``; after ``max_deliveries`` it goes to the dead-letter stream,
  is counted, and its replica gets a refusal.
"""

import asyncio
import contextlib
import dataclasses
import time
from collections.abc import Callable
from typing import Any

import structlog
from redis.asyncio import Redis
from redis.exceptions import ResponseError

from arbig.api.client import CoreClient
from arbig.api.errors import CoreUnreachable, Refused
from arbig.api.health import Component, ComponentState, Health
from arbig.domain.contract import ContractError
from arbig.host.wire import (
    ANSWER_TTL_S,
    REPLIES_MAXLEN,
    BusKeys,
    CoreFailed,
    Request,
    WireError,
    answer_fields,
    decode_request,
)
from arbig.ticks.redis_conn import (
    BACKOFF_MAX_S,
    BACKOFF_MIN_S,
    UNAVAILABLE,
    Stopper,
    raise_if_cancelled,
    when_ready,
)

log = structlog.get_logger(__name__)

RUNNING = b"running"
READ_COUNT = 100
BLOCK_MS = 1000


class CommandServer:
    """Serves ``client`` (the core's local one) to the replicas, as consumer ``name``."""

    def __init__(
        self,
        redis: Redis,
        keys: BusKeys,
        client: CoreClient,
        *,
        name: str,
        max_deliveries: int,
        retry_after_s: float,
        on_dead_letter: Callable[[], None] = lambda: None,
    ) -> None:
        self._redis = redis
        self._keys = keys
        self._client = client
        self.name = name
        self._max_deliveries = max_deliveries
        self._retry_after_ms = int(retry_after_s * 1000)
        self._on_dead_letter = on_dead_letter
        self._tasks: set[asyncio.Task[None]] = set()
        self._in_hand: set[bytes] = set()  # entry ids being carried out here
        # Commands being carried out here, by request id: a repeated delivery that
        # arrives meanwhile waits for the first one's answer.
        self._running: dict[str, asyncio.Future[bytes]] = {}
        self._loops: list[asyncio.Task[None]] = []
        self._stopper = Stopper()
        self.dead_letters = 0

    async def start(self) -> None:
        await self._create_group()
        self._loops = [
            asyncio.create_task(self._read_loop(), name="command-reader"),
            asyncio.create_task(self._retry_loop(), name="command-retries"),
        ]

    async def _create_group(self, start: str = "$") -> None:
        # Not through when_ready: BUSYGROUP (the group is there) is no "busy" reply.
        try:
            await self._redis.xgroup_create(
                self._keys.requests, self._keys.group, start, mkstream=True
            )
        except ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise

    async def stop(self) -> None:
        """Stop taking requests; those in hand finish (within the caller's limit)."""
        await self._stopper.stop(*self._loops, interrupt=True)
        if self._tasks:
            await asyncio.wait(set(self._tasks))

    # --- reading ----------------------------------------------------------------------

    async def _read_loop(self) -> None:
        backoff = BACKOFF_MIN_S
        while not self._stopper.stopped():
            raise_if_cancelled()  # one lost in the last read that went well
            try:
                reply: Any = await when_ready(
                    self._redis.xreadgroup(
                        self._keys.group,
                        self.name,
                        {self._keys.requests: ">"},
                        count=READ_COUNT,
                        block=BLOCK_MS,
                    )
                )
                backoff = BACKOFF_MIN_S
            except (*UNAVAILABLE, ResponseError) as exc:
                raise_if_cancelled()
                # A restarted Redis has lost the group with the stream: make it again.
                if isinstance(exc, ResponseError) and "NOGROUP" in str(exc):
                    # Everything in the new stream came after the restart: read it all.
                    with contextlib.suppress(*UNAVAILABLE, ResponseError):
                        await self._create_group("0")
                else:
                    log.warning("command stream unavailable; retrying", error=str(exc))
                await self._stopper.pause(backoff)
                backoff = min(backoff * 2, BACKOFF_MAX_S)
                continue
            if self._stopper.stopped():
                return  # what it read is left pending, for the next core to claim
            for _, entries in reply or ():
                for entry_id, fields in entries:
                    self._spawn(entry_id, fields)

    def _spawn(self, entry_id: bytes, fields: dict[bytes, bytes]) -> None:
        if entry_id in self._in_hand:
            return
        self._in_hand.add(entry_id)
        task = asyncio.create_task(self._handle(entry_id, fields))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _retry_loop(self) -> None:
        """Deliveries left unacknowledged (here or by a core that died) are tried again,
        or dead-lettered once tried ``max_deliveries`` times."""
        while not await self._stopper.pause(self._retry_after_ms / 1000):
            raise_if_cancelled()  # one lost in the last round
            try:
                await self._retry_once()
            except (*UNAVAILABLE, ResponseError) as exc:
                raise_if_cancelled()
                log.debug("command retries: redis unavailable", error=str(exc))

    async def _retry_once(self) -> None:
        keys = self._keys
        pending: Any = await when_ready(
            self._redis.xpending_range(
                keys.requests, keys.group, "-", "+", 100, idle=self._retry_after_ms
            )
        )
        for item in pending:
            entry_id = item["message_id"]
            if entry_id in self._in_hand:
                continue
            claimed: Any = await self._redis.xclaim(
                keys.requests, keys.group, self.name, self._retry_after_ms, [entry_id]
            )
            if not claimed or claimed[0][1] is None:  # trimmed away meanwhile
                await self._redis.xack(keys.requests, keys.group, entry_id)
                continue
            _, fields = claimed[0]
            if item["times_delivered"] >= self._max_deliveries:
                await self._dead_letter(entry_id, fields, item["times_delivered"])
            else:
                self._spawn(entry_id, fields)

    async def _dead_letter(self, entry_id: bytes, fields: dict[bytes, bytes], times: int) -> None:
        keys = self._keys
        reason = f"not processed after {times} deliveries"
        letter = {**fields, b"entry": entry_id, b"reason": reason.encode()}
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.xadd(keys.dead_letters, letter, maxlen=10_000, approximate=True)  # type: ignore[arg-type]
            pipe.xack(keys.requests, keys.group, entry_id)
            await when_ready(pipe.execute())
        self.dead_letters += 1
        self._on_dead_letter()
        log.error(
            "command dead-lettered",
            entry=entry_id.decode(),
            method=fields.get(b"m", b"?").decode(errors="replace")[:64],
            reason=reason,
        )
        request_id, reply_to = fields.get(b"id"), fields.get(b"r")
        if request_id and reply_to:
            error = CoreUnreachable(
                f"the core could not process this request ({reason}): it was not carried out"
            )
            with contextlib.suppress(*UNAVAILABLE):
                answer = answer_fields(request_id.decode(), error=error)
                await self._reply(reply_to.decode(), answer)

    # --- carrying out -----------------------------------------------------------------

    async def _handle(self, entry_id: bytes, fields: dict[bytes, bytes]) -> None:
        request_id: str | None = None
        try:
            request = decode_request(fields)
            request_id = request.request_id
            answer, record = await self._answer(request)
            # One transaction: the command's answer recorded, the replica answered, the
            # entry acknowledged; all or none (then the entry is delivered again).
            async with self._redis.pipeline(transaction=True) as pipe:
                if record is not None:
                    pipe.set(record, answer, ex=ANSWER_TTL_S)
                pipe.xadd(request.reply_to, {b"a": answer}, maxlen=REPLIES_MAXLEN, approximate=True)
                pipe.expire(request.reply_to, ANSWER_TTL_S)
                pipe.xack(self._keys.requests, self._keys.group, entry_id)
                await when_ready(pipe.execute())
        except (WireError, *UNAVAILABLE, ResponseError) as exc:
            # Left pending: tried again after retry_after_s, dead-lettered in the end.
            log.warning("command not processed", entry=entry_id.decode(), error=str(exc))
        except Exception:
            log.exception("command handling failed", entry=entry_id.decode())
        finally:
            self._in_hand.discard(entry_id)
            running = self._running.get(request_id or "")
            if running is not None and running.done():
                del self._running[request_id or ""]

    async def _answer(self, request: Request) -> tuple[bytes, str | None]:
        """The answer, and the key to record it under (a command carried out here)."""
        if request.expired:
            late = int(time.time() * 1000) - request.deadline_ms
            refusal = Refused(
                f"the command reached the core {late} ms after its deadline and was not carried out"
            )
            return answer_fields(request.request_id, error=refusal), None
        if not request.method.is_command:
            return await self._carry_out(request), None
        running = self._running.get(request.request_id)
        if running is not None:
            # A repeated delivery while the first is carried out (or being recorded).
            return await asyncio.shield(running), None
        running = self._running[request.request_id] = asyncio.get_running_loop().create_future()
        try:
            answer, record = await self._once(request)
        except BaseException as exc:
            running.set_exception(exc)
            running.exception()  # retrieved: the repeated delivery, if any, sees it
            raise
        running.set_result(answer)
        return answer, record

    async def _once(self, request: Request) -> tuple[bytes, str | None]:
        record = self._keys.answer(request.request_id)
        taken = await when_ready(self._redis.set(record, RUNNING, nx=True, ex=ANSWER_TTL_S))
        if not taken:
            earlier: Any = await when_ready(self._redis.get(record))
            if earlier is not None and earlier != RUNNING:
                return bytes(earlier), None  # a repeated delivery: the first answer
            unknown = CoreFailed(
                "this command was taken up before and its outcome was not recorded: "
                "check the orders and the audit trail before sending it again"
            )
            return answer_fields(request.request_id, error=unknown), None
        return await self._carry_out(request), record

    async def _carry_out(self, request: Request) -> bytes:
        method = getattr(self._client, request.method.name)
        try:
            result = await method(**request.args)
        except (Refused, ContractError) as exc:
            return answer_fields(request.request_id, error=exc)
        except Exception as exc:
            log.exception("command failed in the core", method=request.method.name)
            return answer_fields(
                request.request_id, error=CoreFailed(f"{type(exc).__name__}: {exc}")
            )
        if request.method.name == "health":
            result = await self._with_bus_health(result)
        return answer_fields(request.request_id, result=result)

    async def _with_bus_health(self, health: Health) -> Health:
        """The core's health, with the bus's own component (dead letters, who serves)."""
        try:
            dead = int(await when_ready(self._redis.xlen(self._keys.dead_letters)))
        except (*UNAVAILABLE, ResponseError):
            dead = -1
        if dead > 0:
            bus = Component(
                ComponentState.DEGRADED,
                f"{dead} dead-lettered command(s) in {self._keys.dead_letters}",
            )
        else:
            bus = Component(ComponentState.UP, f"served by core {self.name}")
        components = {**health.components, "command_bus": bus}
        status = health.status
        if bus.state is ComponentState.DEGRADED and status is ComponentState.UP:
            status = ComponentState.DEGRADED
        return dataclasses.replace(health, components=components, status=status)

    async def _reply(self, reply_to: str, answer: bytes) -> None:
        async with self._redis.pipeline(transaction=False) as pipe:
            pipe.xadd(reply_to, {b"a": answer}, maxlen=REPLIES_MAXLEN, approximate=True)
            pipe.expire(reply_to, ANSWER_TTL_S)
            await when_ready(pipe.execute())
