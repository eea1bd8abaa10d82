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
from arbig.gateways.base import Fence, Gateway, GatewayError, StatementSink, TradingAccount
from arbig.gateways.ctp.environment import ctp_problems
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
    # where a broker session's settlement statements are kept (the ctp gateway's)
    statements: StatementSink | None = None
    fence: Fence | None = None  # the core's lease, in the split deployment


GatewayFactory = Callable[[GatewayParts], Gateway]
GatewayProblems = Callable[[Settings], list[str]]
"""What stops a gateway from starting with these settings, in a few words each."""


class GatewayRegistry:
    """Gateway factories by name."""

    def __init__(self) -> None:
        self._factories: dict[str, GatewayFactory] = {}
        self._problems: dict[str, GatewayProblems] = {}

    def register(
        self, name: str, factory: GatewayFactory, problems: GatewayProblems | None = None
    ) -> None:
        """``problems``: checked before anything starts (``arbig run``'s preflight); a
        gateway whose library can abort the process checks there what it needs."""
        if name in self._factories:
            raise ValueError(f"a gateway named {name!r} is already registered")
        self._factories[name] = factory
        if problems is not None:
            self._problems[name] = problems

    def problems(self, name: str, settings: Settings) -> list[str]:
        """What stops gateway ``name`` from starting (UnknownGateway if not registered)."""
        self.check(name)
        found = self._problems.get(name)
        return found(settings) if found is not None else []

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


def _sim_link_problems(settings: Settings) -> list[str]:
    if settings.redis_url:
        return []
    return [
        "gateway sim-link reaches the shared simulated exchange through Redis: set ARBIG_REDIS_URL"
    ]


def _paper(parts: GatewayParts) -> Gateway:
    from arbig.gateways.paper.build import build_paper  # the CTP library loads on demand

    return build_paper(parts.settings, parts.spec_for, parts.calendar, parts.clock)


def _paper_problems(settings: Settings) -> list[str]:
    from arbig.gateways.paper.build import paper_problems

    return paper_problems(settings)


def _ctp(parts: GatewayParts) -> Gateway:
    problems = ctp_problems(parts.settings.ctp)
    if problems:  # the library must not load: it aborts the process without the locale
        raise GatewayError("the ctp gateway cannot start: " + "; ".join(problems))
    from arbig.gateways.ctp.gateway import CtpGateway

    return CtpGateway(
        parts.settings,
        parts.spec_for,
        parts.calendar,
        parts.clock,
        statements=parts.statements,
    )


def _ctp_problems(settings: Settings) -> list[str]:
    return ctp_problems(settings.ctp)


GATEWAYS = GatewayRegistry()
GATEWAYS.register("sim", _sim)
GATEWAYS.register("sim-link", _sim_link, _sim_link_problems)
GATEWAYS.register("paper", _paper, _paper_problems)
GATEWAYS.register("ctp", _ctp, _ctp_problems)
