"""A bounded load generator for a Report Search server on this machine (127.0.0.1 only).

N client threads, each with a keep-alive connection, request paths from a mix until the time
or the request budget runs out. Every response is recorded (status, latency, the
`X-Index-Generation` header and, when asked for, the body) so that tests can check what they
need; the summary gives throughput and latency percentiles.

    python -m bench.loadtest --port 5000 --clients 16 --seconds 60
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode

HOST = "127.0.0.1"  # never anywhere else: this is a test tool, not a benchmark of others
MAX_SECONDS = 600.0
MAX_REQUESTS = 1_000_000
GENERATION_HEADER = "X-Index-Generation"

PathPicker = Callable[[random.Random], str]


@dataclass(frozen=True)
class Sample:
    """One request's outcome; `status` is 0 and `error` set when no response came back."""

    path: str
    status: int
    seconds: float
    generation: str | None = None
    body: bytes | None = None
    error: str | None = None
    started: float = 0.0


@dataclass
class LoadResult:
    """All samples of a run and the wall-clock time it took."""

    samples: list[Sample] = field(default_factory=list)
    seconds: float = 0.0
    clients: int = 0

    @property
    def errors(self) -> list[Sample]:
        """Connection errors and timeouts: requests that got no HTTP response."""
        return [s for s in self.samples if s.error is not None]

    @property
    def server_errors(self) -> list[Sample]:
        return [s for s in self.samples if s.status >= 500]

    def percentile(self, fraction: float) -> float:
        """Latency (seconds) below which `fraction` of the answered requests fall."""
        times = sorted(s.seconds for s in self.samples if s.error is None)
        if not times:
            return 0.0
        return times[min(len(times) - 1, int(fraction * len(times)))]

    def summary(self) -> dict[str, Any]:
        answered = [s for s in self.samples if s.error is None]
        return {
            "clients": self.clients,
            "seconds": round(self.seconds, 1),
            "requests": len(self.samples),
            "throughput_rps": round(len(answered) / self.seconds, 1) if self.seconds else 0.0,
            "p50_ms": round(self.percentile(0.50) * 1000, 1),
            "p99_ms": round(self.percentile(0.99) * 1000, 1),
            "max_ms": round(self.percentile(1.0) * 1000, 1),
            "by_status": dict(sorted(Counter(s.status for s in self.samples).items())),
            "connection_errors": len(self.errors),
            "generations": dict(Counter(s.generation for s in answered)),
        }


def run_load(
    port: int,
    pick: PathPicker | Sequence[str],
    *,
    clients: int = 16,
    seconds: float = 10.0,
    max_requests: int = 200_000,
    keep_body: Callable[[str], bool] | None = None,
    stop: threading.Event | None = None,
    timeout: float = 30.0,
    seed: int = 0,
) -> LoadResult:
    """Run `clients` threads against 127.0.0.1:`port` for `seconds` (or until `stop` is set).

    `pick` draws the next path from a random generator (or is a list to draw from);
    `keep_body(path)` says which bodies to keep for later checks.
    """
    seconds = min(seconds, MAX_SECONDS)
    max_requests = min(max_requests, MAX_REQUESTS)
    if not callable(pick):
        paths = list(pick)
        pick = lambda rng: rng.choice(paths)  # noqa: E731
    stop = stop or threading.Event()
    result = LoadResult(clients=clients)
    budget = _Budget(max_requests)
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def client(number: int) -> None:
        rng = random.Random(seed * 1000 + number)
        samples = _client_loop(port, pick, rng, deadline, stop, budget, keep_body, timeout)
        with lock:
            result.samples.extend(samples)

    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.seconds = time.monotonic() - started
    result.samples.sort(key=lambda s: s.started)
    return result


class _Budget:
    """A shared, thread-safe request counter."""

    def __init__(self, limit: int) -> None:
        self.left = limit
        self.lock = threading.Lock()

    def take(self) -> bool:
        with self.lock:
            self.left -= 1
            return self.left >= 0


def _client_loop(
    port: int,
    pick: PathPicker,
    rng: random.Random,
    deadline: float,
    stop: threading.Event,
    budget: _Budget,
    keep_body: Callable[[str], bool] | None,
    timeout: float,
) -> list[Sample]:
    """One client: requests over a keep-alive connection, reconnecting after errors."""
    samples: list[Sample] = []
    connection: http.client.HTTPConnection | None = None
    while time.monotonic() < deadline and not stop.is_set() and budget.take():
        path = pick(rng)
        connection = connection or http.client.HTTPConnection(HOST, port, timeout=timeout)
        started = time.monotonic()
        try:
            connection.request("GET", path, headers={"Accept": "*/*"})
            response = connection.getresponse()
            body = response.read()
        except (OSError, http.client.HTTPException) as error:
            connection.close()
            connection = None
            samples.append(
                Sample(path, 0, time.monotonic() - started, error=repr(error), started=started)
            )
            continue
        if response.getheader("Connection", "").lower() == "close":
            connection.close()
            connection = None
        samples.append(
            Sample(
                path,
                response.status,
                time.monotonic() - started,
                response.getheader(GENERATION_HEADER),
                body if keep_body and keep_body(path) else None,
                started=started,
            )
        )
    if connection is not None:
        connection.close()
    return samples


# ---------------------------------------------------------------- a realistic request mix

QUERIES = (
    "migration",
    "climate change",
    "sustainable development goals",
    '"human rights"',
    "refugees -syria",
    "peace OR security",
    "develop*",
    "remittances",
    "nuclear disarmament",
    "title:migration",
    "women girls education",
    "UNITAR",
    "migrant workers",
    "food security",
    "ocean",
)


def get_json(port: int, path: str, timeout: float = 30.0) -> Any:
    """GET a JSON document from the local server."""
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        body = response.read()
    finally:
        connection.close()
    if response.status != 200:
        raise RuntimeError(f"GET {path}: HTTP {response.status}: {body[:200]!r}")
    return json.loads(body)


def has_route(port: int, path: str) -> bool:
    """Whether the server answers `path` with anything but 404."""
    connection = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
    finally:
        connection.close()
    return response.status != 404


def default_mix(
    port: int, queries: Sequence[str] = QUERIES, document_ids: Sequence[str] | None = None
) -> PathPicker:
    """Searches, facet clicks, document pages, suggestions and (when served) questions.

    Facet values and document ids come from the server itself, so every path is valid.
    """
    browse = get_json(port, "/api/search?per_page=20")
    facet_clicks = [
        (name, item["value"])
        for name, items in browse["facets"].items()
        for item in items[:5]
        if name != "symbol"
    ]
    ids = list(document_ids or [r["document_id"] for r in browse["results"]])
    ask = has_route(port, "/api/ask?q=" + quote("What is migration?"))

    def pick(rng: random.Random) -> str:
        roll = rng.random()
        q = rng.choice(queries)
        if roll < 0.30:
            return "/api/search?" + urlencode({"q": q})
        if roll < 0.45:
            name, value = rng.choice(facet_clicks)
            return "/api/search?" + urlencode({"q": q, name: value})
        if roll < 0.60:
            return "/search?" + urlencode({"q": q, "page": 1})
        if roll < 0.70:
            return "/documents/" + quote(rng.choice(ids))
        if roll < 0.78:
            return "/api/documents/" + quote(rng.choice(ids))
        if roll < 0.88:
            return "/api/suggest?" + urlencode({"q": q[: rng.randint(1, 4)]})
        if ask and roll < 0.96:
            return "/api/ask?" + urlencode({"q": f"What is said about {q}?"})
        return "/api/stats"

    return pick


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    result = run_load(args.port, default_mix(args.port), clients=args.clients, seconds=args.seconds)
    print(json.dumps(result.summary(), indent=1))
    for sample in (result.errors + result.server_errors)[:10]:
        print(sample.status, sample.path, sample.error)


if __name__ == "__main__":
    main()
