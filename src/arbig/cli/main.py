"""``arbig``: run the console and the operator's tools."""

import errno
import logging
import socket
from typing import TYPE_CHECKING, Annotated

import typer

from arbig import __version__
from arbig.cli.account import account_app
from arbig.cli.auth import auth_app, credential_configured
from arbig.cli.backtest import backtest
from arbig.cli.common import ConfigOption, DataDirOption, fail, settings_or_exit
from arbig.cli.contract import contract_app
from arbig.cli.ctp import ctp_app
from arbig.cli.data import data_app
from arbig.cli.notify import notify_app
from arbig.cli.reconcile import reconcile
from arbig.cli.strategy import strategy_app
from arbig.config import Settings, is_loopback
from arbig.storage.cli import db_app

if TYPE_CHECKING:  # the web stack loads only for the commands that serve it
    from fastapi import FastAPI

app = typer.Typer(
    name="arbig",
    help="ARBIG: a self-hosted trading console for a single futures trader.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


def check_port_free(host: str, port: int) -> None:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise fail(
                    f"port {port} on {host} is in use: stop the other program or pass --port"
                ) from None
            raise fail(f"cannot listen on {host}:{port}: {exc.strerror}") from None


@app.command()
def run(
    host: Annotated[str | None, typer.Option(help="address to bind (default 127.0.0.1)")] = None,
    port: Annotated[int | None, typer.Option(help="port (default 8000)")] = None,
    data_dir: DataDirOption = None,
    config: ConfigOption = None,
    gateway: Annotated[
        str | None,
        typer.Option(help="the gateway: sim (default), paper or ctp (docs/ctp.md)"),
    ] = None,
    role: Annotated[
        str | None,
        typer.Option(
            help="split deployment: 'core' (the trading core, no web server) or 'web' (a "
            "console replica); default: everything in one process"
        ),
    ] = None,
) -> None:
    """Start the embedded system: the gateway (the simulated exchange by default), the
    book, and the web console."""
    settings = settings_or_exit(config, host=host, port=port, data_dir=data_dir, gateway=gateway)
    if role is not None:
        _check_role(settings, role)
        if role == "core":
            from arbig.logs import configure_logging
            from arbig.split import main_core

            configure_logging(settings.log_level)
            typer.echo(f"ARBIG {__version__}: trading core (split deployment)", err=True)
            main_core(settings)
            return
    if not is_loopback(settings.host) and not credential_configured(settings):
        raise fail(
            f"refusing to bind to {settings.host}: the console would be reachable from other "
            "machines and no operator password is set; run `arbig auth set-password` first "
            "or bind to 127.0.0.1"
        )
    check_port_free(settings.host, settings.port)

    import uvicorn

    from arbig.embedded import StartupError, embedded_app, preflight
    from arbig.logs import configure_logging
    from arbig.web.app import SERVER_OPTIONS

    if role is None:
        try:
            preflight(settings)
        except StartupError as exc:
            raise fail(str(exc)) from None
        app = embedded_app(settings, freeze_heap=True)
    else:
        from arbig.split import web_app

        app = web_app(settings, freeze_heap=True)

    configure_logging(settings.log_level)
    what = "console" if role is None else "console replica (split deployment)"
    typer.echo(f"ARBIG {__version__}: {what} on http://{settings.host}:{settings.port}/", err=True)
    known_failure = _KnownStartupFailure(app)
    logging.getLogger("uvicorn.error").addFilter(known_failure)
    try:
        uvicorn.run(
            app,
            host=settings.host,
            port=settings.port,
            log_config=None,
            # X-Forwarded-For is believed only from the configured proxies (none by default),
            # so that no client can choose the address the login delay and the audit see.
            proxy_headers=bool(settings.auth.trusted_proxies),
            forwarded_allow_ips=",".join(settings.auth.trusted_proxies) or "",
            **SERVER_OPTIONS,
        )
    except SystemExit:
        line = known_failure.line()
        if line is not None:
            raise fail(f"cannot start: {line}", code=1) from None
        raise
    finally:
        logging.getLogger("uvicorn.error").removeFilter(known_failure)


class _KnownStartupFailure(logging.Filter):
    """Keeps uvicorn from logging the traceback of a start-up failure that ``run`` says
    in one line instead (a gateway, the database or Redis that would not come up)."""

    def __init__(self, app: "FastAPI") -> None:
        super().__init__()
        self._app = app

    def line(self) -> str | None:
        from arbig.embedded import startup_failure

        return startup_failure(self._app.state.startup_error)

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno < logging.ERROR or self.line() is None


def _check_role(settings: Settings, role: str) -> None:
    from arbig.embedded import StartupError
    from arbig.split import check_role

    try:
        check_role(settings, role)
    except StartupError as exc:
        raise fail(str(exc)) from None


@app.command("sim-exchange")
def sim_exchange(
    data_dir: DataDirOption = None,
    config: ConfigOption = None,
) -> None:
    """Run the simulated exchange the cores of a split deployment share (gateway sim-link)."""
    settings = settings_or_exit(config, data_dir=data_dir)
    from arbig.logs import configure_logging
    from arbig.simexchange import ExchangeConfigError, check, main

    try:
        check(settings)
    except ExchangeConfigError as exc:
        raise fail(str(exc)) from None
    configure_logging(settings.log_level)
    typer.echo(f"ARBIG {__version__}: shared simulated exchange", err=True)
    main(settings)


@app.command()
def version() -> None:
    """Print the version."""
    typer.echo(__version__)


app.command()(backtest)
app.add_typer(auth_app, name="auth")
db_app.command("reconcile")(reconcile)
app.add_typer(db_app, name="db")
app.add_typer(contract_app, name="contract")
app.add_typer(data_app, name="data")
app.add_typer(strategy_app, name="strategy")
app.add_typer(account_app, name="account")
app.add_typer(notify_app, name="notify")
app.add_typer(ctp_app, name="ctp")


def main() -> None:
    app()
