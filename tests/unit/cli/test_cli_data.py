"""`arbig data list | synth | compact` on a catalog folder."""

from datetime import date
from pathlib import Path

from clikit import invoke

from arbig.catalog import Catalog


def flat(text: str) -> str:
    """Rich wraps long lines at the terminal's width: the words, one space apart."""
    return " ".join(text.split())


def test_synth_writes_trading_days_that_list_shows(tmp_path: Path) -> None:
    result = invoke(
        "data", "synth", "--days", "1", "--symbol", "au2702", "--end", "2026-11-29",
        "--data-dir", str(tmp_path),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "au2702: 1 trading days 2026-11-27 .. 2026-11-27, 66,600 ticks" in flat(result.output)
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
    expired = invoke(
        "data", "synth", "--days", "1", "--symbol", "au2612", "--end", "2026-12-16",
        "--catalog", "x",
    )  # fmt: skip
    assert expired.exit_code == 2 and "au2612 stops trading on 2026-12-15" in flat(expired.output)
    assert invoke("data", "compact", "--catalog", str(tmp_path)).output.strip() == (
        "nothing to compact"
    )


def test_import_reports_each_file_and_fails_for_the_refused_one(tmp_path: Path) -> None:
    good = tmp_path / "good.csv"
    good.write_text(
        "symbol,datetime,last_price,volume\n"
        "au2702,2026-11-30 09:00:01,920.02,10\n"
        "au2702,2026-11-30 09:00:02,0,11\n"
    )
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    result = invoke("data", "import", str(good), str(empty), "--catalog", str(tmp_path / "c"))
    assert result.exit_code == 1
    assert "2 rows read, 1 imported into 1 trading days of au2702" in flat(result.output)
    assert "bad_price" in result.output
    assert "empty.csv: the file is empty: nothing imported" in flat(result.output)
    out = tmp_path / "out.csv"
    exported = invoke("data", "export", "au2702", "-o", str(out), "--catalog", str(tmp_path / "c"))
    assert exported.exit_code == 0 and "1 ticks of au2702 (csv)" in flat(exported.output)
    assert out.read_text().count("\n") == 2
    missing = invoke("data", "export", "au2612", "-o", str(out), "--catalog", str(tmp_path / "c"))
    assert missing.exit_code == 1 and "holds nothing of au2612" in flat(missing.output)
    bad_map = invoke("data", "import", str(good), "--map", "price", "--catalog", "x")
    assert bad_map.exit_code == 2 and "--map: 'price' is not FIELD=COLUMN" in bad_map.output


def test_a_recording_killed_before_its_first_batch_lists_no_day(tmp_path: Path) -> None:
    folder = tmp_path / "journal" / "ticks" / "au2702" / "2026-11-30"
    folder.mkdir(parents=True)
    (folder / "20261127T210000-1-1.arrows.part").write_bytes(b"")
    listed = invoke("data", "list", "--catalog", str(tmp_path))
    assert listed.exit_code == 0 and "is empty" in flat(listed.output)
    one = invoke("data", "list", "au2702", "--catalog", str(tmp_path))
    assert one.exit_code == 1 and "holds no ticks of au2702" in one.output
    compacted = invoke("data", "compact", "--catalog", str(tmp_path))
    assert compacted.exit_code == 0
    assert "ticks au2702 2026-11-30: 1 empty segment removed" in flat(compacted.output)
    assert not folder.exists()
