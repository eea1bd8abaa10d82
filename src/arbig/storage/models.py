"""The SQL schema: DESIGN.md's tables with their names and columns, plus ARBIG's own.

Enumerations are stored as their StrEnum machine strings; money through ``Money``
(exact) and instants through ``UTCDateTime`` (aware, UTC). Migrations, not
``create_all``, create these tables; this module is what the code reads and writes.
"""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.mysql import LONGTEXT
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from arbig.storage.types import Money, UTCDateTime, utcnow

# No primary-key names: MySQL ignores them, and says so on every CREATE TABLE.
NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
}

ID = 64  # length of account, order and trade ids (CTP's are far shorter)
SYMBOL = 32
ENUM = 16


class Base(DeclarativeBase):
    """Declarative base with deterministic constraint names (migrations name them too)."""

    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {  # noqa: RUF012 - SQLAlchemy reads this class attribute
        datetime: UTCDateTime(),
        Decimal: Money(),
        dict[str, Any]: JSON(),
    }


class AccountRow(Base):
    """``accounts``: the latest state of each trading account.

    ``realized_pnl`` and ``commission`` are totals since inception; ``close_profit``,
    ``position_profit`` and ``today_commission`` are the trading day's, by date from
    ``pre_balance`` (CTP's figures). See docs/storage.md.
    """

    __tablename__ = "accounts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[str] = mapped_column(String(ID), unique=True)
    balance: Mapped[Decimal]
    available: Mapped[Decimal]
    margin: Mapped[Decimal]
    frozen_margin: Mapped[Decimal] = mapped_column(default=Decimal(0))
    unrealized_pnl: Mapped[Decimal]
    realized_pnl: Mapped[Decimal]
    commission: Mapped[Decimal] = mapped_column(default=Decimal(0))
    trading_day: Mapped[date | None] = mapped_column(Date)
    update_time: Mapped[datetime] = mapped_column(default=utcnow)
    frozen_commission: Mapped[Decimal] = mapped_column(default=Decimal(0))
    pre_balance: Mapped[Decimal] = mapped_column(default=Decimal(0))
    close_profit: Mapped[Decimal] = mapped_column(default=Decimal(0))
    position_profit: Mapped[Decimal] = mapped_column(default=Decimal(0))
    today_commission: Mapped[Decimal] = mapped_column(default=Decimal(0))
    # The trading day's totals moved in and out, as the broker reported them.
    deposit: Mapped[Decimal] = mapped_column(default=Decimal(0))
    withdraw: Mapped[Decimal] = mapped_column(default=Decimal(0))


class PositionRow(Base):
    """``positions``: one row per held leg; a leg closed to zero is deleted."""

    __tablename__ = "positions"
    __table_args__ = (UniqueConstraint("account_id", "symbol", "direction"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[str] = mapped_column(String(ID))
    symbol: Mapped[str] = mapped_column(String(SYMBOL))
    direction: Mapped[str] = mapped_column(String(ENUM))  # long | short
    volume: Mapped[int]
    volume_today: Mapped[int] = mapped_column(default=0)
    volume_yesterday: Mapped[int] = mapped_column(default=0)
    avg_price: Mapped[Decimal]
    current_price: Mapped[Decimal]
    unrealized_pnl: Mapped[Decimal]
    margin: Mapped[Decimal]
    open_time: Mapped[datetime]
    update_time: Mapped[datetime] = mapped_column(default=utcnow)


class OrderRow(Base):
    """``orders``: every order with its lifecycle; ``direction`` is the side (buy|sell)."""

    __tablename__ = "orders"
    __table_args__ = (
        UniqueConstraint("account_id", "order_id"),
        Index(None, "account_id", "create_time"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[str] = mapped_column(String(ID))
    account_id: Mapped[str] = mapped_column(String(ID))
    symbol: Mapped[str] = mapped_column(String(SYMBOL))
    exchange: Mapped[str] = mapped_column(String(ENUM))
    direction: Mapped[str] = mapped_column(String(ENUM))  # buy | sell
    offset: Mapped[str] = mapped_column(String(ENUM))
    order_type: Mapped[str] = mapped_column(String(ENUM))
    price: Mapped[Decimal]
    volume: Mapped[int]
    traded: Mapped[int]
    status: Mapped[str] = mapped_column(String(ENUM))
    source: Mapped[str] = mapped_column(String(ENUM))
    reference: Mapped[str] = mapped_column(String(128), default="")
    reject_reason: Mapped[str] = mapped_column(String(255), default="")
    create_time: Mapped[datetime]
    update_time: Mapped[datetime]


class TradeRow(Base):
    """``trades``: each fill exactly once (unique trade_id per account)."""

    __tablename__ = "trades"
    __table_args__ = (
        UniqueConstraint("account_id", "trade_id"),
        Index(None, "account_id", "trade_time"),
        Index(None, "trading_day", "symbol"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    trade_id: Mapped[str] = mapped_column(String(ID))
    order_id: Mapped[str] = mapped_column(String(ID))
    account_id: Mapped[str] = mapped_column(String(ID))
    symbol: Mapped[str] = mapped_column(String(SYMBOL))
    exchange: Mapped[str] = mapped_column(String(ENUM))
    direction: Mapped[str] = mapped_column(String(ENUM))  # buy | sell
    offset: Mapped[str] = mapped_column(String(ENUM))
    volume: Mapped[int]
    price: Mapped[Decimal]
    commission: Mapped[Decimal]
    # price * volume * multiplier, and the P&L the fill realized: the daily summary sums them.
    turnover: Mapped[Decimal | None]
    realized_pnl: Mapped[Decimal] = mapped_column(default=Decimal(0))
    trading_day: Mapped[date] = mapped_column(Date)
    trade_time: Mapped[datetime]
    # The fill's close profit by date (from the previous settlement for yesterday's lots).
    close_profit: Mapped[Decimal] = mapped_column(default=Decimal(0))
    create_time: Mapped[datetime] = mapped_column(default=utcnow)


class StrategyConfigRow(Base):
    """``strategy_configs``: one row per strategy, its parameters as JSON."""

    __tablename__ = "strategy_configs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    strategy_name: Mapped[str] = mapped_column(String(ID), unique=True)
    config_data: Mapped[dict[str, Any]]
    is_active: Mapped[bool] = mapped_column(Boolean, default=False)
    create_time: Mapped[datetime] = mapped_column(default=utcnow)
    update_time: Mapped[datetime] = mapped_column(default=utcnow)


class StrategyTriggerRow(Base):
    """``strategy_triggers``: every time a strategy fired, and what came of it."""

    __tablename__ = "strategy_triggers"
    __table_args__ = (Index(None, "strategy_name", "trigger_time"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    strategy_name: Mapped[str] = mapped_column(String(ID))
    symbol: Mapped[str] = mapped_column(String(SYMBOL), default="")
    trading_day: Mapped[date] = mapped_column(Date)
    trigger_time: Mapped[datetime]
    trigger_condition: Mapped[str] = mapped_column(String(255))
    trigger_price: Mapped[Decimal | None]
    action_type: Mapped[str] = mapped_column(String(ENUM))  # buy | sell | close | hold
    execution_result: Mapped[str] = mapped_column(String(ENUM))  # success | failed | pending
    # Every order sent for the decision, comma-separated (a close may need two).
    order_id: Mapped[str | None] = mapped_column(String(255))
    error_message: Mapped[str | None] = mapped_column(Text)
    create_time: Mapped[datetime] = mapped_column(default=utcnow)


class SystemLogRow(Base):
    """``system_logs``: the application's structured log records."""

    __tablename__ = "system_logs"
    __table_args__ = (Index(None, "time"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    time: Mapped[datetime]
    level: Mapped[str] = mapped_column(String(ENUM))
    source: Mapped[str] = mapped_column(String(128))
    message: Mapped[str] = mapped_column(Text)
    context: Mapped[dict[str, Any] | None]


class EquitySnapshotRow(Base):
    """``equity_snapshots``: the equity curve, one row per sampling period."""

    __tablename__ = "equity_snapshots"
    __table_args__ = (Index(None, "account_id", "time"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    account_id: Mapped[str] = mapped_column(String(ID))
    time: Mapped[datetime]
    balance: Mapped[Decimal]
    available: Mapped[Decimal]
    margin: Mapped[Decimal]
    unrealized_pnl: Mapped[Decimal]
    realized_pnl: Mapped[Decimal]
    commission: Mapped[Decimal]


class DailySettlementRow(Base):
    """``daily_settlements``: one settled trading day of an account (CTP's statement)."""

    __tablename__ = "daily_settlements"
    __table_args__ = (UniqueConstraint("account_id", "trading_day"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[str] = mapped_column(String(ID))
    trading_day: Mapped[date] = mapped_column(Date)
    pre_balance: Mapped[Decimal]
    deposit: Mapped[Decimal]
    withdraw: Mapped[Decimal]
    close_profit: Mapped[Decimal]
    position_profit: Mapped[Decimal]
    commission: Mapped[Decimal]
    balance: Mapped[Decimal]
    create_time: Mapped[datetime] = mapped_column(default=utcnow)


class SettlementPriceRow(Base):
    """``settlement_prices``: the price each held contract was settled at, per day."""

    __tablename__ = "settlement_prices"
    __table_args__ = (UniqueConstraint("account_id", "trading_day", "symbol"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[str] = mapped_column(String(ID))
    trading_day: Mapped[date] = mapped_column(Date)
    symbol: Mapped[str] = mapped_column(String(SYMBOL))
    price: Mapped[Decimal]


class BarRow(Base):
    """``bars``: 1-minute bars, one per symbol and start instant."""

    __tablename__ = "bars"
    __table_args__ = (UniqueConstraint("symbol", "start_time"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    symbol: Mapped[str] = mapped_column(String(SYMBOL))
    trading_day: Mapped[date] = mapped_column(Date)
    start_time: Mapped[datetime]
    open_price: Mapped[Decimal]
    high_price: Mapped[Decimal]
    low_price: Mapped[Decimal]
    close_price: Mapped[Decimal]
    volume: Mapped[int]
    open_interest: Mapped[int]
    turnover: Mapped[Decimal]


class AuditRow(Base):
    """``audit_log``: operator actions: who, when, what, from where, with what result."""

    __tablename__ = "audit_log"
    __table_args__ = (Index(None, "time"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    time: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(ID))
    action: Mapped[str] = mapped_column(String(ID))
    target: Mapped[str] = mapped_column(String(128), default="")
    detail: Mapped[dict[str, Any] | None]
    source_address: Mapped[str] = mapped_column(String(64), default="")
    result: Mapped[str] = mapped_column(String(ENUM))


class TradingStateRow(Base):
    """``trading_state``: the one row of the core's trading state and emergency stop."""

    __tablename__ = "trading_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    state: Mapped[str] = mapped_column(String(ENUM))  # active | reducing | halted
    emergency: Mapped[bool] = mapped_column(Boolean, default=False)
    since: Mapped[datetime | None]
    reason: Mapped[str] = mapped_column(String(255), default="")
    actor: Mapped[str] = mapped_column(String(ID), default="")
    update_time: Mapped[datetime] = mapped_column(default=utcnow)


class MarketChoiceRow(Base):
    """``market_choice``: the one row of the operator's main contract and watchlist;
    NULL means "not chosen": the configuration's applies."""

    __tablename__ = "market_choice"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    main_contract: Mapped[str | None] = mapped_column(String(SYMBOL))
    watchlist: Mapped[list[str] | None] = mapped_column(JSON)
    update_time: Mapped[datetime] = mapped_column(default=utcnow)


class WebSessionRow(Base):
    """``web_sessions``: the console's live browser sessions, by a digest of the
    cookie's nonce; a session ends when its row goes (logout, ``arbig auth``)."""

    __tablename__ = "web_sessions"

    id: Mapped[str] = mapped_column(String(ID), primary_key=True)
    expires: Mapped[int] = mapped_column(BigInteger)  # epoch seconds
    create_time: Mapped[datetime] = mapped_column(default=utcnow)


class WebCredentialRow(Base):
    """``web_credential``: the operator's credential, one row: the password's Argon2
    hash, the secret that signs session cookies and CSRF tokens, and ``version``, moved
    by every change to it or to ``web_tokens`` (each web process polls it)."""

    __tablename__ = "web_credential"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    secret: Mapped[str] = mapped_column(String(128))
    version: Mapped[int] = mapped_column(BigInteger)
    update_time: Mapped[datetime] = mapped_column(default=utcnow)


class WebTokenRow(Base):
    """``web_tokens``: the API tokens for scripts, by name; only the SHA-256 digest of
    each token is kept."""

    __tablename__ = "web_tokens"

    name: Mapped[str] = mapped_column(String(ID), primary_key=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    create_time: Mapped[datetime] = mapped_column(default=utcnow)


class CoreFenceRow(Base):
    """``core_fence``: the fencing token of the core allowed to write the book (split
    deployment, docs/deployment.md); a batch from a core with another token is refused."""

    __tablename__ = "core_fence"

    name: Mapped[str] = mapped_column(String(ID), primary_key=True)
    token: Mapped[int] = mapped_column(BigInteger)
    holder: Mapped[str] = mapped_column(String(128), default="")
    writes: Mapped[int] = mapped_column(BigInteger, default=0)
    update_time: Mapped[datetime] = mapped_column(default=utcnow)


class SettlementStatementRow(Base):
    """``settlement_statements``: the broker's settlement statement as the CTP session
    received and confirmed it, one per account and trading day (the day of the login)."""

    __tablename__ = "settlement_statements"
    __table_args__ = (UniqueConstraint("account_id", "trading_day"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[str] = mapped_column(String(ID))
    trading_day: Mapped[date] = mapped_column(Date)
    content: Mapped[str] = mapped_column(Text().with_variant(LONGTEXT(), "mysql"))
    received_at: Mapped[datetime] = mapped_column(default=utcnow)


class BacktestRunRow(Base):
    """``backtest_runs``: one backtest (or one combination of a sweep): what was asked
    (strategy, parameters, data range, fill model), the code that ran it, and its
    results (``metrics``; ``series``: fills, daily P&L, equity curve, decisions)."""

    __tablename__ = "backtest_runs"
    __table_args__ = (Index(None, "sweep_id"), Index(None, "create_time"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[str] = mapped_column(String(ID), unique=True)
    sweep_id: Mapped[str | None] = mapped_column(String(ID))
    strategy_name: Mapped[str] = mapped_column(String(ID))
    symbol: Mapped[str] = mapped_column(String(SYMBOL))
    params: Mapped[dict[str, Any]]
    mode: Mapped[str] = mapped_column(String(ENUM))
    data_from: Mapped[date | None] = mapped_column(Date)
    data_to: Mapped[date | None] = mapped_column(Date)
    fill_model: Mapped[dict[str, Any]]
    capital: Mapped[Decimal]
    status: Mapped[str] = mapped_column(String(ENUM))  # running | done | failed
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    error: Mapped[str | None] = mapped_column(Text)
    code_version: Mapped[str] = mapped_column(String(ID))
    ticks: Mapped[int] = mapped_column(BigInteger, default=0)
    elapsed_s: Mapped[float] = mapped_column(Float, default=0.0)
    metrics: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    series: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    create_time: Mapped[datetime] = mapped_column(default=utcnow)
    finish_time: Mapped[datetime | None]


class StrategyHandoverRow(Base):
    """``strategy_handovers``: lots of the account the operator made a strategy's own."""

    __tablename__ = "strategy_handovers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[str] = mapped_column(String(ID))
    strategy_name: Mapped[str] = mapped_column(String(ID))
    symbol: Mapped[str] = mapped_column(String(SYMBOL))
    direction: Mapped[str] = mapped_column(String(ENUM))  # long | short
    volume_yesterday: Mapped[int] = mapped_column(Integer)
    volume_today: Mapped[int] = mapped_column(Integer)
    price: Mapped[Decimal]
    trading_day: Mapped[date] = mapped_column(Date)
    handed_at: Mapped[datetime]


# After every row class, so that each table is named.
TABLES: tuple[str, ...] = tuple(Base.metadata.tables)
VIEWS: tuple[str, ...] = ("account_summary", "daily_trade_summary", "strategy_trigger_summary")
