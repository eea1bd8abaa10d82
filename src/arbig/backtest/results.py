"""A run's results as plain JSON data (``backtest_runs``, the API, the HTML report),
and the code version a run is recorded with."""

import subprocess
from functools import cache
from pathlib import Path
from typing import Any

import msgspec

from arbig import __version__
from arbig.backtest.spec import BacktestResult, BacktestSpec
from arbig.domain.performance import Metrics

TRIGGERS_KEPT = 5000  # decisions stored with a run (the count is kept whole)


@cache
def code_version() -> str:
    """``git describe`` of the checkout the package runs from, else the package version."""
    root = Path(__file__).resolve().parents[3]
    if (root / ".git").exists():
        try:
            described = subprocess.run(
                ["git", "-C", str(root), "describe", "--always", "--dirty", "--tags"],
                capture_output=True,
                text=True,
                timeout=10,
                check=True,
            ).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            described = ""
        if described:
            return f"{__version__}+{described}"[:64]
    return __version__


def plain(value: Any) -> Any:
    """Dataclasses, Decimals (as text), dates and datetimes (ISO 8601) as JSON data."""
    return msgspec.to_builtins(value)


def metrics_json(metrics: Metrics) -> dict[str, Any]:
    data: dict[str, Any] = plain(metrics)
    return data


def spec_json(spec: BacktestSpec) -> dict[str, Any]:
    data: dict[str, Any] = plain(spec)
    return data


def series_json(result: BacktestResult) -> dict[str, Any]:
    return {
        "fills": plain(result.fills),
        "days": plain(result.days),
        "curve": [[p.datetime.isoformat(), str(p.balance)] for p in result.curve],
        "curve_days": [p.trading_day.isoformat() for p in result.curve],
        "prices": [[t.isoformat(), str(price)] for t, price in result.prices],
        "triggers": plain(result.triggers[:TRIGGERS_KEPT]),
        "trigger_count": len(result.triggers),
        "skipped_ticks": result.skipped,
        "data_first": result.data_first.isoformat() if result.data_first else None,
        "data_last": result.data_last.isoformat() if result.data_last else None,
        "notes": plain(result.notes),
    }
