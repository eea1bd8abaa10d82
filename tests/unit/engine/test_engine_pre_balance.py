"""Money moved on a day the core did not run: the broker's report of the next day says
deposit 0, and only its previous settled balance (CTP's ``PreBalance``) is higher than
the book's. The money check compares it, tells what it likely means, and the book does
not adopt it."""

from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
import structlog
from enginekit import TUESDAY, running
from structlog.testing import LogCapture

from arbig.domain.reconcile import AccountFigures, money_differences
from arbig.engine import core

D = Decimal


async def test_a_higher_previous_settled_balance_is_a_money_difference_not_adopted(
    tmp_path: Path,
) -> None:
    async with running(tmp_path) as rig:
        rig.gateway.name = "ctp"  # a live broker's report: only its pre-balance counts
        opening = rig.core.portfolio.account.opening_balance
        balance = rig.core.portfolio.account.balance
        report = rig.gateway.account_report()
        assert report.pre_balance == opening  # the simulator reports its own
        missed = replace(
            report,
            pre_balance=report.pre_balance + D("50000"),  # type: ignore[operator]
            balance=report.balance + D("50000"),
            available=report.available + D("50000"),
        )
        # The core's own logger is swapped for a capturing one: an earlier test's
        # logging set-up (cached loggers) must not hide what it says from this one.
        capture = LogCapture()
        keeper = structlog.wrap_logger(
            None, processors=[capture], wrapper_class=structlog.BoundLogger
        )
        logs = capture.entries
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(core, "log", keeper)
            rig.core.on_account(missed)
        money = rig.core.money
        assert money is not None
        fields = {d.field: d.difference for d in money.differences}
        assert fields["pre_balance"] == D("-50000.00")
        assert (
            money.hints and "a deposit or withdrawal on a day ARBIG did not run" in (money.hints[0])
        )
        # Not adopted: the book keeps its own figures, the difference stays visible.
        assert rig.core.portfolio.account.opening_balance == opening
        assert rig.core.portfolio.account.balance == balance
        warned = [e for e in logs if e["event"] == "account differs from the broker's"]
        assert warned and any("pre_balance" in d for d in warned[0]["differences"])
        assert warned[0]["hints"] == list(money.hints)
        rig.core.on_account(missed)  # still there at the next report
        assert rig.core.money is not None
        assert "pre_balance" in {d.field for d in rig.core.money.differences}


async def test_the_previous_balance_of_a_day_the_book_has_not_reached_is_not_compared(
    tmp_path: Path,
) -> None:
    async with running(tmp_path) as rig:
        rig.gateway.name = "ctp"
        report = rig.gateway.account_report()
        ahead = replace(
            report,
            trading_day=TUESDAY,
            pre_balance=report.pre_balance + D("123"),  # type: ignore[operator]
        )
        rig.core.on_account(ahead)
        assert rig.core.money is not None
        assert rig.core.money.broker.pre_balance is None
        assert "pre_balance" not in {d.field for d in rig.core.money.differences}


async def test_the_simulators_previous_balance_is_not_compared(tmp_path: Path) -> None:
    """The simulator splits a held position's floating P&L differently across the
    settlement (its balance agrees with the book's): only a live broker's counts."""
    async with running(tmp_path) as rig:
        report = rig.gateway.account_report()
        other = replace(report, pre_balance=report.pre_balance + D("3000"))  # type: ignore[operator]
        rig.core.on_account(other)
        assert rig.core.money is not None
        assert rig.core.money.broker.pre_balance is None
        assert rig.core.money.differences == ()


def test_a_side_without_a_previous_balance_is_not_compared() -> None:
    book = AccountFigures(D(1), D(1), D(0), D(0), D(0), pre_balance=D(5))
    assert money_differences(book, AccountFigures(D(1), D(1), D(0), D(0), D(0))) == []
    found = money_differences(book, AccountFigures(D(1), D(1), D(0), D(0), D(0), None, D(6)))
    assert [(d.field, d.difference) for d in found] == [("pre_balance", D(-1))]
