"""The main contract, its switch and the watchlist."""

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class ContractInfo:
    """The main contract as the console shows it."""

    main_contract: str
    exchange: str
    multiplier: int
    price_tick: str
    watchlist: tuple[str, ...]
    subscribed: tuple[str, ...]
    listed: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True, slots=True)
class SwitchResult:
    main_contract: str
    previous: str
    changed: bool
