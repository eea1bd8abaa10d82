"""The broker's trading account (a real CThostFtdcTradingAccountField) as the figures
the money reconciliation compares: frozen amounts and the day's close profit too."""

from datetime import date
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


def test_the_trading_account_carries_the_days_deposit_and_withdrawal() -> None:
    account = tdapi.CThostFtdcTradingAccountField()
    account.TradingDay = "20261203"
    account.PreBalance = 1_000_000.0
    account.Deposit = 50_000.0
    account.Withdraw = 20_000.25
    account.Balance = 1_029_999.75
    report = account_report(copy_fields(account) or {}, "000001")
    assert (report.deposit, report.withdraw) == (Decimal("50000.0"), Decimal("20000.25"))
    assert report.trading_day == date(2026, 12, 3)


def test_an_account_without_cash_moves_reports_none() -> None:
    account = tdapi.CThostFtdcTradingAccountField()
    report = account_report(copy_fields(account) or {}, "000001")
    assert (report.deposit, report.withdraw, report.trading_day) == (Decimal(0), Decimal(0), None)


def test_the_trading_account_carries_the_previous_settled_balance() -> None:
    account = tdapi.CThostFtdcTradingAccountField()
    account.TradingDay = "20261203"
    account.PreBalance = 1_050_000.5
    account.Balance = 1_050_000.5
    report = account_report(copy_fields(account) or {}, "000001")
    assert report.pre_balance == Decimal("1050000.5")
