"""One-client /api/search latency against tantivy on the same passages, side by side.

    python -m bench.search_ratio --index-dir bench/work/idx279k --rounds 3 [--baseline SRC]

`report-search serve` on the index (over HTTP, facets and highlights on, as the page asks)
and tantivy over the index's own stored passages (top 10 with stored fields, and the count:
bench/peers.py) answer the 200 queries of bench/queries.json in turns, query by query, so
that both see the same load; a round is every query once. Both are warmed first (every query
once; that first round is timed as well and reported apart: our per-generation caches of a
query's understanding and of term statistics serve the measured rounds, which ask the same
queries again, as a server's repeated queries are served). The CPU time each used per query
is measured too (our server process; the thread
calling tantivy), which a shared machine's load moves less than latency. The tantivy index is
built once beside the index and reused while the passage count is the same. The load average
before and after is recorded, since the machine is shared.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path
from typing import Any

import psutil
import tantivy

from bench import peers
from bench.search_speed import Server, load_queries, search_path, summarize

RESULTS = Path(__file__).resolve().parent / "results" / "search-ratio.json"


def tantivy_index(index_dir: Path, work: Path) -> tuple[Any, int, float]:
    """The tantivy index of the index's passages (built unless the same count is there)."""
    marker = work / "passages.txt"
    rows = list(peers.passages(index_dir))
    if marker.is_file() and marker.read_text() == str(len(rows)):
        return tantivy.Index.open(str(work / "tantivy")), len(rows), 0.0
    started = time.perf_counter()
    index = peers.build_tantivy(rows, work / "tantivy")
    seconds = time.perf_counter() - started
    marker.write_text(str(len(rows)))
    return index, len(rows), seconds


def measure(
    index_dir: Path, work: Path, rounds: int, baseline: Path | None = None
) -> dict[str, Any]:
    """Ours and tantivy, one client, query by query in turns; p50/p95 and ratios, and the
    CPU each used per query (ours: the server process; tantivy: the calling thread). With
    `baseline` (another checkout's source folder), its server answers in the same turns."""
    work.mkdir(parents=True, exist_ok=True)
    index, passages, built = tantivy_index(index_dir, work)
    theirs = peers.tantivy_search(index)
    queries = load_queries()
    paths = [search_path(q) for q in queries]
    server = Server(index_dir)
    old = Server(index_dir, source=baseline) if baseline else None
    processes = {"ours": psutil.Process(server.process.pid)}
    if old is not None:
        processes["baseline"] = psutil.Process(old.process.pid)
    load = {"before": os.getloadavg()[0]}
    per_round = []
    times: dict[str, list[float]] = {"ours": [], "tantivy": [], "baseline": []}
    cpu = {"ours": 0.0, "tantivy": 0.0, "baseline": 0.0}
    first: dict[str, list[float]] = {"ours": [], "tantivy": []}
    try:
        for path, query in zip(paths, queries, strict=True):  # warm all: each asked first
            first["ours"].append(_timed(server.get, path))
            first["tantivy"].append(_timed(theirs, query))
            if old is not None:
                old.get(path)
        for _ in range(rounds):
            ours, peer = [], []
            started = {name: _cpu(process) for name, process in processes.items()}
            for path, query in zip(paths, queries, strict=True):
                # In turns, query by query: a burst of load from elsewhere hits both.
                ours.append(_timed(server.get, path))
                before = time.thread_time()
                peer.append(_timed(theirs, query))
                cpu["tantivy"] += time.thread_time() - before
                if old is not None:
                    times["baseline"].append(_timed(old.get, path))
            for name, process in processes.items():
                cpu[name] += _cpu(process) - started[name]
            times["ours"] += ours
            times["tantivy"] += peer
            per_round.append(_ratios(summarize(ours), summarize(peer)))
        memory = server.memory()
    finally:
        server.stop()
        if old is not None:
            old.stop()
    load["after"] = os.getloadavg()[0]
    ours_all, theirs_all = times["ours"], times["tantivy"]
    ours_summary, peer_summary = summarize(ours_all), summarize(theirs_all)
    count = len(ours_all)
    return {
        "index_dir": str(index_dir),
        "passages": passages,
        "tantivy_build_seconds": round(built, 1),
        "queries": len(queries),
        "rounds": rounds,
        "ours": ours_summary,
        "tantivy": peer_summary,
        **_ratios(ours_summary, peer_summary),
        "ours_cpu_ms_per_query": round(1000 * cpu["ours"] / count, 2),
        "tantivy_cpu_ms_per_query": round(1000 * cpu["tantivy"] / count, 2),
        "ratio_cpu": round(cpu["ours"] / max(cpu["tantivy"], 1e-6), 1),
        "per_round": per_round,
        "first_asked": _ratios(summarize(first["ours"]), summarize(first["tantivy"])),
        "server_memory_mb": memory,
        "load_average_1min": load,
        "targets": {"ratio_p95": 5.0, "ratio_p50": 10.0},
        "baseline": _baseline(baseline, times["baseline"], cpu["baseline"], peer_summary),
    }


def _baseline(
    source: Path | None, latencies: list[float], cpu: float, peer: dict[str, Any]
) -> dict[str, Any] | None:
    """The baseline server's figures, measured in the same turns (None without one)."""
    if source is None or not latencies:
        return None
    return {
        "source": str(source),
        **_ratios(summarize(latencies), peer),
        "cpu_ms_per_query": round(1000 * cpu / len(latencies), 2),
    }


def _timed(call: Any, argument: Any) -> float:
    started = time.perf_counter()
    call(argument)
    return time.perf_counter() - started


def _cpu(process: psutil.Process) -> float:
    times = process.cpu_times()
    return times.user + times.system


def _ratios(ours: dict[str, Any], peer: dict[str, Any]) -> dict[str, Any]:
    return {
        "ours_p50_ms": ours["p50_ms"],
        "ours_p95_ms": ours["p95_ms"],
        "tantivy_p50_ms": peer["p50_ms"],
        "tantivy_p95_ms": peer["p95_ms"],
        "ratio_p50": round(ours["p50_ms"] / max(peer["p50_ms"], 0.01), 1),
        "ratio_p95": round(ours["p95_ms"] / max(peer["p95_ms"], 0.01), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index-dir", type=Path, required=True)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--work", type=Path, default=None, help="where tantivy's index goes")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument(
        "--baseline",
        type=Path,
        default=None,
        help="another checkout's source folder, served beside ours in the same turns",
    )
    args = parser.parse_args()
    work = args.work or args.index_dir.parent / f"{args.index_dir.name}-tantivy"
    out = measure(args.index_dir, work, args.rounds, args.baseline)
    args.out.write_text(json.dumps(out, indent=1) + "\n", "utf-8")
    print(json.dumps({k: v for k, v in out.items() if k != "per_round"}, indent=1))


if __name__ == "__main__":
    main()
