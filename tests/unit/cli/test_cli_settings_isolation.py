"""Reading one configuration file does not decide the next settings read."""

from pathlib import Path

from arbig.config import Settings, load_settings


def test_a_config_file_read_once_is_not_read_into_later_settings(tmp_path: Path) -> None:
    config = tmp_path / "arbig.toml"
    config.write_text('[strategy]\nname = "ma_crossover"\nautostart = true\n', encoding="utf-8")

    assert load_settings(config).strategy.autostart
    assert not Settings().strategy.autostart
    assert not load_settings().strategy.autostart
