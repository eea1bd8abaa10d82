"""The simulated exchange shared by the cores of a split deployment: ``arbig sim-exchange``
runs it as its own process (``exchange.py``); each core reaches it through the
``sim-link`` gateway (``gateway.py``) over Redis (``wire.py``). docs/deployment.md."""
