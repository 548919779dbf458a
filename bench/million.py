"""The 1M-passage row of docs/scale.md: the speeches and altered copies of them, as files.

The shelf (bench/work/million/) holds the 10,952 UN General Debate speeches as they are
(`copy-0/`, hard links) and altered copies (`copy-1/`, ...: the same file names and
metadata.csv rows, titles ending "(copy N)"), each copy dropping about one lowercase word in
COPY_DROP, chosen by a seeded random draw per copy and file. A copy and its speech then share
about 60% of their 5-word shingles, so copy detection (indexer/duplicates.py, grouping at an
estimated 0.9 similarity) keeps every copy searchable, while each copy keeps the speeches'
words, lengths and vocabulary. The last copy holds PARTIAL_SPEECHES evenly spread speeches,
so that the shelf comes to about a million passages.

    python -m bench.million [--index DIR]    # writes bench/results/million.json

It indexes the shelf with `nice -n 10 report-search index --rebuild --workers 2 --no-embed`
(the product path, no embeddings; do not nice this module as well), timing it and sampling
the memory of the indexing process and its workers, then serves the index with
`report-search serve` and measures `/api/search` at one client and at 8 and `/api/ask` at
one client over the benchmark queries (as bench.scale does), the server's memory after its
warm-up and at its peak, and the index's size on disk. `--index DIR` measures the index this
module built before, with that build's figures (bench/work/million-ingest.json).
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import psutil

from bench import corpora
from bench.scale import ALL_SPEECHES
from bench.search_speed import (
    ASK_EVERY,
    CLIENTS,
    Server,
    ask_path,
    load_queries,
    search_path,
    summarize,
    timed,
)
from indexer.index import generations
from indexer.ungdc import write_metadata_csv

RESULTS = Path(__file__).resolve().parent / "results" / "million.json"
SHELF = corpora.WORK / "million"
INDEX = corpora.WORK / "million-index"
INGESTION = corpora.WORK / "million-ingest.json"  # the build's figures, for --index
READY_WITHIN = 1800  # seconds for the server's start-up warm-up on a million passages
FULL_COPIES = 3  # copy-0 (the speeches) and two altered copies, all speeches each
PARTIAL_SPEECHES = 9_000  # the last altered copy: evenly spread speeches
COPY_DROP = 12  # an altered copy drops about one lowercase word in this many
WORKERS = 2


def alter(text: str, seed: str) -> str:
    """The text without about one lowercase word in COPY_DROP (seeded: the same every run)."""
    rng = random.Random(seed)
    lines = []
    for line in text.split("\n"):
        words = line.split(" ")
        kept = [
            w for w in words if not (w.isalpha() and w.islower() and rng.random() * COPY_DROP < 1)
        ]
        lines.append(" ".join(kept))
    return "\n".join(lines)


def _drawn(rng: random.Random) -> bool:
    return rng.random() * COPY_DROP < 1


def shelf(copies: int = FULL_COPIES, partial: int = PARTIAL_SPEECHES) -> Path:
    """bench/work/million/: the speeches and their altered copies (built once)."""
    done = SHELF / "done"
    if done.is_file():
        return SHELF
    shutil.rmtree(SHELF, ignore_errors=True)
    speeches = corpora.ungdc_corpus()
    with open(speeches / "metadata.csv", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))[1:]
    subset = rows[:: max(1, len(rows) // partial)][:partial] if partial else []
    for n, copy_rows in enumerate([rows] * copies + ([subset] if subset else [])):
        target = SHELF / f"copy-{n}"
        for row in copy_rows:
            source, path = speeches / row[0], target / row[0]
            path.parent.mkdir(parents=True, exist_ok=True)
            if n == 0:
                os.link(source, path)
            else:
                path.write_text(alter(source.read_text("utf-8"), f"{n}:{row[0]}"), "utf-8")
        titled = [r if n == 0 else [r[0], f"{r[1]} (copy {n})", *r[2:]] for r in copy_rows]
        write_metadata_csv(target / "metadata.csv", titled)
    done.write_text("", "utf-8")
    return SHELF


def _tree_rss(process: psutil.Process) -> int:
    total = 0
    for p in [process, *process.children(recursive=True)]:
        with contextlib.suppress(psutil.Error):  # a worker that just ended
            total += p.memory_info().rss
    return total


def ingest(folder: Path, index_dir: Path) -> dict[str, Any]:
    """`report-search index --rebuild --workers 2 --no-embed`, niced; its summary, wall time
    and the peak RSS of the indexing process and its workers together."""
    cli = Path(sys.executable).with_name("report-search")
    command = ["nice", "-n", "10", str(cli), "index", str(folder), "--index-dir", str(index_dir)]
    command += ["--rebuild", "--workers", str(WORKERS), "--no-embed"]
    start = time.perf_counter()
    process = subprocess.Popen(command)
    peak = 0
    watched = psutil.Process(process.pid)
    while process.poll() is None:
        peak = max(peak, _tree_rss(watched))
        time.sleep(2)
    if process.returncode:
        raise RuntimeError(f"indexing failed ({process.returncode}): {command}")
    wall = time.perf_counter() - start
    return {"wall_seconds": round(wall, 1), "peak_rss_mb": round(peak / 2**20)} | report(index_dir)


def report(index_dir: Path) -> dict[str, Any]:
    """The live generation's indexing report without its per-file list."""
    generation = generations.current_generation(index_dir)
    if generation is None:
        raise FileNotFoundError(f"no index in {index_dir}")
    data = json.loads((generation / generations.REPORT).read_text("utf-8"))
    return {k: v for k, v in data.items() if k != "per_file"}


def index_size_mb(index_dir: Path) -> float:
    """The live generation's files on disk, in MB."""
    generation = generations.current_generation(index_dir)
    if generation is None:
        raise FileNotFoundError(f"no index in {index_dir}")
    return round(sum(p.stat().st_size for p in generation.rglob("*") if p.is_file()) / 2**20, 1)


def serve(index_dir: Path, more: bool = True) -> dict[str, Any]:
    """`report-search serve` on the index: its start, its memory after the warm-up and at its
    peak, /api/search at one client over the benchmark queries and, with `more`, at 8, and
    /api/ask at one client."""
    queries = load_queries()
    started = time.perf_counter()
    server = Server(index_dir, ready_within=READY_WITHIN)
    try:
        out: dict[str, Any] = {"server_ready_seconds": round(time.perf_counter() - started, 1)}
        out |= _one_client(server, queries)
        if more:
            many, many_wall = timed(lambda q: server.get(search_path(q)), queries, CLIENTS)
            questions = queries[::ASK_EVERY]
            ask, ask_wall = timed(lambda q: server.get(ask_path(q)), questions, 1)
            out["search_8_clients"] = summarize(many, many_wall)
            out["ask_one_client"] = summarize(ask, ask_wall)
        out["server_peak_rss_mb"] = round(server.peak_rss / 2**20)
        return out
    finally:
        server.stop()


def _one_client(server: Server, queries: list[dict[str, Any]]) -> dict[str, Any]:
    """After a warm-up of 10 queries (as bench.scale): the server's memory, then /api/search
    at one client with its latency, the engine's `took_ms` and the server's CPU a query."""
    took: list[float] = []

    def search(query: dict[str, Any]) -> None:
        took.append(server.get(search_path(query))["took_ms"])

    for query in queries[:10]:  # warm the per-generation caches
        search(query)
    took.clear()
    process = psutil.Process(server.process.pid)
    memory = process.memory_full_info()
    cpu = sum(process.cpu_times()[:2])
    one, one_wall = timed(search, queries, 1)
    # The server's own CPU a query: what the machine's other work moves least.
    cpu_ms = 1000 * (sum(process.cpu_times()[:2]) - cpu) / len(queries)
    engine = sorted(took)
    return {
        "server_after_warm_up_mb": {
            name: round(getattr(memory, name) / 2**20) for name in ("rss", "pss", "uss")
        },
        "search_one_client": summarize(one, one_wall),
        "server_cpu_ms_per_query": round(cpu_ms, 1),
        "engine_took_ms_p50": engine[len(engine) // 2],
        "engine_took_ms_p95": engine[int(0.95 * len(engine))],
    }


def measure(index_dir: Path | None = None, more: bool = True) -> dict[str, Any]:
    """The row: build the shelf and its index (unless `index_dir` holds one built by this
    module, whose ingestion bench/work/million-ingest.json kept), then serve it."""
    from bench.machine import environment

    if index_dir is None:
        index_dir, env = INDEX, environment()
        ingestion = ingest(shelf(), index_dir)
        ingestion["environment"] = env | {"load_average_at_end": _load()}
        INGESTION.write_text(json.dumps(ingestion, indent=1) + "\n", "utf-8")
    ingestion = json.loads(INGESTION.read_text("utf-8"))
    return {
        "passages": ingestion["passages"],
        "files": ingestion["files"],
        "speeches": ALL_SPEECHES,
        "altered_copies": FULL_COPIES - 1 + (1 if PARTIAL_SPEECHES else 0),
        "partial_copy_speeches": PARTIAL_SPEECHES,
        "drop_one_word_in": COPY_DROP,
        "workers": WORKERS,
        "ingestion": ingestion,
        "index_mb": index_size_mb(index_dir),
        **serve(index_dir, more),
    }


def _load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def main(argv: list[str] | None = None) -> int:
    from bench.machine import environment

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--index", type=Path, default=None, help="measure this index, built before")
    parser.add_argument(
        "--one-client", action="store_true", help="only /api/search at one client, not 8 or ask"
    )
    args = parser.parse_args(argv)
    env, started = environment(), time.perf_counter()
    result = measure(args.index, more=not args.one_client)
    result["environment"] = env | {"load_average_at_end": _load()}
    result["wall_seconds"] = round(time.perf_counter() - started, 1)
    RESULTS.write_text(json.dumps(result, indent=1) + "\n", "utf-8")
    print(RESULTS)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
