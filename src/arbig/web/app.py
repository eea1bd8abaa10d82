"""The FastAPI application: REST, WebSocket and the console's built files."""

import asyncio
import gc
import logging
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles

from arbig import __version__
from arbig.api.client import Host
from arbig.api.errors import AuditUnavailable
from arbig.config import Settings
from arbig.ops.metrics import Metrics
from arbig.web.hub import Hub
from arbig.web.idempotency import Idempotency
from arbig.web.metrics import HubCollector, LoopbackServer, RequestTimer, metrics_endpoint
from arbig.web.refusals import add_common_refusals
from arbig.web.routes import (
    auth,
    backtests,
    book,
    health,
    market,
    market_data,
    ops,
    orders,
    risk,
    strategy,
    system,
    trades,
)
from arbig.web.schemas import INVALID, LOGIN_REQUIRED
from arbig.web.security import Guard, require_operator
from arbig.web.uvicorn_ws import ws_protocol
from arbig.web.ws import relay
from arbig.web.ws import router as ws_router

STATIC_DIR = Path(__file__).parent / "static"
API_PREFIX = "/api/v1"
# How long the app's own tasks (the event relay, the credential watch) get to end once
# cancelled at shutdown, before they are left behind and the stop goes on.
TASK_END_S = 2.0
TASK_RECANCEL_S = 0.1  # a task still running after this is cancelled again

log = logging.getLogger(__name__)

# How uvicorn serves the app (`arbig run` and the benchmarks use the same).
SERVER_OPTIONS: dict[str, Any] = {
    "ws_ping_interval": 20.0,
    "ws_ping_timeout": 20.0,
    # Ticks are a few hundred bytes: compressing them saves little and costs deflate
    # state per browser (docs/performance.md).
    "ws_per_message_deflate": False,
    # uvicorn's own protocol, plus the frame sink the hub fans ticks out through
    # (on the uvicorn version it was checked against; see uvicorn_ws.ws_protocol).
    "ws": ws_protocol(),
}


# Builds and returns the core's host (not started): `arbig run` passes the embedded one.
HostFactory = Callable[[Settings], Awaitable[Host]]


def settle_heap() -> None:
    """Move everything built at start-up out of the garbage collector's sight.

    FastAPI, SQLAlchemy and the core live as long as the process; frozen, a full
    collection does not walk them. Those passes are long pauses that show as
    WebSocket and REST p99 outliers (docs/performance.md).
    Only for a serving process: a test process builds many apps, and cyclic garbage
    once frozen is never freed.
    """
    gc.collect()
    gc.freeze()


def validation_message(exc: RequestValidationError) -> str:
    parts = []
    for error in exc.errors():
        where = ".".join(str(p) for p in error.get("loc", ()) if p != "body")
        parts.append(f"{where}: {error.get('msg', 'invalid')}")
    return "; ".join(parts) or "invalid request"


async def end_tasks(tasks: Iterable["asyncio.Task[Any]"], within_s: float) -> None:
    """Cancel ``tasks`` and wait at most ``within_s`` for them to end, cancelling again
    those still running: a cancellation can be lost (Python 3.11's wait_for drops one
    that arrives in the turn its call answers), and an operator's Ctrl-C must stop the
    process. Those still running then are left behind, and the log says so."""
    tasks = tuple(tasks)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within_s
    running = set(tasks)
    while running:
        left = deadline - loop.time()
        if left <= 0:
            names = ", ".join(sorted(task.get_name() for task in running))
            log.error("shutdown: %s did not end when cancelled; left behind", names)
            _left_behind.update(running)
            return
        for task in running:
            task.cancel()
        _, running = await asyncio.wait(running, timeout=min(left, TASK_RECANCEL_S))
    for task in tasks:
        if not task.cancelled() and task.exception() is not None:
            exc = task.exception()
            log.error("shutdown: %s had failed: %s: %s", task.get_name(), type(exc).__name__, exc)


_left_behind: set["asyncio.Task[Any]"] = set()  # referenced until the process ends


def create_app(
    settings: Settings, host_factory: HostFactory, *, freeze_heap: bool = False
) -> FastAPI:
    """The console's app on the core ``host_factory`` builds; ``freeze_heap`` (for
    `arbig run`) see ``settle_heap``."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        guard: Guard = app.state.guard
        try:
            host = await host_factory(settings)
            # The credential lives in the host's database when it has one (every web
            # process on it shares it); else in the data folder's file.
            store = getattr(host, "credential_store", None)
            if store is not None:
                guard.use_store(store)
            generated = await guard.load()
        except Exception as exc:
            app.state.startup_error = exc
            raise
        if generated is not None:
            print(
                f"ARBIG: no operator password was set, so one was generated: {generated}\n"
                "       It is shown only this once; change it with `arbig auth set-password`.",
                file=sys.stderr,
                flush=True,
            )
        # The host's registry when it keeps one (the embedded system does); the web
        # layer's own families go into the same one.
        metrics = getattr(host, "metrics", None)
        if not isinstance(metrics, Metrics):
            metrics = Metrics()
        app.state.metrics = app.state.hub.metrics = metrics
        app.state.notifier = getattr(host, "notifier", None)
        # Sessions live in the host's store when it keeps one (the embedded system's
        # database, shared by every web process on it); else in this process.
        session_store = getattr(host, "session_store", None)
        if session_store is not None:
            guard.sessions = session_store
        # The backtester when the host runs one (the embedded system does).
        app.state.backtests = getattr(host, "backtests", None)
        # Likewise Idempotency-Key answers and the login delay, when the host shares
        # them between web processes.
        idempotency = getattr(host, "idempotency", None)
        if idempotency is not None:
            app.state.idempotency = idempotency
        make_limiter = getattr(host, "login_limiter", None)
        if make_limiter is not None:
            guard.limiter = make_limiter(guard.rule)
        unregister_hub = metrics.register(HubCollector(app.state.hub))
        try:
            await host.start()
        except Exception as exc:
            # Kept for the command that started the server: it turns what it knows (a
            # gateway, the database or Redis that would not start) into one line.
            app.state.startup_error = exc
            unregister_hub()
            raise
        app.state.client = host.client
        loopback = LoopbackServer(metrics, settings.metrics.port) if settings.metrics.port else None
        if loopback is not None:
            try:
                await loopback.start()
            except BaseException:
                await host.stop()
                raise
        if freeze_heap:
            settle_heap()
        relaying = asyncio.create_task(relay(host.client, app.state.hub), name="ws-relay")
        watching = asyncio.create_task(guard.watch(), name="credential-watch")
        try:
            yield
        finally:
            await end_tasks((watching, relaying), TASK_END_S)
            if loopback is not None:
                await loopback.stop()
            unregister_hub()
            if app.state.backtests is not None:
                await app.state.backtests.close()
            await host.stop()

    app = FastAPI(
        title="ARBIG",
        version=__version__,
        summary="Self-hosted trading console for a single futures trader",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.hub = Hub()
    app.state.guard = Guard(settings)
    app.state.idempotency = Idempotency()
    app.state.backtests = None
    app.state.startup_error = None
    app.state.ws_idle_timeout = 60.0

    def openapi() -> dict[str, Any]:
        # Generated on first use (FastAPI keeps it), with the refusals operations share.
        if app.openapi_schema is None:
            app.openapi_schema = add_common_refusals(FastAPI.openapi(app), API_PREFIX)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]

    @app.exception_handler(RequestValidationError)
    async def on_validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        if any(error.get("type") == "json_invalid" for error in errors):
            # Not a wrong value but no JSON at all: docs/api.md's 400.
            detail = "the body is not valid JSON"
            return JSONResponse({"detail": detail, "errors": _plain(errors)}, status_code=400)
        return JSONResponse(
            {"detail": validation_message(exc), "errors": _plain(errors)}, status_code=422
        )

    @app.exception_handler(AuditUnavailable)
    async def on_audit_unavailable(request: Request, exc: AuditUnavailable) -> JSONResponse:
        # The core refused the command before acting: nothing changed, it may be retried.
        return JSONResponse({"detail": str(exc)}, status_code=503)

    app.include_router(health.router, prefix=API_PREFIX, responses=INVALID)
    app.include_router(auth.router, prefix=API_PREFIX, responses=INVALID)
    # Everything else needs the operator (session cookie + CSRF, or a bearer token).
    operator_only = [Depends(require_operator)]
    for module in (
        market,
        market_data,
        book,
        orders,
        trades,
        system,
        strategy,
        risk,
        ops,
        backtests,
    ):
        app.include_router(
            module.router,
            prefix=API_PREFIX,
            dependencies=operator_only,
            responses={**INVALID, **LOGIN_REQUIRED},
        )
    app.include_router(ws_router)
    app.add_api_route(
        "/metrics",
        metrics_endpoint,
        methods=["GET"],
        include_in_schema=False,
        dependencies=operator_only if settings.metrics.require_token else [],
    )
    app.add_middleware(RequestTimer)
    _mount_console(app)
    return app


def _plain(errors: Any) -> Any:
    """Validation errors without the raw input objects (which may not be JSON)."""
    return [{"loc": e.get("loc"), "msg": e.get("msg"), "type": e.get("type")} for e in errors]


def _mount_console(app: FastAPI) -> None:
    """Serve the built console; unknown paths get index.html so client routes work."""
    index = STATIC_DIR / "index.html"
    if (STATIC_DIR / "assets").is_dir():
        app.mount("/assets", StaticFiles(directory=STATIC_DIR / "assets"), name="assets")

    @app.get("/{path:path}", include_in_schema=False)
    async def console(path: str) -> FileResponse:
        if path.startswith(("api/", "ws")):
            raise HTTPException(404, f"no such endpoint /{path[:100]}")
        candidate = (STATIC_DIR / path).resolve()
        if path and candidate.is_file() and candidate.is_relative_to(STATIC_DIR.resolve()):
            return FileResponse(candidate)
        if not index.is_file():
            raise HTTPException(404, "the console is not built: run `make setup`")
        return FileResponse(index)
