"""The single book writer: a bounded queue drained by one task, one transaction per batch.

The trading core never waits on the database. It enqueues orders, trades,
positions and account snapshots (non-blocking); the writer task commits them in
batches as large as what has accumulated (no timer: an idle writer commits a lone
fill at once). When the database is away the items stay queued and the task retries
with backoff.

The queue's bound is for snapshots, never for facts. An order report or a fill is
always queued, past the bound if need be: it has already happened at the broker and
is in the book, so refusing its record would lose it. From the high-water mark on
(``saturated``) the core refuses new positions, so what still arrives is bounded by
the orders already working and the closes. A snapshot (positions, account, equity
point, bar) is refused with ``WriterBackpressure`` when the queue is full: the next
one supersedes it. See docs/storage.md, "Backpressure".
"""

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from itertools import islice

from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, StatementError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker

from arbig.domain.account import DailySettlement
from arbig.domain.bar import Bar
from arbig.domain.order import Order
from arbig.domain.snapshot import AccountSnapshot, PositionSnapshot
from arbig.domain.trade import Trade
from arbig.storage import rows
from arbig.storage.batch import Batch, Step, execute, plan
from arbig.storage.fence import Fenced, check, limit_idle_transactions
from arbig.storage.latency import LatencyStats, LatencyWindow
from arbig.storage.types import InvalidValue

log = logging.getLogger(__name__)

CLOSE_GRACE_S = 0.5


def is_bad_row(exc: BaseException) -> bool:
    """Whether the database (or ARBIG's own value check) refused the rows themselves.

    Only then are rows set aside; any other failure, a bug included, keeps them queued
    and retried: a stalled writer halts new risk through backpressure, a dropped
    record would be lost.
    """
    if isinstance(exc, StatementError) and not isinstance(exc, DBAPIError):
        exc = exc.orig if exc.orig is not None else exc
    return isinstance(exc, IntegrityError | DataError | InvalidValue)


class WriterBackpressure(RuntimeError):
    """The writer's queue is full: the database is not keeping up or is away.

    Raised for snapshots only (positions, account, equity, bar); facts are always queued.
    """


@dataclass(slots=True)
class _Item:
    seq: int
    kind: str
    row: rows.Row
    enqueued: float


class BookWriter:
    """Records one account's book. Enqueue methods never block; see the module docstring."""

    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        account_id: str,
        queue_size: int = 10_000,
        batch_max: int = 500,
        *,
        high_water: float = 0.8,
        retry_initial_s: float = 0.05,
        retry_max_s: float = 5.0,
        stall_s: float = 3.0,
        probe_interval_s: float | None = None,
        probe_timeout_s: float = 2.0,
        fence: Callable[[], int | None] | None = None,
        fence_idle_s: int | None = None,
    ) -> None:
        """``fence``: in the split deployment, the core's fencing token now (None when
        its lease is gone); every batch is checked against the book's (storage/fence.py).
        ``fence_idle_s``: the server ends a transaction of this writer left idle that long."""
        engine = session_factory.kw.get("bind")
        if not isinstance(engine, AsyncEngine):
            raise TypeError("BookWriter needs a session factory bound to an AsyncEngine")
        self._engine = engine
        # One connection held for the writer's life: no pool checkout, pre-ping and
        # reset per batch, i.e. fewer round trips between a fill and its commit.
        self._connection: AsyncConnection | None = None
        self.account_id = account_id
        self.queue_size = queue_size
        self.batch_max = batch_max
        self._high_water = int(queue_size * high_water)
        self._retry = (retry_initial_s, retry_max_s)
        self._items: deque[_Item] = deque()
        self._seq = 0
        self._done_seq = 0
        self._wake = asyncio.Event()
        self._progress = asyncio.Condition()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self._failing = False
        self.stall_s = stall_s
        # The live system probes (runtime); a driven kernel sets no timer of its own.
        self._probe_every = probe_interval_s
        self._probe_timeout = probe_timeout_s
        self.last_error: str | None = None
        self.committed = 0
        self.dropped = 0
        self.refused = 0  # snapshots refused by a full queue
        self.over_bound = 0  # facts queued past the bound
        self._latency = LatencyWindow()
        # Told each batch's commit time (the metrics' histogram); must be quick.
        self.on_commit: Callable[[float], None] | None = None
        self._fence = fence
        self._fence_idle_s = fence_idle_s
        # Set once a batch was refused by the book's fence: this core writes no more.
        self.fenced: str | None = None

    # ------------------------------------------------------------------ enqueue

    def order(self, order: Order) -> None:
        """Record an order's latest state (upsert; never moves its status backwards).

        Always queued, even past the bound: it never raises ``WriterBackpressure``.
        """
        self._put_fact("order", rows.order_row(self.account_id, order))

    def trade(
        self,
        trade: Trade,
        *,
        realized_pnl: Decimal = Decimal(0),
        multiplier: int | None = None,
        close_profit: Decimal | None = None,
    ) -> None:
        """Record a fill once; a repeated trade_id is ignored. ``multiplier`` fills turnover;
        ``close_profit`` (by date) defaults to ``realized_pnl``.

        Always queued, even past the bound: it never raises ``WriterBackpressure``.
        """
        row = rows.trade_row(self.account_id, trade, realized_pnl, multiplier, close_profit)
        self._put_fact("trade", row)

    def positions(self, positions: Iterable[PositionSnapshot]) -> None:
        """Upsert position legs; a leg with volume 0 is deleted."""
        self._put([("position", rows.position_row(leg)) for leg in positions])

    def account(self, account: AccountSnapshot, *, trading_day: date | None = None) -> None:
        """Upsert the ``accounts`` row; ``trading_day`` dates its "today" figures."""
        self._put_one("account", rows.account_row(account, trading_day))

    def equity(self, account: AccountSnapshot) -> None:
        """Append a point to the equity curve."""
        self._put_one("equity", rows.equity_row(account))

    def settlement(self, record: DailySettlement) -> None:
        """Record a settled trading day (a day settled again replaces its record).

        A fact like a fill: always queued, it never raises ``WriterBackpressure``.
        """
        self._put_fact("settlement", rows.settlement_row(record))
        for row in rows.settlement_price_rows(record):
            self._put_fact("settlement_price", row)

    def bar(self, bar: Bar) -> None:
        """Record a finished 1-minute bar (a bar for the same minute replaces it)."""
        self._put_one("bar", rows.bar_row(bar))

    def _put_fact(self, kind: str, row: rows.Row) -> None:
        if self.fenced is not None:
            return
        if len(self._items) >= self.queue_size:
            self.over_bound += 1
        self._seq += 1
        self._items.append(_Item(self._seq, kind, row, time.perf_counter()))
        self._wake.set()

    def _put_one(self, kind: str, row: rows.Row) -> None:
        # The common case (one equity point, one bar) without building a list per call.
        if self.fenced is not None:
            return
        self._make_room(1)
        self._seq += 1
        self._items.append(_Item(self._seq, kind, row, time.perf_counter()))
        self._wake.set()

    def _put(self, entries: list[tuple[str, rows.Row]]) -> None:
        if self.fenced is not None:
            return
        self._make_room(len(entries))
        now = time.perf_counter()
        for kind, row in entries:
            self._seq += 1
            self._items.append(_Item(self._seq, kind, row, now))
        self._wake.set()

    def _make_room(self, count: int) -> None:
        if len(self._items) + count > self.queue_size:
            self.refused += 1
            raise WriterBackpressure(
                f"book writer queue full ({len(self._items)}/{self.queue_size}): "
                f"database {'unreachable' if not self.healthy else 'too slow'}"
            )

    # ------------------------------------------------------------------ state

    keeps_snapshots = True

    @property
    def queue_depth(self) -> int:
        """Items waiting to be committed."""
        return len(self._items)

    @property
    def oldest_age_s(self) -> float:
        """Seconds the oldest queued write has waited (0 with nothing queued)."""
        return time.perf_counter() - self._items[0].enqueued if self._items else 0.0

    @property
    def healthy(self) -> bool:
        """Committing: the last attempt did not fail, and nothing queued has waited
        ``stall_s`` or longer. A database that accepts connections but never answers
        fails no attempt; only the age of the oldest write shows it."""
        if self.fenced is not None:
            return False
        return not self._failing and self.oldest_age_s < self.stall_s

    @property
    def health_detail(self) -> str:
        """Why the writer is not healthy, or its queue depth when it is."""
        age = self.oldest_age_s
        if self.fenced is not None:
            return f"fenced: {self.fenced}"
        if self._failing:
            return f"cannot commit ({self.last_error}); {len(self._items)} writes queued"
        if age >= self.stall_s:
            return f"no commit for {age:.1f}s; {len(self._items)} writes queued"
        return f"writer queue {len(self._items)}"

    @property
    def saturated(self) -> bool:
        """The queue is past its high-water mark: halt new risk, keep room for fills."""
        return len(self._items) >= self._high_water

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def latency(self) -> LatencyStats:
        """Fill-to-commit latency of recent trades (enqueue to committed transaction)."""
        return self._latency.stats()

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        """Start the writer task."""
        if self.running:
            return
        self._stopping = False
        self._task = asyncio.create_task(self._run(), name=f"book-writer-{self.account_id}")

    async def stop(self, drain_s: float | None = None) -> int:
        """Commit everything queued, then end the task; returns the items left unwritten.

        With the database away draining could wait forever: after ``drain_s`` seconds
        the task is cancelled and what is left is reported (and logged) instead.
        """
        if self._task is None:
            return len(self._items)
        self._stopping = True
        self._wake.set()
        try:
            await asyncio.wait_for(asyncio.shield(self._task), drain_s)
        except TimeoutError:
            self._task.cancel()
            # A hung server can hold the cancelled task in its connection's close too:
            # it is left to end on its own rather than holding up the shutdown.
            await asyncio.wait({self._task}, timeout=CLOSE_GRACE_S)
            log.error("book writer stopped with %d items unwritten", len(self._items))
        self._task = None
        return len(self._items)

    async def flush(self) -> None:
        """Wait until everything enqueued so far is committed (or dropped as invalid).

        With the database away this waits for its return; bound it with asyncio.timeout.
        """
        target = self._seq
        if self._done_seq >= target:
            return
        if not self.running:
            raise RuntimeError("book writer is not running: call start() first")
        async with self._progress:
            await self._progress.wait_for(lambda: self._done_seq >= target or not self.running)
        if self._done_seq < target:
            raise RuntimeError(f"book writer ended with {len(self._items)} items unwritten")

    # ------------------------------------------------------------------ the task

    async def _run(self) -> None:
        delay = self._retry[0]
        ahead: tuple[list[_Item], list[Step]] | None = None
        try:
            while self._items or not self._stopping:
                if not self._items:
                    self._wake.clear()
                    if self._probe_every is None or self._stopping:
                        await self._wake.wait()
                    elif not await _woken(self._wake, self._probe_every):
                        await self._probe()
                    continue
                if ahead is not None:
                    items, steps = ahead
                else:
                    items = list(islice(self._items, self.batch_max))
                    steps = None
                ahead = None
                try:
                    started = time.perf_counter()
                    ahead = await self._commit_planning_ahead(items, steps)
                    if self.on_commit is not None:
                        self.on_commit(time.perf_counter() - started)
                except Fenced as exc:
                    self._refused_by_fence(exc)
                    return
                except Exception as exc:
                    if is_bad_row(exc):
                        # A bad row must not block the book: write one by one, drop the bad.
                        await self._isolate(items)
                    else:
                        self._degraded(exc)
                        await asyncio.sleep(delay)
                        delay = min(delay * 2, self._retry[1])
                    continue
                delay = self._retry[0]
                await self._done(items)
        finally:
            await self._release()
            async with self._progress:
                self._progress.notify_all()

    async def _commit_planning_ahead(
        self, items: list[_Item], steps: list[Step] | None
    ) -> tuple[list[_Item], list[Step]] | None:
        """Commit ``items``; while the database works on them, plan the batch after.

        Converting a batch's rows to driver values costs about as much CPU as the
        database spends on them, so in a burst the two overlap (bench/bench_writer.py).
        Returns the next batch with its statements, or None.
        """
        commit = asyncio.ensure_future(self._commit(items, steps))
        following = list(islice(self._items, len(items), len(items) + self.batch_max))
        ahead = None
        try:
            if following:
                await asyncio.sleep(0)  # the commit reaches the database first
            # Only on a connected dialect: MariaDB's reserved words (and so the SQL,
            # which is cached) are known once a connection has seen the server.
            if following and self._connection is not None:
                with contextlib.suppress(Exception):  # its turn will raise it again
                    ahead = (following, self._plan(following))
            await commit
        except BaseException:
            commit.cancel()
            await asyncio.gather(commit, return_exceptions=True)
            raise
        return ahead

    def _plan(self, items: list[_Item]) -> list[Step]:
        batch = Batch()
        adders = {
            "order": batch.add_order,
            "trade": batch.add_trade,
            "position": batch.add_position,
            "account": batch.add_account,
            "equity": batch.add_equity,
            "bar": batch.add_bar,
            "settlement": batch.add_settlement,
            "settlement_price": batch.add_settlement_price,
        }
        for item in items:
            adders[item.kind](item.row)
        return plan(batch, self._engine.dialect)

    async def _commit(self, items: list[_Item], steps: list[Step] | None = None) -> None:
        if self._connection is None:
            self._connection = await self._connect()
        if steps is None:
            steps = self._plan(items)
        try:
            async with self._connection.begin():
                await execute(self._connection, steps)
                if self._fence is not None:
                    await check(self._connection, self._fence())
        except BaseException:
            await self._release()  # it may be broken; the retry opens a fresh one
            raise

    async def _connect(self) -> AsyncConnection:
        connection = await self._engine.connect()
        if self._fence is not None and self._fence_idle_s is not None:
            # A core paused in the middle of a batch must not hold its locks (the fence
            # row's among them) past its lease: the server ends such a transaction.
            try:
                await limit_idle_transactions(connection, self._fence_idle_s)
            except BaseException:
                await connection.close()
                raise
        return connection

    async def _release(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            with contextlib.suppress(Exception):
                await connection.close()

    async def _isolate(self, items: list[_Item]) -> None:
        for item in items:
            try:
                await self._commit([item])
            except Exception as exc:
                if not is_bad_row(exc):
                    self._degraded(exc)
                    return
                self.dropped += 1
                self.last_error = f"dropped invalid {item.kind}: {exc}"
                log.error("book writer dropped an invalid %s row %r: %s", item.kind, item.row, exc)
                await self._done([item], committed=False)
                continue
            await self._done([item])

    async def _probe(self) -> None:
        """An idle writer asks the database for an answer: a server that hangs is seen
        without waiting for the next write to grow old."""
        try:
            async with asyncio.timeout(self._probe_timeout):
                if self._connection is None:
                    self._connection = await self._connect()
                async with self._connection.begin():
                    await self._connection.exec_driver_sql("SELECT 1")
        except Exception as exc:
            if isinstance(exc, TimeoutError):
                exc = TimeoutError(f"the database did not answer within {self._probe_timeout}s")
            self._degraded(exc)
            await self._release()
            return
        if self._failing:
            log.info("book writer's database answers again")
        self._failing = False

    def _refused_by_fence(self, exc: Fenced) -> None:
        """Another core owns the book: what is queued here is dropped (the broker has the
        fills; the core that owns the book recorded them at its reconciliation)."""
        self.fenced = str(exc)
        left = len(self._items)
        self._items.clear()
        self._done_seq = self._seq
        log.error("book writer fenced, %d writes dropped: %s", left, exc)

    def _degraded(self, exc: BaseException) -> None:
        if not self._failing:
            log.warning("book writer cannot commit, %d items queued: %s", len(self._items), exc)
        self._failing = True
        self.last_error = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"

    async def _done(self, items: list[_Item], *, committed: bool = True) -> None:
        now = time.perf_counter()
        for item in items:
            self._items.popleft()
            if committed and item.kind == "trade":
                self._latency.add(now - item.enqueued)
        if committed:
            self.committed += len(items)
            if self._failing:
                log.info("book writer committing again, %d items queued", len(self._items))
            self._failing = False
        self._done_seq = items[-1].seq
        async with self._progress:
            self._progress.notify_all()


async def _woken(event: asyncio.Event, timeout_s: float) -> bool:
    """Whether ``event`` was set within ``timeout_s``."""
    try:
        async with asyncio.timeout(timeout_s):
            await event.wait()
    except TimeoutError:
        return False
    return True
