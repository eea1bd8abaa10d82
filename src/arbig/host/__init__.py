"""The in-process implementation of the contract (``arbig.api.client.CoreClient``).

``local`` is the client of a core in this process, built by the assembly
(``arbig.runtime``); ``arbig.embedded`` serves the console on it. The split
deployment adds a client over the bus beside it, with no change to the web layer.
"""
