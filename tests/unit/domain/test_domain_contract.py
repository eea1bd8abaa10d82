"""Contract specifications: the tick grid, limits, fees, margin; the contract table and
gold, its default product."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from arbig.config import Settings
from arbig.domain.calendar import EXCHANGE_TZ, TradingCalendar
from arbig.domain.contract import (
    ContractError,
    ContractSpec,
    ContractTable,
    ListingRules,
    parse_symbol,
)
from arbig.domain.enums import Exchange, Offset

TABLE: ContractTable = Settings(main_contract="au2612").contract_table
GOLD_LISTING = ListingRules()


def parse_gold_month(symbol: str) -> tuple[int, int]:
    _, year, month = TABLE.product(symbol)
    return year, month


def listed_gold_months(today: date, holidays: Any = ()) -> list[tuple[int, int]]:
    return GOLD_LISTING.months(today, holidays)


def gold_last_trading_day(year: int, month: int, holidays: Any = ()) -> date:
    return GOLD_LISTING.last_day(year, month, holidays)


def validate_gold_symbol(symbol: str, today: date, holidays: Any = ()) -> str:
    return TABLE.validate(symbol, today, holidays)


def spec(tick: str = "0.02", **overrides: Any) -> ContractSpec:
    fields: dict[str, Any] = {
        "symbol": "au2612",
        "exchange": Exchange.SHFE,
        "multiplier": 1000,
        "price_tick": Decimal(tick),
        "margin_ratio": Decimal("0.08"),
        "commission_open": Decimal("10.00"),
        "commission_close": Decimal("6.00"),
        "commission_close_today": Decimal("2.50"),
        "limit_ratio": Decimal("0.07"),
    }
    fields.update(overrides)
    return ContractSpec(**fields)


GOLD = spec()
TICKS = ["0.02", "0.05", "0.5", "1", "5", "10"]
ticks = st.sampled_from(TICKS)
any_price = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("100000"), places=4)


# ---------------------------------------------------------------- the tick grid


@pytest.mark.parametrize(
    ("price", "on_tick"),
    [
        ("500.02", True),
        ("500.00", True),
        ("500", True),
        ("500.020", True),
        ("500.01", False),
        ("500.03", False),
        ("500.021", False),
    ],
)
def test_is_on_tick_for_gold_ticks_of_two_fen(price: str, on_tick: bool) -> None:
    assert GOLD.is_on_tick(Decimal(price)) is on_tick


@pytest.mark.parametrize(
    ("price", "down", "nearest", "up"),
    [
        ("500.01", "500.00", "500.00", "500.02"),  # 25000.5 ticks: the tie goes to 25000
        ("500.03", "500.02", "500.04", "500.04"),  # 25001.5 ticks: the tie goes to 25002
        ("500.029", "500.02", "500.02", "500.04"),
        ("500.031", "500.02", "500.04", "500.04"),
        ("500", "500.00", "500.00", "500.00"),
    ],
)
def test_snap_examples_on_the_gold_grid(price: str, down: str, nearest: str, up: str) -> None:
    p = Decimal(price)
    assert str(GOLD.snap_down(p)) == down
    assert str(GOLD.snap(p)) == nearest
    assert str(GOLD.snap_up(p)) == up


@given(tick=ticks, price=any_price)
def test_snapped_prices_land_on_the_grid_around_the_price(tick: str, price: Decimal) -> None:
    contract = spec(tick)
    step = contract.price_tick
    down, nearest, up = contract.snap_down(price), contract.snap(price), contract.snap_up(price)
    for snapped in (down, nearest, up):
        assert contract.is_on_tick(snapped)
        assert -snapped.as_tuple().exponent == contract.price_decimals  # type: ignore[operator]
    assert down <= price <= up
    assert up - down == (0 if contract.is_on_tick(price) else step)
    assert nearest in (down, up)
    assert abs(nearest - price) <= step / 2


@given(tick=ticks, ticks_away=st.integers(0, 10_000_000))
def test_prices_already_on_the_grid_do_not_move(tick: str, ticks_away: int) -> None:
    contract = spec(tick)
    price = contract.price_tick * ticks_away
    assert contract.is_on_tick(price)
    assert contract.snap(price) == contract.snap_down(price) == contract.snap_up(price) == price


@pytest.mark.parametrize(
    ("tick", "decimals"),
    [("0.02", 2), ("0.05", 2), ("0.5", 1), ("1", 0), ("10", 0), ("0.020", 2), ("2E+1", 0)],
)
def test_price_decimals_follow_the_tick(tick: str, decimals: int) -> None:
    assert spec(tick).price_decimals == decimals


# ---------------------------------------------------------------- limits, fees, margin


def test_limit_band_of_gold_rounds_inwards() -> None:
    # 7% of 500.01 is 35.0007: the band 465.0093 .. 535.0107 becomes 465.02 .. 535.00
    assert GOLD.limit_band(Decimal("500.01")) == (Decimal("465.02"), Decimal("535.00"))


@given(
    tick=ticks,
    pre_ticks=st.integers(1, 5_000_000),
    ratio=st.sampled_from(["0.04", "0.05", "0.07", "0.1", "0.13"]).map(Decimal),
)
def test_limit_band_lies_inside_the_ratio_and_on_the_grid(
    tick: str, pre_ticks: int, ratio: Decimal
) -> None:
    contract = spec(tick, limit_ratio=ratio)
    pre = contract.price_tick * pre_ticks
    down, up = contract.limit_band(pre)
    low, high = pre * (1 - ratio), pre * (1 + ratio)
    assert contract.is_on_tick(down) and contract.is_on_tick(up)
    assert low <= down <= pre <= up <= high
    # and it is the widest such band: one more tick would leave the ratio
    assert down - contract.price_tick < low
    assert up + contract.price_tick > high


@pytest.mark.parametrize(
    ("offset", "per_lot"),
    [
        (Offset.OPEN, "10.00"),
        (Offset.CLOSE, "6.00"),
        (Offset.CLOSE_YESTERDAY, "6.00"),
        (Offset.CLOSE_TODAY, "2.50"),
    ],
)
def test_commission_is_charged_at_the_rate_of_the_offset(offset: Offset, per_lot: str) -> None:
    assert GOLD.commission(offset, 3) == Decimal(per_lot) * 3


def test_commission_is_rounded_to_the_cent() -> None:
    contract = spec(commission_open=Decimal("1.2345"))
    assert str(contract.commission(Offset.OPEN, 3)) == "3.70"


def test_notional_is_price_times_volume_times_multiplier() -> None:
    assert GOLD.notional(Decimal("500.02"), 3) == Decimal("1500060.00")


def test_margin_is_notional_times_ratio_to_the_cent() -> None:
    assert GOLD.margin(Decimal("500.02"), 3) == Decimal("120004.80")
    assert str(spec(margin_ratio=Decimal("0.0733")).margin(Decimal("500.02"), 1)) == "36651.47"


@given(price_ticks=st.integers(1, 100_000), volume=st.integers(1, 500))
def test_margin_matches_a_plain_recomputation(price_ticks: int, volume: int) -> None:
    price = GOLD.price_tick * price_ticks
    assert GOLD.margin(price, volume) == (price * volume * 1000 * Decimal("0.08")).quantize(
        Decimal("0.01")
    )


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("multiplier", 0),
        ("multiplier", -1000),
        ("price_tick", Decimal(0)),
        ("price_tick", Decimal("-0.02")),
    ],
)
def test_spec_refuses_non_positive_multiplier_or_tick(field: str, value: Any) -> None:
    with pytest.raises(ContractError, match="must be positive"):
        spec(**{field: value})


# ---------------------------------------------------------------- gold symbols


@pytest.mark.parametrize(
    ("symbol", "year_month"),
    [("au2612", (2026, 12)), ("au2601", (2026, 1)), ("au0006", (2000, 6))],
)
def test_gold_symbol_names_year_and_month(symbol: str, year_month: tuple[int, int]) -> None:
    assert parse_gold_month(symbol) == year_month


@pytest.mark.parametrize(
    "symbol",
    [
        "AU2612",
        "au261",
        "au26123",
        "au",
        "",
        " au2612",
        "au2612 ",
        "au2612\n",
        "au26l2",
        "SHFE.au2612",
        "au2612.SHFE",
        "au\u0662\u0666\u0661\u0662",
    ],
)
def test_malformed_symbols_are_refused_with_the_expected_form(symbol: str) -> None:
    with pytest.raises(ContractError, match=r"expected a product code and YYMM, e\.g\. 'au2612'"):
        parse_gold_month(symbol)


@pytest.mark.parametrize("symbol", ["au2600", "au2613", "au2699"])
def test_gold_symbols_of_months_that_do_not_exist_are_refused(symbol: str) -> None:
    with pytest.raises(ContractError, match="does not exist"):
        parse_gold_month(symbol)


def test_listed_months_in_may_are_three_consecutive_then_even_months() -> None:
    assert listed_gold_months(date(2026, 5, 10)) == [
        (2026, 5),
        (2026, 6),
        (2026, 7),
        (2026, 8),
        (2026, 10),
        (2026, 12),
        (2027, 2),
        (2027, 4),
    ]


def test_listed_months_reach_twelve_months_ahead_when_that_month_is_even() -> None:
    assert listed_gold_months(date(2026, 2, 1))[-1] == (2027, 2)
    assert listed_gold_months(date(2026, 1, 10))[-1] == (2026, 12)


def test_a_month_goes_after_its_last_trading_day_the_15th_and_a_new_month_is_listed() -> None:
    friday_15th, saturday = date(2026, 5, 15), date(2026, 5, 16)
    assert listed_gold_months(friday_15th)[0] == (2026, 5)
    after = listed_gold_months(saturday)
    assert after[0] == (2026, 6) and after[-1] == (2027, 6)
    with pytest.raises(ContractError, match="'au2605' has expired; listed: au2606, au2607"):
        validate_gold_symbol("au2605", saturday)
    assert validate_gold_symbol("au2706", saturday) == "au2706"


def test_the_last_trading_day_is_postponed_past_weekends_and_holidays() -> None:
    assert gold_last_trading_day(2026, 2) == date(2026, 2, 16)  # the 15th is a Sunday
    assert listed_gold_months(date(2026, 2, 16))[0] == (2026, 2)
    assert listed_gold_months(date(2026, 2, 17))[0] == (2026, 3)
    holiday = {date(2026, 10, 15)}  # a Thursday
    assert gold_last_trading_day(2026, 10, holiday) == date(2026, 10, 16)
    assert validate_gold_symbol("au2610", date(2026, 10, 16), holiday) == "au2610"
    with pytest.raises(ContractError, match="has expired"):
        validate_gold_symbol("au2610", date(2026, 10, 16))


def reference_listed(today: date) -> list[tuple[int, int]]:
    year, month, out = today.year, today.month, []
    last = date(year, month, 15)
    while last.weekday() >= 5:
        last = date.fromordinal(last.toordinal() + 1)
    if today > last:
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    for ahead in range(13):
        if ahead < 3 or month % 2 == 0:
            out.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


@given(today=st.dates(min_value=date(2001, 1, 1), max_value=date(2098, 12, 31)))
def test_listed_months_follow_the_shfe_gold_rule(today: date) -> None:
    months = listed_gold_months(today)
    assert months == reference_listed(today)
    assert months == sorted(set(months))
    assert len(months) in (8, 9)


def test_validate_accepts_a_listed_month() -> None:
    assert validate_gold_symbol("au2612", date(2026, 5, 10)) == "au2612"


@pytest.mark.parametrize("symbol", ["au2609", "au2604", "au2706"])
def test_validate_refuses_unlisted_months_and_names_the_listed_ones(symbol: str) -> None:
    with pytest.raises(ContractError, match="not a listed gold month") as caught:
        validate_gold_symbol(symbol, date(2026, 5, 10))
    assert "au2605, au2606, au2607, au2608, au2610, au2612, au2702, au2704" in str(caught.value)


def test_a_product_outside_the_contract_table_is_refused_naming_the_known_ones() -> None:
    with pytest.raises(
        ContractError,
        match=(
            r"unknown symbol 'rb2610': product 'rb' is not in the contract table; "
            r"known: au \(gold\)"
        ),
    ):
        validate_gold_symbol("rb2610", date(2026, 5, 10))
    with pytest.raises(ContractError, match="product 'ag' is not in the contract table"):
        TABLE.spec("ag2612")


def test_the_table_gives_each_symbol_its_products_terms() -> None:
    gold = TABLE.spec("au2702")
    assert (gold.symbol, gold.exchange, gold.multiplier, gold.price_tick) == (
        "au2702",
        Exchange.SHFE,
        1000,
        Decimal("0.02"),
    )
    assert TABLE.listed(date(2026, 5, 10))[:3] == ("au2605", "au2606", "au2607")


def test_parse_symbol_names_the_product_year_and_month() -> None:
    assert parse_symbol("cu2703") == ("cu", 2027, 3)


def test_on_the_evening_of_the_last_trading_day_the_month_is_gone() -> None:
    # The contract manager asks with the trading day: the night session of Friday the
    # 15th already counts for Monday the 18th, when au2605 no longer trades.
    calendar = TradingCalendar.gold()
    afternoon = datetime(2026, 5, 15, 14, 0, tzinfo=EXCHANGE_TZ)
    evening = datetime(2026, 5, 15, 21, 0, tzinfo=EXCHANGE_TZ)
    assert validate_gold_symbol("au2605", calendar.trading_day(afternoon)) == "au2605"
    with pytest.raises(ContractError, match="has expired"):
        validate_gold_symbol("au2605", calendar.trading_day(evening))
