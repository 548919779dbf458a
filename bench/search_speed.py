"""Search latency and throughput of /api/search on a real waitress server, against peers.

One client and 8 concurrent clients over HTTP on 127.0.0.1; tantivy and SQLite FTS5 answer the
same queries over the same passages in the same run. The server's resident memory is sampled
throughout and its peak reported.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import psutil

from bench import product

QUERIES = Path(__file__).resolve().parent / "queries.json"
CLIENTS = 8
ASK_EVERY = 4  # /api/ask is asked every 4th query, as a question: 50 questions


def load_queries() -> list[dict[str, Any]]:
    return json.loads(QUERIES.read_text("utf-8"))


def search_path(query: dict[str, Any]) -> str:
    """The /api/search URL of a benchmark query (facets and highlights are always on)."""
    params: list[tuple[str, Any]] = [("q", query["q"])]
    for facet, values in query.get("filters", {}).items():
        params += [(facet, value) for value in values]
    for key in ("year_from", "year_to"):
        if key in query:
            params.append((key, query[key]))
    return "/api/search?" + urlencode(params)


def ask_path(query: dict[str, Any]) -> str:
    """An /api/ask URL made from a benchmark query: a question about its words."""
    words = query["q"].replace('"', "")
    params: list[tuple[str, Any]] = [("q", f"What was said about {words}?")]
    for facet, values in query.get("filters", {}).items():
        params += [(facet, value) for value in values]
    return "/api/ask?" + urlencode(params)


def summarize(latencies: list[float], seconds: float | None = None) -> dict[str, Any]:
    """p50/p95/max in milliseconds (and queries per second when wall time is given)."""
    ordered = sorted(latencies)
    out = {
        "queries": len(ordered),
        "p50_ms": round(statistics.median(ordered) * 1000, 1),
        "p95_ms": round(ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))] * 1000, 1),
        "max_ms": round(ordered[-1] * 1000, 1),
        "mean_ms": round(statistics.fmean(ordered) * 1000, 1),
    }
    if seconds:
        out["qps"] = round(len(ordered) / seconds, 1)
    return out


def timed(run: Callable[[dict[str, Any]], Any], queries: list[dict[str, Any]], clients: int):
    """Latencies of every query, and the wall time, with `clients` threads in parallel."""

    def one(query: dict[str, Any]) -> float:
        started = time.perf_counter()
        run(query)
        return time.perf_counter() - started

    started = time.perf_counter()
    if clients == 1:
        latencies = [one(q) for q in queries]
    else:
        with ThreadPoolExecutor(clients) as pool:
            latencies = list(pool.map(one, queries))
    return latencies, time.perf_counter() - started


class Server:
    """`report-search serve` on a free local port, with its memory sampled."""

    def __init__(
        self,
        index_dir: Path,
        threads: int = CLIENTS,
        ready_within: float = 300,
        source: Path | None = None,
    ) -> None:
        """`source`: another checkout's code, run by this interpreter (a baseline)."""
        self.port = _free_port()
        args = ["serve", "--index-dir", str(index_dir.resolve())]
        args += ["--port", str(self.port), "--threads", str(threads)]
        env, cwd = None, None
        if source is None:
            command = product.command(*args)
        else:  # `-m` puts the working folder first on the path: the source's, not ours
            command = [sys.executable, "-m", "search_app.cli", *args]
            env = {**os.environ, "PYTHONPATH": str(source.resolve())}
            cwd = source.resolve()
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, env=env, cwd=cwd)
        self.peak_rss = 0
        self.peak_uss = 0  # memory unique to the process (excludes the page cache of the index)
        self._stop = threading.Event()
        self._wait_ready(ready_within)
        threading.Thread(target=self._sample, daemon=True).start()

    def _wait_ready(self, seconds: float) -> None:
        """Until the server answers and its start-up warm-up is done (steady state)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                if self.get("/api/health").get("warmed_up", True):
                    return
            except (OSError, RuntimeError):  # not listening yet, or 503 "starting"
                pass
            time.sleep(0.2)
        raise RuntimeError("the server did not start")

    def _sample(self) -> None:
        proc = psutil.Process(self.process.pid)
        ticks = 0
        while not self._stop.is_set():
            try:
                self.peak_rss = max(self.peak_rss, proc.memory_info().rss)
                if ticks % 10 == 0:  # smaps is slower to read: every half second
                    self.peak_uss = max(self.peak_uss, proc.memory_full_info().uss)
            except psutil.Error:
                return
            ticks += 1
            time.sleep(0.05)

    def memory(self) -> dict[str, int]:
        """Peak RSS and USS so far, and the current RSS, in MB."""
        rss = psutil.Process(self.process.pid).memory_info().rss
        return {
            "rss_now_mb": round(rss / 2**20),
            "peak_rss_mb": round(self.peak_rss / 2**20),
            "peak_uss_mb": round(self.peak_uss / 2**20),
        }

    def get(self, path: str) -> dict[str, Any]:
        """One GET on a connection kept per thread; the decoded JSON body."""
        # One connection per thread and server: two servers asked in turns keep theirs.
        kept = _connections.__dict__.setdefault("by_port", {})
        reused = self.port in kept
        conn = kept.setdefault(
            self.port, http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        )
        try:
            conn.request("GET", path)
            response = conn.getresponse()
            body = response.read()
        except (http.client.HTTPException, OSError) as error:
            kept.pop(self.port, None)
            if reused and isinstance(error, ConnectionError | http.client.RemoteDisconnected):
                return self.get(path)  # the server closed a connection left idle: a new one
            raise
        if response.status == 503 and b'"busy"' in body:
            raise Busy(float(response.getheader("Retry-After") or 1))
        if response.status != 200:
            raise RuntimeError(f"{path}: HTTP {response.status}: {body[:200]!r}")
        return json.loads(body)

    def ask(self, path: str, retries: list[int]) -> dict[str, Any]:
        """A question asked as a client should: a 503 `busy` (the server answers one question
        at a time a process) is asked again after its Retry-After, counted in `retries`."""
        while True:
            try:
                return self.get(path)
            except Busy as busy:
                retries.append(1)
                time.sleep(busy.retry_after)

    def stop(self) -> None:
        self._stop.set()
        self.process.terminate()
        self.process.wait(timeout=30)


_connections = threading.local()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Busy(RuntimeError):
    """503 `busy`: too many questions at once; ask again after `retry_after` seconds."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"busy: retry after {retry_after} s")
        self.retry_after = retry_after


def measure_server(index_dir: Path, queries: list[dict[str, Any]]) -> dict[str, Any]:
    """/api/search with one client, then with 8; server-side took_ms; peak RSS."""
    server = Server(index_dir)
    took: list[float] = []
    try:
        memory = {"after_start": server.memory()}

        def run(query: dict[str, Any]) -> None:
            took.append(server.get(search_path(query))["took_ms"])

        for query in queries[:10]:  # warm the per-generation caches
            run(query)
        took.clear()
        memory["after_warm_up"] = server.memory()
        single, single_wall = timed(run, queries, 1)
        engine_ms = sorted(took)
        memory["after_one_client"] = server.memory()
        many, many_wall = timed(run, queries, CLIENTS)
        memory[f"after_{CLIENTS}_clients"] = server.memory()
        questions = queries[::ASK_EVERY]
        ask_one, ask_one_wall = timed(lambda q: server.get(ask_path(q)), questions, 1)
        retries: list[int] = []
        ask_many, ask_many_wall = timed(
            lambda q: server.ask(ask_path(q), retries), questions, CLIENTS
        )
        memory["after_ask"] = server.memory()
        out = {
            "one_client": summarize(single, single_wall),
            f"{CLIENTS}_clients": summarize(many, many_wall),
            "engine_took_ms_p50": engine_ms[len(engine_ms) // 2],
            "engine_took_ms_p95": engine_ms[int(0.95 * len(engine_ms))],
            "ask_one_client": summarize(ask_one, ask_one_wall),
            # Latency with the waits after each `busy`; busy_retries: how many were asked again.
            f"ask_{CLIENTS}_clients": summarize(ask_many, ask_many_wall)
            | {"busy_retries": len(retries)},
            "server_memory": memory,
            "server_peak_rss_mb": round(server.peak_rss / 2**20),
            "server_peak_uss_mb": round(server.peak_uss / 2**20),
        }
        out["by_shape"] = by_shape(queries, single)
    finally:
        server.stop()
    return out


def by_shape(queries: list[dict[str, Any]], latencies: list[float]) -> dict[str, Any]:
    """p50/p95 per query shape (one, two, four words, phrase) and with/without filters."""
    groups: dict[str, list[float]] = {}
    for query, seconds in zip(queries, latencies, strict=True):
        groups.setdefault(query["shape"], []).append(seconds)
        filtered = "filtered" if ("filters" in query or "year_from" in query) else "unfiltered"
        groups.setdefault(filtered, []).append(seconds)
    return {name: summarize(values) for name, values in sorted(groups.items())}


def measure_peer(run: Callable[[dict[str, Any]], Any], queries: list[dict[str, Any]]):
    for query in queries[:10]:
        run(query)
    single, single_wall = timed(run, queries, 1)
    many, many_wall = timed(run, queries, CLIENTS)
    return {
        "one_client": summarize(single, single_wall),
        f"{CLIENTS}_clients": summarize(many, many_wall),
    }


def profile_engine(index_dir: Path, queries: list[dict[str, Any]]) -> str:
    """Where the engine's time goes over the query list (pyinstrument, in process)."""
    from urllib.parse import parse_qs, urlsplit

    from pyinstrument import Profiler

    from search_app.engine import parse_search_args, search, warm
    from search_app.engine.index_handle import IndexHandle

    handle = IndexHandle(index_dir)
    requests = [parse_search_args(parse_qs(urlsplit(search_path(q)).query)) for q in queries]
    warm(handle)  # as the server does at start-up: the profile shows the steady state
    profiler = Profiler()
    profiler.start()
    for request in requests:
        search(handle, request)
    profiler.stop()
    return profiler.output_text(unicode=False, color=False)
