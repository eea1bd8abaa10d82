"""Order requests for the CTP tests."""

from decimal import Decimal

from arbig.domain.enums import Exchange, Offset, OrderSource, Side
from arbig.domain.order import OrderRequest


def request(
    side: Side, offset: Offset, volume: int = 1, price: str = "912.00", symbol: str = "au2606"
) -> OrderRequest:
    return OrderRequest(
        symbol=symbol,
        exchange=Exchange.SHFE,
        side=side,
        offset=offset,
        price=Decimal(price),
        volume=volume,
        source=OrderSource.STRATEGY,
        reference="ma_crossover",
    )


def buy_open(volume: int = 1, price: str = "912.00") -> OrderRequest:
    return request(Side.BUY, Offset.OPEN, volume, price)
