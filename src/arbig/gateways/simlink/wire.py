"""What the cores and the shared simulated exchange say to each other over Redis.

- **Intake** ``<prefix>simx:intake``: a stream of requests (send, cancel, subscribe,
  queries). A core appends one only through the fenced intake script: in one step
  Redis compares the request's fencing token with the lease's current one and refuses
  it (``FENCED``) unless they are equal, so an old leader's order never enters the
  stream. Each request names its reply stream, carries an id and a deadline.
- **Replies** ``<prefix>simx:reply:<client>``: one stream per connected core, kept
  a minute after its last reply.
- **Events** ``<prefix>simx:events``: everything the exchange pushes (ticks, order
  reports, fills, the account), in order, trimmed to about ``EVENTS_MAXLEN``.
- **Ledger** ``<prefix>simx:ledger``: the exchange's note of each order and cancel it
  was asked for: the sender's token, the request id, taken or refused and why.

The exchange's own state file is the record of what it took and filled.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TypeVar

import orjson

from arbig.codec import convert, json_bytes
from arbig.domain.order import Order, OrderRequest
from arbig.domain.trade import Trade
from arbig.gateways.base import AccountReport, PositionReport

EVENTS_MAXLEN = 100_000
INTAKE_MAXLEN = 10_000
REPLY_MAXLEN = 1_000
REPLY_KEEP_S = 60
LEDGER_MAXLEN = 100_000
FENCED = "FENCED"
T = TypeVar("T")

# KEYS: the lease hash, the intake stream. ARGV: the token, the stream's MAXLEN, then
# the entry's field/value pairs.
FENCED_INTAKE = """
local token = redis.call('HGET', KEYS[1], 'token')
if token == false or token ~= ARGV[1] then
  return redis.error_reply('FENCED the lease is held by token ' .. tostring(token))
end
return redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[2], '*', unpack(ARGV, 3))
"""


class Op(StrEnum):
    HELLO = "hello"
    SEND = "send"
    CANCEL = "cancel"
    SUBSCRIBE = "subscribe"
    UNSUBSCRIBE = "unsubscribe"
    ORDERS = "orders"
    TRADES = "trades"
    POSITIONS = "positions"
    ACCOUNT = "account"
    DEPOSIT = "deposit"
    WITHDRAW = "withdraw"


class Kind(StrEnum):
    """An event's kind on the events stream: a listener callback's name."""

    TICK = "tick"
    ORDER = "order"
    TRADE = "trade"
    ACCOUNT = "account"
    CONNECTION = "connection"
    LOG = "log"


def intake_key(prefix: str) -> str:
    return f"{prefix}simx:intake"


def events_key(prefix: str) -> str:
    return f"{prefix}simx:events"


def ledger_key(prefix: str) -> str:
    return f"{prefix}simx:ledger"


def reply_key(prefix: str, client: str) -> str:
    return f"{prefix}simx:reply:{client}"


@dataclass(frozen=True, slots=True)
class Request:
    """One entry of the intake stream."""

    op: Op
    rid: str
    reply: str
    token: int
    deadline_ms: int
    body: bytes = b"null"

    def fields(self) -> list[bytes | str | int]:
        return [
            "op",
            self.op.value,
            "rid",
            self.rid,
            "reply",
            self.reply,
            "token",
            self.token,
            "deadline",
            self.deadline_ms,
            "body",
            self.body,
        ]

    @classmethod
    def parse(cls, fields: Mapping[bytes, bytes]) -> "Request":
        return cls(
            op=Op(fields[b"op"].decode()),
            rid=fields[b"rid"].decode(),
            reply=fields[b"reply"].decode(),
            token=int(fields[b"token"]),
            deadline_ms=int(fields[b"deadline"]),
            body=fields.get(b"body", b"null"),
        )


def encode(value: Any) -> bytes:
    return json_bytes(value)


def decode_request(body: bytes) -> OrderRequest:
    return convert(orjson.loads(body), OrderRequest)


@dataclass(frozen=True, slots=True)
class ConnectionNote:
    connected: bool
    reason: str


@dataclass(frozen=True, slots=True)
class LogNote:
    level: str
    message: str


def decode_event(data: bytes, cls: type[T]) -> T:
    """An event's value as the listener takes it."""
    return convert(orjson.loads(data), cls)


def decode_answer(op: Op, data: bytes) -> Any:
    """A reply's value for request ``op``."""
    raw = orjson.loads(data)
    if op is Op.ORDERS:
        return convert(raw, list[Order])
    if op is Op.TRADES:
        return convert(raw, list[Trade])
    if op is Op.POSITIONS:
        return convert(raw, list[PositionReport])
    if op is Op.ACCOUNT:
        return convert(raw, AccountReport)
    return raw
