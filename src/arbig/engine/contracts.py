"""The main contract and the watchlist: validated, saved across restarts, switched live.

The operator's choice is kept in ``<data_dir>/market.json``, written atomically
(a temporary file, fsync, ``os.replace``), so a crash mid-write leaves the old
choice intact. At start-up the main contract comes from, highest first: the
``ARBIG_MAIN_CONTRACT`` environment variable, this file, the TOML config, the
default. The watchlist comes from the file when it has one, else the config.

A switch follows DESIGN.md's flow: validate (SHFE gold, a listed month), save,
then the core subscribes the new contract, stops and clears the old one (unless
a position or a working order still needs its prices), and the switch is
written to the audit trail.
"""

import contextlib
import json
import os
import tempfile
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import partial
from pathlib import Path
from typing import Any

import structlog

from arbig.api.market import ContractInfo
from arbig.domain.calendar import TradingCalendar
from arbig.domain.contract import ContractError, listed_gold_months, validate_gold_symbol
from arbig.engine.core import TradingCore

log = structlog.get_logger(__name__)

CHOICE_FILE = "market.json"
ENV_MAIN_CONTRACT = "ARBIG_MAIN_CONTRACT"
MAX_WATCHLIST = 20

# (actor, action, target, result, detail): the audit trail's hook. The default logs it.
AuditHook = Callable[[str, str, str, str, dict[str, Any]], None]


def log_audit(actor: str, action: str, target: str, result: str, detail: dict[str, Any]) -> None:
    """Write an audit record to the structured log (event ``audit``)."""
    log.info("audit", actor=actor, action=action, target=target, result=result, **detail)


@dataclass(frozen=True, slots=True)
class MarketChoice:
    """What the operator chose; ``None``/empty means "not chosen, use the config"."""

    main_contract: str | None = None
    watchlist: tuple[str, ...] | None = None
    updated_at: str | None = None


def trading_today(holidays: Collection[date] = ()) -> date:
    """The trading day now: from 18:00 the night session already counts for the next
    one, so a month whose last trading day closed at 15:00 is no longer listed."""
    return TradingCalendar.gold(holidays).trading_day(datetime.now(UTC))


def listed_symbols(today: date, holidays: Collection[date] = ()) -> tuple[str, ...]:
    return tuple(f"au{y % 100:02d}{m:02d}" for y, m in listed_gold_months(today, holidays))


def load_choice(data_dir: Path) -> MarketChoice:
    """The saved choice; an absent or unreadable file is "nothing chosen" (logged)."""
    path = data_dir / CHOICE_FILE
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        main = raw.get("main_contract")
        watch = raw.get("watchlist")
        return MarketChoice(
            main_contract=str(main) if main else None,
            watchlist=tuple(str(s) for s in watch) if isinstance(watch, list) else None,
            updated_at=raw.get("updated_at"),
        )
    except FileNotFoundError:
        return MarketChoice()
    except (OSError, ValueError, AttributeError) as exc:
        log.warning("ignoring unreadable contract choice", path=str(path), error=str(exc))
        return MarketChoice()


def save_choice(data_dir: Path, choice: MarketChoice) -> MarketChoice:
    """Write ``choice`` atomically; returns it stamped with the time."""
    stamped = MarketChoice(
        choice.main_contract, choice.watchlist, datetime.now(UTC).isoformat(timespec="seconds")
    )
    data_dir.mkdir(parents=True, exist_ok=True)
    body = {
        "main_contract": stamped.main_contract,
        "watchlist": list(stamped.watchlist) if stamped.watchlist is not None else None,
        "updated_at": stamped.updated_at,
    }
    fd, tmp = tempfile.mkstemp(prefix=f".{CHOICE_FILE}.", dir=data_dir)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(body, out, indent=2)
            out.write("\n")
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, data_dir / CHOICE_FILE)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    return stamped


def resolve_main_contract(
    configured: str, data_dir: Path, environ: Mapping[str, str] = os.environ
) -> tuple[str, str]:
    """(main contract, where it came from: ``env``, ``saved`` or ``config``)."""
    if environ.get(ENV_MAIN_CONTRACT):
        return configured, "env"
    saved = load_choice(data_dir).main_contract
    return (saved, "saved") if saved else (configured, "config")


def validate_symbols(
    symbols: Iterable[str], today: date, holidays: Collection[date] = ()
) -> tuple[str, ...]:
    """Each symbol validated (ContractError names the first bad one), duplicates dropped."""
    unique = tuple(dict.fromkeys(validate_gold_symbol(s.strip(), today, holidays) for s in symbols))
    if len(unique) > MAX_WATCHLIST:
        raise ContractError(f"the watchlist holds at most {MAX_WATCHLIST} contracts")
    return unique


class ContractManager:
    """Shows and switches the main contract and keeps the watchlist subscribed."""

    def __init__(
        self,
        core: TradingCore,
        data_dir: Path,
        *,
        watchlist: Iterable[str] = (),
        audit: AuditHook = log_audit,
        today: Callable[[], date] | None = None,
        holidays: Collection[date] = (),
    ) -> None:
        self._core = core
        self._data_dir = data_dir
        self._audit = audit
        self._holidays = frozenset(holidays)
        self._today = today or partial(trading_today, self._holidays)
        saved = load_choice(data_dir).watchlist
        self._watchlist = tuple(saved if saved is not None else watchlist)

    @property
    def watchlist(self) -> tuple[str, ...]:
        return self._watchlist

    async def start(self) -> None:
        """Subscribe the watchlist's quotes (the core subscribed the main contract)."""
        for symbol in self._watchlist:
            await self._core.subscribe(symbol)

    def show(self) -> ContractInfo:
        core = self._core
        spec = core.spec(core.main_contract)
        return ContractInfo(
            main_contract=core.main_contract,
            exchange=str(spec.exchange),
            multiplier=spec.multiplier,
            price_tick=str(spec.price_tick),
            watchlist=self._watchlist,
            subscribed=tuple(sorted(core.subscribed)),
            listed=listed_symbols(self._today(), self._holidays),
        )

    async def switch(self, symbol: str, *, actor: str = "operator", source: str = "") -> str:
        """Make ``symbol`` the main contract; returns the previous one.

        ContractError (before anything changes) if the symbol is not a listed gold month.
        """
        previous = self._core.main_contract
        detail: dict[str, Any] = {"previous": previous, "source_address": source}
        try:
            validate_gold_symbol(symbol, self._today(), self._holidays)
        except ContractError as exc:
            detail["reason"] = str(exc)
            self._audit(actor, "contract.switch", symbol[:32], "refused", detail)
            raise
        if symbol == previous:
            return previous
        save_choice(self._data_dir, MarketChoice(symbol, self._watchlist))
        await self._core.switch_main_contract(symbol)
        if previous in self._watchlist:
            await self._core.subscribe(previous)  # still watched: keep its quotes
        self._audit(actor, "contract.switch", symbol, "success", detail)
        return previous

    async def set_watchlist(
        self, symbols: Iterable[str], *, actor: str = "operator", source: str = ""
    ) -> tuple[str, ...]:
        """Replace the watchlist: subscribe the added contracts, stop the removed ones."""
        wanted = validate_symbols(symbols, self._today(), self._holidays)
        core = self._core
        save_choice(self._data_dir, MarketChoice(core.main_contract, wanted))
        removed = [
            s
            for s in self._watchlist
            if s not in wanted and s != core.main_contract and not self._exposed(s)
        ]
        for symbol in wanted:
            if symbol not in core.subscribed:
                await core.subscribe(symbol)
        for symbol in removed:
            await core.unsubscribe(symbol)
        old, self._watchlist = self._watchlist, wanted
        detail = {"previous": list(old), "source_address": source}
        self._audit(actor, "watchlist.set", ",".join(wanted), "success", detail)
        return wanted

    def _exposed(self, symbol: str) -> bool:
        """A position or a working order still needs ``symbol``'s prices."""
        core = self._core
        held = any(leg.symbol == symbol for leg in core.portfolio.positions.held())
        return held or any(o.symbol == symbol for o in core.oms.active_orders())
