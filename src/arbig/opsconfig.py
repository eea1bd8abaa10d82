"""Settings of the operations side: metrics, notifications, protections, maintenance.

Part of ``arbig.config.Settings`` (``[metrics]``, ``[notify]``, ``[protections]``,
``[maintenance]``); documented in docs/configuration.md and docs/monitoring.md.
"""

from datetime import time
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, field_validator, model_validator


class NotifyEvent(StrEnum):
    """What a notification is about: the keys of routing and rate limits."""

    FILL = "fill"
    REJECTION = "rejection"
    STRATEGY_FAILURE = "strategy_failure"
    EMERGENCY_STOP = "emergency_stop"
    EMERGENCY_RESET = "emergency_reset"
    TRADING_STATE = "trading_state"
    PROTECTION = "protection"
    GATEWAY_DOWN = "gateway_down"
    STALE_MARKET_DATA = "stale_market_data"
    RECONCILIATION = "reconciliation"
    DAILY_SUMMARY = "daily_summary"
    DELIVERY_MONTH = "delivery_month"
    MONEY_DIFFERENCE = "money_difference"
    TEST = "test"


# Sent even in quiet hours: the operator must hear of these at once.
URGENT = frozenset(
    {
        NotifyEvent.EMERGENCY_STOP,
        NotifyEvent.PROTECTION,
        NotifyEvent.GATEWAY_DOWN,
        NotifyEvent.RECONCILIATION,
        NotifyEvent.MONEY_DIFFERENCE,
        NotifyEvent.TEST,
    }
)


class MetricsSettings(BaseModel):
    """``/metrics`` in Prometheus' text format."""

    require_token: bool = Field(
        True, description="/metrics on the console's port needs the operator's credential"
    )
    port: int | None = Field(
        None, ge=1, le=65535, description="also serve /metrics on 127.0.0.1:PORT, no credential"
    )


def check_notify_url(url: str) -> str:
    """The URL if apprise has a plugin for its scheme; else ValueError naming the scheme."""
    import apprise

    scheme = url.partition("://")[0].lower() if "://" in url else ""
    if not scheme:
        raise ValueError(f"not a notification URL (scheme://...): {url[:60]!r}")
    if apprise.Apprise.instantiate(url, suppress_exceptions=True) is None:
        raise ValueError(f"unknown notification URL scheme {scheme!r} (see apprise's list)")
    return url


class ChannelSettings(BaseModel):
    """One destination: an apprise URL and the events it receives."""

    url: str = Field(description="apprise URL: json://, mailto://, tgram://, wecombot://, ...")
    events: list[NotifyEvent] = Field(
        default_factory=lambda: list(NotifyEvent), description="events sent here (default all)"
    )

    @field_validator("url")
    @classmethod
    def _known_scheme(cls, value: str) -> str:
        return check_notify_url(value)


class NotifySettings(BaseModel):
    """Notifications through apprise (docs/monitoring.md)."""

    channels: dict[str, ChannelSettings] = Field(
        default_factory=dict, description="name -> channel; no channels: nothing is sent"
    )
    quiet_start: time | None = Field(None, description="exchange time quiet hours begin")
    quiet_end: time | None = Field(None, description="exchange time quiet hours end")
    rate_per_minute: int = Field(6, ge=1, description="messages per event kind and minute")
    rate_limits: dict[NotifyEvent, int] = Field(
        default_factory=dict, description="per event kind overrides of rate_per_minute"
    )
    queue_size: int = Field(200, ge=1, le=100_000, description="oldest dropped when full")
    retries: int = Field(3, ge=0, le=20, description="attempts after the first, per message")
    retry_initial_s: float = Field(1.0, gt=0, description="backoff doubles from here")
    retry_max_s: float = Field(30.0, gt=0)
    breaker_failures: int = Field(3, ge=1, description="failed sends that open a breaker")
    breaker_reset_s: float = Field(30.0, gt=0, description="open breaker tries again after")
    timeout_s: float = Field(10.0, gt=0, description="one send's time limit")
    gateway_down_after_s: float = Field(30.0, ge=0, description="disconnected this long: notify")
    stale_after_s: float = Field(15.0, gt=0, description="no tick this long in session: notify")
    money_difference_after_s: float = Field(
        10.0,
        ge=0,
        description="the book's account differs from a live broker's this long: notify",
    )
    daily_summary_at: time | None = Field(
        time(15, 30), description="exchange time of the daily summary (unset: none)"
    )

    @model_validator(mode="after")
    def _quiet_pair(self) -> "NotifySettings":
        if (self.quiet_start is None) != (self.quiet_end is None):
            raise ValueError("quiet_start and quiet_end are set together")
        return self


class ProtectionSettings(BaseModel):
    """Account-level protections: each moves the trading state when its limit is reached."""

    daily_loss_limit_yuan: Decimal | None = Field(
        None, gt=0, description="equity lost since the trading day's start"
    )
    daily_loss_action: Literal["reducing", "halted"] = "halted"
    max_drawdown_ratio: Decimal | None = Field(
        None, gt=0, lt=1, description="fall from the day's peak equity, e.g. 0.05"
    )
    drawdown_action: Literal["reducing", "halted"] = "halted"
    max_margin_ratio: Decimal | None = Field(
        None, gt=0, le=1, description="margin in use over equity, e.g. 0.6"
    )
    margin_action: Literal["reducing", "halted"] = "reducing"
    max_losing_streak: int | None = Field(
        None, ge=1, description="closing trades lost in a row before a cooldown"
    )
    streak_action: Literal["reducing", "halted"] = "halted"
    cooldown_minutes: float = Field(
        30.0, ge=0, description="the losing-streak stop lifts itself after this (0: never)"
    )


class MaintenanceSettings(BaseModel):
    """Scheduled backups and log files."""

    backup_at: time | None = Field(
        None, description="exchange time of the daily backup, e.g. 15:45 (unset: none)"
    )
    backup_dir: Path | None = Field(None, description="default: <data_dir>/backups")
    backup_keep: int = Field(7, ge=1, le=3650, description="backups kept, oldest deleted")
    log_file: Path | None = Field(None, description="also write the log to this file")
    log_max_bytes: int = Field(10_000_000, ge=10_000, description="rotate past this size")
    log_backups: int = Field(5, ge=0, le=1000, description="rotated files kept")
