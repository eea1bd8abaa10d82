"""`arbig data list | synth | compact` on a catalog folder."""

from datetime import date
from pathlib import Path

from clikit import invoke

from arbig.catalog import Catalog


def test_synth_writes_trading_days_that_list_shows(tmp_path: Path) -> None:
    result = invoke(
        "data", "synth", "--days", "1", "--symbol", "au2702", "--end", "2026-11-29",
        "--data-dir", str(tmp_path),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "au2702: 1 trading days 2026-11-27 .. 2026-11-27, 66,600 ticks" in result.output
    assert Catalog(tmp_path / "catalog").days("au2702") == [date(2026, 11, 27)]
    listed = invoke("data", "list", "--data-dir", str(tmp_path))
    assert listed.exit_code == 0 and "au2702" in listed.output and "66,600" in listed.output
    days = invoke("data", "list", "au2702", "--catalog", str(tmp_path / "catalog"))
    assert "2026-11-27" in days.output


def test_an_empty_catalog_says_how_to_fill_it(tmp_path: Path) -> None:
    result = invoke("data", "list", "--catalog", str(tmp_path))
    assert result.exit_code == 0
    assert "arbig data synth" in result.output
    missing = invoke("data", "list", "au2612", "--catalog", str(tmp_path))
    assert missing.exit_code == 1 and "holds no ticks of au2612" in missing.output


def test_bad_options_get_one_line(tmp_path: Path) -> None:
    bad_day = invoke("data", "synth", "--days", "1", "--end", "2026-13-01", "--catalog", "x")
    assert bad_day.exit_code == 2 and "--end: '2026-13-01' is not a day" in bad_day.output
    bad_symbol = invoke("data", "synth", "--days", "1", "--symbol", "gold", "--catalog", "x")
    assert bad_symbol.exit_code == 2 and "--symbol:" in bad_symbol.output
    assert invoke("data", "compact", "--catalog", str(tmp_path)).output.strip() == (
        "nothing to compact"
    )
