"""Optional exporters of market data to outside systems (InfluxDB)."""
