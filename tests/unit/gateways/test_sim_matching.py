"""The paper matching engine: what is accepted, what is refused, when and how orders fill."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from simkit import MONDAY, MONDAY_10AM, SYMBOL, make_tick, request, spec_for

from arbig.domain.account import AccountBook
from arbig.domain.enums import Direction, Exchange, Offset, OrderStatus, OrderType, Side
from arbig.domain.order import Order, OrderRequest
from arbig.domain.tick import Tick
from arbig.domain.trade import Trade
from arbig.gateways.sim.matching import MARKET_ORDER_REASON, MatchingEngine, MatchingError
from arbig.gateways.sim.state import SimState

NOW = MONDAY_10AM
TUESDAY = date(2026, 6, 2)


def engine(capital: str = "1000000.00") -> MatchingEngine:
    matching = MatchingEngine(SimState.fresh("sim-001", Decimal(capital)), spec_for)
    matching.start_session()
    matching.on_tick(make_tick())
    return matching


def trades(events: list[Order | Trade]) -> list[Trade]:
    return [event for event in events if isinstance(event, Trade)]


def holding(matching: MatchingEngine, lots: int, side: Side = Side.BUY) -> None:
    """Open ``lots`` at 920.00 (a buy lifts the 920.00 ask, a sell hits the 920.00 bid)."""
    matching.submit(request(side, "920.00", lots), NOW)
    matching.on_tick(make_tick("920.00", "920.00", bid_volume=50, ask_volume=50))


# --- acceptance and filling ------------------------------------------------------------


def test_an_accepted_limit_order_works_as_not_traded() -> None:
    order = engine().submit(request(Side.BUY, "919.00", 2), NOW)
    assert order.status is OrderStatus.NOT_TRADED
    assert order.order_id.startswith("S0001-")


def test_a_buy_below_the_ask_rests_and_does_not_fill() -> None:
    matching = engine()
    order = matching.submit(request(Side.BUY, "919.98", 1), NOW)
    assert matching.on_tick(make_tick("919.98", "920.00")) == []
    assert matching.state.orders[order.order_id].status is OrderStatus.NOT_TRADED


def test_a_buy_fills_at_the_ask_once_the_ask_comes_down_to_its_price() -> None:
    matching = engine()
    order = matching.submit(request(Side.BUY, "919.98", 1), NOW)
    events = matching.on_tick(make_tick("919.96", "919.98"))
    (trade,) = trades(events)
    assert (trade.order_id, trade.price, trade.volume) == (order.order_id, Decimal("919.98"), 1)
    assert matching.state.orders[order.order_id].status is OrderStatus.ALL_TRADED


def test_a_marketable_buy_fills_at_the_ask_not_at_its_limit() -> None:
    matching = engine()
    matching.submit(request(Side.BUY, "925.00", 1), NOW)
    (trade,) = trades(matching.on_tick(make_tick("920.00", "920.04")))
    assert trade.price == Decimal("920.04")


def test_a_sell_fills_at_the_bid_once_the_bid_reaches_its_price() -> None:
    matching = engine()
    matching.submit(request(Side.SELL, "920.10", 1), NOW)
    assert matching.on_tick(make_tick("920.08", "920.10")) == []
    (trade,) = trades(matching.on_tick(make_tick("920.12", "920.14")))
    assert (trade.side, trade.price) == (Side.SELL, Decimal("920.12"))


def test_an_order_larger_than_the_shown_depth_fills_partly_and_the_rest_keeps_working() -> None:
    matching = engine()
    order = matching.submit(request(Side.BUY, "920.02", 8), NOW)
    matching.on_tick(make_tick(ask_volume=3))
    assert matching.state.orders[order.order_id].status is OrderStatus.PART_TRADED
    assert matching.state.orders[order.order_id].traded == 3
    matching.on_tick(make_tick(ask_volume=4))
    assert matching.state.orders[order.order_id].traded == 7
    matching.on_tick(make_tick(ask_volume=50))
    final = matching.state.orders[order.order_id]
    assert (final.status, final.traded) == (OrderStatus.ALL_TRADED, 8)
    assert [t.volume for t in matching.state.trades] == [3, 4, 1]


def test_own_orders_share_the_shown_depth_best_price_first() -> None:
    matching = engine()
    early = matching.submit(request(Side.BUY, "920.02", 3), NOW)
    better = matching.submit(request(Side.BUY, "920.04", 3), NOW + timedelta(seconds=1))
    matching.on_tick(make_tick(ask_volume=4))
    assert matching.state.orders[better.order_id].traded == 3
    assert matching.state.orders[early.order_id].traded == 1


def test_an_order_update_comes_before_its_trade() -> None:
    matching = engine()
    matching.submit(request(Side.BUY, "920.02", 1), NOW)
    events = matching.on_tick(make_tick())
    assert [type(event) for event in events] == [Order, Trade]


def test_trade_ids_are_unique_and_carry_the_trading_day_of_the_tick() -> None:
    matching = engine()
    matching.submit(request(Side.BUY, "920.02", 6), NOW)
    for _ in range(3):
        matching.on_tick(make_tick(ask_volume=2))
    ids = [t.trade_id for t in matching.state.trades]
    assert len(set(ids)) == 3
    assert {t.trading_day for t in matching.state.trades} == {date(2026, 6, 1)}


# --- refusals ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("req", "reason"),
    [
        (request(order_type=OrderType.MARKET), MARKET_ORDER_REASON),
        (request(symbol="ag2612"), "unknown symbol 'ag2612'"),
        (request(exchange=Exchange.INE), "au2612 trades on SHFE, not INE"),
        (request(volume=0), "volume must be a positive number of lots, got 0"),
        (request(volume=-3), "volume must be a positive number of lots, got -3"),
        (request(volume=501), "volume 501 exceeds the 500-lot order limit"),
        (request(price="920.01"), "price 920.01 is not a multiple of the price tick 0.02"),
        (request(price="993.62"), "price 993.62 is outside the limit band 846.40..993.60"),
        (request(price="846.38"), "price 846.38 is outside the limit band 846.40..993.60"),
        (request(volume=11), "insufficient funds: the order needs 1012110.00, available"),
    ],
    ids=[
        "market",
        "unknown-symbol",
        "wrong-exchange",
        "zero-volume",
        "negative-volume",
        "too-large",
        "off-tick",
        "above-limit-up",
        "below-limit-down",
        "margin",
    ],
)
def test_refused_orders_are_rejected_with_the_reason(req: OrderRequest, reason: str) -> None:
    order = engine().submit(req, NOW)
    assert order.status is OrderStatus.REJECTED
    assert order.reject_reason.startswith(reason)


def test_an_order_before_any_market_data_is_rejected() -> None:
    matching = MatchingEngine(SimState.fresh("sim-001", Decimal(1_000_000)), spec_for)
    order = matching.submit(request(), NOW)
    assert order.reject_reason == "no market data for au2612 yet; subscribe first"


def test_margin_check_counts_commission_too() -> None:
    # one lot at 920.00: margin 92000.00 + commission 10.00
    assert engine("92010.00").submit(request(), NOW).status is OrderStatus.NOT_TRADED
    assert engine("92009.99").submit(request(), NOW).status is OrderStatus.REJECTED


def test_closing_more_than_is_held_is_rejected() -> None:
    matching = engine()
    holding(matching, 2)
    order = matching.submit(request(Side.SELL, "920.00", 3, Offset.CLOSE_TODAY), NOW)
    assert order.reject_reason == "cannot close_today 3 au2612 long: only 2 closable"


def held_over_the_night(today: int, yesterday: int) -> MatchingEngine:
    """An engine holding ``yesterday`` long lots from the day before and ``today`` new."""
    matching = engine()
    if yesterday:
        holding(matching, yesterday)
        matching.on_tick(make_tick(day=TUESDAY))
    if today:
        matching.submit(request(Side.BUY, "920.00", today), NOW)
        matching.on_tick(make_tick("920.00", "920.00", bid_volume=50, ask_volume=50, day=TUESDAY))
    leg = matching.state.positions.leg(SYMBOL, Direction.LONG)
    assert (leg.volume_yesterday, leg.volume_today) == (yesterday, today)
    return matching


def test_on_shfe_a_plain_close_takes_yesterdays_lots_only() -> None:
    matching = held_over_the_night(today=2, yesterday=1)
    refused = matching.submit(request(Side.SELL, "920.00", 2, Offset.CLOSE), NOW)
    assert refused.reject_reason == (
        "cannot close 2 au2612 long: only 1 closable (on SHFE a plain close takes "
        "yesterday's lots only; today's are closed with close_today)"
    )
    ok = matching.submit(request(Side.SELL, "920.00", 1, Offset.CLOSE), NOW)
    (trade,) = trades(matching.on_tick(make_tick("920.00", "920.02", day=TUESDAY)))
    assert (trade.order_id, trade.offset) == (ok.order_id, Offset.CLOSE)
    leg = matching.state.positions.leg(SYMBOL, Direction.LONG)
    assert (leg.volume_yesterday, leg.volume_today) == (0, 2)
    again = matching.submit(request(Side.SELL, "920.00", 1, Offset.CLOSE), NOW)
    assert again.status is OrderStatus.REJECTED  # today's two need close_today


def test_on_shfe_a_working_plain_close_holds_yesterdays_lots() -> None:
    matching = held_over_the_night(today=1, yesterday=2)
    first = matching.submit(request(Side.SELL, "930.00", 2, Offset.CLOSE), NOW)
    assert first.status is OrderStatus.NOT_TRADED
    second = matching.submit(request(Side.SELL, "930.00", 1, Offset.CLOSE_YESTERDAY), NOW)
    assert second.reject_reason == "cannot close_yesterday 1 au2612 long: only 0 closable"
    today = matching.submit(request(Side.SELL, "930.00", 1, Offset.CLOSE_TODAY), NOW)
    assert today.status is OrderStatus.NOT_TRADED


def test_close_yesterday_is_rejected_when_only_todays_lots_are_held() -> None:
    matching = engine()
    holding(matching, 2)
    order = matching.submit(request(Side.SELL, "920.00", 1, Offset.CLOSE_YESTERDAY), NOW)
    assert order.status is OrderStatus.REJECTED
    ok = matching.submit(request(Side.SELL, "920.00", 2, Offset.CLOSE_TODAY), NOW)
    assert ok.status is OrderStatus.NOT_TRADED


def test_working_close_orders_reserve_the_lots_they_close() -> None:
    matching = engine()
    holding(matching, 2)
    first = matching.submit(request(Side.SELL, "930.00", 2, Offset.CLOSE_TODAY), NOW)
    second = matching.submit(request(Side.SELL, "930.00", 1, Offset.CLOSE_TODAY), NOW)
    assert first.status is OrderStatus.NOT_TRADED
    assert second.reject_reason == "cannot close_today 1 au2612 long: only 0 closable"


def test_a_buy_close_closes_the_short_leg() -> None:
    matching = engine()
    holding(matching, 1, Side.SELL)
    order = matching.submit(request(Side.BUY, "920.00", 1, Offset.CLOSE_TODAY), NOW)
    assert order.status is OrderStatus.NOT_TRADED
    assert order.direction is Direction.SHORT


# --- money ------------------------------------------------------------------------------------


def test_a_working_open_freezes_margin_and_commission() -> None:
    matching = engine()
    matching.submit(request(Side.BUY, "919.00", 2), NOW)
    account = matching.account
    assert account.frozen_margin == Decimal("183800.00")
    assert account.frozen_commission == Decimal("20.00")
    assert account.available == Decimal("1000000.00") - Decimal("183820.00")


def test_cancel_releases_the_frozen_margin() -> None:
    matching = engine()
    order = matching.submit(request(Side.BUY, "919.00", 2), NOW)
    cancelled = matching.cancel(order.order_id, NOW)
    assert cancelled.status is OrderStatus.CANCELLED
    account = matching.account
    assert account.frozen_margin == account.frozen_commission == Decimal(0)
    assert account.available == Decimal("1000000.00")


def test_a_fill_moves_frozen_margin_to_position_margin_and_charges_commission() -> None:
    matching = engine()
    matching.submit(request(Side.BUY, "920.02", 3), NOW)
    matching.on_tick(make_tick(ask_volume=1))
    account = matching.account
    assert account.margin == Decimal("92002.00")
    assert account.frozen_margin == Decimal("184004.00")
    assert account.commission == Decimal("10.00")
    assert matching.state.trades[0].commission == Decimal("10.00")


def test_closing_realizes_profit_and_charges_commission_per_fill() -> None:
    matching = engine()
    holding(matching, 2)
    matching.submit(request(Side.SELL, "921.00", 2, Offset.CLOSE_TODAY), NOW)
    matching.on_tick(make_tick("921.00", "921.02", bid_volume=1))
    matching.on_tick(make_tick("921.00", "921.02", bid_volume=1))
    account = matching.account
    assert account.realized_pnl == Decimal("2000.00")  # 1.00 yuan/g * 1000 g * 2 lots
    assert account.commission == Decimal("40.00")  # two opens and two closes, 10 each
    assert account.margin == 0
    assert account.balance == Decimal("1001960.00")


def test_cancel_of_an_unknown_or_finished_order_raises() -> None:
    matching = engine()
    with pytest.raises(MatchingError, match="unknown order"):
        matching.cancel("nope", NOW)
    order = matching.submit(request(Side.BUY, "920.02", 1), NOW)
    matching.on_tick(make_tick())
    with pytest.raises(MatchingError, match="all_traded"):
        matching.cancel(order.order_id, NOW)


# --- the trading day ---------------------------------------------------------------------------


def test_a_new_trading_day_rolls_todays_lots_to_yesterday_and_expires_working_orders() -> None:
    matching = engine()
    holding(matching, 2)
    working = matching.submit(request(Side.BUY, "900.00", 1), NOW)
    events = matching.on_tick(make_tick(day=TUESDAY))
    assert [(e.order_id, e.status) for e in events if isinstance(e, Order)] == [
        (working.order_id, OrderStatus.CANCELLED)
    ]
    leg = matching.state.positions.leg(SYMBOL, Direction.LONG)
    assert (leg.volume_today, leg.volume_yesterday) == (0, 2)
    assert matching.state.orders == {} and matching.state.trades == []
    assert matching.state.account.capital == Decimal("1000000.00") - Decimal("20.00")
    ok = matching.submit(request(Side.SELL, "920.00", 2, Offset.CLOSE_YESTERDAY), NOW)
    assert ok.status is OrderStatus.NOT_TRADED


def test_order_ids_carry_the_session_so_a_new_session_never_reuses_one() -> None:
    matching = engine()
    first = matching.submit(request(), NOW)
    matching.start_session()
    second = matching.submit(request(), NOW)
    assert (first.order_id, second.order_id) == ("S0001-000001", "S0002-000002")


# --- the account between fills ---------------------------------------------------------

_PRICES = st.integers(min_value=45_950, max_value=46_050).map(lambda c: Decimal(c) / 50)
_STEPS = st.lists(
    st.one_of(
        st.tuples(st.just("tick"), _PRICES, st.sampled_from(["919.00", "920.00", "921.00"])),
        st.tuples(
            st.sampled_from([Side.BUY, Side.SELL]),
            _PRICES,
            st.sampled_from([Offset.OPEN, Offset.CLOSE]),
        ),
        st.tuples(st.just("next day"), st.just(Decimal(0)), st.just("920.00")),
        st.tuples(st.just("cancel"), st.just(Decimal(0)), st.just("920.00")),
    ),
    max_size=30,
)


@settings(max_examples=60, deadline=None)
@given(_STEPS)
def test_a_tick_leaves_the_account_as_a_full_recomputation_has_it(
    steps: list[tuple[str | Side, Decimal, str | Offset]],
) -> None:
    """A tick that fills nothing only re-marks the floating P&L, and an order accepted or
    cancelled only changes the frozen amounts; margin and frozen amounts must still equal
    what recomputing everything from the book and last prices gives."""
    matching = held_over_the_night(today=1, yesterday=2)
    day = TUESDAY
    for kind, price, extra in steps:
        if kind == "next day":
            day += timedelta(days=1)
            continue
        if kind == "cancel":
            working = matching.active_orders()
            if working:
                matching.cancel(working[0].order_id, NOW)
        elif isinstance(kind, Side) and isinstance(extra, Offset):
            matching.submit(request(kind, str(price), 1, extra), NOW)
        else:
            ask = str(price + Decimal("0.02"))
            matching.on_tick(make_tick(str(price), ask, day=day, pre_settlement=str(extra)))
        account = matching.account
        seen = (
            account.margin,
            account.unrealized_pnl,
            account.frozen_margin,
            account.frozen_commission,
        )
        matching._refresh()
        assert seen == (
            account.margin,
            account.unrealized_pnl,
            account.frozen_margin,
            account.frozen_commission,
        )


class MarkedEveryTick(MatchingEngine):
    """The reference: the floating P&L valued anew at every snapshot."""

    def take(self, tick: Tick) -> list[Order | Trade]:
        expired = super().take(tick)
        self._remark()
        return expired


def _figures(account: AccountBook) -> tuple[Decimal, ...]:
    return (
        account.balance,
        account.available,
        account.margin,
        account.unrealized_pnl,
        account.frozen_margin,
        account.frozen_commission,
        account.commission,
    )


@settings(max_examples=60, deadline=None)
@given(_STEPS, st.lists(st.booleans(), min_size=30, max_size=30))
def test_the_account_read_at_any_moment_is_what_marking_every_tick_gives(
    steps: list[tuple[str | Side, Decimal, str | Offset]], reads: list[bool]
) -> None:
    """A snapshot that only moves a price leaves the floating P&L to the next read; read
    at any moment, the account equals that of an engine marked at every snapshot."""
    lazy, eager = (
        kind(SimState.fresh("sim-001", Decimal("1000000.00")), spec_for)
        for kind in (MatchingEngine, MarkedEveryTick)
    )
    for matching in (lazy, eager):
        matching.start_session()
        matching.on_tick(make_tick())
        holding(matching, 2)
    day = MONDAY
    for (kind, price, extra), read in zip(steps, reads, strict=False):
        if kind == "next day":
            day += timedelta(days=1)
            continue
        if kind == "cancel":
            working = lazy.active_orders()
            if working:
                order_id = working[0].order_id
                assert lazy.cancel(order_id, NOW) == eager.cancel(order_id, NOW)
        elif isinstance(kind, Side) and isinstance(extra, Offset):
            assert lazy.submit(request(kind, str(price), 1, extra), NOW) == eager.submit(
                request(kind, str(price), 1, extra), NOW
            )
        else:
            ask = str(price + Decimal("0.02"))
            tick = make_tick(str(price), ask, day=day, pre_settlement=str(extra))
            assert lazy.on_tick(tick) == eager.on_tick(tick)
        if read:
            assert _figures(lazy.account) == _figures(eager.state.account)
    assert _figures(lazy.account) == _figures(eager.state.account)
