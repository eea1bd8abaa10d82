"""The contract between the trading core and whoever drives it (the web layer, the CLI).

Only value types and the ``CoreClient`` protocol live here; they depend on
``arbig.domain`` alone. The in-process implementation is ``arbig.host.local``; a
client over the bus for the split deployment implements the same protocol.
"""
