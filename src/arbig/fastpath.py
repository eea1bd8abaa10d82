"""Speed-ups that rest on a dependency's private internals, each behind a pin.

Three pieces of ARBIG's tuning use more of a dependency than its public API
promises: the tick writer's RESP over redis-py's connection streams
(``ticks/redis_batch.py``), the WebSocket frame sink on uvicorn's protocol class
(``web/server_ws.py``), and the book writer's driver values converted by
hand from SQLAlchemy's storage formats (``storage/prepared.py``). Each is used
only when the installed version of that dependency is the one it was checked
against (``requirements.lock`` pins it; a test keeps the two equal); with any
other version the component takes its plain public-API path, chosen once at
start-up and logged. ``ARBIG_FAST_PATHS=off`` in the environment turns all three
off (to compare, or to rule them out). docs/performance.md says what each
fallback costs.
"""

import os
from dataclasses import dataclass
from functools import cache
from importlib.metadata import PackageNotFoundError, version

import structlog

log = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True)
class Pin:
    """A fast path and the version of ``distribution`` it was checked against."""

    name: str
    distribution: str
    version: str

    def installed(self) -> str | None:
        try:
            return version(self.distribution)
        except PackageNotFoundError:
            return None

    def holds(self) -> bool:
        """Whether the fast path may be used: the pinned version is installed."""
        return _check(self)


@cache
def _check(pin: Pin) -> bool:
    if os.environ.get("ARBIG_FAST_PATHS", "").lower() == "off":
        log.info("fast path off (ARBIG_FAST_PATHS=off)", fast_path=pin.name)
        return False
    installed = pin.installed()
    if installed == pin.version:
        return True
    log.warning(
        "fast path off: the public API is used instead",
        fast_path=pin.name,
        distribution=pin.distribution,
        installed=installed,
        checked_against=pin.version,
    )
    return False


REDIS_RESP = Pin("redis-resp", "redis", "8.1.0")
UVICORN_FRAME_SINK = Pin("ws-frame-sink", "uvicorn", "0.54.0")
SQLALCHEMY_BIND = Pin("prepared-bind", "sqlalchemy", "2.1.9")

PINS = (REDIS_RESP, UVICORN_FRAME_SINK, SQLALCHEMY_BIND)
