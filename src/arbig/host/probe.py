"""What a core of the split deployment answers its supervisor, its load balancer and
Prometheus (docs/deployment.md, "Probing the core"): served by ``arbig.web.probe``.

- liveness: 200 while the process's event loop answers, whatever its state;
- readiness: 200 only for the active core that holds a valid lease and whose gateway
  is connected; 429 for a standby (a distinct code, so that a monitor tells a healthy
  standby from a failing core); 503 while it starts, once fenced (its lease lost or
  lapsed), while it stops, and while its gateway is down;
- metrics: the active runtime's registry, or the process's own while a standby, with
  ``arbig_core_state`` saying which.
"""

import asyncio
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol

from prometheus_client import CollectorRegistry, PlatformCollector, ProcessCollector
from prometheus_client import generate_latest as exposition_of
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from arbig.api.health import ComponentState
from arbig.host.core_role import CoreRuntime

HEALTH_TIMEOUT_S = 2.0
STANDBY_STATUS = 429  # as other HA services answer for a healthy standby


class CoreState(StrEnum):
    STANDBY = "standby"
    STARTING = "starting"
    ACTIVE = "active"
    FENCED = "fenced"
    STOPPING = "stopping"


class Lease(Protocol):
    """The lease as the probe reads it (``arbig.host.lease.CoreLease``)."""

    holder: str

    def valid(self) -> bool: ...

    @property
    def held(self) -> bool: ...

    def token(self) -> int: ...


class Role(Protocol):
    """The role as the probe reads it (``arbig.host.core_role.CoreRole``)."""

    active: bool
    runtime: CoreRuntime | None


@dataclass(frozen=True, slots=True)
class Answer:
    status: int
    body: dict[str, Any] = field(default_factory=dict)


class CoreProbe:
    """The core role's state as probes see it. ``leased`` is set by the role's runner
    once it took the lease; ``stopping`` is the runner's stop signal."""

    def __init__(
        self,
        lease: Lease,
        role: Role,
        stopping: asyncio.Event,
        *,
        health_timeout_s: float = HEALTH_TIMEOUT_S,
    ) -> None:
        self._lease = lease
        self._health_timeout_s = health_timeout_s
        self._role = role
        self._stopping = stopping
        self.leased = False
        # The process's own metrics while no runtime is active; the state beside either.
        self._standby = CollectorRegistry()
        ProcessCollector(registry=self._standby)
        PlatformCollector(registry=self._standby)
        self._state = CollectorRegistry()
        self._state.register(_StateCollector(self))

    def state(self) -> CoreState:
        if self._stopping.is_set():
            return CoreState.STOPPING
        if not self.leased:
            return CoreState.STANDBY
        if not self._lease.valid():
            return CoreState.FENCED
        if not self._role.active or self._role.runtime is None:
            return CoreState.STARTING
        return CoreState.ACTIVE

    def liveness(self) -> Answer:
        return Answer(200, {"status": "up", "state": self.state().value})

    async def readiness(self) -> Answer:
        state = self.state()
        body: dict[str, Any] = {"status": state.value, "core": self._lease.holder}
        if self._lease.held:
            body["lease_token"] = self._lease.token()
        if state is CoreState.STANDBY:
            return Answer(STANDBY_STATUS, body)
        runtime = self._role.runtime
        if state is not CoreState.ACTIVE or runtime is None:
            return Answer(503, body)
        try:
            health = await asyncio.wait_for(runtime.client.health(), self._health_timeout_s)
        except Exception as exc:  # a runtime stopping under it, or hung: not ready
            return Answer(503, {**body, "status": "not ready", "detail": repr(exc)[:200]})
        components = {name: c.state.value for name, c in health.components.items()}
        body |= {"health": health.status.value, "components": components}
        gateway = health.components.get("gateway")
        if gateway is None or gateway.state is not ComponentState.UP:
            detail = gateway.detail if gateway is not None else "no gateway"
            return Answer(503, {**body, "status": "not ready", "detail": f"gateway: {detail}"})
        return Answer(200, body)

    def exposition(self) -> bytes:
        """The active runtime's metrics, or this process's while it has none; then the
        core's state."""
        runtime = self._role.runtime if self._role.active else None
        base = runtime.metrics.exposition() if runtime is not None else exposition_of(self._standby)
        return base + exposition_of(self._state)


class _StateCollector(Collector):
    def __init__(self, probe: CoreProbe) -> None:
        self._probe = probe

    def describe(self) -> list[Metric]:
        return []

    def collect(self) -> list[Metric]:
        family = GaugeMetricFamily(
            "arbig_core_state", "The core role's state: 1 for the one it is in", labels=["state"]
        )
        now = self._probe.state()
        for state in CoreState:
            family.add_metric([state.value], 1.0 if state is now else 0.0)
        return [family]
