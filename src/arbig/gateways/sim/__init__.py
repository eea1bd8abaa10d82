"""The simulated exchange: a price path, a paper matching engine and a broker-like state file."""

from arbig.gateways.sim.gateway import SimGateway, default_state_path
from arbig.gateways.sim.state import STATE_FILE_NAME

__all__ = ["STATE_FILE_NAME", "SimGateway", "default_state_path"]
