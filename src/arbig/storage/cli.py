"""``arbig db ...``: the operator's database tools.

Every failure is one line on stderr and a non-zero exit, never a traceback. The
database URL comes from the configuration (``ARBIG_DATABASE_URL``; the SQLite file
in the data folder when unset), or from ``--url``.
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from arbig.config import ConfigError, load_settings
from arbig.domain.calendar import EXCHANGE_TZ
from arbig.storage import backup as backups
from arbig.storage import render, repository
from arbig.storage.database import (
    CONNECTION_ERRORS,
    DatabaseError,
    check_connection,
    check_schema,
    create_engine,
    display_url,
    session_factory,
    unavailable,
)
from arbig.storage.migrations import current_revision, head_revision, upgrade
from arbig.storage.models import TABLES, VIEWS, AccountRow, DailySettlementRow, PositionRow
from arbig.storage.render import print_objects, print_rows

T = TypeVar("T")
db_app = typer.Typer(
    name="db", help="The database: schema, contents, backup and restore.", no_args_is_help=True
)
console = Console()

ConfigOption = Annotated[
    Path | None, typer.Option("--config", help="TOML configuration file", dir_okay=False)
]
UrlOption = Annotated[
    str | None, typer.Option("--url", help="database URL; default: the configured one")
]
LimitOption = Annotated[int, typer.Option("--limit", "-n", min=1, help="rows to show")]


@db_app.callback()
def _options(ctx: typer.Context, config: ConfigOption = None, url: UrlOption = None) -> None:
    ctx.obj = {"config": config, "url": url}
    # asyncmy logs the server's notes on DDL ("Name 'alembic_version_pkc' ignored for
    # PRIMARY key"): noise to the operator, who gets one line per outcome instead.
    logging.getLogger("asyncmy").setLevel(logging.ERROR)


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print ``arbig: message`` on stderr; the Exit to raise."""
    typer.echo(f"arbig: {message}", err=True)
    return typer.Exit(code)


def _url(ctx: typer.Context) -> str:
    options: dict[str, Any] = ctx.obj or {}
    try:
        settings = load_settings(options.get("config"), database_url=options.get("url"))
    except ConfigError as exc:
        raise fail(str(exc)) from None
    return settings.sqlalchemy_url


def run(
    ctx: typer.Context, work: Callable[[AsyncEngine], Awaitable[T]], *, schema: bool = True
) -> T:
    """Run ``work`` on an engine for the configured database, after the start-up checks
    (connection, and the schema revision unless ``schema`` is False)."""
    url = _url(ctx)

    async def main() -> T:
        engine = create_engine(url)
        try:
            await check_connection(engine)
            if schema:
                await check_schema(engine)
            try:
                return await work(engine)
            except CONNECTION_ERRORS as exc:
                if isinstance(exc, OSError) and exc.filename:
                    raise
                raise unavailable(engine, exc) from None
        finally:
            await engine.dispose()

    try:
        return asyncio.run(main())
    except (DatabaseError, backups.BackupError, ValueError) as exc:
        raise fail(str(exc)) from None
    except OSError as exc:
        raise fail(f"{exc.filename}: {exc.strerror}") from None
    except KeyboardInterrupt:
        raise fail("interrupted", 130) from None


async def _migrate(engine: AsyncEngine) -> None:
    before = await current_revision(engine)
    where = display_url(engine.url)
    after = head_revision()
    if before == after:
        console.print(f"{where} is at revision {after}: nothing to do", soft_wrap=True)
        return
    await upgrade(engine)
    if before is None:
        message = f"created the ARBIG schema in {where} (revision {after})"
    else:
        message = f"upgraded {where} from revision {before} to {after}"
    console.print(message, soft_wrap=True)


@db_app.command()
def init(ctx: typer.Context) -> None:
    """Create the schema (tables and views); an existing one is brought up to date."""
    run(ctx, _migrate, schema=False)


@db_app.command("upgrade")
def upgrade_command(ctx: typer.Context) -> None:
    """Bring the schema to this version of ARBIG (Alembic migrations)."""
    run(ctx, _migrate, schema=False)


@db_app.command()
def tables(ctx: typer.Context) -> None:
    """Each table and view with its row count."""

    async def work(engine: AsyncEngine) -> list[tuple[str, str, int]]:
        async with engine.connect() as connection:
            counted = []
            for kind, names in (("table", TABLES), ("view", VIEWS)):
                for name in names:
                    query = select(func.count()).select_from(text(name))
                    counted.append((name, kind, await connection.scalar(query) or 0))
            return counted

    rows = run(ctx, work)
    print_rows(console, "Tables", ("name", "kind", "rows"), rows)


def _query(ctx: typer.Context, read: Callable[[AsyncSession], Awaitable[T]]) -> T:
    async def work(engine: AsyncEngine) -> T:
        async with session_factory(engine)() as session:
            return await read(session)

    return run(ctx, work)


async def _all(session: AsyncSession, model: type[T]) -> list[T]:
    return list(await session.scalars(select(model)))


@db_app.command()
def accounts(ctx: typer.Context) -> None:
    """The trading accounts as last recorded."""
    found = _query(ctx, lambda s: _all(s, AccountRow))
    print_objects(console, "Accounts", render.ACCOUNTS, found)


@db_app.command()
def positions(ctx: typer.Context) -> None:
    """The open position legs."""
    found = _query(ctx, lambda s: _all(s, PositionRow))
    print_objects(console, "Positions", render.POSITIONS, found)


@db_app.command()
def settlements(ctx: typer.Context) -> None:
    """Each settled trading day of every account: the daily statement, oldest first."""
    found = _query(ctx, lambda s: _all(s, DailySettlementRow))
    found.sort(key=lambda row: (row.account_id, row.trading_day))
    print_objects(console, "Daily settlements", render.SETTLEMENTS, found)


@db_app.command()
def orders(
    ctx: typer.Context,
    limit: LimitOption = 20,
    active: Annotated[bool, typer.Option("--active", help="only live orders")] = False,
) -> None:
    """Orders, newest first."""
    found = _query(ctx, lambda s: repository.find_orders(s, active_only=active, limit=limit))
    print_objects(console, "Orders", render.ORDERS, found)


@db_app.command()
def trades(
    ctx: typer.Context,
    limit: LimitOption = 20,
    symbol: Annotated[str | None, typer.Option("--symbol", help="e.g. au2612")] = None,
    since: Annotated[
        datetime | None,
        typer.Option("--since", formats=["%Y-%m-%d"], help="from this trading day"),
    ] = None,
) -> None:
    """Trades, newest first."""
    day = None if since is None else since.date()
    found = _query(
        ctx, lambda s: repository.find_trades(s, symbol=symbol, since_day=day, limit=limit)
    )
    print_objects(console, "Trades", render.TRADES, found)


@db_app.command()
def triggers(ctx: typer.Context, limit: LimitOption = 20) -> None:
    """Strategy triggers, newest first."""
    found = _query(ctx, lambda s: repository.recent_triggers(s, limit=limit))
    print_objects(console, "Strategy triggers", render.TRIGGERS, found)


@db_app.command()
def logs(
    ctx: typer.Context,
    level: Annotated[
        str | None, typer.Option("--level", help="this level and above, e.g. warning")
    ] = None,
    since: Annotated[
        datetime | None,
        typer.Option("--since", formats=["%Y-%m-%d"], help="from this date (exchange time)"),
    ] = None,
    limit: LimitOption = 50,
) -> None:
    """System log records, newest first."""
    start = None if since is None else since.replace(tzinfo=EXCHANGE_TZ)
    found = _query(ctx, lambda s: repository.find_logs(s, level=level, since=start, limit=limit))
    print_objects(console, "System logs", render.LOGS, found)


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), console=console
    )


@db_app.command("backup")
def backup_command(
    ctx: typer.Context,
    file: Annotated[Path, typer.Option("--file", "-f", help="backup file (.jsonl or .jsonl.gz)")],
) -> None:
    """Write every table to a portable backup file."""

    async def work(engine: AsyncEngine) -> int:
        revision = await current_revision(engine)
        async with engine.connect() as connection:
            total = sum((await connection.run_sync(backups.count_rows)).values())
            with _progress() as bar:
                task = bar.add_task("backing up", total=total)
                return await connection.run_sync(
                    backups.dump, file, revision, lambda _t, n: bar.advance(task, n)
                )

    written = run(ctx, work)
    console.print(f"wrote {written} rows to {file}", soft_wrap=True)


@db_app.command("restore")
def restore_command(
    ctx: typer.Context,
    file: Annotated[Path, typer.Option("--file", "-f", help="a file from arbig db backup")],
    force: Annotated[bool, typer.Option("--force", help="replace a non-empty database")] = False,
) -> None:
    """Restore a backup (from any backend) into the configured database."""
    if not file.is_file():
        raise fail(f"{file}: no such file")

    async def work(engine: AsyncEngine) -> int:
        header = backups.read_header(file)
        if await current_revision(engine) is None:
            await upgrade(engine)
        await check_schema(engine)
        async with engine.begin() as connection:
            with _progress() as bar:
                task = bar.add_task("restoring", total=sum(header["tables"].values()))
                return await connection.run_sync(
                    lambda c: backups.load(
                        c, file, force=force, progress=lambda _t, n: bar.advance(task, n)
                    )
                )

    restored = run(ctx, work, schema=False)
    console.print(f"restored {restored} rows from {file}", soft_wrap=True)
