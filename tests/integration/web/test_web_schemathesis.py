"""Schemathesis against the live OpenAPI document of the real embedded system.

The schema is loaded from the ASGI application itself (``schemathesis.openapi.
from_asgi``), so every request goes through the whole stack in process: the
FastAPI app, its lifespan (the embedded runtime: simulated exchange, SQLite in a
temporary folder, memory tick store) and the core.

Three passes over every operation of the document:

- **operator** (``Authorization: Bearer`` token): generated requests, valid and
  invalid, must never get a server error (5xx); every answer must have a status the
  operation documents (``status_code_conformance``) and match the schema declared for
  it (``web/schemas.py``, ``web/refusals.py``); a request that does not validate must
  be refused with one of the client errors in ``BAD_INPUT`` (``negative_data_rejection``);
- **anonymous** (no credential) and **cookie without CSRF** (a signed-in browser
  session but no ``X-CSRF-Token`` header, as a forged cross-site request would
  carry): every state-changing request (POST/PUT/PATCH/DELETE) is refused (401,
  403 or 422; 400 for a body that is not JSON, 405 for a method the path does not
  have), each with a status the operation documents, without a credential no read
  but health answers 2xx, and the book
  (orders, positions, trades) and the audit trail are exactly as before.

Only ``POST /auth/login`` is public by design: a wrong password gets 401 (or 429
once rate-limited) and leaves a ``login failed`` audit entry, which is its job,
so login entries are left out of the comparison.

Bounded: a few examples per operation (about 55 s of CPU for the whole file, so
about a minute on an idle two-core machine).
"""

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.python import asgi
from schemathesis.specs.openapi.checks import (
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)
from webkit import PASSWORD, SYMBOL, make_settings, wait_for

from arbig.auth.credential_file import CredentialFile
from arbig.auth.sessions import SESSION_COOKIE
from arbig.embedded import embedded_app

pytestmark = pytest.mark.integration

STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# 400: a body that is not JSON at all (FastAPI reads the body before the guard runs);
# 405: schemathesis also tries methods an operation does not have (e.g. PUT /health).
REFUSED = frozenset({400, 401, 403, 405, 422})
# What may answer a request that does not validate: a client error, never a server error
# (and each status must be one the operation documents: status_code_conformance).
BAD_INPUT = frozenset({"400", "401", "403", "404", "405", "409", "422", "429"})
PUBLIC_LOGIN = ("POST", "/api/v1/auth/login")
PUBLIC_PATHS = frozenset({"/api/v1/auth/login"})


def is_public(path: str) -> bool:
    """Health (liveness, readiness) and login answer without a credential, by design."""
    return path in PUBLIC_PATHS or path.startswith("/api/v1/health")


OPERATOR_EXAMPLES = 10
ANONYMOUS_EXAMPLES = 5

# A bounded run inside the suite, not a fuzzing campaign: no deadline (the first request
# of an operation may wait on SQLite), no example database (same run every time).
bounded = settings(
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


class Live:
    """One running application, the document it serves and the credentials to call it.

    A plain class with a short repr: Hypothesis prints the fixture values of a failing
    example, and a dataclass would print the whole OpenAPI document (and warn)."""

    def __init__(self, app: Any, document: dict[str, Any], token: str) -> None:
        self.app = app
        self.document = document
        self.token = token
        self.session_cookie = ""

    def __repr__(self) -> str:
        return "Live(<the embedded system>)"

    @property
    def operator(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def get(self, path: str, **params: Any) -> Any:
        """A read as the operator, through the same in-process client schemathesis uses."""
        with asgi.get_client(self.app) as session:
            response = session.get(
                f"http://{asgi.HOST}{path}", params=params, headers=self.operator, timeout=10
            )
        assert response.status_code == 200, (path, response.status_code, response.text)
        return response.json()

    def get_or_none(self, path: str) -> Any:
        with asgi.get_client(self.app) as session:
            response = session.get(f"http://{asgi.HOST}{path}", headers=self.operator, timeout=10)
        return response.json() if response.status_code == 200 else None

    def call(self, case: schemathesis.Case, **kwargs: Any) -> Any:
        """Send a generated case to this application, in process."""
        with asgi.get_client(self.app) as session:
            return case.call(session=session, base_url=f"http://{asgi.HOST}", **kwargs)

    def post(self, path: str, body: dict[str, Any]) -> Any:
        with asgi.get_client(self.app) as session:
            return session.post(
                f"http://{asgi.HOST}{path}", json=body, headers=self.operator, timeout=10
            )


def start(data_dir: Path) -> Live:
    """A fresh system with a password and an API token, started through the schema loader."""
    app_settings = make_settings(data_dir)
    store = CredentialFile(app_settings.data_dir)
    creds = store.load()
    creds.set_password(PASSWORD)
    token = creds.add_token("schemathesis")
    store.save(creds)
    app = embedded_app(app_settings)
    # Loading the schema from the app runs its lifespan: the embedded runtime starts here.
    document = schemathesis.openapi.from_asgi("/openapi.json", app).raw_schema
    live = Live(app, document, token)
    with asgi.get_client(app) as session:
        response = session.post(
            f"http://{asgi.HOST}/api/v1/auth/login", json={"password": PASSWORD}, timeout=10
        )
        assert response.status_code == 200, response.text
        live.session_cookie = response.cookies[SESSION_COOKIE]
    return live


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    running = start(tmp_path_factory.mktemp("schemathesis") / "data")
    try:
        yield running
    finally:
        # Stops the runtime (the lifespan schemathesis started) before the next module.
        asgi.shutdown_lifespans()


# Collection needs the operations before anything runs, so the parametrization is built
# from the document the application generates (no lifespan: nothing starts at import);
# test_the_fuzzed_document_is_the_live_one checks it is exactly what the running
# system serves at /openapi.json. (schemathesis.pytest.from_fixture would load it from
# the running app instead, but schemathesis 4.32's lazy loader reads pytest's private
# ``Function._nodeid``, which pytest 9 no longer has.)
DOCUMENT = embedded_app(make_settings(Path("unused"))).openapi()

# The operator pass runs all three phases: the schema's examples, the coverage phase
# (boundary values, missing and malformed parameters, methods an operation does not
# have) and a few random fuzzing examples. The anonymous passes only need to show that
# nothing gets past the guard, so a few fuzzing examples per operation do.
operator_schema = schemathesis.openapi.from_dict(
    DOCUMENT,
    config=schemathesis.Config.from_dict(
        {
            "generation": {"max-examples": OPERATOR_EXAMPLES},
            "seed": 20260522,
            # Bad input gets a 4xx, never a 5xx (schemathesis would accept one here).
            "checks": {"negative_data_rejection": {"expected-statuses": sorted(BAD_INPUT)}},
        }
    ),
)
anonymous_schema = schemathesis.openapi.from_dict(
    DOCUMENT,
    config=schemathesis.Config.from_dict(
        {
            "generation": {"max-examples": ANONYMOUS_EXAMPLES},
            "phases": {"coverage": {"enabled": False}},
            "seed": 20260522,
        }
    ),
)


def book_and_audit(live: Live) -> dict[str, Any]:
    """What an unauthenticated request must never change."""
    with asgi.get_client(live.app) as session:

        def read(path: str, **params: Any) -> Any:
            url = f"http://{asgi.HOST}/api/v1{path}"
            response = session.get(url, params=params, headers=live.operator, timeout=10)
            assert response.status_code == 200, (path, response.status_code, response.text)
            return response.json()

        orders = read("/orders")
        positions = read("/positions")
        trades = read("/trades", limit=1)
        audit = read("/audit", limit=50)  # newest first: a new entry would show
    return {
        "orders": sorted((o["order_id"], o["status"], o["traded"]) for o in orders),
        "positions": sorted((p["symbol"], p["direction"], p["volume"]) for p in positions),
        "trades": trades["total"],
        "audit": [(e["time"], e["action"], e["result"]) for e in audit if e["action"] != "login"],
    }


@pytest.fixture(scope="module")
def book_with_state(live: Live) -> Live:
    """Something to protect: an open position (no working order, so that nothing in the
    book changes by itself while the anonymous passes compare it)."""
    tick = wait_for(lambda: live.get_or_none(f"/api/v1/market/{SYMBOL}/tick"))
    ask = Decimal(tick["ask_price"])
    buy = {"symbol": SYMBOL, "side": "buy", "price": str(ask + Decimal("0.40")), "volume": 1}
    response = live.post("/api/v1/orders", buy)
    assert response.status_code == 202, response.text
    wait_for(lambda: live.get("/api/v1/positions") and not live.get("/api/v1/orders?active=true"))
    return live


def state_change_allowed(case: schemathesis.Case) -> frozenset[int]:
    if (case.method.upper(), case.path) == PUBLIC_LOGIN:
        return REFUSED | {429}  # a wrong password; rate-limited after a few
    return REFUSED


def test_the_fuzzed_document_is_the_live_one(live: Live) -> None:
    assert live.document == DOCUMENT
    assert len(DOCUMENT["paths"]) > 10


# The anonymous passes run first, on a book that only the fixture above has touched.


@anonymous_schema.parametrize()
@bounded
def test_anonymous_requests_change_nothing(case: schemathesis.Case, book_with_state: Live) -> None:
    live = book_with_state
    before = book_and_audit(live)
    response = live.call(case)
    case.validate_response(response, checks=[not_a_server_error, status_code_conformance])
    if not is_public(case.path):
        assert not 200 <= response.status_code < 300, (case.method, case.path, response.text)
    if case.method.upper() in STATE_CHANGING:
        assert response.status_code in state_change_allowed(case), (case.path, response.text)
        assert book_and_audit(live) == before, (case.method, case.path, response.status_code)


@anonymous_schema.parametrize()
@bounded
def test_a_session_cookie_without_csrf_changes_nothing(
    case: schemathesis.Case, book_with_state: Live
) -> None:
    """What a forged cross-site request carries: the browser's cookie, no CSRF header."""
    live = book_with_state
    before = book_and_audit(live)
    response = live.call(case, cookies={SESSION_COOKIE: live.session_cookie})
    case.validate_response(response, checks=[not_a_server_error, status_code_conformance])
    if case.method.upper() in STATE_CHANGING:
        assert response.status_code in state_change_allowed(case), (case.path, response.text)
        assert book_and_audit(live) == before, (case.method, case.path, response.status_code)


@operator_schema.parametrize()
@bounded
def test_operator_requests_never_get_a_server_error(case: schemathesis.Case, live: Live) -> None:
    response = live.call(case, headers=live.operator)
    # Every answer has a status the operation documents and matches the schema declared
    # for it; input that does not validate is refused with one of BAD_INPUT.
    checks = [
        not_a_server_error,
        status_code_conformance,
        response_schema_conformance,
        negative_data_rejection,
    ]
    case.validate_response(response, checks=checks)


# Reads with real data behind them (a position, a trade, ticks and bars), each checked
# against the schema the document declares: the fuzzing above mostly asks for symbols
# that do not exist, so it seldom sees these answers. ``{main}``: the main contract
# now (the operator pass may have switched it).
READS = (
    "/market/{main}/tick",
    "/market/{main}/ticks?count=3",
    "/market/{main}/bars?current=true",
    "/contract",
    "/positions",
    "/account",
    "/account/equity",
    "/orders",
    "/trades",
    "/trades/daily",
    "/statistics",
    "/strategies",
    "/strategies/status",
    "/strategies/triggers",
    "/risk/state",
    "/system/status",
    "/logs",
    "/audit",
    "/health",
)


@pytest.mark.parametrize("path", READS)
def test_reads_with_data_match_the_declared_schema(path: str, book_with_state: Live) -> None:
    live = book_with_state
    main = live.get("/api/v1/contract")["main_contract"]
    route, _, query = path.partition("?")
    params = dict(p.split("=") for p in query.split("&")) if query else {}
    wait_for(lambda: live.get_or_none(f"/api/v1/market/{main}/tick"))  # quoted by now
    body = live.get(f"/api/v1{route.format(main=main)}", **params)
    operation = DOCUMENT["paths"][f"/api/v1{route.replace('{main}', '{symbol}')}"]["get"]
    schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert schema, f"{path}: no response schema declared"
    validator = jsonschema_rs.Draft202012Validator({**schema, "components": DOCUMENT["components"]})
    errors = [f"{e.instance_path}: {e.message}" for e in validator.iter_errors(body)]
    assert not errors, (path, errors[:3])
