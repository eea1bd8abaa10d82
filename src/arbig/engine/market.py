"""The market desk: what the console asks of market data beyond quotes.

Bars for a range, the main contract and its switch, the watchlist, and the
market-data adapters' health (supplied by the assembly). The in-process client
(``arbig.host.local``) answers the contract's market methods from it.
"""

from collections.abc import Callable, Iterable
from datetime import datetime

from arbig.api.market import ContractInfo, SwitchResult
from arbig.domain.bar import Bar
from arbig.engine.bars import BarService
from arbig.engine.contracts import ContractManager

# The state of the market-data adapters, by name: (up, detail). The assembly knows
# which adapters it built and supplies this.
AdapterStates = Callable[[], dict[str, tuple[bool, str]]]


class MarketDesk:
    """Bars, main contract and watchlist of the core in this process."""

    def __init__(
        self,
        bars: BarService,
        contracts: ContractManager,
        adapter_states: AdapterStates = dict,
    ) -> None:
        self._bars = bars
        self._contracts = contracts
        self._adapter_states = adapter_states

    async def bars(
        self, symbol: str, start: datetime, end: datetime, *, include_current: bool = False
    ) -> list[Bar]:
        """Finished bars starting in [start, end), oldest first; optionally the one in
        progress too (marked by being the last, for a live chart)."""
        bars = await self._bars.history(symbol, start, end)
        current = self._bars.current(symbol) if include_current else None
        if current is not None and start <= current.start < end:
            bars.append(current)
        return bars

    def contract(self) -> ContractInfo:
        return self._contracts.show()

    async def switch_main_contract(self, symbol: str) -> SwitchResult:
        """Validate, save, re-subscribe, clear the old stream; ContractError if refused."""
        previous = await self._contracts.switch(symbol)
        return SwitchResult(symbol, previous, previous != symbol)

    def watchlist(self) -> tuple[str, ...]:
        return self._contracts.watchlist

    async def set_watchlist(self, symbols: Iterable[str]) -> tuple[str, ...]:
        return await self._contracts.set_watchlist(symbols)

    def component_states(self) -> dict[str, tuple[bool, str]]:
        """Health of the market-data components: name -> (up, detail)."""
        return self._adapter_states()
