"""The market-data catalog: ticks and 1-minute bars in Parquet, by contract and trading
day (docs/data.md). An adapter: it knows the domain, never the engine."""

from arbig.catalog.catalog import Catalog as Catalog
