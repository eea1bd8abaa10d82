"""A strategy's line of work: jobs run one at a time, in the order they were put.

A job is a coroutine function: a trigger write and its order sends, a trigger
update, a state save, a cancel. Jobs put ``eager`` (a decision: its trigger and
orders) may be started by ``run_ready`` on the caller's stack instead of at the
worker task's next turn of the event loop: with a store that answers without
waiting (memory), the order leaves within the tick that caused it. A job that
has to wait (a database commit) is handed to the worker at that point and
finishes there; whatever was queued behind it waits its turn, so the order of
the work never changes, only where it runs. The rest (updates, saves, cancels)
is not urgent and stays on the worker, where it always ran: a time-out cancel,
for one, still lets a fill already on its way in the same snapshot win.
"""

import asyncio
import types
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine, Generator
from typing import Any

import structlog

log = structlog.get_logger(__name__)

Job = Callable[[], Coroutine[Any, Any, None]]


class JobLine:
    """Queued work of one strategy; ``work`` is its worker task, ``join`` waits for it."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._queue: deque[tuple[Job, bool]] = deque()
        self._handed: Awaitable[None] | None = None  # begun by run_ready, waiting on I/O
        self._busy = False  # a job has begun and not ended
        self.unfinished = 0  # jobs put and not ended (read on every hook: no property)
        self._wake = asyncio.Event()
        self._done = asyncio.Event()
        self._done.set()

    def put(self, job: Job, *, eager: bool = False) -> None:
        """Queue ``job``. An eager job is the caller's to start: it must call ``run_ready``
        once it is safe to (the worker also takes it if it is busy with an earlier job)."""
        self._queue.append((job, eager))
        if not self.unfinished:  # ``_done`` is set exactly while nothing is unfinished
            self._done.clear()
        self.unfinished += 1
        if not eager:  # waking the worker costs a turn of the loop; run_ready does not
            self._wake.set()

    def run_ready(self) -> None:
        """Run the eager jobs at the head of the line now, unless a job is under way;
        stop at the first that has to wait, or is not eager, and leave the rest to the worker."""
        while self._queue and self._queue[0][1] and not self._busy:
            self._busy = True
            rest = self._start(self._queue.popleft()[0])
            if rest is not None:
                self._handed = rest
                self._wake.set()
                return
            self._busy = False
            self._finished()

    async def work(self) -> None:
        """The worker: finish what ``run_ready`` handed over, then run what is queued."""
        while True:
            await self._wake.wait()
            self._wake.clear()
            while self._handed is not None or (self._queue and not self._busy):
                handed, self._handed = self._handed, None
                self._busy = True
                try:
                    await (handed if handed is not None else self._queue.popleft()[0]())
                except Exception:
                    log.exception("strategy job failed", strategy=self.name)
                finally:
                    self._busy = False
                    self._finished()

    @property
    def pending(self) -> bool:
        """Whether a job put so far has not ended (``join`` would wait)."""
        return self.unfinished > 0

    async def join(self) -> None:
        """Until every job put so far has ended."""
        if self.unfinished:
            await self._done.wait()

    def _start(self, job: Job) -> Awaitable[None] | None:
        try:
            coro = job()
            first = coro.send(None)
        except StopIteration:
            return None
        except Exception:
            log.exception("strategy job failed", strategy=self.name)
            return None
        return _resume(coro, first)

    def _finished(self) -> None:
        self.unfinished -= 1
        if not self.unfinished:
            self._done.set()


@types.coroutine
def _resume(coro: Coroutine[Any, Any, None], pending: Any) -> Generator[Any, Any, None]:
    """Carry on a coroutine that was started by hand and is waiting on ``pending``, inside
    whichever task awaits this: what ``yield from`` does (PEP 380), for a coroutine that
    has already taken its first step."""
    while True:
        try:
            sent = yield pending
        except GeneratorExit:
            coro.close()
            raise
        except BaseException as exc:  # cancellation goes to the job, as in its own task
            try:
                pending = coro.throw(exc)
            except StopIteration:
                return
        else:
            try:
                pending = coro.send(sent)
            except StopIteration:
                return
