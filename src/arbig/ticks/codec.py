"""Ticks as Redis Stream entries (DESIGN.md's tick stream contract) and back.

Every field is a string: ``timestamp`` is epoch milliseconds, prices are the
Decimal's own text (nothing lost), ``trading_day`` is ISO ``YYYY-MM-DD``. The
symbol lives in the key (``market_data:{symbol}``), not in the entry.
"""

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from arbig.codec import CodecError, convert, field_names, text_fields
from arbig.domain.calendar import EXCHANGE_TZ
from arbig.domain.enums import Exchange
from arbig.domain.tick import Tick

STREAM_PREFIX = "market_data:"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MS = timedelta(milliseconds=1)


class TickDecodeError(ValueError):
    """A stream entry that is not a tick this code can read; the message names the field."""


Fields = Mapping[bytes | str, bytes | str]


def entries_of(reply: Any) -> list[tuple[str, Fields]]:
    """``(id, fields)`` pairs of an XRANGE/XREVRANGE reply (redis-py types it loosely)."""
    entries: list[tuple[str, Fields]] = []
    for entry_id, fields in reply or ():
        text = entry_id.decode() if isinstance(entry_id, bytes) else str(entry_id)
        entries.append((text, fields or {}))
    return entries


def stream_key(symbol: str, prefix: str = STREAM_PREFIX) -> str:
    """The Redis key of ``symbol``'s tick stream, e.g. ``market_data:au2612``."""
    return f"{prefix}{symbol}"


def epoch_ms(moment: datetime) -> int:
    """Exact epoch milliseconds: integer arithmetic, so a float never rounds a tick
    into the previous millisecond."""
    return (moment - _EPOCH) // _MS


# The entry's fields in the order they are written: DESIGN.md's ten, then ARBIG's extras.
STREAM_FIELDS = (
    "timestamp",
    "last_price",
    "volume",
    "bid_price",
    "ask_price",
    "bid_volume",
    "ask_volume",
    "high_price",
    "low_price",
    "open_price",
    "open_interest",
    "turnover",
    "pre_settlement",
    "pre_close",
    "limit_up",
    "limit_down",
    "trading_day",
    "exchange",
)
# Extras that entries of other tools may lack; without all four, the trading day is
# taken from the timestamp's exchange date, the exchange is SHFE, open interest 0.
_EXTRAS = ("trading_day", "open_interest", "turnover", "exchange")
# Fields that are zero when an entry lacks them.
_ZERO_WHEN_MISSING = ("turnover", "pre_settlement", "pre_close", "limit_up", "limit_down")


def encode_tick(tick: Tick) -> dict[str, str]:
    """The stream fields of ``tick``, in ``STREAM_FIELDS`` order, every value text."""
    values = text_fields(tick)
    values["timestamp"] = epoch_ms(tick.datetime)
    return {name: str(values[name]) for name in STREAM_FIELDS}


FIELD_COUNT = len(STREAM_FIELDS)  # pairs written per entry by ``xadd_command``


def xadd_head(key: str, maxlen: int) -> str:
    """The start of every XADD to ``key`` in RESP, up to the entry id: built once per stream."""
    args = 6 + 2 * FIELD_COUNT  # XADD key MAXLEN ~ n id, then the field pairs
    size, limit = len(key.encode()), str(maxlen)
    return (
        f"*{args}\r\n$4\r\nXADD\r\n${size}\r\n{key}\r\n"
        f"$6\r\nMAXLEN\r\n$1\r\n~\r\n${len(limit)}\r\n{limit}\r\n"
    )


# RESP length prefixes, ``$n\r\n``, looked up instead of formatting 19 integers per tick.
_LENGTH = tuple(f"${n}\r\n" for n in range(1024))


def xadd_command(head: str, entry_id: str, tick: Tick, timestamp_ms: int) -> str:
    """One whole ``XADD key MAXLEN ~ n id field value ...`` in RESP, ``encode_tick``'s
    fields in its order (a test parses it back and compares, so the two cannot drift).

    Written out field by field, not a loop over ``encode_tick``: it runs for every
    tick and is most of the writer's Python time (docs/performance.md). Every value
    is ASCII (numbers, an ISO date, an exchange code), so its length in characters is
    its length in bytes. ``str()`` rather than an f-string's ``format()``: three times
    faster on a Decimal, same text. A value of over 1023 characters (no real tick has
    one) raises IndexError rather than being written wrong."""
    t, n = tick, _LENGTH
    ts = str(timestamp_ms)
    lp, vo, bp, ap = str(t.last_price), str(t.volume), str(t.bid_price), str(t.ask_price)
    bv, av, hp, lo = str(t.bid_volume), str(t.ask_volume), str(t.high_price), str(t.low_price)
    op, oi, tu = str(t.open_price), str(t.open_interest), str(t.turnover)
    ps, pc, lu, ld = str(t.pre_settlement), str(t.pre_close), str(t.limit_up), str(t.limit_down)
    td, ex = t.trading_day.isoformat(), str(t.exchange)  # a StrEnum: str() is its value
    return (
        f"{head}{n[len(entry_id)]}{entry_id}\r\n"
        f"$9\r\ntimestamp\r\n{n[len(ts)]}{ts}\r\n$10\r\nlast_price\r\n{n[len(lp)]}{lp}\r\n"
        f"$6\r\nvolume\r\n{n[len(vo)]}{vo}\r\n$9\r\nbid_price\r\n{n[len(bp)]}{bp}\r\n"
        f"$9\r\nask_price\r\n{n[len(ap)]}{ap}\r\n$10\r\nbid_volume\r\n{n[len(bv)]}{bv}\r\n"
        f"$10\r\nask_volume\r\n{n[len(av)]}{av}\r\n$10\r\nhigh_price\r\n{n[len(hp)]}{hp}\r\n"
        f"$9\r\nlow_price\r\n{n[len(lo)]}{lo}\r\n$10\r\nopen_price\r\n{n[len(op)]}{op}\r\n"
        f"$13\r\nopen_interest\r\n{n[len(oi)]}{oi}\r\n$8\r\nturnover\r\n{n[len(tu)]}{tu}\r\n"
        f"$14\r\npre_settlement\r\n{n[len(ps)]}{ps}\r\n$9\r\npre_close\r\n{n[len(pc)]}{pc}\r\n"
        f"$8\r\nlimit_up\r\n{n[len(lu)]}{lu}\r\n$10\r\nlimit_down\r\n{n[len(ld)]}{ld}\r\n"
        f"$11\r\ntrading_day\r\n{n[len(td)]}{td}\r\n$8\r\nexchange\r\n{n[len(ex)]}{ex}\r\n"
    )


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def decode_tick(symbol: str, fields: Fields) -> Tick:
    """The Tick of a stream entry; its time in exchange time (Asia/Shanghai).

    Entries written by other tools with only DESIGN.md's ten fields are read too:
    the missing extras become zero and the trading day is left to the caller's
    calendar, here approximated by the exchange date of the timestamp.
    """
    data: dict[str, Any] = {_text(key): _text(value) for key, value in fields.items()}
    stamp = data.get("timestamp")
    if stamp is None:
        raise TickDecodeError("tick entry has no 'timestamp' field")
    try:
        moment = (_EPOCH + int(stamp) * _MS).astimezone(EXCHANGE_TZ)
    except (ValueError, OverflowError):
        raise TickDecodeError(f"tick field 'timestamp' is not epoch ms: {stamp[:40]!r}") from None
    for name in _ZERO_WHEN_MISSING:
        data.setdefault(name, "0")
    if not all(name in fields or name.encode() in fields for name in _EXTRAS):
        data.update(trading_day=moment.date(), exchange=Exchange.SHFE, open_interest=0)
    data.update(symbol=symbol, datetime=moment)
    try:
        return convert(
            {name: data[name] for name in _TICK_FIELDS if name in data}, Tick, strict=False
        )
    except CodecError as exc:
        raise TickDecodeError(f"tick entry: {exc}") from None


_TICK_FIELDS = field_names(Tick)
