"""``arbig auth``: the operator's password and API tokens."""

import asyncio
import sys
from pathlib import Path
from typing import Annotated

import typer

from arbig.auth.credentials import CredentialError, CredentialStore
from arbig.cli.common import ConfigOption, DataDirOption, fail, settings_or_exit
from arbig.config import Settings
from arbig.storage.database import (
    DatabaseError,
    check_connection,
    check_schema,
    create_engine,
    session_factory,
)
from arbig.storage.session_store import SqlSessionStore

auth_app = typer.Typer(
    help="Set the operator password and manage API tokens.", no_args_is_help=True
)


def _store(config: Path | None, data_dir: Path | None) -> CredentialStore:
    settings = settings_or_exit(config, data_dir=data_dir)
    return CredentialStore(settings.data_dir)


def _end_sessions(settings: Settings) -> int:
    """End every browser session recorded in the database (every web process on it
    notices at its next request); the number ended. None recorded without a database."""
    if settings.database_url is None and not (settings.data_dir / "arbig.sqlite3").exists():
        return 0

    async def run() -> int:
        engine = create_engine(settings.sqlalchemy_url)
        try:
            await check_connection(engine)
            await check_schema(engine)
            return await SqlSessionStore(session_factory(engine)).end_all()
        finally:
            await engine.dispose()

    return asyncio.run(run())


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

    Every browser session ends: its record in the database goes, and its cookie was
    signed with the old password.
    """
    settings = settings_or_exit(config, data_dir=data_dir)
    store = CredentialStore(settings.data_dir)
    creds = store.load()
    try:
        creds.set_password(_read_password())
    except CredentialError as exc:
        raise fail(f"{exc}; nothing was changed") from None
    store.save(creds)
    typer.echo(f"operator password set in {store.path}")
    try:
        ended = _end_sessions(settings)
    except DatabaseError as exc:
        typer.echo(
            f"warning: the database could not be reached to end recorded sessions ({exc}); "
            "consoles sharing this data folder end them through the new password, others "
            "need `arbig auth end-sessions`",
            err=True,
        )
        return
    typer.echo(f"browser sessions ended: {ended}")


@auth_app.command("end-sessions")
def end_sessions(config: ConfigOption = None, data_dir: DataDirOption = None) -> None:
    """End every browser session at once, in every console on the database (revocation)."""
    settings = settings_or_exit(config, data_dir=data_dir)
    try:
        ended = _end_sessions(settings)
    except DatabaseError as exc:
        raise fail(f"{exc}; no session was ended") from None
    typer.echo(f"browser sessions ended: {ended}")


@auth_app.command("create-token")
def create_token(
    name: Annotated[str, typer.Argument(help="a name to recognise the token by, e.g. 'scripts'")],
    config: ConfigOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Create an API token for scripts (sent as 'Authorization: Bearer TOKEN'); shown once."""
    store = _store(config, data_dir)
    creds = store.load()
    try:
        token = creds.add_token(name)
    except CredentialError as exc:
        raise fail(str(exc)) from None
    store.save(creds)
    typer.echo(token)


@auth_app.command("revoke-token")
def revoke_token(
    name: Annotated[str, typer.Argument(help="the token's name")],
    config: ConfigOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Revoke an API token by name (a running console notices within a few seconds)."""
    store = _store(config, data_dir)
    creds = store.load()
    if not creds.revoke_token(name):
        raise fail(f"no token named {name!r}")
    store.save(creds)
    typer.echo(f"token {name!r} revoked")


@auth_app.command("tokens")
def list_tokens(config: ConfigOption = None, data_dir: DataDirOption = None) -> None:
    """List API tokens by name and creation time."""
    creds = _store(config, data_dir).load()
    if not creds.tokens:
        typer.echo("no API tokens")
    for token in creds.tokens:
        typer.echo(f"{token.name}\t{token.created}")
