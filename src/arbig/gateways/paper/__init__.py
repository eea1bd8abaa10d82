"""Paper trading on real quotes (``gateway = "paper"``): CTP market data, ARBIG's own
matching engine, the broker's margin and commission rates."""

from arbig.gateways.paper.gateway import STATE_FILE_NAME, MarketFeed, PaperGateway

__all__ = ["STATE_FILE_NAME", "MarketFeed", "PaperGateway"]
