"""Who writes the index: the indexing process alone, or each worker its own segments.

Both ways in one run, on the UN General Debate speeches (all 10,952, or `--speeches N`),
2 workers, full rebuilds: passages per second, the CPU of the indexing process and of its
workers, the segments written, whether the /api/search bodies of the benchmark queries are
identical, and search latency on each index after its warm-up (several segments against
one).

    python -m bench.writer [--speeches N]      # writes bench/results/writer.json
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import time
from pathlib import Path
from typing import Any

from bench import corpora
from bench.api_bodies import bodies
from bench.search_speed import load_queries, measure_server
from indexer import pipeline
from indexer.index import generations

RESULTS = Path(__file__).resolve().parent / "results" / "writer.json"
WORKERS = 2


def build(root: Path, index_dir: Path, in_workers: bool) -> dict[str, Any]:
    shutil.rmtree(index_dir, ignore_errors=True)
    cpu, children = time.process_time(), _children_cpu()
    report = pipeline.run(
        [root], index_dir, rebuild=True, workers=WORKERS, write_in_workers=in_workers
    )
    summary = report.summary()
    return {
        "seconds": summary["seconds"],
        "files": summary["files"],
        "passages": summary["passages"],
        "passages_per_second": summary["passages_per_second"],
        "indexing_process_cpu_s": round(time.process_time() - cpu, 1),
        "workers_cpu_s": round(_children_cpu() - children, 1),
        "segments": len(generations.open_current(index_dir).reader().leaf_readers()),
    }


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def search_latency(index_dir: Path) -> dict[str, Any]:
    """`report-search serve` on the index, after its warm-up: /api/search at one client."""
    served = measure_server(index_dir, load_queries())
    return {"one_client": served["one_client"], "8_clients": served["8_clients"]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--speeches", type=int, default=None, help="only N speeches")
    args = parser.parse_args(argv)
    root = corpora.ungdc_corpus(args.speeches)
    work = corpora.WORK / "writer"
    out: dict[str, Any] = {
        "corpus": str(root),
        "workers": WORKERS,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "load_before": os.getloadavg(),
    }
    for name, in_workers in (("one_writer", False), ("worker_segments", True)):
        out[name] = build(root, work / name, in_workers)
        print(name, out[name], flush=True)
    out["speedup"] = round(out["one_writer"]["seconds"] / out["worker_segments"]["seconds"], 2)
    one, each = bodies(work / "one_writer"), bodies(work / "worker_segments")
    out["identical_bodies"] = f"{sum(one[u] == each[u] for u in one)} of {len(one)}"
    for name in ("one_writer", "worker_segments"):
        out[name]["search"] = search_latency(work / name)
    out["load_after"] = os.getloadavg()
    RESULTS.write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
