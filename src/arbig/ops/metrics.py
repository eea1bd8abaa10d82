"""The Prometheus registry of one running ARBIG, and the families measured as they happen.

Families whose value is read at scrape time (the account, the writer's queue, the
trading state, ...) come from collectors registered by ``arbig.ops.observe``; the ones
here are counted or timed where the event happens (a request served, a tick handed
to the WebSocket clients, a batch committed, a log line, a notification).

Names follow Prometheus' conventions: the unit in the name (``_seconds``, ``_yuan``,
``_bytes``), counters end in ``_total``, and every label takes a bounded set of values
(a contract, a route template, a rule name; never an order id or a topic).
"""

import logging
from collections.abc import Callable

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    PlatformCollector,
    ProcessCollector,
    generate_latest,
)
from prometheus_client.registry import Collector

__all__ = ["CONTENT_TYPE_LATEST", "Metrics"]

# Tick to WebSocket is sub-millisecond in process; REST a few ms; a commit a few ms to
# seconds when the database is away.
FAST_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)
SLOW_BUCKETS = (0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class Metrics:
    """One registry per running system (tests build many in one process)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        ProcessCollector(registry=self.registry)  # process_cpu_seconds_total, ..._memory_bytes
        PlatformCollector(registry=self.registry)
        r = self.registry
        self.http_duration = Histogram(
            "arbig_http_request_duration_seconds",
            "REST request latency, by route template, method and status class",
            ["route", "method", "status"],
            buckets=FAST_BUCKETS,
            registry=r,
        )
        self.tick_to_websocket = Histogram(
            "arbig_tick_to_websocket_seconds",
            "From a tick's exchange time to its frame handed to the WebSocket clients",
            buckets=FAST_BUCKETS,
            registry=r,
        )
        self.websocket_slow_dropped = Counter(
            "arbig_websocket_slow_clients_dropped",
            "WebSocket clients closed for falling too far behind",
            registry=r,
        )
        self.writer_commit = Histogram(
            "arbig_writer_commit_duration_seconds",
            "Time to commit one batch of the book writer",
            buckets=SLOW_BUCKETS,
            registry=r,
        )
        self.log_messages = Counter(
            "arbig_log_messages",
            "Application log records, by level (warning and above)",
            ["level"],
            registry=r,
        )
        self.notifications = Counter(
            "arbig_notifications",
            "Notifications by channel and outcome: sent, failed, skipped (breaker open)",
            ["channel", "outcome"],
            registry=r,
        )
        self.notifications_dropped = Counter(
            "arbig_notifications_dropped",
            "Notifications not queued or pushed out: queue_full, rate_limited, quiet_hours",
            ["reason"],
            registry=r,
        )
        self.notification_queue = Gauge(
            "arbig_notification_queue_depth", "Notifications waiting to be sent", registry=r
        )
        self.notification_breaker = Gauge(
            "arbig_notification_circuit_open",
            "1 while a channel's circuit breaker is open (sends skipped)",
            ["channel"],
            registry=r,
        )
        self.protection_trips = Counter(
            "arbig_protection_trips",
            "Account-level protections that moved the trading state",
            ["protection"],
            registry=r,
        )
        self.account_differences = Counter(
            "arbig_account_differences",
            "Differences between the book's account and the broker's that lasted past "
            "notify.money_difference_after_s, by whose figures are the truth (broker: a live "
            "gateway; book: a simulated exchange, where a difference is a bug)",
            ["truth"],
            registry=r,
        )
        self.backups = Counter(
            "arbig_backups", "Scheduled backups by outcome (ok, failed)", ["outcome"], registry=r
        )
        self.commands_dead_lettered = Counter(
            "arbig_commands_dead_lettered",
            "Split deployment: commands moved to the dead-letter stream after their retries",
            registry=r,
        )
        self.bus_requests = Histogram(
            "arbig_bus_request_seconds",
            "Split deployment, web replica: a request to the core over Redis, by kind "
            "(command, read): from its send to its answer (round_trip), and that less the "
            "core's own time (transit: what the bus adds)",
            ["kind", "part"],
            buckets=FAST_BUCKETS,
            registry=r,
        )
        self.bus_serving = Histogram(
            "arbig_bus_serve_seconds",
            "Split deployment, core: a request from its read off the request stream, by "
            "kind (command, read) and stage: taken (a command's act-once mark), "
            "carried_out, answered (its answer written)",
            ["kind", "stage"],
            buckets=FAST_BUCKETS,
            registry=r,
        )
        self.report_cache = Counter(
            "arbig_report_cache_requests",
            "Split deployment: report reads through the shared cache, by result (hit, miss)",
            ["result"],
            registry=r,
        )

    def register(self, collector: Collector) -> Callable[[], None]:
        """Add a scrape-time collector; returns the function that removes it."""
        self.registry.register(collector)
        return lambda: self.registry.unregister(collector)

    def exposition(self) -> bytes:
        """The registry in Prometheus' text format."""
        return generate_latest(self.registry)

    def log_handler(self) -> logging.Handler:
        """A handler counting warning and error records (for the error-rate alert)."""
        return _LogCounter(self.log_messages)


class _LogCounter(logging.Handler):
    def __init__(self, counter: Counter) -> None:
        super().__init__(logging.WARNING)
        self._children = {
            level: counter.labels(level=level) for level in ("warning", "error", "critical")
        }

    def emit(self, record: logging.LogRecord) -> None:
        child = self._children.get(record.levelname.lower())
        if child is not None:
            child.inc()
