"""``/metrics``: the running system's Prometheus registry, served by the web layer.

On the console's port it needs the operator's credential (a bearer token: give
Prometheus one with ``arbig auth create-token prometheus``) unless
``metrics.require_token`` is off; ``metrics.port`` also serves it on 127.0.0.1 without
one, for a Prometheus on the same machine. The REST latency of every route is timed
here too, by route template (a bounded label), never by the raw path.
"""

import asyncio
import contextlib
import time
from collections.abc import Iterable, Iterator

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import Response
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from arbig.ops.metrics import CONTENT_TYPE_LATEST, Metrics
from arbig.web.hub import Hub


def exposition(metrics: Metrics) -> Response:
    return Response(metrics.exposition(), media_type=CONTENT_TYPE_LATEST)


async def metrics_endpoint(request: Request) -> Response:
    return exposition(request.app.state.metrics)


class HubCollector(Collector):
    """The WebSocket clients connected now."""

    def __init__(self, hub: Hub) -> None:
        self._hub = hub

    def describe(self) -> Iterable[Metric]:
        return []

    def collect(self) -> Iterator[Metric]:
        yield GaugeMetricFamily(
            "arbig_websocket_clients", "Connected WebSocket clients", value=len(self._hub.channels)
        )


API_PREFIX = "/api/v1"


def route_template(scope: Scope) -> str:
    """The matched route's path template: a bounded label, whatever the ids in the path."""
    found = getattr(scope.get("route"), "path", None)
    if found is None:
        return "unmatched"
    path = str(found)
    if path == "/{path:path}":
        return "console"  # the built console's files, one label for all
    # An included router's route knows its path without the prefix it was included under.
    if scope["path"].startswith(API_PREFIX + "/") and not path.startswith(API_PREFIX):
        return API_PREFIX + path
    return path


class RequestTimer:
    """ASGI middleware: each HTTP request's duration, by route template and status class."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            metrics: Metrics | None = getattr(scope["app"].state, "metrics", None)
            if metrics is not None:
                template = route_template(scope)
                metrics.http_duration.labels(
                    route=template, method=scope["method"], status=f"{status // 100}xx"
                ).observe(time.perf_counter() - started)


class _NoSignals(uvicorn.Server):
    """The console's server owns Ctrl-C; this one is stopped with it, by ``stop``."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


class SideServer:
    """A small ASGI app of its own on ``host:port``, served in the same event loop."""

    def __init__(self, app: ASGIApp, host: str, port: int, name: str) -> None:
        config = uvicorn.Config(
            app, host=host, port=port, log_config=None, lifespan="off", access_log=False
        )
        self._server = _NoSignals(config)
        self._name = name
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._task = asyncio.create_task(self._server.serve(), name=self._name)
        while not self._server.started:
            if self._task.done():
                self._task.result()  # raises why it could not listen
                raise RuntimeError(f"the {self._name} server stopped at start-up")
            await asyncio.sleep(0.01)

    async def stop(self) -> None:
        if self._task is None:
            return
        self._server.should_exit = True
        with contextlib.suppress(Exception):
            await self._task
        self._task = None


class LoopbackServer(SideServer):
    """``/metrics`` alone on 127.0.0.1:port, without a credential, in the same event loop."""

    def __init__(self, metrics: Metrics, port: int) -> None:
        app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)

        @app.get("/metrics")
        async def scrape() -> Response:
            return exposition(metrics)

        super().__init__(app, "127.0.0.1", port, "metrics-loopback")
