"""A core for the bus tests: records what it is asked to do, acts as told."""

import asyncio
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from arbig.api.actor import Actor
from arbig.api.errors import CashRefused, OrderRefused
from arbig.api.health import ComponentState, Health
from arbig.api.reports import TradeFilter, TradeRecord
from arbig.domain.enums import Transfer
from arbig.domain.order import OrderRequest
from arbig.domain.snapshot import AccountSnapshot


class RecordingCore:
    """The part of ``CoreClient`` the bus tests call, each call recorded."""

    def __init__(self) -> None:
        self.sent: list[OrderRequest] = []
        self.reports = 0
        self.report_delay_s = 0.0
        self.order_delay_s = 0.0
        self.moved: list[tuple[Transfer, Decimal]] = []
        self.available = Decimal("1000.00")

    async def health(self) -> Health:
        return Health(ComponentState.UP, "au2702", "test", 1.0, {})

    async def send_order(self, request: OrderRequest, actor: Actor) -> str:
        if request.volume > 100:
            raise OrderRefused(f"max_order_volume: {request.volume} lots")
        await asyncio.sleep(self.order_delay_s)
        self.sent.append(request)
        return f"S{len(self.sent)}"

    async def trades(
        self, filters: TradeFilter, *, limit: int, offset: int
    ) -> tuple[list[TradeRecord], int]:
        self.reports += 1
        await asyncio.sleep(self.report_delay_s)
        return [], self.reports

    async def move_cash(self, kind: Transfer, amount: Decimal, actor: Actor) -> AccountSnapshot:
        if kind is Transfer.WITHDRAW and amount > self.available:
            raise CashRefused(f"cannot withdraw {amount}: only {self.available} is available")
        self.moved.append((kind, amount))
        return AccountSnapshot(
            "sim-001", amount, amount, Decimal(0), Decimal(0), Decimal(0), Decimal(0),
            Decimal(0), datetime(2026, 6, 1, tzinfo=UTC), deposit=amount,
        )  # fmt: skip

    def __getattr__(self, name: str) -> Any:
        raise AttributeError(name)
