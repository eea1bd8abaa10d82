"""The broker's tables laid over the configured contract specs."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from arbig.config import Settings
from arbig.domain.broker_tables import BrokerTables, CommissionRate, InstrumentTerms, MarginRate
from arbig.domain.contract import ContractError, ContractSpec
from arbig.domain.enums import Exchange, Offset

GOLD = Settings(main_contract="au2612").contract_spec("au2612")


def test_empty_tables_change_nothing() -> None:
    assert BrokerTables().spec(GOLD) == GOLD


def test_a_contracts_own_rate_wins_over_its_products() -> None:
    tables = BrokerTables(
        margins={
            "au": MarginRate(long_by_money=Decimal("0.12"), short_by_money=Decimal("0.12")),
            "au2612": MarginRate(long_by_money=Decimal("0.15"), short_by_money=Decimal("0.15")),
        }
    )
    assert tables.spec(GOLD).margin_ratio == Decimal("0.15")
    other = tables.spec(Settings(main_contract="au2612").contract_spec("au2702"))
    assert other.margin_ratio == Decimal("0.12")


def test_different_long_and_short_margin_ratios_take_the_larger() -> None:
    tables = BrokerTables(
        margins={"au": MarginRate(long_by_money=Decimal("0.11"), short_by_money=Decimal("0.13"))}
    )
    assert tables.spec(GOLD).margin_ratio == Decimal("0.13")


def test_commission_by_money_and_by_volume_add_up() -> None:
    tables = BrokerTables(
        commissions={
            "au": CommissionRate(
                open_by_volume=Decimal("2"),
                open_by_money=Decimal("0.00005"),
                close_today_by_money=Decimal("0.0001"),
            )
        }
    )
    spec = tables.spec(GOLD)
    # 2 lots at 600.00: 1 200 000 notional
    assert spec.commission(Offset.OPEN, 2, Decimal("600.00")) == Decimal("64.00")
    assert spec.commission(Offset.CLOSE_TODAY, 2, Decimal("600.00")) == Decimal("120.00")
    assert spec.commission(Offset.CLOSE, 2, Decimal("600.00")) == Decimal("0.00")
    with pytest.raises(ContractError, match="give the price"):
        spec.commission(Offset.OPEN, 2)


def test_margin_per_lot_adds_to_the_ratio_of_the_notional() -> None:
    tables = BrokerTables(
        margins={"au": MarginRate(long_by_money=Decimal("0.1"), long_by_volume=Decimal("500"))}
    )
    assert tables.spec(GOLD).margin(Decimal("600.00"), 2) == Decimal("121000.00")


def test_instrument_terms_replace_multiplier_tick_and_order_limit() -> None:
    tables = BrokerTables(
        instruments={
            "au2612": InstrumentTerms(Exchange.SHFE, 1000, Decimal("0.02"), max_order_volume=30)
        }
    )
    spec = tables.spec(GOLD)
    assert (spec.multiplier, spec.price_tick, spec.max_order_volume) == (
        1000,
        Decimal("0.02"),
        30,
    )


@pytest.mark.parametrize(
    "tables",
    [
        lambda: BrokerTables(margins={"au": MarginRate(long_by_money=Decimal("1.2"))}),
        lambda: BrokerTables(commissions={"au": CommissionRate(open_by_volume=Decimal(-1))}),
        lambda: BrokerTables(instruments={"au": InstrumentTerms(Exchange.SHFE, 0, Decimal(1))}),
    ],
)
def test_impossible_rates_are_refused(tables) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ContractError):
        tables()


money = st.decimals(min_value=Decimal(0), max_value=Decimal("0.001"), places=6)
per_lot = st.decimals(min_value=Decimal(0), max_value=Decimal(50), places=2)
prices = st.decimals(min_value=Decimal("100"), max_value=Decimal("2000"), places=2)


@given(by_money=money, by_volume=per_lot, price=prices, lots=st.integers(1, 500))
def test_commission_is_the_broker_formula(
    by_money: Decimal, by_volume: Decimal, price: Decimal, lots: int
) -> None:
    rate = CommissionRate(open_by_money=by_money, open_by_volume=by_volume)
    spec: ContractSpec = BrokerTables(commissions={"au": rate}).spec(GOLD)
    expected = (price * lots * 1000 * by_money + by_volume * lots).quantize(Decimal("0.01"))
    assert spec.commission(Offset.OPEN, lots, price) == expected
