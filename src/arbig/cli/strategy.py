"""``arbig strategy``: list, start, stop and watch the strategy of a running console,
and hand it lots of the account.

The commands talk to the console's REST API (``arbig run`` must be running), with
an API token from ``arbig auth create-token`` in ``--token`` or ``ARBIG_TOKEN``.
"""

import json
from typing import Annotated, Any

import httpx
import typer

from arbig.cli.common import ConfigOption, fail, settings_or_exit

strategy_app = typer.Typer(
    help="List, start, stop and watch strategies of the running console.", no_args_is_help=True
)

UrlOption = Annotated[
    str | None,
    typer.Option(
        "--url", envvar="ARBIG_URL", help="console URL (or ARBIG_URL; default: from the settings)"
    ),
]
TokenOption = Annotated[
    str | None, typer.Option("--token", envvar="ARBIG_TOKEN", help="API token (or ARBIG_TOKEN)")
]
YesOption = Annotated[bool, typer.Option("--yes", "-y", help="do not ask for confirmation")]


def call(
    method: str, path: str, url: str | None, token: str | None, config: Any, body: Any = None
) -> Any:
    """One API call; every failure becomes one line and exit code 2."""
    if url is None:
        settings = settings_or_exit(config)
        url = f"http://{settings.host}:{settings.port}"
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    try:
        response = httpx.request(
            method, f"{url.rstrip('/')}/api/v1{path}", json=body, headers=headers, timeout=15
        )
    except httpx.TransportError:
        raise fail(f"no console answering at {url}: start it with `arbig run`") from None
    if response.status_code == 401:
        raise fail("login required: pass --token (create one with `arbig auth create-token`)")
    if response.status_code >= 400:
        try:
            detail = response.json().get("detail", response.text)
        except ValueError:
            detail = response.text
        raise fail(f"{detail} (HTTP {response.status_code})")
    return response.json()


def show_status(status: dict[str, Any]) -> None:
    name = status.get("name") or "-"
    line = f"{status['state']}: {name}"
    if status.get("symbol"):
        line += f" on {status['symbol']}, long {status['long']} short {status['short']}"
        line += f", {status['working_orders']} working orders"
    typer.echo(line)
    for key in ("error", "notice"):
        if status.get(key):
            typer.echo(f"{key}: {status[key]}")


@strategy_app.command("list")
def list_strategies(
    url: UrlOption = None, token: TokenOption = None, config: ConfigOption = None
) -> None:
    """The strategies that can run, with their parameters."""
    for info in call("GET", "/strategies", url, token, config):
        mark = "*" if info["running"] else " "
        typer.echo(f"{mark} {info['name']:<16} {info['description']}")
        params = ", ".join(f"{k}={v}" for k, v in info["params"].items())
        typer.echo(f"  {'':<16} {params}")


@strategy_app.command()
def status(url: UrlOption = None, token: TokenOption = None, config: ConfigOption = None) -> None:
    """The running strategy, or the last one and why it stopped."""
    show_status(call("GET", "/strategies/status", url, token, config))


def parse_pairs(pairs: list[str]) -> dict[str, Any]:
    """``KEY=VALUE`` arguments; a value is read as JSON when it is JSON (``5``, ``true``,
    ``null``), else as text (``au2702``)."""
    values: dict[str, Any] = {}
    for pair in pairs:
        key, sep, text = pair.partition("=")
        if not sep or not key.strip():
            raise fail(f"expected KEY=VALUE, got {pair!r}")
        try:
            values[key.strip()] = json.loads(text)
        except ValueError:
            values[key.strip()] = text
    return values


@strategy_app.command()
def params(
    name: Annotated[str, typer.Argument(help="strategy name, see `arbig strategy list`")],
    pairs: Annotated[
        list[str] | None,
        typer.Argument(help="KEY=VALUE to change, e.g. symbol=au2702 fast=5; none: show"),
    ] = None,
    url: UrlOption = None,
    token: TokenOption = None,
    config: ConfigOption = None,
) -> None:
    """Show a strategy's parameters, or change some (they take effect at its next start)."""
    current = call("GET", f"/strategies/{name}/params", url, token, config)["params"]
    if pairs:
        body = {"params": {**current, **parse_pairs(pairs)}}
        stored = call("PUT", f"/strategies/{name}/params", url, token, config, body)
        current = stored["strategy"]["params"]
        typer.echo(stored["message"])
    for key, value in current.items():
        typer.echo(f"{key}={json.dumps(value)}")


@strategy_app.command()
def start(
    name: Annotated[str, typer.Argument(help="strategy name, see `arbig strategy list`")],
    yes: YesOption = False,
    url: UrlOption = None,
    token: TokenOption = None,
    config: ConfigOption = None,
) -> None:
    """Start a strategy (one at a time). It trades real orders through risk checks."""
    if not yes:
        typer.confirm(f"start {name}? it will send orders", abort=True)
    show_status(call("POST", f"/strategies/{name}/start", url, token, config, {"confirm": True}))


@strategy_app.command()
def stop(
    yes: YesOption = False,
    url: UrlOption = None,
    token: TokenOption = None,
    config: ConfigOption = None,
) -> None:
    """Stop the running strategy and cancel its working orders."""
    if not yes:
        typer.confirm("stop the running strategy?", abort=True)
    show_status(call("POST", "/strategies/stop", url, token, config, {"confirm": True}))


@strategy_app.command()
def triggers(
    name: Annotated[str | None, typer.Option("--name", help="only this strategy")] = None,
    limit: Annotated[int, typer.Option(min=1, max=1000)] = 20,
    url: UrlOption = None,
    token: TokenOption = None,
    config: ConfigOption = None,
) -> None:
    """The latest triggers, newest first: time, action, result, condition."""
    query = f"/strategies/triggers?limit={limit}" + (f"&name={name}" if name else "")
    for t in call("GET", query, url, token, config):
        orders = ",".join(t["order_ids"]) or "-"
        typer.echo(
            f"{t['trigger_time'][:19]}  {t['strategy_name']:<12} {t['action']:<5} "
            f"{t['result']:<7} {orders:<14} {t['condition']}"
        )
        if t.get("error_message"):
            typer.echo(f"{'':>21}error: {t['error_message'].splitlines()[-1]}")


@strategy_app.command("hand-over")
def hand_over(
    symbol: Annotated[str, typer.Argument(help="contract, e.g. au2612")],
    direction: Annotated[str, typer.Argument(help="long or short")],
    volume: Annotated[int, typer.Argument(min=1, help="lots")],
    name: Annotated[
        str | None, typer.Option("--name", help="the strategy (default: the running one)")
    ] = None,
    yes: YesOption = False,
    url: UrlOption = None,
    token: TokenOption = None,
    config: ConfigOption = None,
) -> None:
    """Make lots the account holds a strategy's own position: it may then close them."""
    if direction not in ("long", "short"):
        raise fail(f"direction must be long or short, not {direction!r}")
    who = name or "the running strategy"
    if not yes:
        typer.confirm(f"hand {volume} {direction} {symbol} to {who}? it may close them", abort=True)
    body = {"symbol": symbol, "direction": direction, "volume": volume, "confirm": True}
    if name:
        body["name"] = name
    h = call("POST", "/strategies/hand-over", url, token, config, body)
    typer.echo(
        f"{h['strategy_name']} now owns {h['volume_yesterday'] + h['volume_today']} more "
        f"{h['direction']} {h['symbol']} (yesterday {h['volume_yesterday']}, "
        f"today {h['volume_today']}) at {h['price']}"
    )
