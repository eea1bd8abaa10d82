"""CTP requests and their answers: request ids, CTP's query pace, and the answer's rows.

A request is a ``ReqXxx`` call with a request id; its answer arrives as one or more
``OnRspXxx`` calls with that id, the last flagged ``bIsLast``, or as an error
(``CThostFtdcRspInfoField`` with an ErrorID). The desk keeps a future per request,
collects the rows and resolves it; the session awaits it.
"""

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from arbig.gateways.base import GatewayError
from arbig.gateways.ctp.bridge import Fields
from arbig.gateways.ctp.errors import CtpError, request_failure, rsp_error


class StepFailed(Exception):
    """A request could not be made or answered; ``reason`` says why in a few words."""

    def __init__(self, step: str, reason: str) -> None:
        super().__init__(f"{step}: {reason}")
        self.step = step
        self.reason = reason


class Refused(Exception):
    """CTP answered a request with an error."""

    def __init__(self, error: CtpError) -> None:
        super().__init__(str(error))
        self.error = error


class _FlowLimited(Exception):
    """CTP refused to send the query now (too many in flight or per second)."""


@dataclass(slots=True)
class _Pending:
    name: str
    future: asyncio.Future[list[Fields]]
    rows: list[Fields] = field(default_factory=list)


class RequestDesk:
    """Sends requests through ``api()`` (None while disconnected) and matches answers."""

    def __init__(self, api: Callable[[], Any], query_interval_s: float) -> None:
        self._api = api
        self._interval = query_interval_s
        self._pending: dict[int, _Pending] = {}
        self._request_id = 0
        self._query_lock = asyncio.Lock()
        self._last_query = float("-inf")

    def next_id(self) -> int:
        self._request_id += 1
        return self._request_id

    async def request(self, name: str, method: str, request: Any) -> list[Fields]:
        """Send a request that is not a query (no pacing) and wait for its answer."""
        return await self._send(name, method, request)

    async def query(self, name: str, method: str, request: Any) -> list[Fields]:
        """A query, at CTP's pace; sent again while CTP reports its flow limit."""
        loop = asyncio.get_running_loop()
        async with self._query_lock:
            while True:
                wait = self._last_query + self._interval - loop.time()
                if wait > 0:
                    await asyncio.sleep(wait)
                self._last_query = loop.time()
                try:
                    return await self._send(name, method, request)
                except _FlowLimited:
                    await asyncio.sleep(max(self._interval, 0.1))

    async def ask(self, name: str, method: str, request: Any, timeout_s: float) -> list[Fields]:
        """A query for a caller outside the session steps: every failure a GatewayError."""
        try:
            async with asyncio.timeout(timeout_s):
                return await self.query(name, method, request)
        except StepFailed as exc:
            raise GatewayError(f"CTP {name} query: {exc.reason}") from None
        except Refused as exc:
            raise GatewayError(f"CTP {name} query: {exc.error}") from None
        except TimeoutError:
            raise GatewayError(f"CTP {name} query: no answer within {timeout_s:g} s") from None

    def answer(
        self, request_id: int, data: Fields | None, info: Fields | None, is_last: bool
    ) -> None:
        """One OnRspXxx call: a row, the last row, or an error."""
        pending = self._pending.get(request_id)
        if pending is None:
            return
        error = rsp_error(info)
        if error is not None:
            del self._pending[request_id]
            if not pending.future.done():
                pending.future.set_exception(Refused(error))
            return
        if data is not None:
            pending.rows.append(data)
        if is_last:
            del self._pending[request_id]
            if not pending.future.done():
                pending.future.set_result(pending.rows)

    def fail_all(self, reason: str) -> None:
        """The front dropped: every request waiting for an answer fails with ``reason``."""
        pending, self._pending = self._pending, {}
        for item in pending.values():
            if not item.future.done():
                item.future.set_exception(StepFailed(item.name, reason))
                item.future.exception()  # retrieved: a cancelled step may never read it

    async def _send(self, name: str, method: str, request: Any) -> list[Fields]:
        api = self._api()
        if api is None:
            raise StepFailed(name, "the trader front is not connected")
        request_id = self.next_id()
        future: asyncio.Future[list[Fields]] = asyncio.get_running_loop().create_future()
        self._pending[request_id] = _Pending(name, future)
        code = getattr(api, method)(request, request_id)
        if code:
            del self._pending[request_id]
            if code in (-2, -3):
                raise _FlowLimited
            raise StepFailed(name, request_failure(code) or f"code {code}")
        try:
            return await future
        finally:
            self._pending.pop(request_id, None)
