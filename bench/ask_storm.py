"""Start-to-ready time and search latency during an ask storm, on a real `report-search serve`.

Starts the server on an existing index, times how long until /api/health answers 200 (ready:
the sentence-embedding model loaded) and the first ask after it; then measures /api/search
alone (one client) and while 8 clients ask questions without pause, each waiting the
Retry-After it is told when the ask pool is full (503 `busy`). Writes
bench/results/ask_storm.json.

    python -m bench.ask_storm var/index [--threads 4] [--seconds 20]
"""

from __future__ import annotations

import argparse
import http.client
import json
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.loadtest import HOST  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "ask_storm.json"
QUESTIONS = (
    "When did UNITAR take over the chairmanship of the Global Migration Group?",
    "Where was the third Global Forum on Migration and Development held?",
    "What was Benin's growth rate in 2016?",
    "How many refugees does Chad host?",
    "Who delivered the joint GMG statement at the third Global Forum?",
    "Who wrote War and Peace?",
)
SEARCHES = ("remittances", "climate finance", "health workers", "debt relief", "food security")
ASKERS = 8


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("index_dir", type=Path)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--port", type=int, default=5077)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args(argv)
    command = [sys.executable, "-m", "search_app.cli", "serve", "--port", str(args.port)]
    command += ["--index-dir", str(args.index_dir), "--threads", str(args.threads)]
    started = time.monotonic()
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        results = measure(args.port, started, args.seconds)
    finally:
        server.terminate()
        server.wait(30)
    results = {"index": str(args.index_dir), "threads": args.threads, **results}
    print(json.dumps(results, indent=1))
    if not args.no_write:
        RESULTS.write_text(json.dumps(results, indent=1) + "\n", "utf-8")
    return 0


def measure(port: int, started: float, seconds: float) -> dict:
    live, ready = _until(port, "/api/live", started), None
    ready = _until(port, "/api/health", started)
    first_status, first = _get(port, _ask_path(QUESTIONS[0]))
    quiet = _searches(port, seconds / 2)
    stop = threading.Event()
    outcomes: Counter[int] = Counter()
    ask_times: list[float] = []
    lock = threading.Lock()

    def asker(number: int) -> None:
        k = number
        while not stop.is_set():
            status, took, retry = _get_with_retry_after(port, _ask_path(QUESTIONS[k % 6]))
            k += 1
            with lock:
                outcomes[status] += 1
                if status == 200:
                    ask_times.append(took)
            if status == 503:
                stop.wait(retry)

    threads = [threading.Thread(target=asker, args=(n,), daemon=True) for n in range(ASKERS)]
    for thread in threads:
        thread.start()
    time.sleep(1.0)
    during = _searches(port, seconds)
    stop.set()
    for thread in threads:
        thread.join(60)
    return {
        "alive_s": round(live, 1),
        "ready_s": round(ready, 1),
        "first_ask_after_ready_ms": round(first * 1000, 1),
        "first_ask_status": first_status,
        "search_quiet": _summary(quiet),
        "search_during_storm": _summary(during),
        "search_p50_ratio": round(statistics.median(during) / statistics.median(quiet), 2),
        "asks_during_storm": dict(sorted(outcomes.items())),
        "ask_ms_p50_answered": round(statistics.median(ask_times) * 1000, 1) if ask_times else None,
    }


def _ask_path(question: str) -> str:
    return f"/api/ask?q={quote(question)}"


def _until(port: int, path: str, started: float, limit: float = 300.0) -> float:
    """Seconds from `started` until `path` answers 200."""
    while time.monotonic() - started < limit:
        try:
            if _get(port, path)[0] == 200:
                return time.monotonic() - started
        except OSError:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"{path} did not answer 200 within {limit} s")


def _get(port: int, path: str) -> tuple[int, float]:
    status, took, _ = _get_with_retry_after(port, path)
    return status, took


def _get_with_retry_after(port: int, path: str) -> tuple[int, float, float]:
    connection = http.client.HTTPConnection(HOST, port, timeout=60)
    began = time.perf_counter()
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        took = time.perf_counter() - began
        return response.status, took, float(response.getheader("Retry-After") or 0)
    finally:
        connection.close()


def _searches(port: int, seconds: float) -> list[float]:
    """Latencies of searches sent one after another for `seconds` (all must answer 200)."""
    times = []
    end = time.monotonic() + seconds
    k = 0
    while time.monotonic() < end:
        status, took = _get(port, f"/api/search?q={quote(SEARCHES[k % len(SEARCHES)])}")
        if status != 200:
            raise RuntimeError(f"search answered {status}")
        times.append(took)
        k += 1
    return times


def _summary(times: list[float]) -> dict:
    ordered = sorted(times)
    return {
        "requests": len(times),
        "p50_ms": round(statistics.median(times) * 1000, 1),
        "p90_ms": round(ordered[int(0.9 * (len(ordered) - 1))] * 1000, 1),
    }


if __name__ == "__main__":
    raise SystemExit(main())
