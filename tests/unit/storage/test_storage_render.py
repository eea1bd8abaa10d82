"""The database CLI's tables: piped output is whole, tab-separated lines; no -0.00."""

import io
from decimal import Decimal
from types import SimpleNamespace

from rich.console import Console

from arbig.storage import render


def piped() -> tuple[Console, io.StringIO]:
    out = io.StringIO()
    return Console(file=out, width=80), out


def test_piped_output_is_tab_separated_and_never_cut_at_the_width() -> None:
    console, out = piped()
    long_id = "T0001-000042-" + "x" * 120
    render.print_rows(console, "Trades", ("trade", "price"), [(long_id, Decimal("920.0200"))])
    assert out.getvalue().splitlines() == ["trade\tprice", f"{long_id}\t920.02"]


def test_a_negative_zero_amount_is_shown_as_zero() -> None:
    console, out = piped()
    render.print_rows(console, "P&L", ("unrealized",), [(Decimal("-0.0000"),)])
    assert out.getvalue().splitlines()[1] == "0.00"


def test_accounts_show_the_days_figures_beside_the_totals_and_positions_yesterday_and_margin() -> (
    None
):
    account = SimpleNamespace(
        account_id="a", balance=Decimal(1), available=Decimal(1), margin=Decimal(0),
        frozen_margin=Decimal(0), unrealized_pnl=Decimal(0), close_profit=Decimal(5),
        today_commission=Decimal(2), realized_pnl=Decimal(7), commission=Decimal(9),
        trading_day=None, update_time=None,
    )  # fmt: skip
    console, out = piped()
    render.print_objects(console, "Accounts", render.ACCOUNTS, [account])
    header, row = out.getvalue().splitlines()
    cells = dict(zip(header.split("\t"), row.split("\t"), strict=True))
    assert cells["fee today"] == "2.00" and cells["fee total"] == "9.00"
    assert cells["close profit today"] == "5.00" and cells["realized total"] == "7.00"
    assert {"yesterday", "margin"} <= {header for header, _ in render.POSITIONS}
