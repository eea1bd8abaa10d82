"""The broker's trading account (a real CThostFtdcTradingAccountField) as the figures
the money reconciliation compares: frozen amounts and the day's close profit too."""

from decimal import Decimal

from openctp_ctp import tdapi

from arbig.gateways.ctp.bridge import copy_fields
from arbig.gateways.ctp.convert import account_report


def test_the_trading_account_carries_every_figure_the_reconciliation_compares() -> None:
    account = tdapi.CThostFtdcTradingAccountField()
    account.Balance = 1_000_123.45
    account.Available = 880_000.0
    account.CurrMargin = 110_000.0
    account.FrozenMargin = 9_800.5
    account.FrozenCommission = 4.0
    account.Commission = 12.0
    account.CloseProfit = -320.0
    account.PositionProfit = 150.0
    report = account_report(copy_fields(account) or {}, "000001")
    assert (report.frozen_margin, report.frozen_commission) == (Decimal("9800.5"), Decimal("4.0"))
    assert report.close_profit == Decimal("-320.0")
    assert report.commission == Decimal("12.0")
    assert report.balance == Decimal("1000123.45")
