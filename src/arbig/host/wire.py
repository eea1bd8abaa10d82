"""What the split deployment's processes say to each other over Redis: key names, and
events, requests and answers as msgspec JSON (Decimals as text, datetimes with their
offset, enums by value), typed by the ``CoreClient`` protocol itself."""

import inspect
import time
import typing
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import msgspec

from arbig.api import errors
from arbig.api.client import CoreClient
from arbig.api.events import EventType
from arbig.domain.bar import Bar
from arbig.domain.contract import ContractError
from arbig.domain.order import Order
from arbig.domain.snapshot import AccountSnapshot, PositionSnapshot
from arbig.domain.tick import Tick
from arbig.domain.trade import Trade
from arbig.domain.trigger import Trigger

# How long a command's answer is kept for a repeated delivery of the same command.
ANSWER_TTL_S = 24 * 3600
# A reply entry's field beside the answer: the core's own time for the request, read
# to answer, in microseconds (absent from a dead-letter refusal).
SERVED = b"s"
REPLIES_MAXLEN = 10_000
REQUESTS_MAXLEN = 100_000


class WireError(ValueError):
    """An entry that cannot be read: a field missing or of the wrong type."""


@dataclass(frozen=True, slots=True)
class BusKeys:
    """Every Redis key of one deployment, under its prefix (``[split] prefix``)."""

    prefix: str

    @property
    def events(self) -> str:
        return f"{self.prefix}events"

    @property
    def requests(self) -> str:
        return f"{self.prefix}requests"

    @property
    def dead_letters(self) -> str:
        return f"{self.prefix}requests:dead"

    @property
    def group(self) -> str:
        return "core"

    def replies(self, replica: str) -> str:
        return f"{self.prefix}replies:{replica}"

    def answer(self, request_id: str) -> str:
        return f"{self.prefix}answer:{request_id}"

    @property
    def cache_generation(self) -> str:
        return f"{self.prefix}cache:generation"

    def cache(self, generation: int, key: str) -> str:
        return f"{self.prefix}cache:{generation}:{key}"

    def cache_lock(self, generation: int, key: str) -> str:
        return f"{self.prefix}cache-lock:{generation}:{key}"


# --- events -------------------------------------------------------------------------------

PAYLOAD_TYPES: dict[EventType, Any] = {
    EventType.TICK: Tick,
    EventType.BAR: Bar,
    EventType.ORDER: Order,
    EventType.TRADE: Trade,
    EventType.POSITIONS: list[PositionSnapshot],
    EventType.ACCOUNT: AccountSnapshot,
    EventType.TRIGGER: Trigger,
    EventType.SYSTEM: dict[str, Any],
    EventType.LOG: Any,
}
GAP = b"gap"  # the core's marker: it dropped events it could not write

_encoder = msgspec.json.Encoder(decimal_format="string")
_decoders = {kind: msgspec.json.Decoder(cls) for kind, cls in PAYLOAD_TYPES.items()}


def encode(value: Any) -> bytes:
    return _encoder.encode(value)


def event_fields(event_type: EventType, payload: Any) -> dict[bytes, bytes]:
    return {b"t": event_type.value.encode(), b"d": _encoder.encode(payload)}


def decode_event(fields: dict[bytes, bytes]) -> tuple[EventType, Any] | None:
    """The event of a stream entry; None for the core's gap marker."""
    try:
        kind = fields[b"t"]
        if kind == GAP:
            return None
        event_type = EventType(kind.decode())
        return event_type, _decoders[event_type].decode(fields[b"d"])
    except (KeyError, ValueError, msgspec.DecodeError) as exc:
        raise WireError(f"event entry: {exc}") from None


# --- requests and answers -----------------------------------------------------------------

# Operator commands: each acts once per request id, and is refused after its deadline.
COMMANDS = frozenset(
    {
        "record_login",
        "switch_main_contract",
        "set_watchlist",
        "send_order",
        "cancel_order",
        "confirm_close",
        "start_strategy",
        "stop_strategy",
        "update_params",
        "hand_over",
        "set_trading_state",
        "emergency_stop",
        "reset_emergency",
        "accept_broker_positions",
        "move_cash",
    }
)


@dataclass(frozen=True, slots=True)
class Method:
    """One ``CoreClient`` method as the wire carries it: its parameters' types and its
    result's."""

    name: str
    params: dict[str, Any]
    result: Any

    @property
    def is_command(self) -> bool:
        return self.name in COMMANDS


def _wire_type(hint: Any) -> Any:
    # An iterable parameter travels as a list.
    if typing.get_origin(hint) is Iterable or hint is Iterable:
        args = typing.get_args(hint)
        return typing.cast(Any, list)[args[0]] if args else list[Any]
    return hint


def _methods() -> dict[str, Method]:
    found = {}
    for name, function in inspect.getmembers(CoreClient, inspect.iscoroutinefunction):
        if name.startswith("_"):
            continue
        hints = typing.get_type_hints(function)
        result = hints.pop("return")
        params = {
            p: _wire_type(hints[p]) for p in inspect.signature(function).parameters if p != "self"
        }
        found[name] = Method(name, params, result)
    return found


METHODS = _methods()

# Refusals travel by class name and are raised again on the replica's side as the same
# class, so the web layer answers them as it does for a core in its own process.
REFUSALS: dict[str, type[Exception]] = {
    cls.__name__: cls
    for cls in (
        errors.Refused,
        errors.OrderRefused,
        errors.ControlRefused,
        errors.CloseError,
        errors.CashRefused,
        errors.AuditUnavailable,
        errors.CoreUnreachable,
        ContractError,
    )
}


@dataclass(frozen=True, slots=True)
class Request:
    request_id: str
    method: Method
    args: dict[str, Any]
    deadline_ms: int
    reply_to: str

    @property
    def expired(self) -> bool:
        return time.time() * 1000 > self.deadline_ms


def request_fields(
    request_id: str, method: str, args: dict[str, Any], deadline_ms: int, reply_to: str
) -> dict[bytes, bytes]:
    return {
        b"id": request_id.encode(),
        b"m": method.encode(),
        b"a": _encoder.encode(args),
        b"dl": str(deadline_ms).encode(),
        b"r": reply_to.encode(),
    }


def decode_request(fields: dict[bytes, bytes]) -> Request:
    """A request as the core reads it; WireError names what is wrong."""
    try:
        request_id = fields[b"id"].decode()
        name = fields[b"m"].decode()
        deadline_ms = int(fields[b"dl"])
        reply_to = fields[b"r"].decode()
        raw = msgspec.json.decode(fields[b"a"])
    except (KeyError, ValueError, msgspec.DecodeError) as exc:
        raise WireError(f"request entry: {type(exc).__name__}: {exc}") from None
    method = METHODS.get(name)
    if method is None:
        raise WireError(f"request {request_id}: no method {name[:64]!r}")
    if not isinstance(raw, dict) or set(raw) - set(method.params):
        raise WireError(f"request {request_id}: arguments do not fit {name}")
    args = {}
    for param, hint in method.params.items():
        if param not in raw:
            continue  # the method's default
        try:
            args[param] = msgspec.convert(raw[param], hint, strict=False)
        except msgspec.ValidationError as exc:
            raise WireError(f"request {request_id}: {name}({param}): {exc}") from None
    return Request(request_id, method, args, deadline_ms, reply_to)


def answer_fields(request_id: str, *, result: Any = None, error: Exception | None = None) -> bytes:
    """The answer to a request, as one value (kept for repeated deliveries)."""
    if error is not None:
        kind = type(error).__name__ if type(error).__name__ in REFUSALS else "error"
        return _encoder.encode({"id": request_id, "error": kind, "message": str(error)})
    return _encoder.encode({"id": request_id, "result": result})


class CoreFailed(RuntimeError):
    """The core failed to carry out a request (not a refusal): the message says how."""


def decode_answer(data: bytes, method: Method) -> Any:
    """The result of an answer, or its refusal raised as the core raised it."""
    answer = msgspec.json.decode(data)
    if "error" in answer:
        cls = REFUSALS.get(answer["error"], CoreFailed)
        raise cls(answer["message"])
    if method.result is type(None):
        return None
    return msgspec.convert(answer["result"], method.result, strict=False)


def answer_id(data: bytes) -> str:
    value: str = msgspec.json.decode(data)["id"]
    return value
