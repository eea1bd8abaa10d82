"""Gateways by name: the ``gateway`` setting picks a registered adapter."""

from decimal import Decimal
from pathlib import Path

import pytest
from simkit import make_settings, spec_for

from arbig.ctpconfig import CtpSettings
from arbig.domain.calendar import TradingCalendar
from arbig.gateways.base import Gateway, GatewayError, TradingAccount
from arbig.gateways.paper import PaperGateway
from arbig.gateways.registry import GATEWAYS, GatewayParts, GatewayRegistry, UnknownGateway
from arbig.gateways.sim import SimGateway
from arbig.paperconfig import PaperSettings
from arbig.testkit import monday_clock


def parts(tmp_path: Path, **sim: object) -> GatewayParts:
    settings = make_settings(**sim).model_copy(update={"data_dir": tmp_path})
    return GatewayParts(settings, spec_for, TradingCalendar.gold(), monday_clock())


def test_sim_is_a_registered_gateway_and_the_default_setting(tmp_path: Path) -> None:
    assert {"sim", "paper"} <= set(GATEWAYS.names)
    assert make_settings().gateway == "sim"
    assert isinstance(GATEWAYS.build("sim", parts(tmp_path)), SimGateway)


def test_an_unknown_name_is_refused_with_the_known_ones() -> None:
    with pytest.raises(UnknownGateway) as refused:
        GATEWAYS.check("ib")
    assert str(refused.value) == (
        "unknown gateway 'ib' (setting gateway, env ARBIG_GATEWAY); known gateways: "
        + ", ".join(sorted(GATEWAYS.names))
    )


def test_a_registered_factory_is_built_with_the_assembly_parts(tmp_path: Path) -> None:
    registry = GatewayRegistry()
    built: list[GatewayParts] = []

    def factory(given: GatewayParts) -> Gateway:
        built.append(given)
        return GATEWAYS.build("sim", given)

    registry.register("paper", factory)
    given = parts(tmp_path)
    registry.build("paper", given)
    assert built == [given]
    assert registry.names == ("paper",)
    with pytest.raises(UnknownGateway, match=r"known gateways: paper$"):
        registry.build("sim", given)


def test_a_name_is_registered_once() -> None:
    with pytest.raises(ValueError, match="already registered"):
        GATEWAYS.register("sim", lambda given: GATEWAYS.build("sim", given))


def test_the_sim_gateway_reports_the_account_of_its_own_settings(tmp_path: Path) -> None:
    gateway = GATEWAYS.build("sim", parts(tmp_path, account_id="demo-7", capital="250000"))
    assert gateway.account() == TradingAccount("demo-7", Decimal("250000"))


def test_paper_without_market_data_fronts_names_the_missing_settings(tmp_path: Path) -> None:
    with pytest.raises(GatewayError) as refused:
        GATEWAYS.build("paper", parts(tmp_path))
    message = str(refused.value)
    assert message.startswith("paper trading cannot start: ")
    assert "ctp.md_fronts" in message
    assert "ctp.td_fronts" not in message  # paper needs no trader session


def test_paper_is_built_from_the_ctp_and_paper_settings(tmp_path: Path) -> None:
    given = parts(tmp_path)
    settings = given.settings.model_copy(
        update={
            "ctp": CtpSettings(
                md_fronts=["tcp://127.0.0.1:1"], broker_id="9999", investor_id="000001"
            ),
            "paper": PaperSettings(account_id="paper-7", capital=Decimal("500000")),
        }
    )
    gateway = GATEWAYS.build("paper", GatewayParts(settings, spec_for, given.calendar, given.clock))
    assert isinstance(gateway, PaperGateway)
    assert gateway.account() == TradingAccount("paper-7", Decimal("500000"))
