"""How ingestion and search grow with the shelf: the rows of docs/scale.md.

For evenly spread subsets of the UN General Debate speeches (about 10k, 50k and 100k
passages) and all of them: a full rebuild with 2 local workers (passages per second), then
`report-search serve` on it with `/api/search` at one client and at 8, `/api/ask` at one
client, and the server's peak memory (bench.search_speed.measure_server).

    python -m bench.scale [--full-index DIR]    # writes bench/results/scale.json

`--full-index` reuses an index of all 10,952 speeches (bench.writer leaves one in
bench/work/writer/worker_segments) with that run's ingestion rate, instead of a fourth build.
`python -m bench.run` measures the same rows (`--only scale`), its full row on the search
benchmark's index of all the speeches.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
from pathlib import Path
from typing import Any

from bench import corpora
from bench.search_speed import load_queries, measure_server
from indexer import pipeline

RESULTS = Path(__file__).resolve().parent / "results" / "scale.json"
SUBSETS = (400, 2000, 4000)  # speeches: about 25 passages each
QUICK_SUBSETS = (50, 100)
ALL_SPEECHES = 10_952
WORKERS = 2


def row(index_dir: Path, ingestion: dict[str, Any]) -> dict[str, Any]:
    served = measure_server(index_dir, load_queries())
    return {
        "passages": ingestion["passages"],
        "files": ingestion["files"],
        "ingestion_seconds": ingestion["seconds"],
        "ingestion_passages_per_second": ingestion["passages_per_second"],
        "search_one_client": served["one_client"],
        "search_8_clients": served["8_clients"],
        "ask_one_client": served["ask_one_client"],
        "server_peak_rss_mb": served["server_peak_rss_mb"],
        "load_after": [round(x, 2) for x in os.getloadavg()],
    }


def prebuilt(index_dir: Path) -> dict[str, Any]:
    """The ingestion summary of an index built before the run: its passages and files, its
    build's time and speed unknown (None)."""
    from search_app.engine.index_handle import IndexHandle

    snapshot = IndexHandle(index_dir).snapshot()
    return {
        "passages": snapshot.searcher().reader().doc_count(),
        "files": len(snapshot.manifest),
        "seconds": None,
        "passages_per_second": None,
    }


def measure(
    subsets: tuple[int, ...], full: tuple[Path, dict[str, Any]] | None = None
) -> dict[str, Any]:
    """A row per subset of speeches (built, measured, deleted), and one for an index of all
    of them if `full` gives it (its folder and its build's summary)."""
    work = corpora.WORK / "scale"
    rows = []
    for speeches in subsets:
        index_dir = work / f"speeches-{speeches}"
        shutil.rmtree(index_dir, ignore_errors=True)
        root = corpora.ungdc_corpus(speeches)
        summary = pipeline.run([root], index_dir, rebuild=True, workers=WORKERS).summary()
        rows.append(row(index_dir, summary) | {"speeches": speeches})
        print(json.dumps(rows[-1]), flush=True)
        shutil.rmtree(index_dir, ignore_errors=True)
    if full is not None:
        rows.append(row(*full) | {"speeches": ALL_SPEECHES})
        print(json.dumps(rows[-1]), flush=True)
    return {"workers": WORKERS, "rows": rows}


def main(argv: list[str] | None = None) -> int:
    from bench.machine import environment

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--full-index", type=Path, default=None)
    args = parser.parse_args(argv)
    env = environment()
    full = None
    if args.full_index:
        writer = json.loads((RESULTS.parent / "writer.json").read_text("utf-8"))
        full = (args.full_index, writer["worker_segments"])
    result = measure(SUBSETS, full)
    result["environment"] = {**env, "load_average_at_end": [round(x, 2) for x in os.getloadavg()]}
    RESULTS.write_text(json.dumps(result, indent=1) + "\n", "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
