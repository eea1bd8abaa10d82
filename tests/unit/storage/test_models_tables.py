"""``TABLES`` (what `arbig db tables` lists) names every table the models define."""

from arbig.storage.models import TABLES, Base


def test_tables_names_every_mapped_table() -> None:
    assert set(TABLES) == set(Base.metadata.tables)
    assert "strategy_handovers" in TABLES
