"""The main contract and the watchlist: validated, saved across restarts, switched live.

The operator's choice is kept in the state store (SQL ``market_choice``),
committed before a switch answers. At start-up the main contract comes from,
highest first: the ``ARBIG_MAIN_CONTRACT`` environment variable, the saved
choice, the TOML config, the default. The watchlist comes from the saved choice
when it has one, else the config.

A switch follows DESIGN.md's flow: validate (SHFE gold, a listed month), save,
then the core subscribes the new contract, stops and clears the old one (unless
a position or a working order still needs its prices). The operator's command is
audited with its outcome by the core's client (``arbig.host.audited``).
"""

import os
from collections.abc import Collection, Iterable, Mapping
from datetime import date, datetime

import structlog

from arbig.api.market import ContractInfo
from arbig.clock import Clock
from arbig.domain.calendar import TradingCalendar
from arbig.domain.contract import ContractError, ContractTable
from arbig.domain.state import MarketChoice
from arbig.engine.book import BookView, Subscriptions
from arbig.engine.ports import StateStore

log = structlog.get_logger(__name__)

ENV_MAIN_CONTRACT = "ARBIG_MAIN_CONTRACT"
MAX_WATCHLIST = 20


def trading_today(now: datetime, holidays: Collection[date] = ()) -> date:
    """The trading day at ``now``: from 18:00 the night session already counts for the
    next one, so a month whose last trading day closed at 15:00 is no longer listed."""
    return TradingCalendar.gold(holidays).trading_day(now)


def resolve_main_contract(
    configured: str, saved: MarketChoice, environ: Mapping[str, str] = os.environ
) -> tuple[str, str]:
    """(main contract, where it came from: ``env``, ``saved`` or ``config``)."""
    if environ.get(ENV_MAIN_CONTRACT):
        return configured, "env"
    return (saved.main_contract, "saved") if saved.main_contract else (configured, "config")


def validate_symbols(
    table: ContractTable, symbols: Iterable[str], today: date, holidays: Collection[date] = ()
) -> tuple[str, ...]:
    """Each symbol checked against the contract table's listed months (ContractError names
    the first bad one), duplicates dropped."""
    unique = tuple(dict.fromkeys(table.validate(s.strip(), today, holidays) for s in symbols))
    if len(unique) > MAX_WATCHLIST:
        raise ContractError(f"the watchlist holds at most {MAX_WATCHLIST} contracts")
    return unique


class ContractManager:
    """Shows and switches the main contract and keeps the watchlist subscribed."""

    def __init__(
        self,
        market: Subscriptions,
        book: BookView,
        store: StateStore,
        *,
        contracts: ContractTable,
        watchlist: Iterable[str] = (),
        clock: Clock,
        holidays: Collection[date] = (),
    ) -> None:
        self._market = market
        self._book = book
        self._store = store
        self._contracts = contracts
        self._holidays = frozenset(holidays)
        self._clock = clock
        self._watchlist = tuple(watchlist)

    def _today(self) -> date:
        return trading_today(self._clock.now(), self._holidays)

    @property
    def watchlist(self) -> tuple[str, ...]:
        return self._watchlist

    async def start(self) -> None:
        """Take the saved watchlist (if one was saved) and subscribe its quotes (the core
        subscribed the main contract)."""
        saved = (await self._store.load_market_choice()).watchlist
        if saved is not None:
            self._watchlist = saved
        for symbol in self._watchlist:
            await self._market.subscribe(symbol)

    def show(self) -> ContractInfo:
        market = self._market
        spec = self._book.spec(market.main_contract)
        return ContractInfo(
            main_contract=market.main_contract,
            exchange=str(spec.exchange),
            multiplier=spec.multiplier,
            price_tick=str(spec.price_tick),
            watchlist=self._watchlist,
            subscribed=tuple(sorted(market.subscribed)),
            listed=self._contracts.listed(self._today(), self._holidays),
        )

    async def switch(self, symbol: str) -> str:
        """Make ``symbol`` the main contract; returns the previous one.

        ContractError (before anything changes) if the symbol is not a listed month of a
        product in the contract table.
        """
        previous = self._market.main_contract
        self._contracts.validate(symbol, self._today(), self._holidays)
        if symbol == previous:
            return previous
        await self._store.save_market_choice(MarketChoice(symbol, self._watchlist))
        await self._market.switch_main_contract(symbol)
        if previous in self._watchlist:
            await self._market.subscribe(previous)  # still watched: keep its quotes
        return previous

    async def set_watchlist(self, symbols: Iterable[str]) -> tuple[str, ...]:
        """Replace the watchlist: subscribe the added contracts, stop the removed ones."""
        wanted = validate_symbols(self._contracts, symbols, self._today(), self._holidays)
        market = self._market
        await self._store.save_market_choice(MarketChoice(market.main_contract, wanted))
        removed = [
            s
            for s in self._watchlist
            if s not in wanted and s != market.main_contract and not self._book.exposed(s)
        ]
        for symbol in wanted:
            if symbol not in market.subscribed:
                await market.subscribe(symbol)
        for symbol in removed:
            await market.unsubscribe(symbol)
        self._watchlist = wanted
        return wanted
