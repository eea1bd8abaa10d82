"""The book's fence: only the core holding the lease's current token writes the book.

A core that takes the lease (``arbig.host.lease``) first claims the fence row with its
token; the claim moves the token only forward. From then on every batch of the book
writer ends, inside its transaction, with an update of that row that matches the
writer's own token: a batch from an older core (paused past its lease, then resumed)
matches no row and is rolled back whole, so nothing it wrote lands. The check comes last
in the transaction so that the row is locked only for the instant before the commit:
a core paused in the middle of a batch does not hold up the next core's claim; and
the writer's connection asks the server to end a transaction left idle longer than
the lease (``limit_idle_transactions``), so that a core paused with a transaction open
holds its locks no longer than its lease.
"""

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from arbig.storage.models import CoreFenceRow
from arbig.storage.types import utcnow

BOOK = "book"  # the fence row's name: the one book this database keeps


class Fenced(RuntimeError):
    """A write from a core whose token is not the book's current one; refused."""


async def claim(engine: AsyncEngine, token: int, holder: str) -> None:
    """Make ``token`` the book's: Fenced when a core with a token as new or newer has
    claimed it already (this core's lease is stale)."""
    for _ in range(3):  # two cores inserting the first row at once: one retries
        async with engine.begin() as connection:
            moved = await connection.execute(
                update(CoreFenceRow)
                .where(CoreFenceRow.name == BOOK, CoreFenceRow.token < token)
                .values(token=token, holder=holder[:128], writes=0, update_time=utcnow())
            )
            if moved.rowcount == 1:
                return
            current = await connection.scalar(
                select(CoreFenceRow.token).where(CoreFenceRow.name == BOOK)
            )
            if current is not None:
                raise Fenced(f"the book is claimed by a newer core (token {current} >= {token})")
            try:
                await connection.execute(
                    insert(CoreFenceRow).values(
                        name=BOOK, token=token, holder=holder[:128], writes=0, update_time=utcnow()
                    )
                )
            except IntegrityError:
                continue
            return
    raise Fenced("the book's fence row could not be claimed")


async def current_token(engine: AsyncEngine) -> int | None:
    """The token of the core allowed to write the book, or None before any claim."""
    async with engine.connect() as connection:
        return await connection.scalar(select(CoreFenceRow.token).where(CoreFenceRow.name == BOOK))


async def check(connection: AsyncConnection, token: int | None) -> None:
    """Inside the writer's transaction: Fenced unless ``token`` is the book's current
    one (None: this core knows it holds no lease)."""
    if token is None:
        raise Fenced("this core holds no lease")
    kept = await connection.execute(
        update(CoreFenceRow)
        .where(CoreFenceRow.name == BOOK, CoreFenceRow.token == token)
        .values(writes=CoreFenceRow.writes + 1)
    )
    if kept.rowcount != 1:
        raise Fenced(f"the book is no longer this core's (token {token} superseded)")


async def limit_idle_transactions(connection: AsyncConnection, seconds: int) -> None:
    """Have the server end a transaction of ``connection`` left idle ``seconds`` (its
    locks released): MariaDB's idle_transaction_timeout, PostgreSQL's
    idle_in_transaction_session_timeout; MySQL has neither and closes the connection
    after ``seconds`` of silence instead (wait_timeout: the writer's probe keeps an
    idle connection talking); SQLite has no server."""
    dialect = connection.dialect
    if dialect.name == "postgresql":
        await connection.exec_driver_sql(
            f"SET idle_in_transaction_session_timeout = {seconds * 1000}"
        )
    elif dialect.name == "mysql":
        variable = (
            "idle_transaction_timeout" if getattr(dialect, "is_mariadb", False) else "wait_timeout"
        )
        await connection.exec_driver_sql(f"SET SESSION {variable} = {int(seconds)}")
    await connection.commit()
