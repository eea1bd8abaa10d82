"""Comparing the book with the broker's positions after a restart."""

from collections.abc import Mapping
from dataclasses import dataclass

from arbig.domain.enums import Direction

LegKey = tuple[str, Direction]


@dataclass(frozen=True, slots=True)
class PositionDifference:
    symbol: str
    direction: Direction
    book: int
    broker: int

    def __str__(self) -> str:
        return f"{self.symbol} {self.direction}: book {self.book}, broker {self.broker}"


def position_differences(
    book: Mapping[LegKey, int], broker: Mapping[LegKey, int]
) -> list[PositionDifference]:
    """Every leg whose volume differs between the two sides, in a stable order."""
    keys = sorted(set(book) | set(broker))
    return [
        PositionDifference(symbol, direction, book.get(key, 0), broker.get(key, 0))
        for key in keys
        for symbol, direction in [key]
        if book.get(key, 0) != broker.get(key, 0)
    ]
