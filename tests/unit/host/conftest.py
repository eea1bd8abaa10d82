"""The host's specifications share the strategy tests' core rig (``corekit``)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1] / "strategy"))
