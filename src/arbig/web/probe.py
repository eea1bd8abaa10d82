"""The core role's probe listener (`arbig run --role core`, setting ``probe``): liveness,
readiness and Prometheus' ``/metrics`` on a port of its own (docs/deployment.md,
"Probing the core"). What it answers comes from the core (``arbig.host.probe``); the
assembly (``arbig.split``) hands it over. Beyond loopback ``/metrics`` needs an API
token, checked by ``check_token``.
"""

from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from arbig.ops.metrics import CONTENT_TYPE_LATEST


class ProbeAnswer(Protocol):
    @property
    def status(self) -> int: ...

    @property
    def body(self) -> dict[str, Any]: ...


class ProbeSource(Protocol):
    """What the listener asks (``arbig.host.probe.CoreProbe``)."""

    def liveness(self) -> ProbeAnswer: ...

    async def readiness(self) -> ProbeAnswer: ...

    def exposition(self) -> bytes: ...


TokenCheck = Callable[[str], Awaitable[bool]]
TOKEN_NEEDED = "send 'Authorization: Bearer <API token>' (arbig auth create-token NAME)"


def probe_app(source: ProbeSource, check_token: TokenCheck | None = None) -> Starlette:
    """The listener's app; ``check_token``: /metrics needs a bearer token it accepts."""

    async def live(_: Request) -> Response:
        answer = source.liveness()
        return JSONResponse(answer.body, status_code=answer.status)

    async def ready(_: Request) -> Response:
        answer = await source.readiness()
        return JSONResponse(answer.body, status_code=answer.status)

    async def metrics(request: Request) -> Response:
        if check_token is not None:
            scheme, _, token = request.headers.get("authorization", "").partition(" ")
            if scheme.lower() != "bearer" or not token or not await check_token(token.strip()):
                return JSONResponse(
                    {"detail": TOKEN_NEEDED},
                    status_code=401,
                    headers={"WWW-Authenticate": "Bearer"},
                )
        return Response(source.exposition(), media_type=CONTENT_TYPE_LATEST)

    return Starlette(
        routes=[
            Route("/health/live", live, methods=["GET", "HEAD"]),
            Route("/health/ready", ready, methods=["GET", "HEAD"]),
            Route("/metrics", metrics, methods=["GET"]),
        ]
    )
