"""What the bot counts for the operator's monitoring, served as ``/metrics`` in Prometheus'
text format on the bot's web server (prometheus-client).

Updates handled by channel and result and how long their handling took, messages sent by
messenger and result, the messengers' "too many requests" answers, the outbox's rows by
status, reminders fired and dropped, and whether this instance runs the scheduler. Each
runtime has its own registry (two runtimes in one process, as tests make, never share
counts); the outbox's depth is read from the database when the page is asked for.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from storage.records import OutboxStatus
from storage.repository import OutboxStore

__all__ = ["CONTENT_TYPE_LATEST", "Metrics"]

HANDLER_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class Metrics:
    """The bot's counters, gauges and histograms, in a registry of its own."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.updates = Counter("thidua_updates", "Updates handled, by channel and result",
                               ["channel", "result"], registry=r)
        self.handler_seconds = Histogram(
            "thidua_handler_seconds", "Time to handle one update (the whole pipeline)",
            ["channel"], buckets=HANDLER_BUCKETS, registry=r)
        self.sends = Counter("thidua_sends", "Outbox messages sent, by messenger and result",
                             ["channel", "result"], registry=r)
        self.rate_limited = Counter(
            "thidua_rate_limited", "Answers 'too many requests' (429) from a messenger",
            ["channel"], registry=r)
        self.reminders = Counter("thidua_reminders", "Reminder occasions, fired or dropped",
                                 ["result"], registry=r)
        self.outbox = Gauge("thidua_outbox_rows", "Outbox rows by status", ["status"],
                            registry=r)
        self.leader = Gauge("thidua_scheduler_leader",
                            "1 when this instance runs the scheduler (reminders, digest)",
                            registry=r)

    async def page(self, repo: OutboxStore) -> bytes:
        """The metrics page, the outbox's depth read now."""
        counts = await repo.outbox_counts()
        for status in OutboxStatus:
            self.outbox.labels(status.value).set(counts.get(status, 0))
        return generate_latest(self.registry)
