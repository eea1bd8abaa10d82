"""At every account report the core compares its account with the broker's: the
simulated exchange agrees with the book to the cent, and a broker that counts
differently is shown field by field."""

from dataclasses import replace
from decimal import Decimal
from pathlib import Path

from enginekit import running

from arbig.domain.enums import Offset, Side


async def test_the_sims_account_reports_agree_with_the_book_after_fills(tmp_path: Path) -> None:
    async with running(tmp_path) as rig:
        await rig.fill(rig.marketable(Side.BUY, 2))
        await rig.tick(3)
        await rig.fill(rig.marketable(Side.SELL, 1, Offset.CLOSE_TODAY))
        await rig.core.send_order(replace(rig.marketable(Side.BUY, 1), price=Decimal("850.00")))
        await rig.settle()
        money = rig.core.money
        assert money is not None
        assert money.account_id == "sim-001"
        assert money.differences == ()
        assert money.book.frozen_margin > 0  # the working order's, on both sides
        assert money.book.commission == Decimal("30.00")
        assert money.broker.close_profit is None  # the simulator does not count it by date
        assert money.broker_is_truth is False


async def test_a_broker_report_that_differs_is_shown_field_by_field(tmp_path: Path) -> None:
    async with running(tmp_path) as rig:
        await rig.fill(rig.marketable(Side.BUY, 1))
        report = rig.gateway.account_report()
        rig.core.on_account(
            replace(
                report,
                balance=report.balance - Decimal("12.50"),
                available=report.available - Decimal("12.50"),
                commission=report.commission + Decimal("12.50"),
                close_profit=Decimal("0.00"),
            )
        )
        money = rig.core.money
        assert money is not None
        assert [(d.field, d.difference) for d in money.differences] == [
            ("balance", Decimal("12.50")),
            ("available", Decimal("12.50")),
            ("commission", Decimal("-12.50")),
        ]
        rig.core.on_account(report)
        assert rig.core.money is not None and rig.core.money.differences == ()
