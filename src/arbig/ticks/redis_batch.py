"""Writing one batch of ticks to their streams in one round trip.

redis-py spends most of a pipelined XADD in Python, packing each of the ~40
arguments of every entry. So a batch goes as one ``EVALSHA`` of a small Lua
script instead: two arguments per tick (the entry id and the fields packed in
one string), unpacked and XADDed by Redis itself. An id Redis already has is
counted as a duplicate (a retried batch), not an error. Where scripting is not
allowed, the batch falls back to a pipeline of plain XADDs.
"""

from collections.abc import Sequence
from typing import Any, NamedTuple

import structlog
from redis.asyncio import Redis
from redis.exceptions import NoScriptError, ResponseError

from arbig.ticks.codec import SEPARATOR
from arbig.ticks.redis_conn import UNAVAILABLE

log = structlog.get_logger(__name__)

# KEYS[i]: the stream of tick i. ARGV[1]: MAXLEN; ARGV[2i], ARGV[2i+1]: id and packed fields.
XADD_BATCH = """
local maxlen = ARGV[1]
local stored, duplicates, refused = 0, 0, 0
local last_error = ''
for i = 1, #KEYS do
  local fields = {}
  for part in string.gmatch(ARGV[2 * i + 1], '[^\\31]+') do
    fields[#fields + 1] = part
  end
  local ok, err = pcall(redis.call, 'XADD', KEYS[i], 'MAXLEN', '~', maxlen, ARGV[2 * i],
                        unpack(fields))
  if ok then
    stored = stored + 1
  elseif string.find(tostring(err.err or err), 'equal or smaller', 1, true) then
    duplicates = duplicates + 1
  else
    refused = refused + 1
    last_error = tostring(err.err or err)
  end
end
return {stored, duplicates, refused, last_error}
"""

Entry = tuple[str, str, str]  # stream key, entry id, packed fields


class BatchResult(NamedTuple):
    stored: int
    duplicates: int
    refused: int


class BatchWriter:
    """Writes batches of entries; connection errors propagate for the caller to retry."""

    def __init__(self, redis: Redis, maxlen: int, *, scripting: bool = True) -> None:
        self._redis = redis
        self._maxlen = maxlen
        self._sha: str | None = None
        self._scripting = scripting

    async def write(self, batch: Sequence[Entry]) -> BatchResult:
        if self._scripting:
            try:
                return await self._script(batch)
            except UNAVAILABLE:
                raise
            except ResponseError as exc:
                if "NOSCRIPT" in str(exc) or isinstance(exc, NoScriptError):
                    self._sha = None  # Redis restarted and forgot it: load again
                    return await self._script(batch)
                log.warning("Lua scripting refused; writing ticks with plain XADD", error=str(exc))
                self._scripting = False
        return await self._pipeline(batch)

    async def _script(self, batch: Sequence[Entry]) -> BatchResult:
        if self._sha is None:
            self._sha = str(await self._redis.script_load(XADD_BATCH))
        args: list[Any] = [self._maxlen]
        for _, entry_id, packed in batch:
            args.append(entry_id)
            args.append(packed)
        keys = [key for key, _, _ in batch]
        reply: Any = await self._redis.evalsha(self._sha, len(keys), *keys, *args)
        stored, duplicates, refused, error = reply
        if refused:
            log.error("redis refused ticks", count=int(refused), error=_text(error))
        return BatchResult(int(stored), int(duplicates), int(refused))

    async def _pipeline(self, batch: Sequence[Entry]) -> BatchResult:
        async with self._redis.pipeline(transaction=False) as pipe:
            for key, entry_id, packed in batch:
                parts = packed.split(SEPARATOR)
                fields = dict(zip(parts[::2], parts[1::2], strict=True))
                pipe.xadd(key, fields, id=entry_id, maxlen=self._maxlen, approximate=True)  # type: ignore[arg-type]
            results = await pipe.execute(raise_on_error=False)
        stored = duplicates = refused = 0
        for result in results:
            if not isinstance(result, Exception):
                stored += 1
            elif isinstance(result, ResponseError) and "equal or smaller" in str(result):
                duplicates += 1
            elif isinstance(result, UNAVAILABLE):
                raise result
            else:
                refused += 1
                log.error("redis refused a tick", error=str(result))
        return BatchResult(stored, duplicates, refused)


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
