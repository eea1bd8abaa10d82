"""What the core role answers its probes: a standby apart from a failing core, the
active core ready only with its lease and its gateway, and metrics in either state."""

import asyncio
from dataclasses import dataclass, field

from prometheus_client.parser import text_string_to_metric_families
from starlette.testclient import TestClient

from arbig.api.health import Component, ComponentState, Health
from arbig.host.probe import STANDBY_STATUS, CoreProbe, CoreState
from arbig.ops.metrics import Metrics
from arbig.web.probe import probe_app

UP = ComponentState.UP


@dataclass
class Lease:
    holder: str = "host:1:abc"
    is_valid: bool = False
    held_token: int | None = None

    def valid(self) -> bool:
        return self.is_valid

    @property
    def held(self) -> bool:
        return self.held_token is not None

    def token(self) -> int:
        assert self.held_token is not None
        return self.held_token


@dataclass
class Client:
    gateway: ComponentState = ComponentState.UP
    hang: bool = False

    async def health(self) -> Health:
        if self.hang:
            await asyncio.sleep(60)
        parts = {
            "gateway": Component(self.gateway, "sim"),
            "database": Component(ComponentState.UP),
        }
        return Health(ComponentState.UP, "au2612", "test", 1.0, parts)


@dataclass
class Runtime:
    client: Client = field(default_factory=Client)
    metrics: Metrics = field(default_factory=Metrics)


@dataclass
class Role:
    active: bool = False
    runtime: Runtime | None = None


def rig(health_timeout_s: float = 2.0) -> tuple[CoreProbe, Lease, Role, asyncio.Event]:
    lease, role, stopping = Lease(), Role(), asyncio.Event()
    probe = CoreProbe(lease, role, stopping, health_timeout_s=health_timeout_s)  # type: ignore[arg-type]
    return probe, lease, role, stopping


def activate(probe: CoreProbe, lease: Lease, role: Role) -> Runtime:
    probe.leased = True
    lease.is_valid, lease.held_token = True, 7
    runtime = Runtime()
    role.active, role.runtime = True, runtime
    return runtime


def state_gauge(text: bytes) -> dict[str, float]:
    for family in text_string_to_metric_families(text.decode()):
        if family.name == "arbig_core_state":
            return {s.labels["state"]: s.value for s in family.samples}
    raise AssertionError("no arbig_core_state")


async def test_a_standby_answers_standby_with_a_code_of_its_own() -> None:
    probe, _, _, _ = rig()

    answer = await probe.readiness()

    assert probe.state() is CoreState.STANDBY
    assert (answer.status, answer.body["status"]) == (429, "standby")  # as documented
    assert answer.body["core"] == "host:1:abc"
    assert probe.liveness().status == 200


async def test_the_active_core_is_ready_with_its_lease_and_its_gateway() -> None:
    probe, lease, role, _ = rig()
    activate(probe, lease, role)

    answer = await probe.readiness()

    assert answer.status == 200
    assert answer.body["status"] == "active"
    assert answer.body["lease_token"] == 7
    assert answer.body["components"] == {"gateway": "up", "database": "up"}


async def test_a_disconnected_gateway_makes_the_active_core_not_ready() -> None:
    probe, lease, role, _ = rig()
    activate(probe, lease, role).client.gateway = ComponentState.DOWN

    answer = await probe.readiness()

    assert answer.status == 503
    assert answer.body["status"] == "not ready"
    assert answer.body["detail"] == "gateway: sim"


async def test_a_core_whose_lease_lapsed_is_fenced_not_standby() -> None:
    probe, lease, role, _ = rig()
    activate(probe, lease, role)
    lease.is_valid, lease.held_token = False, None  # lost: the keeper dropped it

    answer = await probe.readiness()

    assert (answer.status, answer.body["status"]) == (503, "fenced")
    assert probe.liveness().body == {"status": "up", "state": "fenced"}


async def test_a_leased_core_still_starting_or_stopping_is_not_ready() -> None:
    probe, lease, _, stopping = rig()
    probe.leased, lease.is_valid, lease.held_token = True, True, 3

    assert (await probe.readiness()).body["status"] == "starting"
    stopping.set()
    assert (await probe.readiness()).status == 503
    assert probe.state() is CoreState.STOPPING


async def test_a_hung_core_is_not_ready_rather_than_a_hung_probe() -> None:
    probe, lease, role, _ = rig(health_timeout_s=0.05)
    activate(probe, lease, role).client.hang = True

    answer = await probe.readiness()

    assert (answer.status, answer.body["status"]) == (503, "not ready")


def test_metrics_are_the_process_s_while_standby_and_the_runtime_s_once_active() -> None:
    probe, lease, role, _ = rig()

    standby = probe.exposition()
    assert state_gauge(standby)["standby"] == 1.0
    assert b"process_cpu_seconds_total" in standby
    assert b"arbig_http_request_duration_seconds" not in standby

    runtime = activate(probe, lease, role)
    runtime.metrics.commands_dead_lettered.inc()
    active = probe.exposition()
    assert state_gauge(active) == {state.value: float(state == "active") for state in CoreState}
    assert b"arbig_commands_dead_lettered_total 1.0" in active


def test_the_listener_serves_the_probes_and_guards_metrics_with_a_token() -> None:
    probe = rig()[0]

    async def known(token: str) -> bool:
        return token == "arbig_good"

    with TestClient(probe_app(probe, known)) as client:
        assert client.get("/health/live").json() == {"status": "up", "state": "standby"}
        assert client.get("/health/ready").status_code == STANDBY_STATUS
        refused = client.get("/metrics", headers={"Authorization": "Bearer arbig_bad"})
        assert refused.status_code == 401
        assert "arbig auth create-token" in refused.json()["detail"]
        assert client.get("/metrics").status_code == 401
        scraped = client.get("/metrics", headers={"Authorization": "Bearer arbig_good"})
        assert scraped.status_code == 200
        assert state_gauge(scraped.content)["standby"] == 1.0
    with TestClient(probe_app(probe)) as client:  # on loopback: no token
        assert client.get("/metrics").status_code == 200
