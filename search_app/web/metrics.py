"""`/metrics` in the Prometheus text format: requests and latency per endpoint and status, and
the live index (generation, documents, passages, the last indexing run).

Request metrics live in a registry of the app's own (so that several apps in one process, as
in the tests, do not share counts). Under several server processes (`report-search serve
--processes N`) prometheus-client's multiprocess mode adds up every process's counts: it is
on when PROMETHEUS_MULTIPROC_DIR is set before prometheus_client is first imported, which
`serve` does. The index figures are read from the live generation at scrape time by the
process that answers; every process follows the same generation, so any one of them can.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from typing import Any

from flask import Flask, Response, current_app, g, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram
from prometheus_client import multiprocess as prometheus_multiprocess
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import generate_latest
from prometheus_client.registry import Collector

from indexer.index.generations import NoIndexError
from search_app.engine.index_handle import IndexHandle

EXTENSION = "report_search_metrics"
MULTIPROCESS_ENV = "PROMETHEUS_MULTIPROC_DIR"
# Search answers in tens of milliseconds; pages and files can take longer.
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
# Label values come from fixed sets only: a client that invents methods (each answered 405)
# or paths must not add series, or /metrics grows without limit (1,000 invented methods took
# it from 5 KB to 1.8 MB).
METHODS = frozenset({"GET", "HEAD", "POST", "OPTIONS"})
OTHER_METHOD = "other"
UNMATCHED = "unmatched"


class RequestMetrics:
    """The request counter and latency histogram of one app."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        labels = ("endpoint", "method", "status")
        self.requests = Counter(
            "report_search_requests",
            "HTTP requests answered, by endpoint, method and status.",
            labels,
            registry=self.registry,
        )
        self.latency = Histogram(
            "report_search_request_seconds",
            "Time to answer an HTTP request, by endpoint, method and status.",
            labels,
            buckets=BUCKETS,
            registry=self.registry,
        )


class IndexCollector(Collector):
    """The live generation's figures and its last indexing run, read at scrape time."""

    def __init__(self, handle: IndexHandle) -> None:
        self.handle = handle

    def collect(self) -> Iterator[Metric]:
        try:
            snapshot = self.handle.snapshot()
        except NoIndexError:
            yield _gauge("report_search_index_up", "1 when a published index is open.", 0)
            return
        last = snapshot.info.get("last_run") or {}
        by_status = last.get("by_status") or {}
        yield _gauge("report_search_index_up", "1 when a published index is open.", 1)
        yield _gauge(
            "report_search_index_generation", "The live index generation.", snapshot.generation
        )
        yield _gauge(
            "report_search_index_documents", "Documents in the live index.", len(snapshot.manifest)
        )
        yield _gauge(
            "report_search_index_passages",
            "Passages in the live index.",
            snapshot.searcher().reader().doc_count(),
        )
        yield _gauge(
            "report_search_last_run_seconds",
            "Duration of the indexing run that wrote the live generation.",
            float(last.get("seconds") or 0.0),
        )
        yield _gauge(
            "report_search_last_run_files",
            "Files seen by that run (indexed, unchanged, removed and failed).",
            int(last.get("files") or 0),
        )
        yield _gauge(
            "report_search_last_run_failures",
            "Files that failed in that run.",
            int(by_status.get("failed") or 0),
        )


def _gauge(name: str, documentation: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, documentation, value=value)


def init_app(app: Flask, handle: IndexHandle) -> None:
    """Time every request and serve `/metrics`."""
    app.extensions[EXTENSION] = RequestMetrics()
    app.before_request(_start_timer)
    app.after_request(_observe)
    app.add_url_rule("/metrics", "metrics", lambda: _metrics_response(handle))


def _start_timer() -> None:
    g.metrics_started = time.perf_counter()


def _observe(response: Response) -> Response:
    started = g.get("metrics_started")
    if started is not None:
        metrics: RequestMetrics = current_app.extensions[EXTENSION]
        labels = request_labels(response.status_code)
        metrics.requests.labels(*labels).inc()
        metrics.latency.labels(*labels).observe(time.perf_counter() - started)
    return response


def request_labels(status: int) -> tuple[str, str, str]:
    """(endpoint, method, status) of the current request, each from a fixed set."""
    # The endpoint name, not the path: paths carry ids and would make endless series.
    endpoint = request.endpoint if request.url_rule is not None else None
    method = request.method if request.method in METHODS else OTHER_METHOD
    return endpoint or UNMATCHED, method, str(status)


def _metrics_response(handle: IndexHandle) -> Response:
    body = generate_latest(_scrape_registry(handle))
    return Response(body, mimetype=None, headers={"Content-Type": CONTENT_TYPE_LATEST})


def _scrape_registry(handle: IndexHandle) -> Any:
    """Every process's request metrics (multiprocess mode) or this app's, and the index."""
    registry = CollectorRegistry()
    if os.environ.get(MULTIPROCESS_ENV):
        prometheus_multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(_AppRequests(current_app.extensions[EXTENSION].registry))
    registry.register(IndexCollector(handle))
    return registry


class _AppRequests(Collector):
    """This app's request metrics, as a collector of the scrape registry."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.registry = registry

    def collect(self) -> Iterator[Metric]:
        return iter(self.registry.collect())
