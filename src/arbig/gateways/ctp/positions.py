"""The broker's positions (``CThostFtdcInvestorPositionField`` rows) as position legs.

SHFE and INE report a leg in two records, one for today's lots (PositionDate ``1``)
and one for older lots (``2``); the other exchanges in one record whose
TodayPosition says how many of its lots are today's. The average price is the open
cost per unit.
"""

from dataclasses import dataclass
from decimal import Decimal

from arbig.domain.enums import Direction, Exchange
from arbig.gateways.base import PositionReport
from arbig.gateways.ctp.bridge import Fields
from arbig.gateways.ctp.convert import POSITION_DIRECTION, exchange, price
from arbig.gateways.ctp.tables import Instrument

_TODAY = "1"  # PositionDate


@dataclass(slots=True)
class _Leg:
    today: int = 0
    yesterday: int = 0
    open_cost: Decimal = Decimal(0)


def position_reports(
    rows: list[Fields], instruments: dict[str, Instrument]
) -> list[PositionReport]:
    legs: dict[tuple[str, Direction], _Leg] = {}
    for row in rows:
        direction = POSITION_DIRECTION.get(row["PosiDirection"])
        if direction is None or not row["Position"]:
            continue
        leg = legs.setdefault((row["InstrumentID"], direction), _Leg())
        position = int(row["Position"])
        if exchange(row["ExchangeID"]) in (Exchange.SHFE, Exchange.INE):
            if row["PositionDate"] == _TODAY:
                leg.today += position
            else:
                leg.yesterday += position
        else:
            today = int(row["TodayPosition"])
            leg.today += today
            leg.yesterday += position - today
        leg.open_cost += price(row["OpenCost"])
    reports = []
    for (symbol, direction), leg in sorted(legs.items()):
        volume = leg.today + leg.yesterday
        instrument = instruments.get(symbol)
        multiplier = instrument.multiplier if instrument else 1
        average = leg.open_cost / (volume * multiplier) if volume else Decimal(0)
        if instrument is not None:
            average = average.quantize(instrument.price_tick / 100)
        reports.append(
            PositionReport(symbol, direction, volume, leg.today, leg.yesterday, average.normalize())
        )
    return reports
