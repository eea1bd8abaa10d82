"""The ``paper`` gateway from the settings: CTP market data from the ``[ctp]``
market-data fronts, the ``[paper]`` account, its books in the data folder."""

from collections.abc import Callable

from arbig.clock import Clock
from arbig.config import Settings
from arbig.domain.calendar import TradingCalendar
from arbig.domain.contract import ContractSpec
from arbig.gateways.base import Gateway, GatewayError, TradingAccount
from arbig.gateways.ctp.environment import ctp_problems
from arbig.gateways.ctp.settings import resolve_login
from arbig.gateways.paper.gateway import STATE_FILE_NAME, PaperGateway


def paper_problems(settings: Settings) -> list[str]:
    """What stops paper trading from starting (the library, the locale, the market-data
    settings); empty when ready."""
    return ctp_problems(settings.ctp, trader=False)


def build_paper(
    settings: Settings,
    spec_for: Callable[[str], ContractSpec],
    calendar: TradingCalendar,
    clock: Clock,
) -> Gateway:
    """The paper gateway; GatewayError names what is missing."""
    problems = paper_problems(settings)
    if problems:
        raise GatewayError("paper trading cannot start: " + "; ".join(problems))
    from arbig.gateways.ctp.md import CtpMarketData, MdLogin  # loads the CTP library

    login = resolve_login(settings.ctp)
    flow_dir = settings.ctp.flow_dir or settings.data_dir / "ctp"
    feed = CtpMarketData(
        login.md_fronts,
        MdLogin(login.broker_id, login.user_id, login.password),
        flow_dir / "md",
        spec_for,
        calendar,
        clock,
    )
    return PaperGateway(
        TradingAccount(settings.paper.account_id, settings.paper.capital),
        feed,
        spec_for,
        calendar,
        settings.data_dir / STATE_FILE_NAME,
        clock,
    )
