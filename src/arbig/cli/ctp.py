"""``arbig ctp ...``: the broker connection, checked from the shell."""

import asyncio
from pathlib import Path
from typing import Annotated

import typer

from arbig.cli.common import ConfigOption, DataDirOption, fail, settings_or_exit

ctp_app = typer.Typer(help="The CTP broker connection (docs/ctp.md).", no_args_is_help=True)


@ctp_app.command()
def check(
    config: ConfigOption = None,
    data_dir: DataDirOption = None,
    timeout: Annotated[
        float | None,
        typer.Option(help="give up after this many seconds (default: ctp.check_timeout_s)"),
    ] = None,
    save_tables: Annotated[
        Path | None,
        typer.Option(
            "--save-tables",
            help="write the instruments and the margin and commission rates the session "
            "queried as a broker_tables file (for paper trading)",
            dir_okay=False,
        ),
    ] = None,
) -> None:
    """Log in with the [ctp] settings, run the session steps, and print the trading day,
    the account, the positions and the contract count, or the step that failed and why.
    Sends no order."""
    from arbig.gateways.ctp.check import run_check

    settings = settings_or_exit(config, data_dir=data_dir)
    limit = timeout if timeout is not None else settings.ctp.check_timeout_s
    if limit <= 0:
        raise fail("--timeout must be positive")
    report = asyncio.run(run_check(settings, limit))
    if not report.ok:
        raise fail(f"CTP check failed at step {report.failed}: {report.reason}", code=1)
    day = report.trading_day
    typer.echo(f"trading day   {day:%Y-%m-%d}" if day else "trading day   unknown")
    if report.account is not None:
        account = report.account
        typer.echo(
            f"account       {account.account_id}: balance {account.balance}, "
            f"available {account.available}, margin {account.margin}"
        )
    typer.echo(f"positions     {len(report.positions)}")
    for leg in report.positions:
        typer.echo(
            f"  {leg.symbol} {leg.direction} {leg.volume} (today {leg.volume_today}, "
            f"yesterday {leg.volume_yesterday}) at {leg.avg_price}"
        )
    typer.echo(f"instruments   {report.instruments} futures contracts")
    for step in report.steps:
        typer.echo(f"  {step.name:<13} {step.state:<8} {step.detail}")
    if save_tables is not None:
        try:
            save_tables.write_text(report.broker_tables, encoding="utf-8")
        except OSError as exc:
            raise fail(f"--save-tables {save_tables}: {exc.strerror}", code=1) from None
        typer.echo(f"broker tables written to {save_tables} (setting broker_tables)")
