"""``arbig auth``: the operator's password and API tokens.

They live in the database (the data folder's SQLite by default, ``ARBIG_DATABASE_URL``
otherwise), so a change reaches every console on it within a second. A
``credentials.json`` left in the data folder by an earlier version is imported first
(docs/deployment.md).
"""

import asyncio
import sys
from collections.abc import Awaitable, Callable
from typing import Annotated, TypeVar

import typer
from sqlalchemy.exc import SQLAlchemyError

from arbig.auth.credential_file import (
    FILE_NAME,
    CredentialFile,
    import_credential_file,
    prepare_credential,
)
from arbig.auth.credentials import CredentialError, CredentialStore, hash_password, new_token
from arbig.cli.common import ConfigOption, DataDirOption, fail, settings_or_exit
from arbig.config import Settings
from arbig.storage.credential_store import SqlCredentialStore
from arbig.storage.database import (
    DatabaseError,
    check_connection,
    create_engine,
    display_url,
    open_database,
    session_factory,
)
from arbig.storage.session_store import SqlSessionStore

auth_app = typer.Typer(
    help="Set the operator password and manage API tokens.", no_args_is_help=True
)

T = TypeVar("T")
Action = Callable[[CredentialStore, SqlSessionStore], Awaitable[T]]


def _in_database(settings: Settings, action: Action[T], unchanged: str = "") -> T:
    """Run ``action`` on the credential and session stores of the database (the embedded
    SQLite file is created or upgraded in place, as `arbig run` does)."""

    async def run() -> T:
        engine = await open_database(
            settings.sqlalchemy_url, upgrade_in_place=settings.database_url is None
        )
        try:
            sessions = session_factory(engine)
            store = SqlCredentialStore(sessions)
            imported = await import_credential_file(settings.data_dir, store)
            if imported is not None:
                typer.echo(_import_note(settings, imported), err=True)
            await prepare_credential(store, settings.data_dir)
            return await action(store, SqlSessionStore(sessions))
        finally:
            await engine.dispose()

    try:
        return asyncio.run(run())
    except (DatabaseError, SQLAlchemyError, OSError) as exc:
        raise fail(f"{exc}{unchanged}") from None
    except CredentialError as exc:
        raise fail(str(exc)) from None


def _import_note(settings: Settings, imported: bool) -> str:
    old = settings.data_dir / FILE_NAME
    if imported:
        return f"note: {old} imported into the database, kept as {old.name}.imported"
    return (
        f"note: {old} not imported (the database already holds the credential), "
        f"kept as {old.name}.imported"
    )


def credential_configured(settings: Settings) -> bool:
    """Whether an operator password is set: in the configuration, in a data folder file
    still to be imported, or in the database (not created here when it does not exist)."""
    if settings.auth.password_hash:
        return True
    try:
        found = CredentialFile(settings.data_dir).read()
    except CredentialError as exc:
        raise fail(str(exc)) from None
    if found is not None and found.configured:
        return True
    if settings.database_url is None and not (settings.data_dir / "arbig.sqlite3").exists():
        return False

    async def stored() -> bool:
        engine = create_engine(settings.sqlalchemy_url)
        try:
            await check_connection(engine)
            try:
                creds = await SqlCredentialStore(session_factory(engine)).load()
            except SQLAlchemyError:  # a schema from before the credential table
                return False
            return creds is not None and creds.configured
        finally:
            await engine.dispose()

    try:
        return asyncio.run(stored())
    except DatabaseError as exc:
        raise fail(str(exc)) from None


def _read_password() -> str:
    if sys.stdin.isatty():
        password: str = typer.prompt("New operator password", hide_input=True)
        again: str = typer.prompt("Repeat it", hide_input=True)
        if password != again:
            raise fail("the two passwords differ; nothing was changed")
        return password
    return sys.stdin.readline().rstrip("\r\n")


@auth_app.command("set-password")
def set_password(config: ConfigOption = None, data_dir: DataDirOption = None) -> None:
    """Set the operator password (prompts; reads one line from standard input when piped).

    Every browser session ends, in every console on the database: its record goes, and
    its cookie was signed with the old password.
    """
    settings = settings_or_exit(config, data_dir=data_dir)
    try:
        password_hash = hash_password(_read_password())
    except CredentialError as exc:
        raise fail(f"{exc}; nothing was changed") from None

    async def change(store: CredentialStore, sessions: SqlSessionStore) -> int:
        await store.set_password_hash(password_hash)
        return await sessions.end_all()

    ended = _in_database(settings, change, "; nothing was changed")
    typer.echo(f"operator password set in the database at {display_url(settings.sqlalchemy_url)}")
    typer.echo(f"browser sessions ended: {ended}")
    if settings.auth.password_hash:
        typer.echo(
            "warning: auth.password_hash is set in the configuration: consoles started with "
            "it use that hash, not this password",
            err=True,
        )


@auth_app.command("end-sessions")
def end_sessions(config: ConfigOption = None, data_dir: DataDirOption = None) -> None:
    """End every browser session at once, in every console on the database (revocation)."""
    settings = settings_or_exit(config, data_dir=data_dir)

    async def end(_: CredentialStore, sessions: SqlSessionStore) -> int:
        return await sessions.end_all()

    ended = _in_database(settings, end, "; no session was ended")
    typer.echo(f"browser sessions ended: {ended}")


@auth_app.command("create-token")
def create_token(
    name: Annotated[str, typer.Argument(help="a name to recognise the token by, e.g. 'scripts'")],
    config: ConfigOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Create an API token for scripts (sent as 'Authorization: Bearer TOKEN'); shown once."""
    settings = settings_or_exit(config, data_dir=data_dir)
    try:
        token, kept = new_token(name)
    except CredentialError as exc:
        raise fail(str(exc)) from None

    async def add(store: CredentialStore, _: SqlSessionStore) -> None:
        await store.add_token(kept)

    _in_database(settings, add, "; no token was created")
    typer.echo(token)


@auth_app.command("revoke-token")
def revoke_token(
    name: Annotated[str, typer.Argument(help="the token's name")],
    config: ConfigOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Revoke an API token by name (every running console refuses it within a second)."""
    settings = settings_or_exit(config, data_dir=data_dir)

    async def revoke(store: CredentialStore, _: SqlSessionStore) -> bool:
        return await store.revoke_token(name)

    if not _in_database(settings, revoke, "; no token was revoked"):
        raise fail(f"no token named {name!r}")
    typer.echo(f"token {name!r} revoked")


@auth_app.command("tokens")
def list_tokens(config: ConfigOption = None, data_dir: DataDirOption = None) -> None:
    """List API tokens by name and creation time."""
    settings = settings_or_exit(config, data_dir=data_dir)

    async def read(store: CredentialStore, _: SqlSessionStore) -> list[tuple[str, str]]:
        creds = await store.load()
        return [(t.name, t.created) for t in creds.tokens] if creds else []

    tokens = _in_database(settings, read)
    if not tokens:
        typer.echo("no API tokens")
    for name, created in tokens:
        typer.echo(f"{name}\t{created}")
