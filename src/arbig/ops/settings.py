"""Settings of the operations side: metrics, notifications, protections, maintenance.

Part of ``arbig.config.Settings`` (``[metrics]``, ``[notify]``, ``[protections]``,
``[maintenance]``); documented in docs/configuration.md and docs/monitoring.md.
"""

from pydantic import BaseModel, Field


class MetricsSettings(BaseModel):
    """``/metrics`` in Prometheus' text format."""

    require_token: bool = Field(
        True, description="/metrics on the console's port needs the operator's credential"
    )
    port: int | None = Field(
        None, ge=1, le=65535, description="also serve /metrics on 127.0.0.1:PORT, no credential"
    )
