"""What each way of indexing on a Dask cluster costs, against local workers, in one run.

    python -m bench.cluster [--folder corpus] [--workers 2]

Starts `dask scheduler` and `dask worker ADDRESS --nworkers N --nthreads 1` (workers under
nannies, as deployed) on 127.0.0.1, then rebuilds an index of the folder (the bundled corpus
by default) four ways: local worker processes (`--workers N`), and on the cluster with the
workers writing segments of their own (they reach the index folder) or sending the passages
back to this process's one writer; the cluster's first run also pays its workers' start-up
(a child process per worker). For each: wall seconds, passages per second and this (the
indexing) process's own CPU seconds. Results: bench/results/cluster.json.
"""

from __future__ import annotations

import argparse
import json
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench.corpora import WORK
from indexer.pipeline import run

CHECKOUT = Path(__file__).resolve().parent.parent
RESULTS = CHECKOUT / "bench" / "results" / "cluster.json"
DASK = str(Path(sys.executable).with_name("dask"))


@contextmanager
def dask_cluster(workers: int) -> Iterator[str]:
    """A scheduler and `dask worker --nworkers N --nthreads 1` on 127.0.0.1; its address."""
    from distributed import Client

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    address = f"tcp://127.0.0.1:{port}"
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    scheduler = subprocess.Popen(
        [DASK, "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"], **quiet
    )
    command = [DASK, "worker", address, "--nworkers", str(workers), "--nthreads", "1"]
    nannies = subprocess.Popen([*command, "--no-dashboard", "--host", "127.0.0.1"], **quiet)
    try:
        with Client(address, timeout=60) as client:
            client.wait_for_workers(workers, timeout=120)
        yield address
    finally:
        nannies.terminate()
        nannies.wait(60)
        scheduler.terminate()
        scheduler.wait(30)


def timed_run(folder: Path, index_dir: Path, **options: Any) -> dict[str, Any]:
    shutil.rmtree(index_dir, ignore_errors=True)
    wall, cpu = time.perf_counter(), time.process_time()
    report = run([folder], index_dir, rebuild=True, **options)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    summary = report.summary()
    return {
        "seconds": round(wall, 1),
        "indexing_process_cpu_seconds": round(cpu, 1),
        "files": summary["by_status"],
        "passages": summary["passages"],
        "passages_per_second": round(summary["passages"] / wall, 1),
    }


def measure(folder: Path, workers: int) -> dict[str, Any]:
    """Local workers, then a local Dask cluster's first run and its two modes (bench.run
    calls this too)."""
    index_dir = WORK / "cluster-index"
    runs: dict[str, Any] = {}
    runs["local workers"] = timed_run(folder, index_dir, workers=workers)
    with dask_cluster(workers) as address:
        for name, write in (
            ("cluster, first run (workers start their children), segments", True),
            ("cluster, workers write segments", True),
            ("cluster, passages sent back", False),
        ):
            runs[name] = timed_run(folder, index_dir, cluster=address, write_in_workers=write)
            print(name, runs[name], flush=True)
    return {"folder": str(folder), "workers": workers, "runs": runs}


def main() -> dict[str, Any]:
    from bench.machine import environment

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--folder", type=Path, default=CHECKOUT / "corpus")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    env = environment()
    result = measure(args.folder, args.workers)
    result["environment"] = {**env, "load_average_at_end": [round(x, 2) for x in _load()]}
    RESULTS.write_text(json.dumps(result, indent=1) + "\n", "utf-8")
    return result


def _load() -> tuple[float, float, float]:
    import os

    return os.getloadavg()


if __name__ == "__main__":
    print(json.dumps(main(), indent=1))
