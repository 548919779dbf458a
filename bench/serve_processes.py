"""Queries/s with 8 concurrent clients: one server process (waitress) against
`report-search serve --processes N` (gunicorn), on the same index in the same run, with the
memory (RSS and PSS) of every server process.

The load generator runs on the same cores as the server: its own CPU time (its 8 client
threads) and the server processes' CPU time are measured over each run, so that the ratio
can be read against the CPU each side had (`cores` = CPU seconds / wall seconds), along with
the machine's load average.

    python -m bench.serve_processes --index-dir bench/work/ungdc-index-2750 --seconds 30
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import psutil

from bench.loadtest import get_json, run_load
from bench.search_speed import load_queries, search_path

RESULTS = Path(__file__).resolve().parent / "results" / "serve-processes.json"


def measure(index_dir: Path, processes: int, threads: int, seconds: float) -> dict[str, Any]:
    """Serve, warm up, load with 8 clients; throughput, latency and memory per process."""
    port = _free_port()
    command = [
        str(Path(sys.executable).with_name("report-search")),
        "serve",
        "--port",
        str(port),
        "--index-dir",
        str(index_dir),
    ]
    command += ["--processes", str(processes), "--threads", str(threads)]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_warm(port)
        paths = [search_path(q) for q in load_queries()]
        run_load(port, paths, clients=8, seconds=min(10.0, seconds))  # every process warms up
        load_before = os.getloadavg()[0]
        mine, theirs = _own_cpu(), _tree_cpu(server.pid)
        result = run_load(port, paths, clients=8, seconds=seconds)
        mine, theirs = _own_cpu() - mine, _tree_cpu(server.pid) - theirs
        memory = _memory(server.pid)
    finally:
        server.terminate()
        server.wait(30)
    failed = [s for s in result.samples if s.status != 200]
    answered = max(1, len(result.samples) - len(failed))
    return {
        "processes": processes,
        "threads": threads,
        **result.summary(),
        "failed": len(failed),
        "load_generator_cpu_seconds": round(mine, 1),
        "load_generator_cores": round(mine / result.seconds, 2),
        "server_cpu_seconds": round(theirs, 1),
        "server_cores": round(theirs / result.seconds, 2),
        "server_cpu_ms_per_request": round(1000 * theirs / answered, 1),
        "load_generator_cpu_ms_per_request": round(1000 * mine / answered, 2),
        "load_average_1min": {"before": load_before, "after": os.getloadavg()[0]},
    } | memory


def _own_cpu() -> float:
    """CPU seconds of this process (the load generator's threads) so far."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _tree_cpu(pid: int) -> float:
    """CPU seconds of a server process and its children (gunicorn's workers) so far."""
    root = psutil.Process(pid)
    total = 0.0
    for process in [root, *root.children(recursive=True)]:
        times = process.cpu_times()
        total += times.user + times.system
    return total


def _memory(pid: int) -> dict[str, Any]:
    """MB per process (the gunicorn master first): resident and proportional (shared pages
    split between the processes that share them)."""
    root = psutil.Process(pid)
    rows = []
    for process in [root, *root.children(recursive=True)]:
        info = process.memory_full_info()
        rows.append({"pid": process.pid, "rss_mb": info.rss >> 20, "pss_mb": info.pss >> 20})
    return {"memory": rows, "total_pss_mb": sum(r["pss_mb"] for r in rows)}


def _wait_warm(port: int, timeout: float = 300.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if get_json(port, "/api/health", timeout=5).get("warmed_up"):
                return
        except (OSError, RuntimeError):
            pass
        time.sleep(0.5)
    raise RuntimeError("the server did not warm up in time")


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index-dir", type=Path, required=True)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    one = measure(args.index_dir, 1, 8, args.seconds)
    many = measure(args.index_dir, args.processes, 4, args.seconds)
    ratio = round(many["throughput_rps"] / one["throughput_rps"], 2)
    out = {"index_dir": str(args.index_dir), "one": one, "many": many, "ratio": ratio}
    args.out.write_text(json.dumps(out, indent=1) + "\n", "utf-8")
    print(json.dumps({k: v for k, v in out.items() if k != "index_dir"}, indent=1))


if __name__ == "__main__":
    main()
