"""What the JSON routes answer, for the OpenAPI document.

The routes render domain values with orjson (``web/responses.py: DomainJSON``), not
through a FastAPI ``response_model``, which would validate and re-encode every
response (measured in bench/bench_rest.py). So the shapes are declared here, from the
same dataclasses, as ``responses=`` for the document only: FastAPI writes them as
schemas (Decimals as strings, times as ISO 8601, enums by value, as the codec does),
and the schemathesis tests check every answer against them.
"""

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from arbig.domain import tick


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


def answers(model: Any, description: str = "Successful Response") -> dict[int | str, Any]:
    """``responses=`` for a route that answers 200 with ``model``."""
    return {200: {"model": model, "description": description}}


# Every API route's 422 (FastAPI would document its own error shape, not ARBIG's).
INVALID: dict[int | str, Any] = {
    422: {"model": InvalidRequest, "description": "The request does not validate"}
}
