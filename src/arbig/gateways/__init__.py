"""Gateway adapters, chosen by name through ``registry``: ``sim`` (the simulated exchange)."""
