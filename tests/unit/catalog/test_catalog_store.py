"""The catalog keeps what it is given, exactly, by contract and trading day."""

from datetime import date
from pathlib import Path

import pyarrow as pa
import pytest
from catalogkit import SYMBOL, some_ticks, synth

from arbig.catalog import Catalog
from arbig.catalog.catalog import CatalogError, build_bars
from arbig.catalog.layout import Kind

MONDAY = date(2026, 11, 30)
TUESDAY = date(2026, 12, 1)


def test_ticks_come_back_exactly_as_written(tmp_path: Path) -> None:
    ticks = some_ticks(MONDAY)
    catalog = Catalog(tmp_path)
    catalog.write_ticks(SYMBOL, MONDAY, ticks)
    back = list(catalog.ticks(SYMBOL))
    assert back == ticks
    assert [str(t.last_price) for t in back] == [str(t.last_price) for t in ticks]
    assert [str(t.turnover) for t in back] == [str(t.turnover) for t in ticks]
    assert back[0].datetime.tzinfo is ticks[0].datetime.tzinfo
    assert {*back} == {*ticks}  # hashable like any Tick
    with pytest.raises(AttributeError):
        back[0].volume = 1  # type: ignore[misc]  # still frozen


def test_bars_are_built_from_the_written_ticks(tmp_path: Path) -> None:
    ticks = synth().day(MONDAY)
    catalog = Catalog(tmp_path)
    catalog.write_ticks(SYMBOL, MONDAY, ticks)
    bars = list(catalog.bars(SYMBOL))
    assert bars == build_bars(SYMBOL, ticks)
    assert len(bars) == 555  # 330 night minutes and 225 day minutes
    assert all(bar.trading_day == MONDAY for bar in bars)


def test_days_and_ranges(tmp_path: Path) -> None:

    catalog = Catalog(tmp_path)
    for day in (MONDAY, TUESDAY):
        catalog.write_ticks(SYMBOL, day, some_ticks(day, 50))
    assert catalog.symbols() == [SYMBOL]
    assert catalog.days(SYMBOL) == [MONDAY, TUESDAY]
    assert {t.trading_day for t in catalog.ticks(SYMBOL, first=TUESDAY)} == {TUESDAY}
    assert {t.trading_day for t in catalog.ticks(SYMBOL, last=MONDAY)} == {MONDAY}
    assert len(list(catalog.ticks(SYMBOL))) == 100
    table = catalog.tick_table(SYMBOL)
    assert isinstance(table, pa.Table) and table.num_rows == 100
    assert table.column_names[:4] == ["symbol", "exchange", "datetime", "trading_day"]
    assert catalog.days("au2704") == []


def test_a_failed_write_leaves_the_catalog_as_it_was(tmp_path: Path) -> None:
    catalog = Catalog(tmp_path)
    good = some_ticks(MONDAY, 20)
    wrong_day = some_ticks(TUESDAY, 20)
    with pytest.raises(CatalogError, match="2026-12-01"):
        catalog.write_days(SYMBOL, {MONDAY: good, TUESDAY: good})
    with pytest.raises(CatalogError, match="nothing to write"):
        catalog.write_days(SYMBOL, {MONDAY: good, TUESDAY: []})
    assert catalog.days(SYMBOL) == []
    catalog.write_days(SYMBOL, {MONDAY: good, TUESDAY: wrong_day})
    assert catalog.days(SYMBOL) == [MONDAY, TUESDAY]
    assert not list(tmp_path.rglob("*.tmp"))


def test_writing_a_day_again_replaces_it(tmp_path: Path) -> None:
    catalog = Catalog(tmp_path)
    catalog.write_ticks(SYMBOL, MONDAY, some_ticks(MONDAY, 30))
    catalog.write_ticks(SYMBOL, MONDAY, some_ticks(MONDAY, 10, seed=9))
    assert list(catalog.ticks(SYMBOL)) == some_ticks(MONDAY, 10, seed=9)
    assert catalog.day_table(Kind.BARS, SYMBOL, MONDAY) is not None


def test_a_symbol_that_is_no_contract_code_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="not a contract symbol"):
        Catalog(tmp_path).days("../etc")
