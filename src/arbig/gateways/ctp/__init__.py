"""The live CTP gateway (``gateway = "ctp"``): trader and market-data sessions.

Nothing here imports openctp-ctp at package import: the library aborts the process
when the zh_CN.GB18030 locale is missing, so ``environment.ctp_problems`` is checked
first and the modules that need the library import it themselves.
"""
