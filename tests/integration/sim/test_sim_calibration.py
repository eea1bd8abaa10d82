"""Twenty simulated trading days of SHFE gold, at full length (66,600 snapshots each:
the 9 h 15 min of the night and day sessions at CTP's 500 ms), fall in the ranges
docs/configuration.md gives for the real market: daily volatility about 1-1.5 %, an
intraday range of about 1-2.5 %, the 8 % limit practically never touched.

An integration test only for its length (about a minute on one core)."""

import math
from datetime import timedelta
from decimal import Decimal
from itertools import pairwise
from statistics import mean, pstdev

import pytest

from arbig.config import SimSettings
from arbig.domain.contract import ContractSpec
from arbig.domain.enums import Exchange
from arbig.gateways.sim.pricepath import OPEN_INTEREST_BAND, PricePath
from arbig.testkit import MONDAY_10AM

pytestmark = pytest.mark.integration

SNAPSHOTS_PER_DAY = int(9.25 * 3600 * 2)
DAYS = 20
SPEC = ContractSpec(
    "au2702", Exchange.SHFE, 1000, Decimal("0.02"), Decimal("0.10"),
    Decimal(10), Decimal(10), Decimal(10), Decimal("0.08"),
)  # fmt: skip


def test_twenty_days_have_gold_like_volatility_range_and_limit_hits() -> None:
    path = PricePath.start(SPEC, Decimal("920.00"), SimSettings().volatility, 7)
    closes, ranges, limit_days = [], [], 0
    low, high = OPEN_INTEREST_BAND
    day = MONDAY_10AM.date()
    for n in range(DAYS):
        hit = False
        for i in range(SNAPSHOTS_PER_DAY):
            tick = path.next_tick(MONDAY_10AM + timedelta(days=n, seconds=i / 2), day)
            hit = hit or tick.last_price in (tick.limit_up, tick.limit_down)
            assert low <= tick.open_interest <= high
        limit_days += hit
        ranges.append(float((tick.high_price - tick.low_price) / tick.open_price))
        closes.append(float(tick.last_price))
        day += timedelta(days=1)
    returns = [math.log(b / a) for a, b in pairwise(closes)]
    assert 0.006 <= pstdev(returns) <= 0.02
    assert 0.008 <= mean(ranges) <= 0.025
    assert limit_days <= 1
