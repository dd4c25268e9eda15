"""Prometheus metrics of one app instance (its own registry, so several apps can live in one process)."""

from __future__ import annotations

from prometheus_client import CONTENT_TYPE_LATEST as CONTENT_TYPE  # noqa: F401  (re-exported for the route)
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest


class ServiceMetrics:
    """The counters, histograms and gauges the service exports on ``/metrics``."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.requests = Counter(
            "recommender_http_requests", "HTTP requests handled", ("method", "route", "status"), registry=r
        )
        self.latency = Histogram(
            "recommender_http_request_duration_seconds",
            "Time to answer an HTTP request",
            ("method", "route"),
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
            registry=r,
        )
        self.denied = Counter(
            "recommender_access_denied", "Requests refused by authorisation", ("reason",), registry=r
        )
        self.catalog_loaded = Gauge("recommender_catalog_loaded", "1 when a catalog is serving", registry=r)
        self.catalog_programs = Gauge(
            "recommender_catalog_programs", "Programs in the serving catalog", registry=r
        )
        self.reindex_running = Gauge("recommender_reindex_running", "1 while a reindex runs", registry=r)
        self.reindexes = Counter("recommender_reindexes", "Finished reindexes", ("outcome",), registry=r)
        self.feedback_events = Counter(
            "recommender_feedback_events", "Feedback events stored", ("event_type",), registry=r
        )

    def render(self) -> bytes:
        """The Prometheus text exposition of every metric."""
        return generate_latest(self.registry)
