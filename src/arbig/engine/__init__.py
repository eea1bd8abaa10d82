"""The trading core: order management, portfolio, risk and the event bus that ties them."""
