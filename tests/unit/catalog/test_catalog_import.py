"""`arbig data import`: each CSV format, bad rows reported, a file whole or not at all."""

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from catalogkit import CALENDAR, SYMBOL, some_ticks

from arbig.catalog import Catalog, importer
from arbig.catalog.export import export
from arbig.catalog.importer import ImportRefused, ImportReport, import_file
from arbig.catalog.journal import SegmentWriter
from arbig.catalog.schema import TICKS
from arbig.config import ProductSettings

MONDAY = date(2026, 11, 30)  # its night session is on Friday 27 November
SPEC_FOR = ProductSettings().spec
CTP_HEADER = (
    "TradingDay,InstrumentID,ExchangeID,LastPrice,PreSettlementPrice,PreClosePrice,"
    "OpenPrice,HighestPrice,LowestPrice,Volume,Turnover,OpenInterest,UpperLimitPrice,"
    "LowerLimitPrice,UpdateTime,UpdateMillisec,BidPrice1,BidVolume1,AskPrice1,AskVolume1,"
    "ActionDay"
)
DBL_MAX = "1.7976931348623157e+308"


def ctp_row(clock: str, ms: int, price: str, volume: int, action: str = "20261127") -> str:
    return (
        f"20261130,au2702,SHFE,{price},920.00,919.80,920.00,921.00,919.00,{volume},"
        f"{volume * 920000}.0,170000,993.60,846.40,{clock},{ms},{price},3,921.00,4,{action}"
    )


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def run(catalog: Catalog, path: Path, **options: Any) -> ImportReport:
    return import_file(catalog, path, SPEC_FOR, CALENDAR, **options)


def test_a_ctp_dump_imports_its_ticks_and_reports_the_bad_rows(tmp_path: Path) -> None:
    rows = [
        ctp_row("21:00:00", 500, "920.02", 10),
        ctp_row("21:00:01", 0, "920.04", 12),
        ctp_row("21:00:01", 0, "920.04", 12),  # the same snapshot twice
        ctp_row("21:00:01", 500, DBL_MAX, 12),  # no last price
        ctp_row("21:00:02", 0, "920.03", 13),  # off the 0.02 grid
        ctp_row("21:00:02", 500, "920.06", 11),  # volume went back: stale
        ctp_row("18:30:00", 0, "920.06", 14),  # between sessions
        ctp_row("21:00:03", 0, "abc", 15),
        ctp_row("02:29:59", 500, "920.08", 20, action="20261128"),  # past midnight, Saturday
        "20261130,au2702,SHFE,920.10",  # too few fields
    ]
    path = write(tmp_path / "ctp.csv", "\n".join([CTP_HEADER, *rows]) + "\n")
    catalog = Catalog(tmp_path / "catalog")
    report = run(catalog, path)
    ticks = list(catalog.ticks(SYMBOL))
    assert [(str(t.datetime), str(t.last_price), t.volume) for t in ticks] == [
        ("2026-11-27 21:00:00.500000+08:00", "920.02", 10),
        ("2026-11-27 21:00:01+08:00", "920.04", 12),
        ("2026-11-28 02:29:59.500000+08:00", "920.08", 20),
    ]
    assert {t.trading_day for t in ticks} == {MONDAY}
    assert ticks[0].bid_price == ticks[0].last_price and ticks[0].ask_volume == 4
    assert report.rows == 10 and report.imported == 3
    assert dict(report.dropped) == {
        "duplicate": 1,
        "bad_price": 1,
        "off_tick": 1,
        "stale": 1,
        "out_of_session": 1,
        "unparsable": 2,
    }
    assert "line 4" in report.examples["duplicate"]


def test_a_night_dated_with_the_trading_day_is_put_on_its_evening(tmp_path: Path) -> None:
    # Some exchanges fill ActionDay with the trading day: Monday's night is Friday evening.
    rows = [ctp_row("21:00:00", 500, "920.02", 10, action="20261130")]
    path = write(tmp_path / "ctp.csv", "\n".join([CTP_HEADER, *rows]) + "\n")
    catalog = Catalog(tmp_path / "catalog")
    run(catalog, path)
    [tick] = catalog.ticks(SYMBOL)
    assert str(tick.datetime) == "2026-11-27 21:00:00.500000+08:00"


def test_a_gb18030_file_with_chinese_headers(tmp_path: Path) -> None:
    header = (
        "交易日,合约代码,最新价,数量,成交金额,持仓量,最后修改时间,最后修改毫秒,"
        "申买价一,申买量一,申卖价一,申卖量一,业务日期"
    )
    row = "20261130,au2702,920.02,10,9200200.0,170000,09:00:01,0,920.00,2,920.02,3,20261130"
    path = write(tmp_path / "行情.csv", f"{header}\n{row}\n", "gb18030")
    catalog = Catalog(tmp_path / "catalog")
    report = run(catalog, path)
    assert (report.format, report.encoding, report.imported) == ("ctp", "gb18030", 1)
    [tick] = catalog.ticks(SYMBOL)
    assert str(tick.datetime) == "2026-11-30 09:00:01+08:00" and tick.ask_volume == 3


def test_vnpy_datamanager_bars(tmp_path: Path) -> None:
    text = (
        "symbol,exchange,datetime,open,high,low,close,volume,turnover,open_interest\n"
        "au2702,SHFE,2026-11-30 09:00:00,920.0,920.4,919.8,920.2,12.0,11040000.0,170000.0\n"
        "au2702,SHFE,2026-11-30 09:01:00,920.2,920.0,919.8,920.0,3.0,2760000.0,170001.0\n"
        "au2702,SHFE,2026-11-27 21:00:00,919.0,919.2,918.8,919.0,5.0,4595000.0,169990.0\n"
    )
    catalog = Catalog(tmp_path / "catalog")
    report = run(catalog, write(tmp_path / "bars.csv", text))
    assert (report.format, report.kind, report.imported) == ("vnpy", "bars", 2)
    assert dict(report.dropped) == {"bad_bar": 1}
    bars = list(catalog.bars(SYMBOL))
    assert [str(b.start) for b in bars] == [
        "2026-11-27 21:00:00+08:00",
        "2026-11-30 09:00:00+08:00",
    ]
    assert {b.trading_day for b in bars} == {MONDAY} and bars[1].volume == 12
    assert catalog.days(SYMBOL) == [] and catalog.bar_days(SYMBOL) == [MONDAY]


def test_a_generic_file_with_a_column_mapping(tmp_path: Path) -> None:
    text = "time;px;qty\n".replace(";", ",") + (
        "2026/11/30 09:00:01.500,920.02,10\n2026/11/30 09:00:02,920.04,11\n"
    )
    path = write(tmp_path / "generic.csv", text)
    catalog = Catalog(tmp_path / "catalog")
    with pytest.raises(ImportRefused, match="no column for datetime, last_price"):
        run(catalog, path, fmt="generic", symbol=SYMBOL)
    with pytest.raises(ImportRefused, match="no symbol column; pass --symbol"):
        run(catalog, path, fmt="generic", mapping={"datetime": "time", "last_price": "px"})
    report = run(
        catalog,
        path,
        fmt="generic",
        symbol=SYMBOL,
        mapping={"datetime": "time", "last_price": "px", "volume": "qty"},
        datetime_format="%Y/%m/%d %H:%M:%S.%f",
    )
    assert dict(report.dropped) == {"unparsable": 1}
    [tick] = catalog.ticks(SYMBOL)
    assert (str(tick.last_price), tick.volume, tick.ask_price) == ("920.02", 10, tick.last_price)


def test_wrong_columns_and_empty_files_are_refused_and_import_nothing(tmp_path: Path) -> None:
    catalog = Catalog(tmp_path / "catalog")
    with pytest.raises(ImportRefused, match="the file is empty"):
        run(catalog, write(tmp_path / "empty.csv", "\n"))
    with pytest.raises(ImportRefused, match="cannot tell the format from the columns"):
        run(catalog, write(tmp_path / "odd.csv", "a,b\n1,2\n"))
    with pytest.raises(ImportRefused, match="not a ctp file: missing columns InstrumentID"):
        run(catalog, write(tmp_path / "ctp.csv", "TradingDay,UpdateTime\n1,2\n"))
    with pytest.raises(ImportRefused, match="no row could be imported") as refused:
        text = f"{CTP_HEADER}\n{ctp_row('21:00:00', 0, DBL_MAX, 1)}\n"
        run(catalog, write(tmp_path / "bad.csv", text))
    assert refused.value.report is not None and refused.value.report.dropped["bad_price"] == 1
    with pytest.raises(ImportRefused, match="not utf-8 text"):
        run(catalog, write(tmp_path / "gbk.csv", "合约\n", "gb18030"), encoding="utf-8")
    assert catalog.symbols() == []


def test_an_export_imports_back_exactly(tmp_path: Path) -> None:
    catalog = Catalog(tmp_path / "catalog")
    ticks = some_ticks(MONDAY, 20)
    export_dir = tmp_path / "a"
    export_dir.mkdir()
    source = Catalog(export_dir)
    source.write_ticks(SYMBOL, MONDAY, ticks)
    out = tmp_path / "ticks.csv"
    assert export(source, SYMBOL, out) == 20
    # An export imports back, exactly, as a generic file without a mapping.
    report = run(catalog, out, fmt="generic")
    assert report.imported == 20
    assert list(catalog.ticks(SYMBOL)) == ticks
    parquet = tmp_path / "ticks.parquet"
    assert export(source, SYMBOL, parquet, fmt="parquet") == 20
    assert export(source, SYMBOL, tmp_path / "bars.csv", bars=True) == len(
        list(source.bars(SYMBOL))
    )


def test_files_of_one_trading_day_add_up_and_a_second_import_doubles_nothing(
    tmp_path: Path,
) -> None:
    night = write(
        tmp_path / "night.csv", f"{CTP_HEADER}\n{ctp_row('21:00:00', 500, '920.02', 10)}\n"
    )
    day_row = ctp_row("09:00:01", 0, "920.04", 30, action="20261130")
    day = write(tmp_path / "day.csv", f"{CTP_HEADER}\n{day_row}\n")
    catalog = Catalog(tmp_path / "catalog")
    run(catalog, night)
    report = run(catalog, day)
    assert report.merged == 1
    assert [t.volume for t in catalog.ticks(SYMBOL)] == [10, 30]
    run(catalog, night)
    assert [t.volume for t in catalog.ticks(SYMBOL)] == [10, 30]
    replaced = run(catalog, day, replace=True)
    assert replaced.replaced == 1
    assert [t.volume for t in catalog.ticks(SYMBOL)] == [30]


def test_a_long_file_is_staged_day_by_day_and_committed_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importer, "STAGE_AFTER_ROWS", 2)
    days = [date(2026, 11, 30), date(2026, 12, 1), date(2026, 12, 2)]
    ticks = {day: some_ticks(day, 5, seed=day.day) for day in days}
    source = Catalog(tmp_path / "source")
    source.write_days(SYMBOL, ticks)
    out = tmp_path / "all.csv"
    export(source, SYMBOL, out)
    lines = out.read_text().splitlines()
    # The file comes back to the first day after the second: that day is read back.
    out.write_text("\n".join([lines[0], *lines[1:4], *lines[6:11], *lines[4:6], *lines[11:]]))
    catalog = Catalog(tmp_path / "catalog")
    report = run(catalog, out, fmt="generic")
    assert report.imported == 15 and report.days == {SYMBOL: days}
    assert list(catalog.ticks(SYMBOL)) == [t for day in days for t in ticks[day]]
    assert not list((tmp_path / "catalog").rglob("*.tmp"))


def test_a_failure_after_days_were_staged_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importer, "STAGE_AFTER_ROWS", 2)
    days = [date(2026, 11, 30), date(2026, 12, 1), date(2026, 12, 2)]
    source = Catalog(tmp_path / "source")
    source.write_days(SYMBOL, {day: some_ticks(day, 5, seed=day.day) for day in days})
    out = tmp_path / "all.csv"
    export(source, SYMBOL, out)
    catalog = Catalog(tmp_path / "catalog")
    stage = catalog.stage
    calls = []

    def failing_stage(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == 3:
            raise OSError(28, "No space left on device")
        return stage(*args, **kwargs)

    monkeypatch.setattr(catalog, "stage", failing_stage)
    with pytest.raises(OSError, match="No space left"):
        run(catalog, out, fmt="generic")
    assert len(calls) == 3
    assert catalog.symbols() == []
    assert not list((tmp_path / "catalog").rglob("*.tmp"))


def test_a_generic_file_with_epoch_milliseconds(tmp_path: Path) -> None:
    # The tick stream's `timestamp` field: 2026-11-30 09:00:01.500 in Shanghai.
    path = write(tmp_path / "stream.csv", "timestamp,last_price\n1796000401500,920.02\nx,920.04\n")
    catalog = Catalog(tmp_path / "catalog")
    report = run(
        catalog,
        path,
        fmt="generic",
        symbol=SYMBOL,
        mapping={"datetime": "timestamp"},
        datetime_format="epoch_ms",
    )
    assert dict(report.dropped) == {"unparsable": 1}
    [tick] = catalog.ticks(SYMBOL)
    assert str(tick.datetime) == "2026-11-30 09:00:01.500000+08:00"


def test_an_import_into_a_day_being_recorded_doubles_nothing(tmp_path: Path) -> None:
    ticks = some_ticks(MONDAY, 20)
    catalog = Catalog(tmp_path / "catalog")
    segment = tmp_path / "catalog" / "journal" / "ticks" / SYMBOL / MONDAY.isoformat() / "s.arrows"
    writer = SegmentWriter(segment.with_name("s.arrows.part"), TICKS.schema, fsync=False)
    writer.append(TICKS.table(ticks[:10]))
    writer.close()
    source = Catalog(tmp_path / "source")
    source.write_ticks(SYMBOL, MONDAY, ticks[10:])
    export(source, SYMBOL, tmp_path / "rest.csv")
    report = run(catalog, tmp_path / "rest.csv", fmt="generic")
    assert report.merged == 1
    assert list(catalog.ticks(SYMBOL)) == ticks
    catalog.compact()
    assert list(catalog.ticks(SYMBOL)) == ticks


def test_ctp_dates_written_with_dashes(tmp_path: Path) -> None:
    row = ctp_row("21:00:00", 500, "920.02", 10).replace("20261130", "2026-11-30", 1)
    row = row.replace(",20261127", ",2026-11-27")
    catalog = Catalog(tmp_path / "catalog")
    run(catalog, write(tmp_path / "ctp.csv", f"{CTP_HEADER}\n{row}\n"))
    [tick] = catalog.ticks(SYMBOL)
    assert (tick.trading_day, str(tick.datetime)) == (MONDAY, "2026-11-27 21:00:00.500000+08:00")
