"""Configuration: one pydantic-settings object from a TOML file and ARBIG_* variables.

Precedence, highest first: values given by the command line, environment
variables (``ARBIG_MAIN_CONTRACT``, nested ones as ``ARBIG_SIM__SPEED``), the
TOML file named by ``--config`` or ``ARBIG_CONFIG``, then the defaults below.
"""

import ipaddress
import os
from contextvars import ContextVar
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from argon2 import extract_parameters
from argon2.exceptions import InvalidHashError
from pydantic import BaseModel, Field, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from arbig.ctpconfig import CtpSettings
from arbig.domain.contract import ContractError, ContractSpec, ContractTable, ListingRules, Product
from arbig.domain.enums import Exchange
from arbig.holidays import shipped_holidays
from arbig.opsconfig import (
    MaintenanceSettings,
    MetricsSettings,
    NotifySettings,
    ProtectionSettings,
)
from arbig.paperconfig import PaperSettings


class ConfigError(ValueError):
    """A setting that cannot be used; the message is one line naming it."""


def default_main_contract(today: date | None = None) -> str:
    """A plausible gold main contract: the first even month at least two months ahead.

    Liquidity in SHFE gold sits in even months and moves on about a month before
    expiry; set ``ARBIG_MAIN_CONTRACT`` for the exact one your broker trades.
    """
    today = today or date.today()
    index = today.year * 12 + today.month - 1 + 2
    while (index % 12 + 1) % 2:
        index += 1
    year, month = divmod(index, 12)
    return f"au{year % 100:02d}{month + 1:02d}"


GOLD = "au"  # SHFE gold's product code: the default product


class ProductSettings(BaseModel):
    """The contract table for SHFE gold (``au``). Defaults: see docs/configuration.md."""

    exchange: Exchange = Exchange.SHFE
    multiplier: int = Field(1000, gt=0, description="grams per lot")
    price_tick: Decimal = Field(Decimal("0.02"), gt=0, description="yuan per gram")
    margin_ratio: Decimal = Field(Decimal("0.10"), gt=0, lt=1)
    commission_open: Decimal = Field(Decimal("10.00"), ge=0, description="yuan per lot")
    commission_close: Decimal = Field(Decimal("10.00"), ge=0)
    commission_close_today: Decimal = Field(Decimal("10.00"), ge=0)
    limit_ratio: Decimal = Field(Decimal("0.08"), gt=0, lt=1)
    max_order_volume: int = Field(500, gt=0)

    def product(self) -> Product:
        """Gold's row of the contract table: these terms, SHFE gold's listing rules."""
        return Product(GOLD, "gold", self.spec(GOLD), ListingRules())

    def spec(self, symbol: str) -> ContractSpec:
        return ContractSpec(
            symbol=symbol,
            exchange=self.exchange,
            multiplier=self.multiplier,
            price_tick=self.price_tick,
            margin_ratio=self.margin_ratio,
            commission_open=self.commission_open,
            commission_close=self.commission_close,
            commission_close_today=self.commission_close_today,
            limit_ratio=self.limit_ratio,
            max_order_volume=self.max_order_volume,
        )


class SimSettings(BaseModel):
    """The simulated exchange."""

    tick_interval_ms: int = Field(500, ge=10, description="CTP sends a snapshot every 500 ms")
    speed: float = Field(1.0, gt=0, le=1000, description="time multiplier for demos")
    ignore_sessions: bool = Field(
        True, description="tick outside trading hours too, so a demo is alive at night"
    )
    seed: int | None = None
    fill_latency_ms: int = Field(
        0, ge=0, le=60_000, description="an order meets only snapshots this much newer"
    )
    fill_depth: bool = Field(True, description="cap a fill by the volume at the best price")
    start_price: Decimal = Field(Decimal("920.00"), gt=0, description="yuan per gram")
    volatility: float = Field(
        0.000045, gt=0, lt=0.05, description="per-snapshot return stdev (about 1.2% a day)"
    )
    capital: Decimal = Field(Decimal("1000000.00"), gt=0, description="starting cash, yuan")
    account_id: str = Field("sim-001", min_length=1, max_length=32)
    link_timeout_s: float = Field(
        5.0,
        gt=0,
        le=60,
        description="gateway sim-link: how long a core waits for the shared simulated "
        "exchange's answer (an order not answered by then is refused, never sent late)",
    )


class AuthSettings(BaseModel):
    """The operator's credential and sessions."""

    password_hash: str | None = Field(
        None, description="Argon2 hash (arbig auth set-password writes one to the data folder)"
    )
    session_hours: float = Field(12.0, gt=0, le=24 * 30, description="browser session lifetime")

    @field_validator("password_hash")
    @classmethod
    def _argon2_hash(cls, value: str | None) -> str | None:
        """A hash that is not Argon2 would count as a configured password nobody has."""
        if value is None:
            return None
        try:
            extract_parameters(value)
        except (InvalidHashError, ValueError):
            raise ValueError(
                "not an Argon2 hash ($argon2id$...): write one with arbig auth set-password"
            ) from None
        return value

    secure_cookies: bool = Field(False, description="mark cookies Secure (behind HTTPS)")
    max_login_failures: int = Field(
        5, ge=1, description="failed logins per address per window before each costs a delay"
    )
    login_window_s: float = Field(300.0, gt=0, description="how long a failure is remembered")
    login_max_delay_s: float = Field(
        30.0, gt=0, le=3600, description="the longest wait the delay grows to (1 s, 2 s, 4 s ...)"
    )
    trusted_proxies: list[str] = Field(
        default_factory=list,
        description="addresses of reverse proxies whose X-Forwarded-For is believed; none by "
        "default: the connection's address is the client's",
    )


class SplitSettings(BaseModel):
    """The split deployment's bus: `arbig run --role core|web` (docs/deployment.md)."""

    prefix: str = Field(
        "arbig:", pattern=r"^[A-Za-z0-9_:.-]{1,32}$", description="prefix of every bus key"
    )
    command_timeout_s: float = Field(
        5.0, gt=0, le=120, description="a command not taken up by the core by then is refused"
    )
    max_deliveries: int = Field(
        3, ge=1, le=100, description="deliveries of a command before it goes to the dead letters"
    )
    retry_after_s: float = Field(
        1.0, gt=0, le=60, description="a delivery not acknowledged by then is tried again"
    )
    events_maxlen: int = Field(
        100_000, ge=100, le=10_000_000, description="events kept in the event stream (MAXLEN ~)"
    )
    cache_ttl_s: float = Field(
        30.0, ge=0, le=3600, description="how long a shared report read is kept; 0: no cache"
    )


class RiskSettings(BaseModel):
    """Pre-trade risk limits, checked for every order from any source (docs/strategies.md)."""

    enabled: bool = Field(True, description="off only for tests of the gateway itself")
    check_sessions: bool | None = Field(
        None, description="refuse orders outside trading hours; unset: follow the gateway"
    )
    max_order_volume: int = Field(10, gt=0, description="lots per order")
    max_position: int = Field(20, gt=0, description="lots per contract and direction")
    max_ticks_from_market: int = Field(50, gt=0, description="price distance from the last")
    max_working_orders: int = Field(20, gt=0)
    max_orders_per_minute: int = Field(30, gt=0)
    max_orders_per_day: int = Field(1000, gt=0)
    duplicate_window_s: float = Field(
        1.0, ge=0, description="an identical order within this many seconds is refused"
    )


class StrategySettings(BaseModel):
    """The strategy engine. ``modules`` add the operator's own strategies to the built-ins."""

    modules: list[str] = Field(
        default_factory=list, description="importable modules or .py files with strategies"
    )
    name: str | None = Field(None, description="the strategy to start with autostart")
    params: dict[str, Any] = Field(
        default_factory=dict, description="its parameters when none are stored yet"
    )
    autostart: bool = Field(False, description="start ``name`` at start-up (the demo)")
    resume: bool = Field(
        False, description="restart a strategy that was running when the process stopped"
    )
    slippage_ticks: int = Field(3, ge=0, le=20, description="marketable limit: ticks through")
    decision_max_age_s: float = Field(
        2.0,
        gt=0,
        le=60,
        description="a decision whose orders would leave later than this is dropped (its "
        "trigger fails): never sent late after the database was slow",
    )


class LeaseSettings(BaseModel):
    """One core at a time in the split deployment (docs/deployment.md, "One core at a time")."""

    ttl_s: float = Field(
        5.0,
        ge=0.5,
        le=60,
        description="the active core's lease lasts this long unless renewed (every third of "
        "it); a standby takes over within about ttl_s + poll_s of the active core's end",
    )
    poll_s: float = Field(0.5, gt=0, le=10, description="a standby asks for the lease this often")


def is_loopback(host: str) -> bool:
    """Whether ``host`` (a setting's bind address) is reachable from this machine only."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class ProbeSettings(BaseModel):
    """The core role's HTTP listener for its supervisor and Prometheus: liveness,
    readiness and /metrics (docs/deployment.md, "Probing the core")."""

    port: int = Field(
        8001, ge=0, le=65535, description="the core role's probe port; 0 turns the listener off"
    )
    host: str = Field(
        "127.0.0.1",
        min_length=1,
        description="the address it binds; beyond loopback, /metrics needs an API token "
        "(metrics.require_token)",
    )


# The product codes the settings know, for checking symbols before the settings exist.
_PRODUCTS = ContractTable([ProductSettings().product()])


class Settings(BaseSettings):
    """Every ARBIG setting. Each one can come from an ``ARBIG_*`` environment variable."""

    model_config = SettingsConfigDict(
        env_prefix="ARBIG_",
        env_nested_delimiter="__",
        extra="forbid",
        validate_default=True,
    )

    data_dir: Path = Field(Path("data"), description="folder for SQLite, simulator state, logs")
    database_url: str | None = Field(
        None, description="SQLAlchemy URL; SQLite in the data folder when unset"
    )
    redis_url: str | None = Field(None, description="Redis URL; ticks kept in memory when unset")
    main_contract: str = Field(default_factory=default_main_contract)
    gateway: str = Field(
        "sim", min_length=1, description="the gateway adapter, by registered name (sim, paper, ctp)"
    )
    host: str = "127.0.0.1"
    port: int = Field(8000, ge=1, le=65535)
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    gold: ProductSettings = ProductSettings()
    sim: SimSettings = SimSettings()
    paper: PaperSettings = PaperSettings()
    broker_tables: Path | None = Field(
        None,
        description="TOML file of the broker's margin and commission rates (and instrument "
        "terms), laid over the contract table; docs/paper-trading.md",
    )
    risk: RiskSettings = RiskSettings()
    strategy: StrategySettings = StrategySettings()
    lease: LeaseSettings = LeaseSettings()
    probe: ProbeSettings = ProbeSettings()
    snapshot_interval_s: float = Field(5.0, gt=0, description="equity-curve sampling period")
    shutdown_timeout_s: float = Field(
        10.0,
        ge=1,
        le=600,
        description="a stop ends within this; writes the database has not taken by then "
        "are left (the trades among them are recovered from the broker at the next start)",
    )
    auth: AuthSettings = AuthSettings()
    tick_stream_maxlen: int = Field(
        1000, ge=10, le=1_000_000, description="ticks kept per Redis stream (MAXLEN ~)"
    )
    watchlist: list[str] = Field(
        default_factory=list, description="further contracts subscribed for quotes"
    )
    holidays: list[date] = Field(
        default_factory=list,
        validate_default=True,
        description=(
            "exchange holidays (no trading, no night before), added to the shipped SHFE calendar"
        ),
    )
    catalog_dir: Path | None = Field(
        None, description="the market-data catalog's folder; <data_dir>/catalog when unset"
    )
    catalog_record: bool = Field(
        True, description="record every tick and 1-minute bar into the catalog while running"
    )
    influx_url: str | None = Field(
        None, description="InfluxDB 1.x HTTP URL to export ticks and bars to; off when unset"
    )
    influx_database: str = Field("arbig", pattern=r"^[A-Za-z0-9_]{1,64}$")
    metrics: MetricsSettings = MetricsSettings()
    notify: NotifySettings = NotifySettings()
    protections: ProtectionSettings = ProtectionSettings()
    maintenance: MaintenanceSettings = MaintenanceSettings()
    ctp: CtpSettings = CtpSettings()
    split: SplitSettings = SplitSettings()

    @field_validator("main_contract")
    @classmethod
    def _known_symbol(cls, value: str) -> str:
        try:
            _PRODUCTS.product(value)  # the product codes and month form only
        except ContractError as exc:
            raise ValueError(str(exc)) from None
        return value

    @field_validator("watchlist")
    @classmethod
    def _known_symbols(cls, value: list[str]) -> list[str]:
        for symbol in value:
            cls._known_symbol(symbol)
        return list(dict.fromkeys(value))

    @field_validator("holidays")
    @classmethod
    def _with_shipped_holidays(cls, value: list[date]) -> list[date]:
        """The shipped SHFE closures (data/shfe_holidays.toml) plus the configured ones."""
        return sorted({*shipped_holidays(), *value})

    @property
    def sqlalchemy_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'arbig.sqlite3').resolve()}"

    @property
    def catalog_root(self) -> Path:
        """The market-data catalog's folder (docs/data.md)."""
        return self.catalog_dir if self.catalog_dir is not None else self.data_dir / "catalog"

    @property
    def contract_table(self) -> ContractTable:
        """The contract table: one product today, gold (``au``, the ``[gold]`` section)."""
        return ContractTable([self.gold.product()])

    def contract_spec(self, symbol: str | None = None) -> ContractSpec:
        """``symbol``'s spec from the contract table (ContractError for an unknown one)."""
        return self.contract_table.spec(symbol or self.main_contract)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        config_file = _config_file.get() or os.environ.get("ARBIG_CONFIG")
        if config_file:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=Path(config_file)))
        return tuple(sources)


# The file load_settings reads, for the settings being built now: a context value rather
# than the process environment, so that one read does not set the next one's file.
_config_file: ContextVar[Path | None] = ContextVar("arbig_config_file", default=None)


def load_settings(config_file: Path | None = None, **overrides: Any) -> Settings:
    """Read the settings; any problem becomes one ConfigError line naming the setting."""
    if config_file is None and os.environ.get("ARBIG_CONFIG"):
        config_file = Path(os.environ["ARBIG_CONFIG"])
    if config_file is not None and not config_file.is_file():
        raise ConfigError(f"config file {config_file} does not exist")
    given = {key: value for key, value in overrides.items() if value is not None}
    token = _config_file.set(config_file)
    try:
        return Settings(**given)
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(part) for part in error["loc"]) or "settings"
        env_name = "ARBIG_" + "__".join(str(p) for p in error["loc"]).upper()
        # A value meant as a secret (a plain password pasted as the hash) is not echoed.
        secret = any(word in where for word in ("password", "auth_code", "secret"))
        got = "" if secret else f" (got {error.get('input')!r})"
        raise ConfigError(f"setting {where} (env {env_name}): {error['msg']}{got}") from None
    except ValueError as exc:  # a TOML syntax error surfaces as a ValueError subclass
        raise ConfigError(f"config file {config_file}: {exc}") from None
    finally:
        _config_file.reset(token)
