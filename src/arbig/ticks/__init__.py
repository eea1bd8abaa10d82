"""The tick store: latest quote and recent history per symbol (memory or Redis Streams)."""
