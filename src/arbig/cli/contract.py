"""``arbig contract``: show and switch the main contract.

Both commands talk to the running console over HTTP (``--url``, default
http://127.0.0.1:8000) with an API token (``--token`` or ``ARBIG_TOKEN``; create
one with ``arbig auth create-token``). When no console answers, ``set`` saves
the choice in the configured database for the next start and says so, and
``show`` reports what the next start would use.
"""

import asyncio
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import httpx
import typer

from arbig.cli.common import ConfigOption, DataDirOption, fail, settings_or_exit
from arbig.config import Settings
from arbig.domain.calendar import EXCHANGE_TZ
from arbig.domain.contract import ContractError
from arbig.domain.state import MarketChoice
from arbig.engine.contracts import ENV_MAIN_CONTRACT, resolve_main_contract, trading_today
from arbig.holidays import calendar_warnings
from arbig.storage.database import DatabaseError, session_factory
from arbig.storage.state_store import SqlStateStore

contract_app = typer.Typer(help="Show or switch the main contract.", no_args_is_help=True)

UrlOption = Annotated[str, typer.Option("--url", help="the running console", envvar="ARBIG_URL")]
TokenOption = Annotated[
    str | None,
    typer.Option("--token", help="API token (arbig auth create-token)", envvar="ARBIG_TOKEN"),
]
DEFAULT_URL = "http://127.0.0.1:8000"
TIMEOUT_S = 10.0


def _headers(token: str | None) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"} if token else {}


def _explain(response: httpx.Response, url: str) -> typer.Exit:
    if response.status_code == 401:
        return fail(
            f"the console at {url} needs a credential: pass --token or set ARBIG_TOKEN "
            "(create one with `arbig auth create-token NAME`)"
        )
    try:
        detail: Any = response.json().get("detail", response.text)
    except ValueError:
        detail = response.text
    return fail(f"the console refused ({response.status_code}): {str(detail)[:300]}")


@contract_app.command("show")
def show(
    url: UrlOption = DEFAULT_URL,
    token: TokenOption = None,
    config: ConfigOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Print the main contract, the watchlist and what is subscribed; warn when the
    shipped holiday calendar runs out."""
    for warning in calendar_warnings(datetime.now(EXCHANGE_TZ).date()):
        typer.echo(f"warning: {warning}", err=True)
    try:
        response = httpx.get(f"{url}/api/v1/contract", headers=_headers(token), timeout=TIMEOUT_S)
    except httpx.TransportError:
        settings = settings_or_exit(config, data_dir=data_dir)
        choice = _offline(settings, None)
        main, source = resolve_main_contract(settings.main_contract, choice)
        watch = choice.watchlist if choice.watchlist is not None else tuple(settings.watchlist)
        typer.echo(f"no console is running at {url}; the next start would use:")
        typer.echo(f"main contract  {main}  (from {_source_text(source, settings)})")
        typer.echo(f"watchlist      {', '.join(watch) or '-'}")
        return
    if response.status_code != 200:
        raise _explain(response, url)
    info = response.json()
    typer.echo(
        f"main contract  {info['main_contract']}  ({info['exchange']}, x{info['multiplier']})"
    )
    typer.echo(f"watchlist      {', '.join(info['watchlist']) or '-'}")
    typer.echo(f"subscribed     {', '.join(info['subscribed']) or '-'}")
    typer.echo(f"listed today   {', '.join(info['listed'])}")


def _source_text(source: str, settings: Settings) -> str:
    if source == "env":
        return f"environment variable {ENV_MAIN_CONTRACT}"
    if source == "saved":
        return f"saved choice in {_where(settings)}"
    return "configuration"


def _where(settings: Settings) -> str:
    if settings.database_url is None:
        return str(settings.data_dir / "arbig.sqlite3")
    return "the database"


def _offline(settings: Settings, symbol: str | None) -> MarketChoice:
    """The saved choice read from the database (``symbol`` saved as the main contract
    first, when given), after the one-time import of the old JSON state files."""
    from arbig.runtime import load_market_choice, prepare_database  # the assembly, lazily

    async def run() -> MarketChoice:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        engine = await prepare_database(settings)
        try:
            choice = await load_market_choice(settings, engine)
            if symbol is not None:
                store = SqlStateStore(session_factory(engine))
                choice = await store.save_market_choice(MarketChoice(symbol, choice.watchlist))
            return choice
        finally:
            await engine.dispose()

    try:
        return asyncio.run(run())
    except DatabaseError as exc:
        raise fail(str(exc)) from None
    except OSError as exc:
        raise fail(f"cannot use {settings.data_dir}: {exc.strerror or exc}") from None


@contract_app.command("set")
def set_contract(
    symbol: Annotated[str, typer.Argument(help="SHFE gold contract, e.g. au2702")],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="do not ask for confirmation")] = False,
    url: UrlOption = DEFAULT_URL,
    token: TokenOption = None,
    config: ConfigOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Switch the main contract: live when the console runs, else saved for the next start."""
    symbol = symbol.strip()
    settings = settings_or_exit(config, data_dir=data_dir)  # the holidays move expiries
    try:
        settings.contract_table.validate(
            symbol, trading_today(datetime.now(UTC), settings.holidays), settings.holidays
        )
    except ContractError as exc:
        raise fail(str(exc)) from None
    if not yes and not typer.confirm(f"Switch the main contract to {symbol}?"):
        raise fail("nothing changed", code=1)
    try:
        response = httpx.put(
            f"{url}/api/v1/contract",
            json={"symbol": symbol, "confirm": True},
            headers=_headers(token),
            timeout=TIMEOUT_S,
        )
    except httpx.TransportError:
        _save_offline(symbol, url, config, data_dir)
        return
    if response.status_code != 200:
        raise _explain(response, url)
    result = response.json()
    if result["changed"]:
        typer.echo(f"main contract switched: {result['previous']} -> {result['main_contract']}")
    else:
        typer.echo(f"{symbol} already is the main contract")


def _save_offline(symbol: str, url: str, config: Path | None, data_dir: Path | None) -> None:
    settings = settings_or_exit(config, data_dir=data_dir)
    _offline(settings, symbol)
    typer.echo(
        f"no console is running at {url}: saved {symbol} as the main contract for the next "
        f"start ({_where(settings)})"
    )
    if os.environ.get(ENV_MAIN_CONTRACT):
        typer.echo(
            f"note: {ENV_MAIN_CONTRACT}={os.environ[ENV_MAIN_CONTRACT]} is set in this "
            "environment and wins at start-up; unset it to use the saved choice",
            err=True,
        )
