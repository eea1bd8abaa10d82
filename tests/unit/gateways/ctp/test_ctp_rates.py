"""The broker's answers to the session's queries (real CTP structs) as the broker tables
paper trading takes, written as a broker_tables file and read back unchanged."""

from decimal import Decimal
from pathlib import Path

from openctp_ctp import tdapi

from arbig.config import Settings
from arbig.domain.enums import Exchange, Offset
from arbig.gateways.ctp import tables as queried
from arbig.gateways.ctp.bridge import copy_fields
from arbig.gateways.ctp.rates import broker_tables
from arbig.gateways.tables import broker_tables_toml, load_broker_tables


def session_tables() -> queried.QueriedTables:
    instrument = tdapi.CThostFtdcInstrumentField()
    instrument.InstrumentID, instrument.ExchangeID, instrument.ProductID = "au2612", "SHFE", "au"
    instrument.VolumeMultiple, instrument.PriceTick = 1000, 0.02
    instrument.ExpireDate, instrument.IsTrading = "20261215", 1
    instrument.MaxLimitOrderVolume = 500
    margin = tdapi.CThostFtdcInstrumentMarginRateField()
    margin.InstrumentID = "au2612"
    margin.LongMarginRatioByMoney, margin.LongMarginRatioByVolume = 0.12, 0.0
    commission = tdapi.CThostFtdcInstrumentCommissionRateField()
    commission.InstrumentID = "au"
    commission.OpenRatioByVolume, commission.CloseRatioByVolume = 2.0, 2.0
    commission.CloseTodayRatioByVolume = 0.0
    commission.OpenRatioByMoney = 0.00001
    found = queried.QueriedTables()
    found.instruments["au2612"] = queried.Instrument.from_fields(copy_fields(instrument) or {})
    found.margin["au2612"] = queried.MarginRate.from_fields(copy_fields(margin) or {})
    found.commission["au"] = queried.CommissionRate.from_fields(copy_fields(commission) or {})
    return found


def test_the_queried_rates_become_the_specs_paper_trading_charges(tmp_path: Path) -> None:
    tables = broker_tables(session_tables())
    spec = tables.spec(Settings(main_contract="au2612").contract_spec("au2612"))
    assert spec.exchange is Exchange.SHFE
    assert spec.margin(Decimal("600.00"), 1) == Decimal("72000.00")
    # 2 yuan a lot plus 0.001 % of 600 000
    assert spec.commission(Offset.OPEN, 1, Decimal("600.00")) == Decimal("8.00")
    assert spec.commission(Offset.CLOSE_TODAY, 1, Decimal("600.00")) == Decimal("0.00")


def test_written_as_a_file_they_read_back_unchanged(tmp_path: Path) -> None:
    tables = broker_tables(session_tables())
    path = tmp_path / "broker.toml"
    path.write_text(broker_tables_toml(tables), encoding="utf-8")
    assert load_broker_tables(path) == tables
