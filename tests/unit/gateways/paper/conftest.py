"""Paper trading is driven here by CTP's real market-data structs, so these tests share
the CTP tests' kit (``mdkit``) and the simulator's (``simkit``), and, like the CTP
tests, are only collected where the library can load (its locale present)."""

import sys
from pathlib import Path

from arbig.gateways.ctp.environment import locale_available

_HERE = Path(__file__).resolve().parent
for kit in (_HERE.parent / "ctp", _HERE.parent):
    if str(kit) not in sys.path:
        sys.path.append(str(kit))

collect_ignore_glob = [] if locale_available() else ["test_*.py"]
