"""Hosts of the trading core: how a core is run and reached.

``local`` implements the contract (``arbig.api.client.CoreClient``) for a core in
this process; ``embedded`` serves the console on one. The split deployment adds a
client over the bus here, with no change to the web layer.
"""
