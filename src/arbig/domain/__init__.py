"""Pure trading values and rules: no I/O, no asyncio, money as Decimal."""
