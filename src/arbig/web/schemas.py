"""What the JSON routes answer, for the OpenAPI document.

The routes render domain values with orjson (``web/responses.py: DomainJSON``), not
through a FastAPI ``response_model``, which would validate and re-encode every
response (measured in bench/bench_rest.py). So the shapes are declared here, from the
same dataclasses, as ``responses=`` for the document only: FastAPI writes them as
schemas (Decimals as strings, times as ISO 8601, enums by value, as the codec does),
and the schemathesis tests check every answer against them.
"""

import re
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, Generic, TypeVar

from pydantic import AwareDatetime, BeforeValidator

from arbig.domain import tick

_NUMBER = re.compile(r"\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*")


def _not_a_number(what: str) -> Any:
    """A validator refusing a number where a time or a day is written out: pydantic would
    read ``0.5`` or ``20260601`` as seconds since 1970."""

    def check(value: Any) -> Any:
        if isinstance(value, int | float) or (isinstance(value, str) and _NUMBER.fullmatch(value)):
            raise ValueError(f"expected {what}, not a number")
        return value

    return BeforeValidator(check)


# Times and days in query parameters, written out as ISO 8601 (never epoch numbers).
IsoTime = Annotated[
    AwareDatetime,
    _not_a_number("an ISO 8601 time with a UTC offset, e.g. 2026-06-01T10:00:00+08:00"),
]
IsoDay = Annotated[date, _not_a_number("an ISO 8601 day, e.g. 2026-06-01")]


@dataclass(frozen=True)
class Tick(tick.Tick):
    """A tick as the API and the WebSocket send it: with its epoch-ms ``timestamp``."""

    timestamp: int


T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list and how many match in all."""

    items: list[T]
    total: int
    limit: int
    offset: int


@dataclass(frozen=True)
class Watchlist:
    symbols: list[str]


@dataclass(frozen=True)
class Alive:
    status: str


@dataclass(frozen=True)
class StrategyParams:
    """A strategy's stored parameters, and their JSON schema."""

    name: str
    params: dict[str, Any]
    schema: dict[str, Any]


@dataclass(frozen=True)
class FieldError:
    loc: list[str | int]
    msg: str
    type: str


@dataclass(frozen=True)
class InvalidRequest:
    """A request that does not validate: ``detail`` says what was wrong, for a human;
    ``errors`` names each field when the request's shape was at fault."""

    detail: str
    errors: list[FieldError] | None = None


@dataclass(frozen=True)
class Refusal:
    """A request refused for what it asks, not for its shape: ``detail`` says why."""

    detail: str


def refused(code: int, description: str) -> dict[int | str, Any]:
    """``responses=`` for a refusal a route answers with ``code``."""
    return {code: {"model": Refusal, "description": description}}


# What a route that needs the operator answers without one (web/security.py).
LOGIN_REQUIRED = refused(401, "Login required: no or bad credential (WWW-Authenticate: Bearer)")


def answers(model: Any, description: str = "Successful Response") -> dict[int | str, Any]:
    """``responses=`` for a route that answers 200 with ``model``."""
    return {200: {"model": model, "description": description}}


# Every API route's 422 (FastAPI would document its own error shape, not ARBIG's).
INVALID: dict[int | str, Any] = {
    422: {"model": InvalidRequest, "description": "The request does not validate"}
}
