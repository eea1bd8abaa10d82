"""Gateway adapters: the simulated exchange, recorded-tick replay and live CTP."""
