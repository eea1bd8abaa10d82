"""Gateways by name: the ``gateway`` setting (``ARBIG_GATEWAY``) picks one of these.

The assembly asks ``build_gateway(settings.gateway, parts)``; an adapter is added
by registering a factory under its name: ``sim``, ``paper`` (docs/paper-trading.md) and
``sim-link`` (the simulated exchange shared by the cores of a split deployment).
"""

from collections.abc import Callable
from dataclasses import dataclass

from arbig.clock import Clock
from arbig.config import Settings
from arbig.domain.calendar import TradingCalendar
from arbig.domain.contract import ContractSpec
from arbig.gateways.base import Fence, Gateway, GatewayError, TradingAccount
from arbig.gateways.sim import SimGateway, default_state_path
from arbig.gateways.simlink.gateway import SimLinkGateway


class UnknownGateway(ValueError):
    """The configured gateway name is not registered; the message lists the known ones."""


@dataclass(frozen=True, slots=True)
class GatewayParts:
    """What the assembly hands a gateway factory."""

    settings: Settings
    spec_for: Callable[[str], ContractSpec]
    calendar: TradingCalendar
    clock: Clock
    fence: Fence | None = None  # the core's lease, in the split deployment


GatewayFactory = Callable[[GatewayParts], Gateway]


class GatewayRegistry:
    """Gateway factories by name."""

    def __init__(self) -> None:
        self._factories: dict[str, GatewayFactory] = {}

    def register(self, name: str, factory: GatewayFactory) -> None:
        if name in self._factories:
            raise ValueError(f"a gateway named {name!r} is already registered")
        self._factories[name] = factory

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(sorted(self._factories))

    def check(self, name: str) -> None:
        """UnknownGateway (one line, naming the setting and the known gateways) unless
        ``name`` is registered."""
        if name not in self._factories:
            raise UnknownGateway(
                f"unknown gateway {name!r} (setting gateway, env ARBIG_GATEWAY); "
                f"known gateways: {', '.join(self.names)}"
            )

    def build(self, name: str, parts: GatewayParts) -> Gateway:
        self.check(name)
        return self._factories[name](parts)


def _sim(parts: GatewayParts) -> Gateway:
    return SimGateway(
        parts.settings,
        parts.spec_for,
        parts.calendar,
        default_state_path(parts.settings),
        parts.clock,
    )


def _sim_link(parts: GatewayParts) -> Gateway:
    settings = parts.settings
    if parts.fence is None or not settings.redis_url:
        raise GatewayError(
            "gateway sim-link reaches the shared simulated exchange (arbig sim-exchange): it "
            "runs in a core of the split deployment (arbig run --role core, ARBIG_REDIS_URL)"
        )
    sim = settings.sim
    return SimLinkGateway(
        settings.redis_url,
        settings.split.prefix,
        TradingAccount(sim.account_id, sim.capital),
        parts.fence,
        timeout_s=sim.link_timeout_s,
    )


def _paper(parts: GatewayParts) -> Gateway:
    from arbig.gateways.paper.build import build_paper  # the CTP library loads on demand

    return build_paper(parts.settings, parts.spec_for, parts.calendar, parts.clock)


GATEWAYS = GatewayRegistry()
GATEWAYS.register("sim", _sim)
GATEWAYS.register("sim-link", _sim_link)
GATEWAYS.register("paper", _paper)
