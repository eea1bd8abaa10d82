"""The one-time import of the JSON state files that came before the SQL state tables.

Up to revision ``0003_state_tables`` the trading state lived in
``<data_dir>/risk-state.json`` and the market choice in ``<data_dir>/market.json``.
At start-up (and before ``arbig contract`` reads the choice offline) each file that
is still there is imported, unless the table already holds a row (then the table,
written by a newer ARBIG, wins), and renamed to ``<name>.imported``: it is kept
for the operator and never read again.
"""

import json
import os
from datetime import datetime
from pathlib import Path
from typing import Any

import structlog

from arbig.domain.enums import TradingState
from arbig.domain.state import MarketChoice, TradingStatus
from arbig.storage.state_store import SqlStateStore
from arbig.storage.types import utcnow

log = structlog.get_logger(__name__)

TRADING_STATE_FILE = "risk-state.json"
MARKET_CHOICE_FILE = "market.json"
IMPORTED_SUFFIX = ".imported"


async def import_json_state(data_dir: Path, store: SqlStateStore) -> list[str]:
    """Import the old JSON state files found in ``data_dir``; returns the files imported."""
    imported = []
    path = data_dir / TRADING_STATE_FILE
    if path.exists():
        if await store.load_trading_status() is None:
            await store.save_trading_status(_trading_status(path))
            imported.append(path.name)
        _retire(path)
    path = data_dir / MARKET_CHOICE_FILE
    if path.exists():
        if (await store.load_market_choice()).updated_at is None:
            await store.save_market_choice(_market_choice(path))
            imported.append(path.name)
        _retire(path)
    return imported


def _trading_status(path: Path) -> TradingStatus:
    try:
        data = json.loads(path.read_text())
        return TradingStatus(
            state=TradingState(data["state"]),
            emergency=bool(data.get("emergency")),
            since=datetime.fromisoformat(data["since"]) if data.get("since") else None,
            reason=str(data.get("reason", "")),
            actor=str(data.get("actor", "")),
        )
    except (OSError, ValueError, KeyError, TypeError) as exc:
        # An unreadable file may hide an engaged stop: halting is the safe reading.
        return TradingStatus(TradingState.HALTED, True, utcnow(), f"unreadable {path.name}: {exc}")


def _market_choice(path: Path) -> MarketChoice:
    try:
        raw: Any = json.loads(path.read_text(encoding="utf-8"))
        main = raw.get("main_contract")
        watch = raw.get("watchlist")
        return MarketChoice(
            main_contract=str(main) if main else None,
            watchlist=tuple(str(s) for s in watch) if isinstance(watch, list) else None,
        )
    except (OSError, ValueError, AttributeError) as exc:
        log.warning("ignoring unreadable contract choice", path=str(path), error=str(exc))
        return MarketChoice()


def _retire(path: Path) -> None:
    target = path.with_name(path.name + IMPORTED_SUFFIX)
    try:
        os.replace(path, target)
    except OSError as exc:  # the table holds the state now; the file is only in the way
        log.warning("imported state file not renamed", path=str(path), error=str(exc))
    else:
        log.info("state file imported into SQL", path=str(path), renamed_to=target.name)
