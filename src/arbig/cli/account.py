"""``arbig account``: deposit into or withdraw from the simulated or paper account of
the running console (a live broker's account is funded through the bank, not ARBIG).

The commands talk to the console's REST API (``arbig run`` must be running), with an
API token from ``arbig auth create-token`` in ``--token`` or ``ARBIG_TOKEN``.
"""

from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

import typer

from arbig.cli.common import ConfigOption, fail
from arbig.cli.strategy import TokenOption, UrlOption, YesOption, call

account_app = typer.Typer(
    help="Deposit into or withdraw from the simulated or paper account.", no_args_is_help=True
)

AmountArgument = Annotated[str, typer.Argument(help="a positive sum of money, e.g. 50000.00")]


def parse_amount(text: str) -> Decimal:
    """``text`` as a positive sum in cents; a one-line failure naming AMOUNT otherwise."""
    try:
        amount = Decimal(text.strip().replace(",", ""))
    except InvalidOperation:
        raise fail(f"AMOUNT must be a number, got {text!r}") from None
    if not amount.is_finite() or amount <= 0:
        raise fail(f"AMOUNT must be positive, got {text!r}")
    if amount != amount.quantize(Decimal("0.01")):
        raise fail(f"AMOUNT must be in whole cents, got {text!r}")
    return amount.quantize(Decimal("0.01"))


def show(account: dict[str, Any]) -> None:
    typer.echo(
        f"balance {account['balance']}, available {account['available']}; today deposited "
        f"{account['deposit']}, withdrawn {account['withdraw']}"
    )


def _move(kind: str, text: str, url: str | None, token: str | None, config: Any, yes: bool) -> None:
    amount = parse_amount(text)
    if not yes:
        typer.confirm(f"{kind} {amount}?", abort=True)
    body = {"amount": str(amount), "confirm": True}
    show(call("POST", f"/account/{kind}", url, token, config, body))


@account_app.command()
def deposit(
    amount: AmountArgument,
    url: UrlOption = None,
    token: TokenOption = None,
    config: ConfigOption = None,
    yes: YesOption = False,
) -> None:
    """Put AMOUNT into the account (simulated or paper exchange)."""
    _move("deposit", amount, url, token, config, yes)


@account_app.command()
def withdraw(
    amount: AmountArgument,
    url: UrlOption = None,
    token: TokenOption = None,
    config: ConfigOption = None,
    yes: YesOption = False,
) -> None:
    """Take AMOUNT out of the account; refused above what is available."""
    _move("withdraw", amount, url, token, config, yes)
